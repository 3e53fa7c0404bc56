// JobReaderTests.swift: job files in YAML and JSON, defaults, and every form of error message
// (file, task, field, line), bounds, and output names that would leave Outputs/.
import Core
import Foundation
import XCTest
@testable import Studio

final class JobReaderTests: XCTestCase {
    let full = """
        name: demo
        model: tiny
        defaults:
          sampler: ddim
          steps: 12
          cfg: 3.5
          seed: 40
          batch: 4
        tasks:
          - kind: generate
            prompts: [a red circle, two blue squares]
            n: 3
          - kind: generate
            name: fixed/seeds
            prompt: a green cross
            seeds: [7, 9]
            sampler: dpmpp-2m
            steps: 30
            size: 64
          - kind: fill
            text: "a [MASK] circle"
            seed: 5
            n: 2
          - kind: compare
            prompt: a red circle
            seeds: [1, 2]
            reference: {sampler: dpmpp-2m, steps: 50}
            runs:
              - {sampler: dpmpp-2m, steps: [1, 2, 4]}
              - {sampler: consistency, steps: [1, 2], model: student}
          - kind: eval
            suite: shapes-captions
            count: 20
            steps: 8
        """

    func parse(_ text: String, file: String = "jobs/x.yaml") throws -> Job {
        try JobReader.parse(text, file: file, baseDirectory: "/nonexistent", defaultName: "x")
    }

    /// The error message of parsing `text` (fails the test when it parses).
    func message(_ text: String, file: String = "jobs/x.yaml", line: UInt = #line) -> String {
        do {
            _ = try parse(text, file: file)
            XCTFail("expected an error", line: line)
            return ""
        } catch let e as DiptychError {
            return e.message
        } catch {
            XCTFail("unexpected error \(error)", line: line)
            return ""
        }
    }

    func testFullJobWithDefaults() throws {
        let job = try parse(full)
        XCTAssertEqual(job.name, "demo")
        XCTAssertEqual(job.model, "tiny")
        XCTAssertEqual(job.tasks.count, 5)
        guard case .generate(let g) = job.tasks[0], case .generate(let h) = job.tasks[1], case .fill(let f) = job.tasks[2],
              case .compare(let c) = job.tasks[3], case .eval(let e) = job.tasks[4] else { return XCTFail("task kinds") }
        XCTAssertEqual(g.folder, "01-generate")
        XCTAssertEqual(g.prompts, ["a red circle", "two blue squares"])
        XCTAssertEqual(g.seeds, [40, 41, 42])
        XCTAssertEqual(g.sampler, "ddim")
        XCTAssertEqual(g.steps, 12)
        XCTAssertEqual(g.cfg, 3.5)
        XCTAssertEqual(g.size, 32)
        XCTAssertEqual(g.batch, 4)
        XCTAssertEqual(g.model, "tiny")
        XCTAssertEqual(h.folder, "fixed/seeds")
        XCTAssertEqual(h.seeds, [7, 9])
        XCTAssertEqual(h.sampler, "dpmpp-2m")
        XCTAssertEqual(h.size, 64)
        XCTAssertEqual(f.seeds, [5, 6])
        XCTAssertEqual(f.sampler, "low-confidence")
        XCTAssertEqual(c.runs.count, 2)
        XCTAssertEqual(c.runs[1].model, "student")
        XCTAssertEqual(c.reference.steps, [50])
        XCTAssertEqual(e.suite, .shapesCaptions)
        XCTAssertEqual(e.count, 20)
        XCTAssertEqual(e.sampler, "low-confidence")
        XCTAssertEqual(e.steps, 8)
        // Items: 6 + 2 + 2 fills + (2 seeds x (1 reference + 5 settings)) + report + eval report.
        XCTAssertEqual(try JobPlanner.plan(job).count, 6 + 2 + 2 + 12 + 1 + 1)
    }

    func testJSONGivesTheSameJob() throws {
        let json = """
            {"name": "demo", "model": "tiny",
             "defaults": {"sampler": "ddim", "steps": 12, "cfg": 3.5, "seed": 40, "batch": 4},
             "tasks": [
               {"kind": "generate", "prompts": ["a red circle", "two blue squares"], "n": 3},
               {"kind": "generate", "name": "fixed/seeds", "prompt": "a green cross", "seeds": [7, 9], "sampler": "dpmpp-2m", "steps": 30, "size": 64},
               {"kind": "fill", "text": "a [MASK] circle", "seed": 5, "n": 2},
               {"kind": "compare", "prompt": "a red circle", "seeds": [1, 2], "reference": {"sampler": "dpmpp-2m", "steps": 50},
                "runs": [{"sampler": "dpmpp-2m", "steps": [1, 2, 4]}, {"sampler": "consistency", "steps": [1, 2], "model": "student"}]},
               {"kind": "eval", "suite": "shapes-captions", "count": 20, "steps": 8}]}
            """
        var a = try parse(full), b = try parse(json, file: "jobs/x.json")
        a.file = nil
        b.file = nil
        XCTAssertEqual(a, b)
    }

    func testUnknownFieldsNameFileTaskFieldAndLine() {
        let text = """
            name: x
            tasks:
              - kind: generate
                prompt: a red circle
              - kind: generate
                prompt: a red circle
                stpes: 30
            """
        XCTAssertEqual(message(text), "jobs/x.yaml: task 2 (generate): unknown field \"stpes\" (did you mean \"steps\"?) (line 7)")
        XCTAssertEqual(message("name: x\ntsks: []\n"), "jobs/x.yaml: unknown field \"tsks\" (did you mean \"tasks\"?) (line 2)")
        XCTAssertEqual(message("name: x\ndefaults:\n  colour: red\ntasks: []\n"), "jobs/x.yaml: defaults: unknown field \"colour\" (line 3)")
        XCTAssertTrue(message("""
            tasks:
              - kind: compare
                prompt: a
                runs:
                  - {sampler: ddim, steps: 4, colour: 1}
            """).hasPrefix("jobs/x.yaml: task 1 (compare): runs[1]: unknown field \"colour\""))
    }

    func testBadValuesAndBounds() throws {
        func task(_ body: String) -> String { message("name: x\ntasks:\n  - kind: generate\n    prompt: a red circle\n" + body) }
        XCTAssertEqual(task("    steps: abc\n"), "jobs/x.yaml: task 1 (generate): field \"steps\" must be an integer from 1 to 1000, got \"abc\" (line 5)")
        XCTAssertEqual(task("    steps: 5000\n"), "jobs/x.yaml: task 1 (generate): field \"steps\" must be an integer from 1 to 1000, got 5000 (line 5)")
        XCTAssertEqual(task("    steps: 2.5\n"), "jobs/x.yaml: task 1 (generate): field \"steps\" must be an integer from 1 to 1000, got 2.5 (line 5)")
        XCTAssertEqual(task("    n: 0\n"), "jobs/x.yaml: task 1 (generate): field \"n\" must be an integer from 1 to 64, got 0 (line 5)")
        XCTAssertEqual(task("    cfg: -1\n"), "jobs/x.yaml: task 1 (generate): field \"cfg\" must be a number from 0 to 30, got -1 (line 5)")
        XCTAssertEqual(task("    size: 33\n"), "jobs/x.yaml: task 1 (generate): field \"size\" must be a multiple of 8 from 8 to 256, got 33 (line 5)")
        XCTAssertEqual(task("    size: 512\n"), "jobs/x.yaml: task 1 (generate): field \"size\" must be an integer from 8 to 256, got 512 (line 5)")
        XCTAssertEqual(task("    batch: 100\n"), "jobs/x.yaml: task 1 (generate): field \"batch\" must be an integer from 1 to 64, got 100 (line 5)")
        XCTAssertTrue(task("    sampler: eulr\n").hasPrefix("jobs/x.yaml: task 1 (generate): field \"sampler\" must be one of \"ddpm\", \"ddim\""))
        XCTAssertEqual(task("    seed: -3\n"), "jobs/x.yaml: task 1 (generate): field \"seed\" must be a seed (an integer from 0 to \(Int.max)), got -3 (line 5)")
        XCTAssertEqual(task("    seed: 9.223372036854775808e18\n"),
                       "jobs/x.yaml: task 1 (generate): field \"seed\" must be a seed (an integer from 0 to \(Int.max)), got 9.223372036854776e+18 (line 5)")
        if case .generate(let g) = try parse("tasks:\n  - kind: generate\n    prompt: a\n    steps: 30.0\n").tasks[0] {
            XCTAssertEqual(g.steps, 30, "a whole number written as 30.0 is accepted")
        }
        XCTAssertEqual(task("    seeds: [1, 1]\n"), "jobs/x.yaml: task 1 (generate): field \"seeds\" must be a list of distinct seeds (line 5)")
        XCTAssertEqual(task("    seeds: [1, 2]\n    n: 3\n"), "jobs/x.yaml: task 1 (generate): field \"n\" must be the number of seeds (2), got 3 (line 6)")
        XCTAssertEqual(task("    seeds: [1]\n    seed: 3\n"), "jobs/x.yaml: task 1 (generate): give only one of \"seeds\", \"seed\" (line 6)")
        XCTAssertEqual(task("    prompts: [b]\n"), "jobs/x.yaml: task 1 (generate): give only one of \"prompt\", \"prompts\" (line 5)")
        let many = "[" + (0..<1001).map { "p\($0)" }.joined(separator: ", ") + "]"
        XCTAssertEqual(message("tasks:\n  - kind: generate\n    prompts: \(many)\n"),
                       "jobs/x.yaml: task 1 (generate): field \"prompts\" must hold from 1 to 1000 entries, got 1001 (line 3)")
        let hundred = "[" + (0..<100).map { "p\($0)" }.joined(separator: ", ") + "]"
        XCTAssertEqual(message("tasks:\n  - kind: generate\n    prompts: \(hundred)\n    n: 64\n"),
                       "jobs/x.yaml: task 1 (generate): the task makes 6400 items, more than the limit of 4096 (line 2)")
    }

    func testMissingAndMisplacedFields() {
        XCTAssertEqual(message("name: x\n"), "jobs/x.yaml: missing field \"tasks\" (line 1)")
        XCTAssertEqual(message("tasks:\n  - prompt: a\n"), "jobs/x.yaml: task 1: missing field \"kind\" (generate, caption, fill, compare, eval, edit or inpaint) (line 2)")
        XCTAssertEqual(message("tasks:\n  - kind: paint\n"), "jobs/x.yaml: task 1: field \"kind\" must be one of generate, caption, fill, compare, eval, edit, inpaint, got \"paint\" (line 2)")
        XCTAssertEqual(message("tasks:\n  - kind: generate\n    n: 2\n"),
                       "jobs/x.yaml: task 1 (generate): missing field: give one of \"prompt\", \"prompts\", \"prompts_file\" (line 2)")
        XCTAssertEqual(message("tasks:\n  - kind: fill\n    text: no masks here\n"),
                       "jobs/x.yaml: task 1 (fill): every text to fill needs at least one [MASK], \"no masks here\" has none (line 3)")
        XCTAssertEqual(message("tasks:\n  - kind: compare\n    prompt: a\n"), "jobs/x.yaml: task 1 (compare): missing field \"runs\" (line 2)")
        XCTAssertEqual(message("tasks:\n  - kind: eval\n    suite: shapes-images\n    count: 3\n"),
                       "jobs/x.yaml: task 1 (eval): field \"count\" does not apply to suite shapes-images (line 4)")
        XCTAssertEqual(message("tasks:\n  - kind: eval\n    suite: shapes-captions\n    split: test\n"),
                       "jobs/x.yaml: task 1 (eval): field \"split\" does not apply to suite shapes-captions (line 4)")
        XCTAssertEqual(message("tasks:\n  - kind: eval\n    suite: emoji-images\n    split: dev\n"),
                       "jobs/x.yaml: task 1 (eval): field \"split\" must be one of \"train\", \"val\", \"test\", \"heldout\", got \"dev\" (line 4)")
        XCTAssertEqual(message("tasks:\n  - kind: caption\n    images: [missing.png]\n"),
                       "jobs/x.yaml: task 1 (caption): field \"images\" must be a list of existing image files, got \"missing.png\" (line 3)")
        XCTAssertEqual(message("tasks: 3\n"), "jobs/x.yaml: field \"tasks\" must be a list, got 3 (line 1)")
        XCTAssertEqual(message("tasks:\n  - 3\n"), "jobs/x.yaml: task 1: must be a mapping with a \"kind\", got an integer (line 2)")
    }

    func testSyntaxErrorsAndDuplicates() {
        XCTAssertTrue(message("tasks: [\n").hasPrefix("jobs/x.yaml: not valid YAML or JSON:"))
        XCTAssertEqual(message("name: a\nname: b\ntasks: []\n"), "jobs/x.yaml: line 2: field \"name\" appears twice")
        XCTAssertEqual(message(""), "jobs/x.yaml: the file is empty")
        XCTAssertEqual(message("- 1\n- 2\n"), "jobs/x.yaml: must be a mapping of fields, got a list (line 1)")
    }

    func testOutputNamesCannotEscape() {
        for bad in ["../x", "/etc", ".hidden", "a/../../b", "a//b", "-rf", "a b", "manifest.json"] {
            let m = message("tasks:\n  - kind: generate\n    prompt: a\n    name: \"\(bad)\"\n")
            XCTAssertTrue(m.hasPrefix("jobs/x.yaml: task 1 (generate): field \"name\" must be a folder inside Outputs/<job>/"), "\(bad): \(m)")
        }
        for bad in ["../up", "a/b", ".x", "", "studio.sqlite", "studio.sqlite-wal", "README.md"] {
            let m = message("name: \"\(bad)\"\ntasks:\n  - kind: generate\n    prompt: a\n")
            XCTAssertTrue(m.hasPrefix("jobs/x.yaml: field \"name\" must be"), "\(bad): \(m)")
        }
        XCTAssertEqual(message("tasks:\n  - kind: generate\n    prompt: a\n    name: same\n  - kind: fill\n    text: \"[MASK]\"\n    name: same\n"),
                       "jobs/x.yaml: task 2 (fill): output folder \"same\" is already used by task 1 (line 5)")
        XCTAssertThrowsError(try OutputNames.resolve("../x", under: "/tmp/out"))
        XCTAssertEqual(try OutputNames.resolve("a/b.png", under: "/tmp/out"), "/tmp/out/a/b.png")
    }

    func testFilesResolveAgainstTheJobFolder() throws {
        let dir = NSTemporaryDirectory() + "jobreader-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir + "/jobs/images", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "# prompts\na red circle\n\n  two green crosses  \n".write(toFile: dir + "/jobs/prompts.txt", atomically: true, encoding: .utf8)
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: dir + "/jobs/images/b.png"))
        try Data([4]).write(to: URL(fileURLWithPath: dir + "/jobs/images/a.jpg"))
        try Data([5]).write(to: URL(fileURLWithPath: dir + "/jobs/images/notes.txt"))
        try """
            tasks:
              - kind: generate
                prompts_file: prompts.txt
              - kind: caption
                folder: images
            """.write(toFile: dir + "/jobs/my-job.yaml", atomically: true, encoding: .utf8)
        let job = try JobReader.read(path: dir + "/jobs/my-job.yaml")
        XCTAssertEqual(job.name, "my-job")
        guard case .generate(let g) = job.tasks[0], case .caption(let c) = job.tasks[1] else { return XCTFail("kinds") }
        XCTAssertEqual(g.prompts, ["a red circle", "two green crosses"])
        XCTAssertEqual(c.images.map { URL(fileURLWithPath: $0).lastPathComponent }, ["a.jpg", "b.png"])
        let items = try JobPlanner.plan(job)
        XCTAssertEqual(items.map(\.key), ["01-generate/p000-s1.png", "01-generate/p001-s1.png", "02-caption/a.txt", "02-caption/b.txt"])
        XCTAssertEqual(items[3].sourceHash, SHA256.hex(Data([1, 2, 3])))
    }

    /// Seeded mutations of a valid job (characters dropped, swapped or replaced by YAML punctuation
    /// and digits) either parse and plan, or give a DiptychError naming the file; nothing traps.
    func testMutatedJobFilesNeverCrash() throws {
        var rng = Philox(seed: 11)
        let source = Array(full)
        let alphabet = Array(":-[]{},\"'#&*!|>%@` \n0123456789.e-9xyz")
        var parsed = 0, refused = 0
        for _ in 0..<400 {
            var chars = source
            for _ in 0..<(1 + rng.nextInt(below: 4)) {
                let i = rng.nextInt(below: chars.count)
                switch rng.nextInt(below: 3) {
                case 0: chars.remove(at: i)
                case 1: chars[i] = alphabet[rng.nextInt(below: alphabet.count)]
                default: chars.swapAt(i, rng.nextInt(below: chars.count))
                }
            }
            do {
                _ = try JobPlanner.plan(try parse(String(chars)))
                parsed += 1
            } catch let e as DiptychError {
                XCTAssertTrue(e.message.hasPrefix("jobs/x.yaml: ") || e.message.hasPrefix("job "), e.message)
                refused += 1
            }
        }
        XCTAssertGreaterThan(parsed, 0)
        XCTAssertGreaterThan(refused, 0)
    }

    func testPlanIsStableAndSpecHashesTrackChanges() throws {
        let a = try JobPlanner.plan(try parse(full))
        let b = try JobPlanner.plan(try parse(full))
        XCTAssertEqual(a.map(\.specHash), b.map(\.specHash))
        let changed = try JobPlanner.plan(try parse(full.replacingOccurrences(of: "steps: [1, 2, 4]", with: "steps: [1, 2, 8]")))
        let diff = zip(a, changed).filter { $0.specHash != $1.specHash }.map(\.1.key)
        // The 4-step images became 8-step ones (new keys), and the compare report depends on them.
        XCTAssertTrue(diff.contains("04-compare/report.md"))
        XCTAssertTrue(diff.contains("04-compare/dpmpp-2m-8/p000-s1.png"))
        XCTAssertFalse(diff.contains("01-generate/p000-s40.png"))
    }
}
