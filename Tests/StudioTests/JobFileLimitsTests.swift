// JobFileLimitsTests.swift: hostile job files are refused with one line before they can exhaust the
// stack or memory: deep nesting in block and flow style, a billion-laughs alias bomb, an oversized
// file; an ordinary file with a few anchors still reads.
import Foundation
import Studio
import XCTest

final class JobFileLimitsTests: XCTestCase {
    func refused(_ text: String, says: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try JobReader.parse(text, file: "job.yaml"), file: file, line: line) { e in
            XCTAssertTrue("\(e)".contains(says), "'\(e)' lacks '\(says)'", file: file, line: line)
        }
    }

    func testDeepFlowNestingIsRefused() {
        refused(String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000), says: "nested more than 64 levels")
        refused("tasks: " + String(repeating: "{a: ", count: 3000) + "1" + String(repeating: "}", count: 3000), says: "nested more than 64")
    }

    func testDeepBlockNestingIsRefused() {
        refused(String(repeating: "- ", count: 5000) + "x\n", says: "nested more than 64 levels")
        let lines = (0..<200).map { String(repeating: " ", count: $0) + "k\($0):" }.joined(separator: "\n")
        refused(lines + " 1\n", says: "nested more than 64 levels")
    }

    func testBillionLaughsIsRefused() {
        var text = "a0: &a0 [\"lol\"]\n"
        for i in 1...9 { text += "a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ",") + "]\n" }
        text += "tasks: []\n"
        XCTAssertLessThan(text.utf8.count, 1000)
        refused(text, says: "aliases")
        // Few aliases, but a large expansion: the node budget stops it.
        var wide = "a0: &a0 [" + Array(repeating: "1", count: 1000).joined(separator: ",") + "]\n"
        wide += "a1: &a1 [" + Array(repeating: "*a0", count: 60).joined(separator: ",") + "]\n"
        wide += "a2: [" + Array(repeating: "*a1", count: 4).joined(separator: ",") + "]\ntasks: []\n"
        refused(wide, says: "expands to more than")
    }

    func testOversizedFileIsRefused() {
        refused("# " + String(repeating: "x", count: 2 << 20) + "\ntasks: []\n", says: "a job file may have at most")
    }

    func testOrdinaryAnchorsStillRead() throws {
        let text = """
            name: anchors
            defaults: {steps: 4}
            tasks:
              - &gen {kind: generate, prompts: ["a red circle"], seeds: [1]}
              - {kind: generate, name: again, prompts: ["a blue square"], seeds: [2]}
            """
        let job = try JobReader.parse(text, file: "job.yaml")
        XCTAssertEqual(job.tasks.count, 2)
    }
}

/// Two different job files with the same `name` would share Outputs/<name>/ and delete each other's
/// files; the second is refused with a line that says why. The same file from another folder is not.
final class JobNameClashTests: TemporaryFolderTestCase {
    func testSecondFileWithTheSameNameIsRefused() throws {
        let job = "name: same\ntasks:\n  - {kind: generate, prompts: [\"a red circle\"], seeds: [1]}\n"
        for folder in ["a", "b"] {
            try FileManager.default.createDirectory(atPath: dir + "/" + folder, withIntermediateDirectories: true)
            try job.write(toFile: dir + "/\(folder)/job.yaml", atomically: true, encoding: .utf8)
        }
        let env = ["DIPTYCH_EXECUTOR": "fake"]
        XCTAssertEqual(try runDiptych(["queue", "add", "a/job.yaml", "--outputs", "out"], cwd: dir, environment: env).status, 0)
        XCTAssertEqual(try runDiptych(["queue", "add", "job.yaml", "--outputs", "../out"], cwd: dir + "/a", environment: env).status, 0)
        let clash = try runDiptych(["queue", "add", "b/job.yaml", "--outputs", "out"], cwd: dir, environment: env)
        XCTAssertEqual(clash.status, 1)
        XCTAssertTrue(clash.stderr.contains("a job named 'same' from") && clash.stderr.contains("another name"), clash.stderr)
    }
}

/// A rerun that lost Outputs/studio.sqlite takes the items manifest.json lists (same spec, files
/// intact) as done instead of making them again; a changed or missing file is made again.
final class LostDatabaseTests: TemporaryFolderTestCase {
    func testManifestListedItemsAreNotRedone() throws {
        let job = "name: lost\ntasks:\n  - {kind: generate, prompts: [\"a red circle\", \"a blue square\"], seeds: [1, 2]}\n"
        try job.write(toFile: dir + "/job.yaml", atomically: true, encoding: .utf8)
        let log = dir + "/made.log"
        let env = ["DIPTYCH_EXECUTOR": "fake", "DIPTYCH_FAKE_LOG": log]
        XCTAssertEqual(try runDiptych(["run", "job.yaml", "--outputs", "out", "--quiet"], cwd: dir, environment: env).status, 0)
        let first = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").count
        XCTAssertEqual(first, 4)
        try FileManager.default.removeItem(atPath: dir + "/out/studio.sqlite")
        let files = try FileManager.default.subpathsOfDirectory(atPath: dir + "/out/lost").filter { $0.hasSuffix(".png") }.sorted()
        try Data("changed".utf8).write(to: URL(fileURLWithPath: dir + "/out/lost/" + files[0]))
        XCTAssertEqual(try runDiptych(["run", "job.yaml", "--outputs", "out", "--quiet"], cwd: dir, environment: env).status, 0)
        let made = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").count
        XCTAssertEqual(made - first, 1, "only the item whose file changed is made again")
    }
}

/// One corrupt image among the images of a caption task fails alone, by name; the others are captioned.
final class BatchFailureTests: TemporaryFolderTestCase {
    func testOneBadImageFailsAloneInACaptionBatch() throws {
        let good = ShippedConfigTests.root + "/Samples/images/shapes-3-a-black-square.png"
        for name in ["a.png", "c.png"] { try FileManager.default.copyItem(atPath: good, toPath: dir + "/" + name) }
        try Data("not an image".utf8).write(to: URL(fileURLWithPath: dir + "/b.png"))
        let job = "name: batch\ntasks:\n  - {kind: caption, images: [a.png, b.png, c.png], batch: 8}\n"
        try job.write(toFile: dir + "/job.yaml", atomically: true, encoding: .utf8)
        let r = try runDiptych(["run", "job.yaml", "--outputs", "out"], cwd: dir, environment: ["DIPTYCH_EXECUTOR": "fake"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("b.png"), r.stderr)
        let store = try StudioStore(path: dir + "/out/studio.sqlite")
        let items = try store.items(job: try XCTUnwrap(try store.jobID(named: "batch")))
        XCTAssertEqual(items.filter { $0.state == "done" }.count, 2, "\(items.map(\.state))")
        let failed = items.filter { $0.state == "failed" }
        XCTAssertEqual(failed.count, 1)
        XCTAssertTrue(failed.first?.error?.contains("b.png") ?? false, failed.first?.error ?? "")
    }
}
