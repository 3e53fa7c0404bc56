// WorkerProcessTests.swift: the built `diptych` binary (found next to the test bundle) run as
// separate processes with the fake executor: a job SIGKILLed at several points and run again ends
// with exactly the artifacts and hashes of an uninterrupted run, no temporary or orphaned files;
// Ctrl-C (SIGINT) stops after the current batch and the next run resumes; two worker processes on
// one queue run every item exactly once.
import Core
import Foundation
import Media
import XCTest
@testable import Studio

final class WorkerProcessTests: TemporaryFolderTestCase {
    override func setUpWithError() throws {
        try super.setUpWithError()
        try job.write(toFile: dir + "/job.yaml", atomically: true, encoding: .utf8)
    }

    /// 12 images in batches of 2, 3 fills, and a comparison of 6 images with its report: 22 items.
    let job = """
        name: crash
        defaults: {steps: 8, batch: 2}
        tasks:
          - kind: generate
            prompts: [a red circle, two blue squares, a green cross above a yellow diamond]
            n: 4
          - kind: fill
            text: "a [MASK] circle above a [MASK] square"
            n: 3
          - kind: compare
            prompt: a purple triangle
            seeds: [5, 6]
            reference: {sampler: ddim, steps: 50}
            runs: [{sampler: ddim, steps: [2, 8]}]
        """

    static func binary() throws -> String { try diptychBinary() }

    func launch(_ args: [String], outputs: String, delay: Double, log: String? = nil) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try WorkerProcessTests.binary())
        // --threads only where it acts (run and worker make items; queue and history do not).
        let threads = ["run", "worker"].contains(args.first ?? "") ? ["--threads", "1"] : []
        p.arguments = args + ["--outputs", outputs, "--executor", "fake", "--fake-delay", String(delay), "--quiet"] + threads
        var env = ProcessInfo.processInfo.environment
        env["DIPTYCH_FAKE_LOG"] = log
        p.environment = env
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        return p
    }

    func runToEnd(_ args: [String], outputs: String, delay: Double = 0, log: String? = nil) throws -> Int32 {
        let p = try launch(args, outputs: outputs, delay: delay, log: log)
        p.waitUntilExit()
        return p.terminationStatus
    }

    /// Every file under the job folder with its SHA-256 (relative paths).
    func files(_ jobDir: String) throws -> [String: String] {
        var out: [String: String] = [:]
        let walker = FileManager.default.enumerator(atPath: jobDir)!
        while let rel = walker.nextObject() as? String {
            var isDir: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: jobDir + "/" + rel, isDirectory: &isDir)
            if !isDir.boolValue { out[rel] = try SHA256.hex(file: jobDir + "/" + rel) }
        }
        return out
    }

    func manifest(_ jobDir: String) throws -> Manifest {
        try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: URL(fileURLWithPath: jobDir + "/manifest.json")))
    }

    /// Reports hold timings; everything else must be byte-identical between runs.
    func deterministic(_ hashes: [String: String]) -> [String: String] {
        hashes.filter { !$0.key.hasSuffix("report.md") && !$0.key.hasSuffix("report.html") && !$0.key.hasSuffix("report.json") && $0.key != "manifest.json" }
    }

    /// The files on disk are exactly the manifest's artifacts (plus manifest.json), with its hashes.
    func checkConsistent(_ jobDir: String, file: StaticString = #filePath, line: UInt = #line) throws -> [String: String] {
        let m = try manifest(jobDir)
        let onDisk = try files(jobDir)
        XCTAssertTrue(m.complete, file: file, line: line)
        XCTAssertEqual(m.items, 22, file: file, line: line)
        var listed: [String: String] = [:]
        for e in m.artifacts {
            XCTAssertNil(listed[e.artifact.path], "listed twice: \(e.artifact.path)", file: file, line: line)
            listed[e.artifact.path] = e.artifact.sha256
        }
        XCTAssertEqual(Set(onDisk.keys), Set(listed.keys).union(["manifest.json"]), "orphaned or missing files", file: file, line: line)
        for (path, hash) in listed { XCTAssertEqual(onDisk[path], hash, path, file: file, line: line) }
        return onDisk
    }

    func testKilledJobResumesToTheSameArtifacts() throws {
        // Reference: one uninterrupted run.
        let clean = dir + "/clean"
        XCTAssertEqual(try runToEnd(["run", "job.yaml"], outputs: clean), 0)
        let expected = try checkConsistent(clean + "/crash")
        XCTAssertEqual(expected.count, 12 + 3 + 6 + 6 + 1, "images, fills, compare images, report files, manifest")

        // The same job, killed with SIGKILL at several moments, then run to the end.
        let crashed = dir + "/crashed"
        var killedWhileRunning = 0
        for wait in [0.35, 0.6, 0.2, 0.9, 0.5] {
            let p = try launch(["run", "job.yaml"], outputs: crashed, delay: 0.04)
            Thread.sleep(forTimeInterval: wait)
            if p.isRunning { killedWhileRunning += 1 }
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
        }
        XCTAssertGreaterThan(killedWhileRunning, 0, "no run was interrupted")
        // A temporary file as a killed writer leaves it; the next run must remove it.
        let stale = crashed + "/crash/01-generate/.p000-s1.png.\(try deadPID()).tmp"
        try FileManager.default.createDirectory(atPath: crashed + "/crash/01-generate", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: stale, contents: Data([0x89, 0x50]))
        XCTAssertEqual(try runToEnd(["run", "job.yaml"], outputs: crashed), 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: stale))
        let got = try checkConsistent(crashed + "/crash")
        XCTAssertEqual(deterministic(got), deterministic(expected))
        XCTAssertEqual(Set(got.keys), Set(expected.keys))

        // Done items are not redone: a further run makes nothing.
        let log = dir + "/again.log"
        XCTAssertEqual(try runToEnd(["run", "job.yaml"], outputs: crashed, log: log), 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: log), "a finished job ran items again")
        let store = try StudioStore(path: crashed + "/studio.sqlite")
        XCTAssertTrue(try store.items(job: try XCTUnwrap(try store.jobID(named: "crash"))).allSatisfy { $0.state == "done" })
    }

    func testInterruptStopsAfterTheCurrentBatchAndResumes() throws {
        let out = dir + "/int"
        let log = dir + "/int.log"
        let p = try launch(["run", "job.yaml"], outputs: out, delay: 0.05, log: log)
        // Wait until the worker is making items (so its Ctrl-C handler is installed).
        let deadline = Date(timeIntervalSinceNow: 20)
        while Date() < deadline, ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").count < 4 {
            Thread.sleep(forTimeInterval: 0.02)
        }
        XCTAssertTrue(p.isRunning)
        kill(p.processIdentifier, SIGINT)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 130)
        let store = try StudioStore(path: out + "/studio.sqlite")
        let items = try store.items(job: try XCTUnwrap(try store.jobID(named: "crash")))
        let done = items.filter { $0.state == "done" }.count
        XCTAssertGreaterThan(done, 0)
        XCTAssertLessThan(done, 22)
        XCTAssertEqual(items.filter { $0.state == "running" }.count, 0, "claimed items were handed back")
        XCTAssertEqual(try store.jobs().first { $0.name == "crash" }?.state, "stopped", "the history calls a stopped job running")
        // Every item the model made before the stop was recorded.
        let made = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").count
        XCTAssertEqual(made, done)
        XCTAssertEqual(try runToEnd(["run", "job.yaml"], outputs: out, log: log), 0)
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 21, "each image and fill made once (the report is not a model call)")
        XCTAssertEqual(Set(lines).count, 21)
        _ = try checkConsistent(out + "/crash")
    }

    struct RunOutput: Decodable {
        struct Reproduced: Decodable {
            var identicalPixels: Bool
            var identicalFile: Bool
        }
        var job: String
        var reproduced: Reproduced?
    }

    func runJSON(_ args: [String], outputs: String) throws -> (Int32, RunOutput?) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try WorkerProcessTests.binary())
        p.arguments = args + ["--outputs", outputs, "--executor", "fake", "--quiet", "--json"]
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, try? JSONDecoder().decode(RunOutput.self, from: data))
    }

    func testFromImageReproducesItAndNoticesADifference() throws {
        let out = dir + "/from"
        XCTAssertEqual(try runToEnd(["run", "job.yaml"], outputs: out), 0)
        let source = out + "/crash/01-generate/p002-s3.png"
        let (status, output) = try runJSON(["run", "--from", source], outputs: out)
        XCTAssertEqual(status, 0)
        XCTAssertEqual(output?.job, "from-p002-s3")
        XCTAssertEqual(output?.reproduced?.identicalPixels, true)
        XCTAssertEqual(output?.reproduced?.identicalFile, true)
        // The same pixels with another seed in their parameters do not come out the same.
        let data = try Data(contentsOf: URL(fileURLWithPath: source))
        var params = try GenerationParameters.from(text: try PNG.text(of: data).map { ($0.keyword, $0.text) })
        params.seed += 1
        try PNG.encode(try PNG.decode(data), text: params.pngText).write(to: URL(fileURLWithPath: dir + "/edited.png"))
        let (edited, editedOutput) = try runJSON(["run", "--from", "edited.png"], outputs: out)
        XCTAssertEqual(edited, 1)
        XCTAssertEqual(editedOutput?.reproduced?.identicalPixels, false)
    }

    func testTwoWorkerProcessesShareOneQueue() throws {
        let out = dir + "/two"
        let log = dir + "/two.log"
        XCTAssertEqual(try runToEnd(["queue", "add", "job.yaml"], outputs: out), 0)
        let a = try launch(["worker"], outputs: out, delay: 0.03, log: log)
        let b = try launch(["worker"], outputs: out, delay: 0.03, log: log)
        a.waitUntilExit()
        b.waitUntilExit()
        XCTAssertEqual([a.terminationStatus, b.terminationStatus], [0, 0])
        // The report may wait for the other worker's last images: a last worker pass finishes it.
        XCTAssertEqual(try runToEnd(["worker"], outputs: out), 0)
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 21)
        XCTAssertEqual(Set(lines).count, 21, "an item ran twice")
        let store = try StudioStore(path: out + "/studio.sqlite")
        let items = try store.items(job: try XCTUnwrap(try store.jobID(named: "crash")))
        XCTAssertTrue(items.allSatisfy { $0.state == "done" && $0.attempts == 1 })
        _ = try checkConsistent(out + "/crash")
    }
}
