// StudioSchema.swift: the tables of the studio database. Created with IF NOT EXISTS inside the
// opening write transaction, so two workers starting at once cannot race each other; the schema
// version sits in SQLite's user_version.
import Core
import GRDB

enum StudioSchema {
    static let version = 1

    static func create(_ db: Database) throws {
        let current = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
        if current > version {
            throw DiptychError("the studio database has schema version \(current), newer than this diptych (\(version))")
        }
        try db.execute(sql: """
            CREATE TABLE IF NOT EXISTS jobs (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                name TEXT NOT NULL UNIQUE,
                file TEXT,
                spec TEXT NOT NULL,               -- the Job as JSON
                state TEXT NOT NULL,              -- queued, running, done, failed
                created_at REAL NOT NULL,
                updated_at REAL NOT NULL,
                started_at REAL,
                finished_at REAL);
            CREATE TABLE IF NOT EXISTS items (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
                ord INTEGER NOT NULL,             -- position in the job's plan
                key TEXT NOT NULL,                -- main output, relative to Outputs/<job>/
                task INTEGER NOT NULL,
                kind TEXT NOT NULL,               -- image, caption, fill, report
                batch_key TEXT NOT NULL,
                batch_limit INTEGER NOT NULL,
                spec TEXT NOT NULL,               -- the WorkItem as JSON
                spec_hash TEXT NOT NULL,
                state TEXT NOT NULL,              -- pending, running, done, failed
                owner TEXT,                       -- host|pid|nonce of the worker holding it
                lease_token TEXT,
                lease_expires REAL,
                attempts INTEGER NOT NULL DEFAULT 0,
                error TEXT,
                result TEXT,                      -- ItemResult as JSON
                started_at REAL,
                finished_at REAL,
                seconds REAL,
                UNIQUE (job_id, key));
            CREATE INDEX IF NOT EXISTS items_queue ON items (state, job_id, ord);
            CREATE INDEX IF NOT EXISTS items_task ON items (job_id, task, kind, state);
            CREATE INDEX IF NOT EXISTS items_token ON items (lease_token);
            CREATE TABLE IF NOT EXISTS events (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                at REAL NOT NULL,
                job_id INTEGER,
                item_id INTEGER,
                worker TEXT,
                kind TEXT NOT NULL,
                message TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS events_job ON events (job_id, id);
            """)
        if current < version { try db.execute(sql: "PRAGMA user_version = \(version)") }
    }
}
