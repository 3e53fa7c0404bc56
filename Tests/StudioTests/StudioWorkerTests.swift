// StudioWorkerTests.swift: the worker loop in-process: its heartbeat keeps a lease alive through
// items that take longer than the lease, so a second worker polling meanwhile never takes them; a
// failing model marks its items failed with the message and the job still finishes.
import Core
import Foundation
import Media
import XCTest
@testable import Studio

final class StudioWorkerTests: TemporaryFolderTestCase {
    func job(items: Int, batch: Int = 1) -> Job {
        let g = GenerateTask(folder: "img", model: "m", prompts: ["a red circle"], seeds: (0..<items).map { UInt64($0) },
                             sampler: "ddim", steps: 4, cfg: 1, size: 16, batch: batch)
        return Job(name: "w", model: "m", tasks: [.generate(g)])
    }

    func worker(_ queue: StudioQueue, provider: ExecutorProvider, lease: Double) -> StudioWorker {
        var options = WorkerOptions()
        options.lease = lease
        let runner = ItemRunner(outputsRoot: queue.outputsRoot, provider: provider, store: queue.store)
        return StudioWorker(store: queue.store, runner: runner, options: options, stop: StopFlag(), progress: ProgressReporter(quiet: true))
    }

    func testHeartbeatHoldsItemsLongerThanTheLease() throws {
        let queue = try StudioQueue(outputsRoot: dir)
        // One batch of two items of 0.5 s each; the lease is 0.3 s, renewed every 0.1 s.
        let s = try queue.add(job: job(items: 2, batch: 2)).summary
        let w = worker(queue, provider: ExecutorKind.fake.provider(fakeDelay: 0.5), lease: 0.3)
        let result = Box()
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            result.summary = try? w.run()
            done.signal()
        }
        var stolen = 0
        let other = try StudioStore(path: queue.store.path)
        while done.wait(timeout: .now() + 0.05) == .timedOut {
            if let c = try other.claim(worker: WorkerIdentity(nonce: "thief"), lease: 60, maxAttempts: 5) {
                stolen += c.items.count
                try other.release(ids: c.items.map(\.id), token: c.token)
            }
        }
        XCTAssertEqual(stolen, 0, "a held item was claimed by another worker")
        XCTAssertEqual(result.summary?.done, 2)
        XCTAssertTrue(try queue.store.items(job: s.jobID).allSatisfy { $0.state == "done" && $0.attempts == 1 })
    }

    func testMissingOrAlteredFilesAreMadeAgain() throws {
        let queue = try StudioQueue(outputsRoot: dir)
        let log = dir + "/made.log"
        let provider = ExecutorKind.fake.provider(fakeLog: log)
        let s = try queue.add(job: job(items: 4, batch: 4)).summary
        XCTAssertEqual(try worker(queue, provider: provider, lease: 30).run().done, 4)
        let before = try queue.store.manifest(job: s.jobID)
        try FileManager.default.removeItem(atPath: dir + "/w/img/p000-s1.png")
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: dir + "/w/img/p000-s2.png"))
        handle.seekToEndOfFile()
        handle.write(Data([0]))
        handle.closeFile()
        let again = try queue.add(job: job(items: 4, batch: 4)).summary
        XCTAssertEqual([again.done, again.missing], [2, 2])
        XCTAssertEqual(try worker(queue, provider: provider, lease: 30).run().done, 2)
        XCTAssertEqual(try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").count, 4 + 2)
        let after = try queue.store.manifest(job: s.jobID)
        XCTAssertEqual(after, before)
        for e in after.artifacts { XCTAssertEqual(try SHA256.hex(file: dir + "/w/" + e.artifact.path), e.artifact.sha256) }
    }

    final class Box: @unchecked Sendable { var summary: WorkerSummary? }

    final class BrokenExecutor: TaskExecutor {
        let identity = ModelIdentity(name: "broken", hash: "0000000000")
        func generate(_ requests: [GenerationParameters]) throws -> [GeneratedImage] { throw DiptychError("out of paint") }
        func caption(_ images: [Image], _ parameters: [TextParameters]) throws -> [GeneratedText] { [] }
        func fill(_ texts: [String], _ parameters: [TextParameters]) throws -> [GeneratedText] { [] }
    }

    func testFailuresAreRecordedAndTheJobCloses() throws {
        let queue = try StudioQueue(outputsRoot: dir)
        let s = try queue.add(job: job(items: 3)).summary
        let summary = try worker(queue, provider: CachingExecutorProvider { _ in BrokenExecutor() }, lease: 30).run()
        XCTAssertEqual([summary.done, summary.failed], [0, 3])
        XCTAssertEqual(summary.failures.first, "img/p000-s0.png: out of paint")
        XCTAssertEqual(try queue.store.jobs()[0].state, "failed")
        XCTAssertTrue(try queue.store.items(job: s.jobID).allSatisfy { $0.error == "out of paint" })
        // A model that cannot load fails its items with the load error, once per worker.
        let s2 = try queue.add(job: job(items: 2)).summary
        var loads = 0
        let failing = CachingExecutorProvider { name -> TaskExecutor in
            loads += 1
            throw DiptychError("no weights for \(name)")
        }
        let second = try worker(queue, provider: failing, lease: 30).run()
        XCTAssertEqual(second.failed, 2)
        XCTAssertEqual(loads, 1)
        XCTAssertEqual(try queue.store.items(job: s2.jobID).first?.error, "cannot load model m: no weights for m")
    }
}
