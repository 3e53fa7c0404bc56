// StudioGateway.swift: how a request becomes studio work and comes back: the route builds a Job
// (the same Codable job a job file gives), the gateway queues it in the store exactly as
// `diptych queue add` does (StudioQueue.add), the in-process workers run its items, and the
// request waits, polling the store, until none is pending or running. The server keeps no queue of
// its own: the store's state is the truth, so `diptych history` shows the server's jobs and a
// restart resumes them.
//
// A request that goes away (client disconnect: its task is cancelled), or an interrupt, cancels
// its job: pending items are marked failed in the store and a running batch is stopped at its
// next sampling step. Store calls block (SQLite), so they run on a dispatch queue, not on the
// server's event loops.
import Core
import Foundation
import Studio

public final class StudioGateway: @unchecked Sendable {
    public let queue: StudioQueue
    public let pool: WorkerPool
    public let board: ProgressBoard
    public let settings: ServerSettings
    public var model: ServedModel { pool.model }

    public struct InFlight: Sendable {
        public var jobID: Int64
        public var name: String
        public var kind: String
        public var started: Date
        public var interrupted = false
    }

    private let lock = NSLock()
    private var inFlight: [Int64: InFlight] = [:]
    private var waiting = 0

    public init(queue: StudioQueue, pool: WorkerPool, board: ProgressBoard, settings: ServerSettings) {
        self.queue = queue
        self.pool = pool
        self.board = board
        self.settings = settings
    }

    /// Runs a blocking call off the cooperative pool.
    public static func blocking<T>(_ body: @escaping () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<T, Error>) in
            DispatchQueue.global().async {
                do { c.resume(returning: try body()) } catch { c.resume(throwing: error) }
            }
        }
    }

    /// A job name no other request has: "api-<kind>-<UTC time>-<random>".
    public static func jobName(_ kind: String) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd-HHmmss"
        return "api-\(kind)-\(f.string(from: Date()))-\(UUID().uuidString.prefix(6).lowercased())"
    }

    public struct Outcome: Sendable {
        public var jobID: Int64
        public var items: [ItemStatus]
        public var interrupted: Bool
        public var directory: String
    }

    /// Queues `job`, waits for its items and returns their states. Throws 503 when too many requests
    /// wait or the server is stopping, 504 after the wait limit (the job stays queued).
    public func run(_ job: Job, kind: String) async throws -> Outcome {
        let admitted: Bool = lock.withLock {
            guard waiting < settings.limits.inFlightRequests else { return false }
            waiting += 1
            return true
        }
        guard admitted else { throw APIError(.serviceUnavailable, "\(settings.limits.inFlightRequests) requests are already waiting; try again later") }
        defer { lock.withLock { waiting -= 1 } }
        if pool.isStopping { throw APIError(.serviceUnavailable, "the server is stopping") }
        let hash = model.hash
        let name = model.name
        let kindOfExecutor = settings.executor
        let root = settings.modelsRoot
        let (_, summary) = try await Self.blocking { [queue] in
            try queue.add(job: job) { m in m == name ? (kindOfExecutor == .fake ? nil : hash) : try kindOfExecutor.modelHash(m, modelsRoot: root) }
        }
        let id = summary.jobID
        lock.withLock { inFlight[id] = InFlight(jobID: id, name: job.name, kind: kind, started: Date()) }
        defer { lock.withLock { inFlight[id] = nil } }
        let deadline = Date().addingTimeInterval(settings.limits.waitSeconds)
        do {
            while true {
                try await Task.sleep(nanoseconds: 30_000_000)
                let c = try await Self.blocking { [queue] in try queue.store.counts(job: id) }
                if c.pending + c.running == 0 { break }
                if pool.isStopping {
                    throw APIError(.serviceUnavailable, "the server is stopping; job \(job.name) stays queued and resumes on restart")
                }
                if Date() > deadline {
                    throw APIError(.gatewayTimeout, "job \(job.name) is not finished after \(Int(settings.limits.waitSeconds)) s; it stays queued (see `diptych history`)")
                }
            }
        } catch is CancellationError {
            // The client went away: nothing more of this job should run.
            try? await cancel(jobID: id, reason: "the client disconnected")
            throw CancellationError()
        }
        let items = try await Self.blocking { [queue] in try queue.store.items(job: id) }
        let interrupted = lock.withLock { inFlight[id]?.interrupted ?? false }
        return Outcome(jobID: id, items: items, interrupted: interrupted, directory: try queue.jobDirectory(job.name))
    }

    /// Cancels what is left of a job: pending items fail in the store, our workers' running batches stop.
    public func cancel(jobID: Int64, reason: String) async throws {
        let owners = try await Self.blocking { [queue] in
            _ = try queue.store.cancelPending(job: jobID, reason: reason)
            return try queue.store.runningOwners(job: jobID)
        }
        for owner in owners { if let k = pool.worker(id: owner) { board.cancelRunningBatch(worker: k) } }
    }

    /// /sdapi/v1/interrupt: cancels every job the server's requests are waiting on (never CLI jobs).
    public func interruptAll() async throws -> Int {
        let ids: [Int64] = lock.withLock {
            let ids = Array(inFlight.keys)
            for id in ids { inFlight[id]?.interrupted = true }
            return ids
        }
        for id in ids { try await cancel(jobID: id, reason: "interrupted") }
        return ids.count
    }

    public func snapshot() -> [InFlight] {
        lock.withLock { inFlight.values.sorted { $0.started < $1.started } }
    }
}
