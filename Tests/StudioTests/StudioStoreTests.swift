// StudioStoreTests.swift: the queue's claim semantics: two database connections (as two workers
// would hold) racing from four threads never get the same item; expired leases and dead workers'
// items are reclaimed and the old holder can no longer finish them; reports wait for their task;
// re-queuing a changed job keeps what is done and redoes what changed.
import Core
import Foundation
import XCTest
@testable import Studio

final class StudioStoreTests: TemporaryFolderTestCase {

    func generateJob(name: String = "j", prompts: Int, seeds: Int, batch: Int, steps: Int = 10) -> Job {
        let g = GenerateTask(folder: "img", model: "m", prompts: (0..<prompts).map { "prompt \($0)" },
                             seeds: (0..<seeds).map { UInt64($0) }, sampler: "ddim", steps: steps, cfg: 2, size: 32, batch: batch)
        return Job(name: name, model: "m", tasks: [.generate(g)])
    }

    func sync(_ store: StudioStore, _ job: Job, removed: inout [String]) throws -> SyncSummary {
        try store.sync(job: job, items: try JobPlanner.plan(job)) { removed.append($0) }
    }

    func sync(_ store: StudioStore, _ job: Job) throws -> SyncSummary {
        var removed: [String] = []
        return try sync(store, job, removed: &removed)
    }

    func result(_ key: String) -> ItemResult {
        ItemResult(artifacts: [ArtifactRecord(path: key, kind: "image", sha256: SHA256.hex(key), bytes: 1, parameters: [:])], nfe: 1, seconds: 0.01)
    }

    func complete(_ store: StudioStore, _ claim: Claim) throws -> [Int64] {
        try store.complete(claim.items.map { (id: $0.id, result: result($0.item.key)) }, token: claim.token, jobID: claim.jobID) { _ in }
    }

    func testTwoConnectionsNeverClaimTheSameItem() throws {
        let path = dir + "/studio.sqlite"
        let a = try StudioStore(path: path), b = try StudioStore(path: path)
        let summary = try sync(a, generateJob(prompts: 20, seeds: 10, batch: 3))
        XCTAssertEqual(summary.total, 200)
        let lock = NSLock()
        var claimedBy: [Int64: [Int]] = [:]
        var batchSizes: [Int] = []
        var errors: [Error] = []
        DispatchQueue.concurrentPerform(iterations: 4) { t in
            let store = t % 2 == 0 ? a : b
            let me = WorkerIdentity(nonce: "w\(t)")
            do {
                while let claim = try store.claim(worker: me, lease: 60, maxAttempts: 5) {
                    lock.lock()
                    for item in claim.items { claimedBy[item.id, default: []].append(t) }
                    batchSizes.append(claim.items.count)
                    lock.unlock()
                    XCTAssertEqual(try complete(store, claim).count, claim.items.count)
                }
            } catch {
                lock.lock(); errors.append(error); lock.unlock()
            }
        }
        XCTAssertTrue(errors.isEmpty, "\(errors)")
        XCTAssertEqual(claimedBy.count, 200)
        XCTAssertTrue(claimedBy.values.allSatisfy { $0.count == 1 }, "an item was claimed twice")
        XCTAssertTrue(batchSizes.allSatisfy { (1...3).contains($0) })
        XCTAssertEqual(try a.counts(job: summary.jobID), ItemCounts(pending: 0, running: 0, done: 200, failed: 0))
        XCTAssertTrue(try b.items(job: summary.jobID).allSatisfy { $0.attempts == 1 })
        let manifest = try a.manifest(job: summary.jobID)
        XCTAssertTrue(manifest.complete)
        XCTAssertEqual(manifest.artifacts.count, 200)
        XCTAssertEqual(try a.jobs().first?.state, "done")
    }

    func testBatchesShareABatchKeyAndRespectTheLimit() throws {
        let store = try StudioStore(path: dir + "/s.sqlite")
        var job = generateJob(prompts: 2, seeds: 3, batch: 4)
        if case .generate(var g) = job.tasks[0] {
            g.folder = "other"
            g.steps = 20
            job.tasks.append(.generate(g))
        }
        _ = try sync(store, job)
        var keys: [[String]] = []
        while let c = try store.claim(worker: WorkerIdentity(), lease: 60, maxAttempts: 5) {
            keys.append(c.items.map(\.item.key))
            XCTAssertEqual(Set(c.items.map(\.item.batchKey)).count, 1)
            _ = try complete(store, c)
        }
        XCTAssertEqual(keys.map(\.count), [4, 2, 4, 2])
        XCTAssertEqual(keys[0], ["img/p000-s0.png", "img/p000-s1.png", "img/p000-s2.png", "img/p001-s0.png"])
    }

    func testExpiredLeaseIsReclaimedAndTheOldHolderLosesIt() throws {
        let store = try StudioStore(path: dir + "/s.sqlite")
        let s = try sync(store, generateJob(prompts: 1, seeds: 1, batch: 1))
        let first = try XCTUnwrap(try store.claim(worker: WorkerIdentity(nonce: "a"), lease: 0.5, maxAttempts: 5))
        XCTAssertNil(try store.claim(worker: WorkerIdentity(nonce: "b"), lease: 60, maxAttempts: 5), "the lease still holds")
        Thread.sleep(forTimeInterval: 0.6)
        let second = try XCTUnwrap(try store.claim(worker: WorkerIdentity(nonce: "b"), lease: 60, maxAttempts: 5))
        XCTAssertEqual(second.items.map(\.id), first.items.map(\.id))
        XCTAssertEqual(try complete(store, first), [], "a reclaimed item cannot be finished by its old holder")
        XCTAssertEqual(try complete(store, second), second.items.map(\.id))
        XCTAssertEqual(try store.items(job: s.jobID)[0].attempts, 2)
        XCTAssertTrue(try store.events(job: s.jobID).contains { $0.kind == "reclaimed" })
    }

    func testHeartbeatKeepsTheLease() throws {
        let store = try StudioStore(path: dir + "/s.sqlite")
        _ = try sync(store, generateJob(prompts: 1, seeds: 1, batch: 1))
        let c = try XCTUnwrap(try store.claim(worker: WorkerIdentity(nonce: "a"), lease: 0.3, maxAttempts: 5))
        for _ in 0..<3 {
            Thread.sleep(forTimeInterval: 0.15)
            XCTAssertEqual(try store.renew(token: c.token, lease: 0.3), 1)
        }
        XCTAssertNil(try store.claim(worker: WorkerIdentity(nonce: "b"), lease: 60, maxAttempts: 5))
        XCTAssertEqual(try complete(store, c).count, 1)
    }

    func testItemsOfADeadWorkerAreReclaimedAtOnce() throws {
        let store = try StudioStore(path: dir + "/s.sqlite")
        _ = try sync(store, generateJob(prompts: 1, seeds: 2, batch: 2))
        let dead = try deadPID()
        let c = try XCTUnwrap(try store.claim(worker: WorkerIdentity(pid: dead, nonce: "gone"), lease: 3600, maxAttempts: 5))
        XCTAssertEqual(c.items.count, 2)
        let again = try XCTUnwrap(try store.claim(worker: WorkerIdentity(nonce: "alive"), lease: 60, maxAttempts: 5))
        XCTAssertEqual(again.items.map(\.id), c.items.map(\.id))
        // A live worker's claim on another host is left alone until its lease runs out.
        _ = try store.release(ids: again.items.map(\.id), token: again.token)
        let remote = try XCTUnwrap(try store.claim(worker: WorkerIdentity(host: "elsewhere", pid: dead, nonce: "r"), lease: 3600, maxAttempts: 5))
        XCTAssertEqual(remote.items.count, 2)
        XCTAssertNil(try store.claim(worker: WorkerIdentity(nonce: "alive"), lease: 60, maxAttempts: 5))
    }

    func testAnItemThatKillsItsWorkerEachTimeFailsAfterMaxAttempts() throws {
        let store = try StudioStore(path: dir + "/s.sqlite")
        let s = try sync(store, generateJob(prompts: 1, seeds: 1, batch: 1))
        let dead = try deadPID()
        for _ in 0..<3 { XCTAssertNotNil(try store.claim(worker: WorkerIdentity(pid: dead), lease: 3600, maxAttempts: 3)) }
        XCTAssertNil(try store.claim(worker: WorkerIdentity(pid: dead), lease: 3600, maxAttempts: 3))
        let item = try store.items(job: s.jobID)[0]
        XCTAssertEqual(item.state, "failed")
        XCTAssertEqual(item.error, "gave up after 3 attempts: the worker stopped during this item each time")
        XCTAssertEqual(try store.jobs()[0].state, "failed")
        // Queuing the job again retries it.
        XCTAssertEqual(try sync(store, generateJob(prompts: 1, seeds: 1, batch: 1)).retried, 1)
        XCTAssertEqual(try store.items(job: s.jobID)[0].state, "pending")
    }

    func testReleaseDoesNotCountAnAttempt() throws {
        let store = try StudioStore(path: dir + "/s.sqlite")
        let s = try sync(store, generateJob(prompts: 1, seeds: 1, batch: 1))
        let c = try XCTUnwrap(try store.claim(worker: WorkerIdentity(), lease: 60, maxAttempts: 5))
        try store.release(ids: c.items.map(\.id), token: c.token)
        let item = try store.items(job: s.jobID)[0]
        XCTAssertEqual(item.state, "pending")
        XCTAssertEqual(item.attempts, 0)
    }

    func testReportWaitsForItsTaskAndFailsWhenAnInputFailed() throws {
        let store = try StudioStore(path: dir + "/s.sqlite")
        let compare = CompareTask(folder: "cmp", model: "m", prompts: ["a red circle"], seeds: [1],
                                  cfg: 2, size: 32, reference: CompareRun(sampler: "ddim", steps: [50], model: nil, cfg: nil),
                                  runs: [CompareRun(sampler: "ddim", steps: [2], model: nil, cfg: nil)], batch: 1)
        let s = try sync(store, Job(name: "c", model: "m", tasks: [.compare(compare)]))
        XCTAssertEqual(s.total, 3)
        let w = WorkerIdentity()
        let first = try XCTUnwrap(try store.claim(worker: w, lease: 60, maxAttempts: 5))
        let second = try XCTUnwrap(try store.claim(worker: w, lease: 60, maxAttempts: 5))
        XCTAssertEqual([first, second].map { $0.items[0].item.kind }, [.image, .image])
        XCTAssertNil(try store.claim(worker: w, lease: 60, maxAttempts: 5), "the report waits for running images")
        _ = try complete(store, first)
        try store.fail(ids: second.items.map(\.id), token: second.token, message: "boom")
        XCTAssertNil(try store.claim(worker: w, lease: 60, maxAttempts: 5))
        let report = try store.items(job: s.jobID).last!
        XCTAssertEqual(report.state, "failed")
        XCTAssertEqual(report.error, "skipped: 1 of its inputs failed")
        // Queued again: the failed image is retried, then the report runs.
        XCTAssertEqual(try sync(store, Job(name: "c", model: "m", tasks: [.compare(compare)])).retried, 2)
        let retry = try XCTUnwrap(try store.claim(worker: w, lease: 60, maxAttempts: 5))
        XCTAssertEqual(retry.items[0].item.kind, .image)
        _ = try complete(store, retry)
        XCTAssertEqual(try XCTUnwrap(try store.claim(worker: w, lease: 60, maxAttempts: 5)).items[0].item.kind, .report)
    }

    func testRemoveTakesAJobOutUnlessItIsRunning() throws {
        let store = try StudioStore(path: dir + "/s.sqlite")
        _ = try sync(store, generateJob(prompts: 1, seeds: 2, batch: 1))
        let c = try XCTUnwrap(try store.claim(worker: WorkerIdentity(), lease: 60, maxAttempts: 5))
        XCTAssertThrowsError(try store.remove(job: "j"))
        try store.release(ids: c.items.map(\.id), token: c.token)
        XCTAssertTrue(try store.remove(job: "j"))
        XCTAssertFalse(try store.remove(job: "j"))
        XCTAssertEqual(try store.jobs().count, 0)
        XCTAssertNil(try store.claim(worker: WorkerIdentity(), lease: 60, maxAttempts: 5))
    }

    func testRequeueKeepsDoneItemsAndRedoesChangedOnes() throws {
        let store = try StudioStore(path: dir + "/s.sqlite")
        let s = try sync(store, generateJob(prompts: 2, seeds: 2, batch: 8))
        while let c = try store.claim(worker: WorkerIdentity(), lease: 60, maxAttempts: 5) { _ = try complete(store, c) }
        var removed: [String] = []
        // Same job: nothing to do.
        let same = try sync(store, generateJob(prompts: 2, seeds: 2, batch: 8), removed: &removed)
        XCTAssertEqual([same.done, same.added, same.changed, same.removed], [4, 0, 0, 0])
        // One prompt fewer, one seed more, and new steps for everything: all keys of prompt 1 go.
        var job = generateJob(prompts: 1, seeds: 3, batch: 8, steps: 11)
        var changed = try sync(store, job, removed: &removed)
        XCTAssertEqual([changed.done, changed.added, changed.changed, changed.removed], [0, 1, 2, 2])
        XCTAssertEqual(Set(removed), ["img/p000-s0.png", "img/p000-s1.png", "img/p001-s0.png", "img/p001-s1.png"])
        XCTAssertEqual(try store.counts(job: s.jobID), ItemCounts(pending: 3, running: 0, done: 0, failed: 0))
        XCTAssertEqual(try store.jobs()[0].state, "queued")
        job.name = "j"
        removed = []
        changed = try sync(store, job, removed: &removed)
        XCTAssertEqual(changed.total, 3)
        XCTAssertEqual(removed, [])
    }
}
