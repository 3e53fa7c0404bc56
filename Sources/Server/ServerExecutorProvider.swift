// ServerExecutorProvider.swift: one in-process worker's executors: the studio's usual provider
// (each model loaded once, on first use, and kept), plus the progress board's step hook installed
// on every model it loads, so the server sees sampling steps and can stop a running batch.
import Foundation
import Studio

final class ServerExecutorProvider: ExecutorProvider {
    private let base: ExecutorProvider
    private let board: ProgressBoard
    private let worker: Int
    private let lock = NSLock()

    init(settings: ServerSettings, board: ProgressBoard, worker: Int) {
        base = settings.executor.provider(threads: settings.threads, modelsRoot: settings.modelsRoot, fakeDelay: settings.fakeDelay)
        self.board = board
        self.worker = worker
    }

    func executor(for model: String) throws -> TaskExecutor {
        lock.lock()
        defer { lock.unlock() }
        let e = try base.executor(for: model)
        if let m = e as? ModelExecutor, m.progress == nil { m.progress = board.hook(worker: worker) }
        return e
    }
}
