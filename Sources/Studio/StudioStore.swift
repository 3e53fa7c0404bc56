// StudioStore.swift: the queue and history in one embedded SQLite database (GRDB, WAL journal),
// usually Outputs/studio.sqlite. Several workers, in one process or many, share it safely: every
// change runs in an IMMEDIATE transaction (SQLite's write lock), a worker claims items by writing
// its lease token on them, renews the lease while it works, and finishes an item only while it
// still holds the lease. Items of a worker that died (its pid is gone on this host, or its lease ran
// out) go back to pending. See "SQLite: Atomic Commit" and "Write-Ahead Logging" (sqlite.org).
import Core
import Foundation
import GRDB

/// Who is working: host, pid and a random nonce ("host|pid|nonce").
public struct WorkerIdentity: Sendable, Equatable {
    public var host: String
    public var pid: Int32
    public var nonce: String
    public var id: String { "\(host)|\(pid)|\(nonce)" }

    public init(host: String = ProcessInfo.processInfo.hostName, pid: Int32 = getpid(), nonce: String = String(UUID().uuidString.prefix(8))) {
        self.host = host
        self.pid = pid
        self.nonce = nonce
    }

    /// Whether the worker named by `owner` is known to be dead: same host and no such process.
    static func isDead(owner: String, host: String) -> Bool {
        let parts = owner.split(separator: "|")
        guard parts.count == 3, parts[0] == host, let pid = Int32(parts[1]) else { return false }
        return kill(pid, 0) != 0 && errno == ESRCH
    }
}

public struct ClaimedItem: Sendable {
    public var id: Int64
    public var item: WorkItem
}

/// A batch a worker holds: items of one job with one batch key, and the lease token on them.
public struct Claim: Sendable {
    public var token: String
    public var jobID: Int64
    public var jobName: String
    public var items: [ClaimedItem]
}

public struct SyncSummary: Codable, Sendable, Equatable {
    public var jobID: Int64
    public var total = 0
    public var added = 0
    public var changed = 0
    public var removed = 0
    /// Failed items queued again.
    public var retried = 0
    /// Done items queued again because a file of theirs is missing or altered.
    public var missing = 0
    /// Items already done and unchanged.
    public var done = 0
}

public final class StudioStore {
    public let path: String
    let queue: DatabaseQueue

    public init(path: String) throws {
        self.path = path
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var config = Configuration()
        config.busyMode = .timeout(60)
        config.journalMode = .wal
        do {
            queue = try DatabaseQueue(path: path, configuration: config)
            try write { db in try StudioSchema.create(db) }
        } catch {
            throw DiptychError("cannot open the studio database \(path): \(error)")
        }
    }

    /// Runs `body` in an IMMEDIATE transaction: it holds the database's write lock from the start.
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        try queue.writeWithoutTransaction { db in
            var out: T?
            try db.inTransaction(.immediate) {
                out = try body(db)
                return .commit
            }
            return out!
        }
    }

    func read<T>(_ body: (Database) throws -> T) throws -> T { try queue.read(body) }

    static var now: Double { Date().timeIntervalSince1970 }

    func event(_ db: Database, job: Int64?, item: Int64? = nil, worker: String? = nil, kind: String, _ message: String) throws {
        try db.execute(sql: "INSERT INTO events (at, job_id, item_id, worker, kind, message) VALUES (?, ?, ?, ?, ?, ?)",
                       arguments: [StudioStore.now, job, item, worker, kind, message])
    }

    // MARK: - jobs

    static func absolute(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path }

    /// Puts a job in the queue, or brings a queued job up to date with a new plan: unchanged items keep
    /// their state (failed ones are retried), changed items start again, removed ones are deleted,
    /// and the files of changed and removed items are deleted through `removeOutput` (relative paths).
    ///
    /// `isIntact(artifact)` tells whether a done item's file is still there as recorded; a done item
    /// with a missing or altered file is done again.
    public func sync(job: Job, items: [WorkItem], isIntact: (ArtifactRecord) -> Bool = { _ in true },
                     removeOutput: (String) -> Void) throws -> SyncSummary {
        let specJSON = String(decoding: try JSONEncoder().encode(job), as: UTF8.self)
        return try write { db in
            let now = StudioStore.now
            var jobID: Int64
            if let row = try Row.fetchOne(db, sql: "SELECT id, file FROM jobs WHERE name = ?", arguments: [job.name]) {
                jobID = row["id"]
                let queuedFile: String = row["file"] ?? ""
                if let file = job.file, !queuedFile.isEmpty, !file.isEmpty, StudioStore.absolute(queuedFile) != StudioStore.absolute(file) {
                    throw DiptychError("a job named '\(job.name)' from \(queuedFile) is already in the studio; \(file) would replace "
                                       + "its outputs: give one of them another name (the 'name:' field)")
                }
                try db.execute(sql: "UPDATE jobs SET file = ?, spec = ?, updated_at = ? WHERE id = ?",
                               arguments: [job.file, specJSON, now, jobID])
            } else {
                try db.execute(sql: "INSERT INTO jobs (name, file, spec, state, created_at, updated_at) VALUES (?, ?, ?, 'queued', ?, ?)",
                               arguments: [job.name, job.file, specJSON, now, now])
                jobID = db.lastInsertedRowID
            }
            var summary = SyncSummary(jobID: jobID, total: items.count)
            var existing: [String: Row] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT id, key, spec, spec_hash, state, result FROM items WHERE job_id = ?", arguments: [jobID]) {
                existing[row["key"]] = row
            }
            for (ord, item) in items.enumerated() {
                let hash = item.specHash
                if let old = existing.removeValue(forKey: item.key) {
                    let id: Int64 = old["id"]
                    if old["spec_hash"] as String == hash {
                        let state: String = old["state"]
                        if state == "failed" {
                            summary.retried += 1
                            try db.execute(sql: "UPDATE items SET state = 'pending', attempts = 0, error = NULL, ord = ? WHERE id = ?", arguments: [ord, id])
                        } else if state == "done", let json: String = old["result"],
                                  let result = try? JSONDecoder().decode(ItemResult.self, from: Data(json.utf8)),
                                  !result.artifacts.allSatisfy(isIntact) {
                            summary.missing += 1
                            try db.execute(sql: """
                                UPDATE items SET state = 'pending', attempts = 0, result = NULL, finished_at = NULL, seconds = NULL, ord = ?
                                WHERE id = ?
                                """, arguments: [ord, id])
                        } else {
                            if state == "done" { summary.done += 1 }
                            try db.execute(sql: "UPDATE items SET ord = ? WHERE id = ?", arguments: [ord, id])
                        }
                    } else {
                        summary.changed += 1
                        StudioStore.outputs(of: old).forEach(removeOutput)
                        try db.execute(sql: """
                            UPDATE items SET ord = ?, task = ?, kind = ?, batch_key = ?, batch_limit = ?, spec = ?, spec_hash = ?,
                            state = 'pending', owner = NULL, lease_token = NULL, lease_expires = NULL, attempts = 0, error = NULL,
                            result = NULL, started_at = NULL, finished_at = NULL, seconds = NULL WHERE id = ?
                            """, arguments: [ord, item.task, item.kind.rawValue, item.batchKey, item.batchLimit, item.json, hash, id])
                    }
                } else {
                    summary.added += 1
                    try db.execute(sql: """
                        INSERT INTO items (job_id, ord, key, task, kind, batch_key, batch_limit, spec, spec_hash, state, attempts)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0)
                        """, arguments: [jobID, ord, item.key, item.task, item.kind.rawValue, item.batchKey, item.batchLimit, item.json, hash])
                }
            }
            for old in existing.values {
                summary.removed += 1
                StudioStore.outputs(of: old).forEach(removeOutput)
                try db.execute(sql: "DELETE FROM items WHERE id = ?", arguments: [old["id"] as Int64])
            }
            let pending = summary.total - summary.done
            if pending > 0 {
                try db.execute(sql: "UPDATE jobs SET state = 'queued', finished_at = NULL WHERE id = ? AND state != 'running'", arguments: [jobID])
            }
            try event(db, job: jobID, kind: "queued",
                      "\(summary.total) items: \(summary.added) new, \(summary.changed) changed, \(summary.removed) removed, "
                      + "\(summary.retried) retried, \(summary.missing) with missing files, \(summary.done) already done")
            return summary
        }
    }

    /// Every file an item may have written: its planned outputs and its recorded artifacts.
    static func outputs(of row: Row) -> [String] {
        var paths = (try? WorkItem.decode(row["spec"]))?.outputs ?? []
        if let json: String = row["result"], let result = try? JSONDecoder().decode(ItemResult.self, from: Data(json.utf8)) {
            paths += result.artifacts.map(\.path).filter { !paths.contains($0) }
        }
        return paths
    }

    /// Takes a job out of the queue and the history (its files stay). Refused while a worker holds
    /// one of its items. Returns false when there is no such job.
    public func remove(job name: String) throws -> Bool {
        try write { db in
            guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM jobs WHERE name = ?", arguments: [name]) else { return false }
            let running = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM items WHERE job_id = ? AND state = 'running'", arguments: [id]) ?? 0
            if running > 0 { throw DiptychError("job \(name) has \(running) item(s) running; stop its workers first") }
            try db.execute(sql: "DELETE FROM items WHERE job_id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM jobs WHERE id = ?", arguments: [id])
            try event(db, job: nil, kind: "removed", "job \(name) removed from the queue")
            return true
        }
    }

    public func jobID(named name: String) throws -> Int64? {
        try read { db in try Int64.fetchOne(db, sql: "SELECT id FROM jobs WHERE name = ?", arguments: [name]) }
    }

    /// The job as it was queued.
    public func job(id: Int64) throws -> Job {
        try read { db in
            guard let spec = try String.fetchOne(db, sql: "SELECT spec FROM jobs WHERE id = ?", arguments: [id]) else {
                throw DiptychError("no job with id \(id) in the queue")
            }
            return try JSONDecoder().decode(Job.self, from: Data(spec.utf8))
        }
    }

    // MARK: - claiming and finishing

    /// Takes the next batch: the first pending item (queue order) and up to its batch limit of pending
    /// items with the same batch key. A report waits until the rest of its task is done.
    public func claim(worker: WorkerIdentity, jobID: Int64? = nil, lease: Double, maxAttempts: Int) throws -> Claim? {
        try write { db in
            let now = StudioStore.now
            try reclaim(db, host: worker.host, now: now)
            for row in try Row.fetchAll(db, sql: "SELECT id, job_id, key, attempts FROM items WHERE state = 'pending' AND attempts >= ?", arguments: [maxAttempts]) {
                let message = "gave up after \(row["attempts"] as Int) attempts: the worker stopped during this item each time"
                try db.execute(sql: "UPDATE items SET state = 'failed', error = ?, finished_at = ? WHERE id = ?", arguments: [message, now, row["id"] as Int64])
                try event(db, job: row["job_id"], item: row["id"], kind: "failed", "\(row["key"] as String): \(message)")
            }
            guard let first = try Row.fetchOne(db, sql: """
                SELECT i.id, i.job_id, i.batch_key, i.batch_limit, i.kind, j.name FROM items i JOIN jobs j ON j.id = i.job_id
                WHERE i.state = 'pending' AND (?1 IS NULL OR i.job_id = ?1)
                  AND (i.kind != 'report' OR NOT EXISTS (SELECT 1 FROM items o WHERE o.job_id = i.job_id AND o.task = i.task
                                                         AND o.kind != 'report' AND o.state != 'done'))
                ORDER BY i.job_id, i.ord LIMIT 1
                """, arguments: [jobID]) else {
                try settle(db, now: now)
                return nil
            }
            let job: Int64 = first["job_id"]
            var ids: [Int64] = [first["id"]]
            if first["kind"] as String != "report" {
                ids += try Int64.fetchAll(db, sql: """
                    SELECT id FROM items WHERE job_id = ? AND state = 'pending' AND batch_key = ? AND kind != 'report' AND id != ?
                    ORDER BY ord LIMIT ?
                    """, arguments: [job, first["batch_key"] as String, ids[0], max(0, (first["batch_limit"] as Int) - 1)])
            }
            let token = UUID().uuidString
            var claimed: [ClaimedItem] = []
            for id in ids {
                try db.execute(sql: """
                    UPDATE items SET state = 'running', owner = ?, lease_token = ?, lease_expires = ?, attempts = attempts + 1,
                    started_at = ? WHERE id = ?
                    """, arguments: [worker.id, token, now + lease, now, id])
                let spec = try String.fetchOne(db, sql: "SELECT spec FROM items WHERE id = ?", arguments: [id])!
                claimed.append(ClaimedItem(id: id, item: try WorkItem.decode(spec)))
            }
            if try String.fetchOne(db, sql: "SELECT state FROM jobs WHERE id = ?", arguments: [job]) != "running" {
                try db.execute(sql: "UPDATE jobs SET state = 'running', started_at = COALESCE(started_at, ?) WHERE id = ?", arguments: [now, job])
                try event(db, job: job, worker: worker.id, kind: "started", "worker \(worker.id) started the job")
            }
            return Claim(token: token, jobID: job, jobName: first["name"], items: claimed)
        }
    }

    /// Running items whose lease ran out, or whose worker on this host is gone, go back to pending.
    func reclaim(_ db: Database, host: String, now: Double) throws {
        for row in try Row.fetchAll(db, sql: "SELECT id, job_id, key, owner, lease_expires FROM items WHERE state = 'running'") {
            let owner: String = row["owner"] ?? ""
            let expired = (row["lease_expires"] as Double? ?? 0) < now
            guard expired || WorkerIdentity.isDead(owner: owner, host: host) else { continue }
            try db.execute(sql: "UPDATE items SET state = 'pending', owner = NULL, lease_token = NULL, lease_expires = NULL WHERE id = ?",
                           arguments: [row["id"] as Int64])
            try event(db, job: row["job_id"], item: row["id"], kind: "reclaimed",
                      "\(row["key"] as String): \(expired ? "lease of \(owner) ran out" : "worker \(owner) is gone")")
        }
    }

    /// With nothing to claim: reports whose inputs failed fail too, and finished jobs are closed.
    func settle(_ db: Database, now: Double) throws {
        for row in try Row.fetchAll(db, sql: """
            SELECT i.id, i.job_id, i.key, (SELECT COUNT(*) FROM items o WHERE o.job_id = i.job_id AND o.task = i.task
                                            AND o.kind != 'report' AND o.state = 'failed') AS failed
            FROM items i WHERE i.kind = 'report' AND i.state = 'pending'
              AND NOT EXISTS (SELECT 1 FROM items o WHERE o.job_id = i.job_id AND o.task = i.task AND o.kind != 'report'
                              AND o.state IN ('pending', 'running'))
            """) where (row["failed"] as Int) > 0 {
            let message = "skipped: \(row["failed"] as Int) of its inputs failed"
            try db.execute(sql: "UPDATE items SET state = 'failed', error = ?, finished_at = ? WHERE id = ?", arguments: [message, now, row["id"] as Int64])
            try event(db, job: row["job_id"], item: row["id"], kind: "failed", "\(row["key"] as String): \(message)")
        }
        for id in try Int64.fetchAll(db, sql: "SELECT id FROM jobs WHERE state IN ('queued', 'running')") {
            try closeIfFinished(db, job: id, now: now)
        }
    }

    func closeIfFinished(_ db: Database, job: Int64, now: Double) throws {
        let c = try counts(db, job: job)
        guard c.pending == 0 && c.running == 0 else { return }
        let state = c.failed > 0 ? "failed" : "done"
        guard try String.fetchOne(db, sql: "SELECT state FROM jobs WHERE id = ?", arguments: [job]) != state else { return }
        try db.execute(sql: "UPDATE jobs SET state = ?, finished_at = ? WHERE id = ?", arguments: [state, now, job])
        try event(db, job: job, kind: state == "done" ? "finished" : "failed",
                  "\(c.done) items done" + (c.failed > 0 ? ", \(c.failed) failed" : ""))
    }

    /// Extends the lease on the items of `token` (the heartbeat). Returns how many it still holds.
    @discardableResult
    public func renew(token: String, lease: Double) throws -> Int {
        try write { db in
            try db.execute(sql: "UPDATE items SET lease_expires = ? WHERE lease_token = ? AND state = 'running'",
                           arguments: [StudioStore.now + lease, token])
            return db.changesCount
        }
    }

    /// Marks items done (only those still held under `token`) and closes the job when nothing is
    /// left. When `manifestDue(jobFinished)` says so, it hands the job's manifest to `writeManifest`
    /// still inside the transaction, so manifests from several workers are written in commit order.
    /// Returns the ids accepted.
    @discardableResult
    public func complete(_ results: [(id: Int64, result: ItemResult)], token: String, jobID: Int64,
                         manifestDue: (Bool) -> Bool = { _ in true },
                         writeManifest: (Manifest) throws -> Void) throws -> [Int64] {
        try write { db in
            let now = StudioStore.now
            var accepted: [Int64] = []
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            for (id, result) in results {
                try db.execute(sql: """
                    UPDATE items SET state = 'done', result = ?, seconds = ?, finished_at = ?, owner = NULL, lease_token = NULL,
                    lease_expires = NULL, error = NULL WHERE id = ? AND lease_token = ? AND state = 'running'
                    """, arguments: [String(decoding: try encoder.encode(result), as: UTF8.self), result.seconds, now, id, token])
                if db.changesCount == 1 { accepted.append(id) }
            }
            try closeIfFinished(db, job: jobID, now: now)
            let finished = try counts(db, job: jobID)
            if manifestDue(finished.pending + finished.running == 0) { try writeManifest(try manifest(db, job: jobID)) }
            return accepted
        }
    }

    /// Marks items failed with a message.
    public func fail(ids: [Int64], token: String, message: String) throws {
        try write { db in
            for id in ids {
                try db.execute(sql: """
                    UPDATE items SET state = 'failed', error = ?, finished_at = ?, owner = NULL, lease_token = NULL, lease_expires = NULL
                    WHERE id = ? AND lease_token = ?
                    """, arguments: [message, StudioStore.now, id, token])
                if db.changesCount == 1, let row = try Row.fetchOne(db, sql: "SELECT job_id, key FROM items WHERE id = ?", arguments: [id]) {
                    try event(db, job: row["job_id"], item: id, kind: "failed", "\(row["key"] as String): \(message)")
                }
            }
        }
    }

    /// Gives claimed items back untouched (a stop between claim and work): pending, attempt not counted.
    public func release(ids: [Int64], token: String) throws {
        try write { db in
            for id in ids {
                try db.execute(sql: """
                    UPDATE items SET state = 'pending', owner = NULL, lease_token = NULL, lease_expires = NULL,
                    attempts = MAX(attempts - 1, 0) WHERE id = ? AND lease_token = ?
                    """, arguments: [id, token])
            }
        }
    }

    public func logWorker(_ worker: WorkerIdentity, kind: String, _ message: String) throws {
        try write { db in try event(db, job: nil, worker: worker.id, kind: kind, message) }
    }
}
