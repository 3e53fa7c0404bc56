// StoreIntegrationTests.swift: the server works through the studio store like the CLI: concurrent
// requests each get their own job and never corrupt the store; a client that disconnects
// mid-generation cancels its job (nothing left pending or running) and the queue keeps serving;
// an interrupt stops waiting requests; a job queued by the CLI is run by the server's workers;
// work left queued at shutdown stays queued and the next start finishes it.
import Foundation
import Server
import Studio
import XCTest

final class StoreIntegrationTests: ServerTestCase {
    func testConcurrentRequestsGetTheirOwnJobs() async throws {
        try await startServer()
        let client = self.client!
        let bodies = try (0..<4).map { try JSONSerialization.data(withJSONObject: txt2img(["seed": 100 + $0, "batch_size": 2])) }
        let replies = try await withThrowingTaskGroup(of: HTTPReply.self) { group in
            for body in bodies { group.addTask { try await self.off { try client.call("POST", "/sdapi/v1/txt2img", body: body) } } }
            var out: [HTTPReply] = []
            for try await r in group { out.append(r) }
            return out
        }
        XCTAssertEqual(replies.map(\.status), [200, 200, 200, 200], replies.map(\.text).joined(separator: "\n"))
        let seeds = Set(replies.flatMap { r -> [Int] in
            let info = try? JSONSerialization.jsonObject(with: Data((r.object["info"] as? String ?? "{}").utf8)) as? [String: Any]
            return info?["all_seeds"] as? [Int] ?? []
        })
        XCTAssertEqual(seeds, Set([100, 101, 101, 102, 102, 103, 103, 104]))
        let jobs = try server.gateway.queue.store.jobs()
        XCTAssertEqual(jobs.count, 4)
        XCTAssertTrue(jobs.allSatisfy { $0.state == "done" && $0.counts.done == 2 })
    }

    func testDisconnectCancelsTheJobAndTheQueueKeepsServing() async throws {
        var s = settings()
        s.fakeDelay = 0.2
        try await startServer(s)
        let client = self.client!
        let body = try JSONSerialization.data(withJSONObject: txt2img(["n_iter": 10]))
        // Send the request and hang up while the first items run.
        let fd = try client.connectSocket()
        client.send(fd, client.requestBytes("POST", "/sdapi/v1/txt2img", body: body, headers: [:], host: nil))
        try await Task.sleep(nanoseconds: 500_000_000)
        close(fd)
        let store = server.gateway.queue.store
        var found: ItemCounts?
        for _ in 0..<100 {
            try await Task.sleep(nanoseconds: 50_000_000)
            guard let job = try store.jobs().first else { continue }
            found = try store.counts(job: job.id)
            if found!.pending + found!.running == 0 { break }
        }
        let counts = try XCTUnwrap(found)
        XCTAssertEqual(counts.pending + counts.running, 0, "the abandoned job still has work: \(counts)")
        XCTAssertGreaterThan(counts.failed, 0, "nothing was cancelled: \(counts)")
        XCTAssertLessThan(counts.done, 10)
        let events = try store.events().map(\.message).joined(separator: "\n")
        XCTAssertTrue(events.contains("client disconnected"), events)
        let next = try await post("/sdapi/v1/txt2img", txt2img())
        XCTAssertEqual(next.status, 200, next.text)
    }

    func testInterruptAnswersWithWhatIsDone() async throws {
        var s = settings()
        s.fakeDelay = 0.2
        try await startServer(s)
        let client = self.client!
        let body = try JSONSerialization.data(withJSONObject: txt2img(["n_iter": 10]))
        async let generation = off { try client.call("POST", "/sdapi/v1/txt2img", body: body) }
        try await Task.sleep(nanoseconds: 600_000_000)
        let interrupt = try await post("/sdapi/v1/interrupt", [:])
        XCTAssertEqual(interrupt.status, 200)
        let r = try await generation
        XCTAssertEqual(r.status, 200, r.text)
        let images = r.object["images"] as? [String] ?? []
        XCTAssertLessThan(images.count, 10)
        XCTAssertTrue((r.object["info"] as? String ?? "").contains("interrupted"))
    }

    func testServerWorkersRunCLIJobs() async throws {
        // A job queued the way `diptych queue add` does, before any server runs.
        let queue = try StudioQueue(outputsRoot: dir + "/Outputs")
        let task = GenerateTask(folder: "g", model: "default", prompts: ["a blue circle"], seeds: [1, 2, 3], sampler: "ddim",
                                steps: 2, cfg: 1, size: 32, batch: 1)
        let (_, summary) = try queue.add(job: Job(name: "cli-job", tasks: [.generate(task)]))
        try await startServer()
        var c = try queue.store.counts(job: summary.jobID)
        for _ in 0..<100 where c.done < 3 {
            try await Task.sleep(nanoseconds: 50_000_000)
            c = try queue.store.counts(job: summary.jobID)
        }
        XCTAssertEqual(c.done, 3, "the server's workers did not run the CLI job: \(c)")
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/Outputs/cli-job/manifest.json"))
    }

    func testShutdownLeavesWorkQueuedAndARestartFinishesIt() async throws {
        var s = settings()
        s.fakeDelay = 0.2
        try await startServer(s)
        let client = self.client!
        let body = try JSONSerialization.data(withJSONObject: txt2img(["n_iter": 8]))
        async let generation = off { try client.call("POST", "/sdapi/v1/txt2img", body: body) }
        try await Task.sleep(nanoseconds: 500_000_000)
        await stopServer()
        let stopped = try await generation
        XCTAssertEqual(stopped.status, 503, stopped.text)
        XCTAssertTrue(stopped.text.contains("resumes on restart"), stopped.text)
        let store = try StudioQueue(outputsRoot: dir + "/Outputs").store
        let job = try XCTUnwrap(try store.jobs().first)
        let left = try store.counts(job: job.id)
        XCTAssertEqual(left.running, 0, "a stopped worker left an item running: \(left)")
        XCTAssertGreaterThan(left.pending, 0)
        XCTAssertEqual(left.failed, 0)

        try await startServer(s)
        var c = try store.counts(job: job.id)
        for _ in 0..<100 where c.done < 8 {
            try await Task.sleep(nanoseconds: 50_000_000)
            c = try store.counts(job: job.id)
        }
        XCTAssertEqual(c.done, 8, "the restarted server did not finish the queued items: \(c)")
    }
}
