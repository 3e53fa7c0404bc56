// WorkerPool.swift: the server's in-process workers. Each is an ordinary studio worker
// (StudioWorker, the loop `diptych worker --watch` runs) on its own thread, with its own copy of
// the model loaded once at start; they claim items from the same store as any CLI worker, so the
// server's jobs and the CLI's share one queue and one history.
//
// As a ServiceLifecycle service it runs until graceful shutdown (SIGINT/SIGTERM, or the server's
// shutdown): then it sets the workers' stop flag, and each finishes and records the batch in hand
// (items claimed but not started go back to pending) and leaves. Whatever is still queued stays
// queued; the next `diptych serve` or `diptych worker` resumes it.
import Core
import Foundation
import ServiceLifecycle
import Studio

public final class WorkerPool: Service, @unchecked Sendable {
    let queue: StudioQueue
    let settings: ServerSettings
    let board: ProgressBoard
    public let identities: [WorkerIdentity]
    public let model: ServedModel
    let stop = StopFlag()
    private let providers: [ServerExecutorProvider]
    private let lock = NSCondition()
    private var running = 0
    private var started = false

    /// Loads the model once per worker (failing here, before the server binds, when it cannot).
    public init(settings: ServerSettings, queue: StudioQueue, board: ProgressBoard) throws {
        self.settings = settings
        self.queue = queue
        self.board = board
        let host = ProcessInfo.processInfo.hostName
        identities = (0..<settings.workers).map { WorkerIdentity(host: host, nonce: "serve\($0)-" + String(UUID().uuidString.prefix(6))) }
        providers = (0..<settings.workers).map { ServerExecutorProvider(settings: settings, board: board, worker: $0) }
        var first: TaskExecutor?
        for p in providers {
            let e = try p.executor(for: settings.model)
            if first == nil { first = e }
        }
        model = ServedModel(executor: first!, name: settings.model, modelsRoot: settings.modelsRoot)
    }

    public var isStopping: Bool { stop.isSet }

    /// Index of the in-process worker with this id, if it is one of ours.
    public func worker(id: String) -> Int? { identities.firstIndex { $0.id == id } }

    public func start() {
        lock.lock()
        defer { lock.unlock() }
        guard !started else { return }
        started = true
        for k in identities.indices {
            running += 1
            let thread = Thread { [self] in
                work(k)
                lock.lock()
                running -= 1
                lock.broadcast()
                lock.unlock()
            }
            thread.name = "diptych-serve-worker-\(k)"
            thread.start()
        }
    }

    private func work(_ k: Int) {
        var options = WorkerOptions()
        options.watch = true
        options.poll = settings.poll
        options.lease = settings.lease
        let runner = ItemRunner(outputsRoot: queue.outputsRoot, provider: providers[k], store: queue.store)
        runner.threads = settings.threads
        while !stop.isSet {
            let worker = StudioWorker(store: queue.store, runner: runner, options: options, stop: stop,
                                      progress: ProgressReporter(quiet: settings.quiet), identity: identities[k])
            do {
                _ = try worker.run()
            } catch {
                // A database error (locked past its timeout, disk full): say so and try again shortly.
                FileHandle.standardError.write(Data("diptych serve: worker \(k): \(error)\n".utf8))
                Thread.sleep(forTimeInterval: 1)
            }
        }
    }

    /// Sets the stop flag and waits until every worker has left (after its batch in hand).
    public func stopAndWait() {
        stop.set()
        lock.lock()
        while running > 0 { lock.wait() }
        lock.unlock()
    }

    public func run() async throws {
        start()
        try? await gracefulShutdown()
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async { [self] in
                stopAndWait()
                c.resume()
            }
        }
    }
}
