// StudioStore+Cancel.swift: cancelling what is left of a job (the server's interrupt, and a client
// that went away): its pending items are marked failed ("cancelled: <reason>"), so no worker claims them;
// running items are left to their worker (the server stops their batch through the executor's
// progress callback). A cancelled job is finished like any other and stays in the history; queued
// again (`diptych queue add` / `run` of the same job), its failed items are retried.
import Core
import Foundation
import GRDB

extension StudioStore {
    /// Marks the job's pending items failed ("cancelled: <reason>"). Returns how many it marked.
    @discardableResult
    public func cancelPending(job: Int64, reason: String) throws -> Int {
        try write { db in
            let now = StudioStore.now
            try db.execute(sql: "UPDATE items SET state = 'failed', error = ?, finished_at = ? WHERE job_id = ? AND state = 'pending'",
                           arguments: ["cancelled: " + reason, now, job])
            let n = db.changesCount
            if n > 0 { try event(db, job: job, kind: "cancelled", "\(n) pending item(s) cancelled: \(reason)") }
            try closeIfFinished(db, job: job, now: now)
            return n
        }
    }

    /// Owners (worker ids) of the job's running items.
    public func runningOwners(job: Int64) throws -> Set<String> {
        try read { db in
            Set(try String.fetchAll(db, sql: "SELECT DISTINCT owner FROM items WHERE job_id = ? AND state = 'running' AND owner IS NOT NULL",
                                    arguments: [job]))
        }
    }
}
