// StudioWorker.swift: the worker loop. Claim a batch, keep its lease alive from a heartbeat thread
// while the model works, write the artifacts, record them (and rewrite the job's manifest) in one
// transaction, repeat. Models are loaded once per worker (the provider keeps them). A stop request
// is honoured between batches; items claimed but not started are handed back.
import Core
import Foundation

public struct WorkerOptions: Codable, Sendable {
    /// Seconds a claim stays valid without a heartbeat; the heartbeat renews it every third of that.
    public var lease: Double = 30
    /// Claims of one item before it is marked failed (a worker that dies on it each time).
    public var maxAttempts = 5
    /// Seconds between looks at the queue while waiting.
    public var poll: Double = 0.5
    /// Keep waiting for new jobs when the queue is empty (`diptych worker --watch`).
    public var watch = false
    /// Work on this job only and return once it is finished, waiting for items other workers hold.
    public var jobID: Int64?
    /// Shortest time between two rewrites of an unfinished job's manifest.
    public var manifestInterval: Double = 2
    public init() {}
}

public struct WorkerSummary: Codable, Sendable {
    public var done = 0
    public var failed = 0
    public var batches = 0
    /// Stopped by a signal before the work ran out.
    public var stopped = false
    /// "key: message" of each failed item.
    public var failures: [String] = []
}

public final class StudioWorker {
    public let identity: WorkerIdentity
    let store: StudioStore
    let runner: ItemRunner
    let options: WorkerOptions
    let stop: StopFlag
    let progress: ProgressReporter
    private var cleaned = Set<Int64>()
    private var lastManifest: [Int64: Date] = [:]

    public init(store: StudioStore, runner: ItemRunner, options: WorkerOptions, stop: StopFlag,
                progress: ProgressReporter, identity: WorkerIdentity = WorkerIdentity()) {
        self.store = store
        self.runner = runner
        self.options = options
        self.stop = stop
        self.progress = progress
        self.identity = identity
        runner.log = { [progress] in progress.log($0) }
    }

    public func run() throws -> WorkerSummary {
        var summary = WorkerSummary()
        try store.logWorker(identity, kind: "worker", "worker \(identity.id) started")
        defer { try? store.logWorker(identity, kind: "worker", "worker \(identity.id) stopped: \(summary.done) done, \(summary.failed) failed") }
        if let job = options.jobID { try clean(job: job, name: try store.job(id: job).name) }
        while true {
            if stop.isSet { summary.stopped = true; break }
            guard let claim = try store.claim(worker: identity, jobID: options.jobID, lease: options.lease, maxAttempts: options.maxAttempts) else {
                if let job = options.jobID {
                    let c = try store.counts(job: job)
                    if c.pending + c.running == 0 { break }
                } else if !options.watch {
                    break
                }
                Thread.sleep(forTimeInterval: options.poll)
                continue
            }
            try clean(job: claim.jobID, name: claim.jobName)
            if stop.isSet {
                try store.release(ids: claim.items.map(\.id), token: claim.token)
                summary.stopped = true
                break
            }
            try process(claim, &summary)
        }
        progress.finish()
        return summary
    }

    /// Removes temporary files of dead writers from a job's folder, once per job and worker.
    func clean(job: Int64, name: String) throws {
        guard cleaned.insert(job).inserted else { return }
        progress.log("worker \(identity.id): job \(name)")
        for path in ArtifactFiles.cleanStaleTemporaries(in: try runner.jobDirectory(name)) {
            progress.log("removed stale temporary file \(path)")
        }
    }

    /// Runs a claimed batch. When a batch of several items fails, each item is run again on its own, so
    /// one bad input (a corrupt image among a caption task's files) fails alone, by name, and the
    /// others finish; a cancellation fails the batch as a whole.
    func process(_ claim: Claim, _ summary: inout WorkerSummary) throws {
        summary.batches += 1
        let keeper = LeaseKeeper(store: store, token: claim.token, lease: options.lease)
        keeper.start()
        var outcomes: [(id: Int64, key: String, result: Result<ItemResult, Error>)] = []
        do {
            let results = try runner.run(claim.items.map(\.item), jobName: claim.jobName, jobID: claim.jobID)
            outcomes = zip(claim.items, results).map { ($0.id, $0.item.key, .success($1)) }
        } catch where claim.items.count > 1 && !(error is CancellationError) {
            progress.log("batch of \(claim.items.count) failed (\((error as? DiptychError)?.message ?? "\(error)")); running its items one by one")
            for item in claim.items {
                do {
                    let one = try runner.run([item.item], jobName: claim.jobName, jobID: claim.jobID)
                    outcomes.append((item.id, item.item.key, .success(one[0])))
                } catch {
                    outcomes.append((item.id, item.item.key, .failure(error)))
                }
            }
        } catch {
            outcomes = claim.items.map { ($0.id, $0.item.key, .failure(error)) }
        }
        keeper.stop()
        let ids = claim.items.map(\.id)
        var done: [(id: Int64, result: ItemResult)] = []
        for o in outcomes {
            switch o.result {
            case .success(let r): done.append((o.id, r))
            case .failure(let error):
                let message = (error as? DiptychError)?.message ?? "\(error)"
                try store.fail(ids: [o.id], token: claim.token, message: message)
                summary.failed += 1
                summary.failures.append("\(o.key): \(message)")
                progress.log("failed: \(o.key): \(message)")
            }
        }
        if !done.isEmpty {
            let dir = try runner.jobDirectory(claim.jobName)
            // The manifest is rewritten when the job finishes and at most every few seconds before:
            // rewriting it after every batch would cost time quadratic in the job's size.
            let due: (Bool) -> Bool = { [self] finished in finished || Date().timeIntervalSince(lastManifest[claim.jobID] ?? .distantPast) >= options.manifestInterval }
            try store.complete(done, token: claim.token, jobID: claim.jobID, manifestDue: due) { manifest in
                try AtomicFile.write(try manifest.encoded(), to: dir + "/manifest.json")
                lastManifest[claim.jobID] = Date()
            }
            summary.done += done.count
        }
        let c = options.jobID != nil ? try store.counts(job: options.jobID!) : try store.queueCounts()
        progress.advance(by: ids.count, finished: c.done + c.failed, total: c.total, last: claim.items.last!.item.key)
    }
}

/// Renews a claim's lease every third of the lease time on its own thread until stopped.
final class LeaseKeeper: @unchecked Sendable {
    private let store: StudioStore
    private let token: String
    private let lease: Double
    private let condition = NSCondition()
    private var stopped = false
    private var finished = false

    init(store: StudioStore, token: String, lease: Double) {
        self.store = store
        self.token = token
        self.lease = lease
    }

    func start() {
        let thread = Thread { [self] in
            condition.lock()
            while !stopped {
                if !condition.wait(until: Date(timeIntervalSinceNow: lease / 3)) && !stopped {
                    condition.unlock()
                    _ = try? store.renew(token: token, lease: lease)
                    condition.lock()
                }
            }
            finished = true
            condition.broadcast()
            condition.unlock()
        }
        thread.start()
    }

    /// Stops the heartbeat and waits for its thread to leave.
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        while !finished { condition.wait() }
        condition.unlock()
    }
}
