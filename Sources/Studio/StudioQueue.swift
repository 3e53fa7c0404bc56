// StudioQueue.swift: the studio's entry points for the CLI: where the database and job folders
// are, putting a job file in the queue (read, plan, sync; files of changed or removed items are
// deleted), and choosing the executor (the model runtime, or the fake one for tests).
import Core
import Foundation

public struct StudioQueue {
    /// The outputs root, normally Outputs/.
    public let outputsRoot: String
    public let store: StudioStore

    public static let databaseName = "studio.sqlite"

    public init(outputsRoot: String) throws {
        self.outputsRoot = URL(fileURLWithPath: outputsRoot).standardized.path
        store = try StudioStore(path: self.outputsRoot + "/" + StudioQueue.databaseName)
    }

    public func jobDirectory(_ name: String) throws -> String { try OutputNames.resolve(name, under: outputsRoot) }

    /// Reads, plans and queues a job file (or brings the queued job of that name up to date).
    public func add(jobFile: String) throws -> (job: Job, summary: SyncSummary) {
        try add(job: try JobReader.read(path: jobFile))
    }

    public func add(job: Job) throws -> (job: Job, summary: SyncSummary) {
        let items = try JobPlanner.plan(job)
        let dir = try jobDirectory(job.name)
        let summary = try store.sync(job: job, items: items) { relative in
            if let path = try? OutputNames.resolve(relative, under: dir) { try? FileManager.default.removeItem(atPath: path) }
        }
        return (job, summary)
    }

    /// Rewrites Outputs/<job>/manifest.json from the database.
    public func writeManifest(job: Int64, name: String) throws {
        let dir = try jobDirectory(name)
        try store.writeManifest(job: job) { manifest in try AtomicFile.write(try manifest.encoded(), to: dir + "/manifest.json") }
    }
}

/// Which executor a worker uses.
public enum ExecutorKind: String, Sendable, CaseIterable {
    /// The trained model (Models/<name>/).
    case model
    /// `FakeExecutor`: deterministic stand-in for tests.
    case fake

    /// A provider that loads each model once. `threads`: for the model; `fakeDelay`: seconds per
    /// item of the fake executor; `fakeLog`: its log of items made; `modelsRoot`: where model names
    /// are looked up.
    public func provider(threads: Int = 1, modelsRoot: String = "Models", fakeDelay: Double = 0, fakeLog: String? = nil) -> ExecutorProvider {
        switch self {
        case .fake:
            return CachingExecutorProvider { FakeExecutor(model: $0, delayPerItem: fakeDelay, logPath: fakeLog) }
        case .model:
            return CachingExecutorProvider { try ModelExecutor(name: $0, modelsRoot: modelsRoot, threads: threads) }
        }
    }
}
