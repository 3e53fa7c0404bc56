// StudioHistory.swift: what the studio database can tell: per-job counts, the manifest of a job's
// artifacts, the job list and a job's event log (`diptych history`), and the items of a job.
import Core
import Foundation
import GRDB

/// Outputs/<job>/manifest.json: every artifact of the job with its parameters and SHA-256, in plan
/// order. Holds no times, so the same finished job always gives the same manifest.
public struct Manifest: Codable, Equatable, Sendable {
    public struct Entry: Codable, Equatable, Sendable {
        /// Task number, 1-based as in messages.
        public var task: Int
        public var item: String
        public var artifact: ArtifactRecord
    }
    public var job: String
    public var file: String?
    public var model: String
    /// Every item is done.
    public var complete: Bool
    public var items: Int
    public var artifacts: [Entry]

    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self) + Data("\n".utf8)
    }
}

public struct ItemCounts: Codable, Sendable, Equatable {
    public var pending = 0
    public var running = 0
    public var done = 0
    public var failed = 0
    public var total: Int { pending + running + done + failed }
}

public struct JobSummary: Codable, Sendable {
    public var id: Int64
    public var name: String
    public var file: String?
    public var state: String
    public var counts: ItemCounts
    public var createdAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?
    /// Sum of the items' seconds.
    public var workSeconds: Double
}

public struct HistoryEvent: Codable, Sendable {
    public var at: Date
    public var job: String?
    public var worker: String?
    public var kind: String
    public var message: String
}

public struct ItemStatus: Codable, Sendable {
    public var key: String
    public var task: Int
    public var kind: String
    public var state: String
    public var attempts: Int
    public var seconds: Double?
    public var error: String?
    public var result: ItemResult?
}

extension StudioStore {
    func counts(_ db: Database, job: Int64) throws -> ItemCounts {
        var c = ItemCounts()
        for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM items WHERE job_id = ? GROUP BY state", arguments: [job]) {
            let n: Int = row["n"]
            switch row["state"] as String {
            case "pending": c.pending = n
            case "running": c.running = n
            case "done": c.done = n
            default: c.failed += n
            }
        }
        return c
    }

    public func counts(job: Int64) throws -> ItemCounts { try read { db in try counts(db, job: job) } }

    /// Counts over every job still in the queue.
    public func queueCounts() throws -> ItemCounts {
        try read { db in
            var c = ItemCounts()
            for id in try Int64.fetchAll(db, sql: "SELECT id FROM jobs") {
                let j = try counts(db, job: id)
                c.pending += j.pending
                c.running += j.running
                c.done += j.done
                c.failed += j.failed
            }
            return c
        }
    }

    func manifest(_ db: Database, job: Int64) throws -> Manifest {
        guard let row = try Row.fetchOne(db, sql: "SELECT name, file, spec FROM jobs WHERE id = ?", arguments: [job]) else {
            throw DiptychError("no job with id \(job)")
        }
        let spec = try JSONDecoder().decode(Job.self, from: Data((row["spec"] as String).utf8))
        var entries: [Manifest.Entry] = []
        let rows = try Row.fetchAll(db, sql: "SELECT key, task, state, result FROM items WHERE job_id = ? ORDER BY ord", arguments: [job])
        for r in rows where r["state"] as String == "done" {
            guard let json: String = r["result"] else { continue }
            let result = try JSONDecoder().decode(ItemResult.self, from: Data(json.utf8))
            for a in result.artifacts { entries.append(Manifest.Entry(task: (r["task"] as Int) + 1, item: r["key"], artifact: a)) }
        }
        return Manifest(job: row["name"], file: row["file"], model: spec.model,
                        complete: rows.allSatisfy { $0["state"] as String == "done" }, items: rows.count, artifacts: entries)
    }

    public func manifest(job: Int64) throws -> Manifest { try read { db in try manifest(db, job: job) } }

    /// Whether some item of the job is held by a worker that is alive (its lease not run out, and on
    /// this host its process still there). A job whose run was stopped (Ctrl-C, a kill) has none: the
    /// history shows it as "stopped" until a worker takes it up again.
    func hasLiveWorker(_ db: Database, job: Int64) throws -> Bool {
        let now = Date().timeIntervalSince1970, host = ProcessInfo.processInfo.hostName
        for row in try Row.fetchAll(db, sql: "SELECT owner, lease_expires FROM items WHERE job_id = ? AND state = 'running'", arguments: [job]) {
            let expired = (row["lease_expires"] as Double? ?? 0) < now
            if !expired && !WorkerIdentity.isDead(owner: row["owner"] ?? "", host: host) { return true }
        }
        return false
    }

    public func jobs() throws -> [JobSummary] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM jobs ORDER BY id").map { r in
                let id: Int64 = r["id"]
                let seconds = try Double.fetchOne(db, sql: "SELECT SUM(seconds) FROM items WHERE job_id = ?", arguments: [id]) ?? 0
                var state: String = r["state"]
                if state == "running", try !hasLiveWorker(db, job: id) { state = "stopped" }
                return JobSummary(id: id, name: r["name"], file: r["file"], state: state, counts: try counts(db, job: id),
                                  createdAt: Date(timeIntervalSince1970: r["created_at"]),
                                  startedAt: (r["started_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
                                  finishedAt: (r["finished_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
                                  workSeconds: seconds)
            }
        }
    }

    /// The newest `limit` events, oldest first; of one job when `job` is given.
    public func events(job: Int64? = nil, limit: Int = 50) throws -> [HistoryEvent] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT e.at, e.worker, e.kind, e.message, j.name FROM events e LEFT JOIN jobs j ON j.id = e.job_id
                WHERE (?1 IS NULL OR e.job_id = ?1) ORDER BY e.id DESC LIMIT ?2
                """, arguments: [job, limit]).reversed().map { r in
                HistoryEvent(at: Date(timeIntervalSince1970: r["at"]), job: r["name"], worker: r["worker"], kind: r["kind"], message: r["message"])
            }
        }
    }

    public func items(job: Int64) throws -> [ItemStatus] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM items WHERE job_id = ? ORDER BY ord", arguments: [job]).map { r in
                let result = (r["result"] as String?).flatMap { try? JSONDecoder().decode(ItemResult.self, from: Data($0.utf8)) }
                return ItemStatus(key: r["key"], task: (r["task"] as Int) + 1, kind: r["kind"], state: r["state"],
                                  attempts: r["attempts"], seconds: r["seconds"], error: r["error"], result: result)
            }
        }
    }

    /// Done items of one task with their results (for reports).
    public func results(job: Int64, task: Int) throws -> [(item: WorkItem, result: ItemResult)] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT spec, result FROM items WHERE job_id = ? AND task = ? AND state = 'done' ORDER BY ord",
                             arguments: [job, task]).compactMap { r in
                guard let json: String = r["result"] else { return nil }
                return (try WorkItem.decode(r["spec"]), try JSONDecoder().decode(ItemResult.self, from: Data(json.utf8)))
            }
        }
    }
}

extension StudioStore {
    /// Writes the job's manifest under the write lock (so it cannot interleave with a worker's).
    public func writeManifest(job: Int64, _ writer: (Manifest) throws -> Void) throws {
        try write { db in try writer(try manifest(db, job: job)) }
    }
}
