// CLITests.swift: every subcommand of the built binary, as a user meets it: its --help (with the
// defaults it states), a usage error (exit 64, the message on stderr) and a runtime error (exit 1, one
// line on stderr naming what was wrong). Runs from a folder outside the checkout, so the model lookup
// (ModelLocator) is exercised too.
import Foundation
import XCTest

final class CLITests: TemporaryFolderTestCase {
    /// (arguments, a fragment the output must hold).
    typealias Case = (args: [String], says: String)

    struct Command {
        var name: [String]
        var help: String
        var usage: Case?
        var runtime: Case?
    }

    static let commands: [Command] = [
        Command(name: ["info"], help: "--threads", usage: (["--threads", "0"], "--threads must be between 1 and 256"), runtime: nil),
        Command(name: ["inspect"], help: "<file>", usage: ([], "Missing expected argument"),
                runtime: (["/no/such.png"], "/no/such.png: no such file")),
        Command(name: ["samplers"], help: "--check", usage: (["--steps", "0"], "--steps must be"), runtime: nil),
        Command(name: ["generate"], help: "Default: the bundle's", usage: (["a red circle", "--sampler", "dpm-fast"], "'dpm-fast' is invalid"),
                runtime: (["a red circle", "--model", "/no/model"], "no model '/no/model'")),
        Command(name: ["caption"], help: "low-confidence, random, threshold", usage: (["x.png", "--strategy", "bogus"], "'bogus' is invalid"),
                runtime: (["/no/such.png", "--model", "/no/model"], "no model '/no/model'")),
        Command(name: ["fill"], help: "(default: 8)", usage: (["no slot here"], "no [MASK] slot"),
                runtime: (["a [MASK]", "--model", "/no/model"], "no model '/no/model'")),
        Command(name: ["edit"], help: "--strength", usage: (["x.png", "a red circle", "--strength", "2"], "--strength must be between 0 and 1"),
                runtime: (["/no/such.png", "a red circle"], "/no/such.png")),
        Command(name: ["inpaint"], help: "white = repaint", usage: (["x.png", "--mask", "m.png", "a red circle", "--resample", "0"], "--resample must be between 1 and 20"),
                runtime: (["/no/such.png", "--mask", "/no/mask.png", "a red circle"], "/no/such.png")),
        Command(name: ["eval", "editing"], help: "--cell-aligned-mask", usage: (["--strength", "2"], "--strength must be between 0 and 1"),
                runtime: (["--model", "/no/model"], "no model '/no/model'")),
        Command(name: ["eval", "model"], help: "--suites", usage: (["--steps", "0"], "--steps must be between 1 and 1000"),
                runtime: (["--model", "/no/model"], "no model '/no/model'")),
        Command(name: ["eval", "autoencoder"], help: "--scenes", usage: (["--bogus"], "Unknown option '--bogus'"),
                runtime: (["--model", "/no/model"], "no model '/no/model'")),
        Command(name: ["train", "backbone"], help: "--max-minutes", usage: (["--steps", "0"], "--steps must be between 1 and"),
                runtime: (["--config", "/no/train.json"], "/no/train.json: no such file")),
        Command(name: ["train", "autoencoder"], help: "(default: 32)", usage: (["--data", "shapes", "--batch", "100000000"], "--batch must be between 1 and 1024"),
                runtime: (["--data", "shapes", "--steps", "1", "--init-from", "/no/ckpt.safetensors", "--out", "ae"], "/no/ckpt.safetensors")),
        Command(name: ["distill"], help: "compare", usage: (["--until", "0"], "--until must be a step of at least 1"),
                runtime: (["--teacher", "/no/model"], "no model '/no/model'")),
        Command(name: ["distill", "compare"], help: "--student", usage: (["--bogus"], "Unknown option '--bogus'"),
                runtime: (["--teacher", "/no/model"], "no model '/no/model'")),
        Command(name: ["bench"], help: "--training", usage: (["--batch", "0"], "out of range"), runtime: nil),
        Command(name: ["run"], help: "--from", usage: ([], "give either a job file or --from"),
                runtime: (["/no/job.yaml"], "/no/job.yaml")),
        Command(name: ["queue", "add"], help: "<job-files>", usage: ([], "Missing expected argument"),
                runtime: (["/no/job.yaml"], "/no/job.yaml")),
        Command(name: ["worker"], help: "--watch", usage: (["--lease", "0"], "--lease must be between 1 and 3600"), runtime: nil),
        Command(name: ["history"], help: "--events", usage: (["--lease", "0"], "--lease must be"),
                runtime: (["no-such-job"], "no job named no-such-job")),
        Command(name: ["data", "build"], help: "shapes or emoji", usage: (["bogus"], "'bogus' is invalid"), runtime: nil),
        Command(name: ["data", "preview"], help: "--spread", usage: (["x.dptd"], "Missing expected argument '--out"),
                runtime: (["/no/x.dptd", "--out", "sheet.png"], "/no/x.dptd")),
        Command(name: ["serve"], help: "--token", usage: (["--host", "0.0.0.0"], "refusing to listen on 0.0.0.0 without --token"),
                runtime: (["--model", "/no/model", "--port", "17999"], "no model '/no/model'")),
        Command(name: ["data", "import"], help: "--caption-from", usage: (["/no/folder", "--out", "x.txt"], "--out must name a .dptd file"),
                runtime: (["/no/folder", "--out", "x.dptd"], "/no/folder")),
        Command(name: ["data", "info"], help: "tokenizer coverage", usage: ([], "Missing expected argument"),
                runtime: (["/no/x.dptd"], "/no/x.dptd")),
        Command(name: ["data", "tokenizer"], help: "--vocab", usage: (["--bogus"], "Unknown option '--bogus'"), runtime: nil),
    ]

    /// Options only where they act: commands that run no model take no --threads, and commands whose
    /// output is logs and files take no --json.
    func testOptionsOnlyWhereTheyAct() throws {
        for name in [["inspect"], ["history"], ["queue", "add"], ["data", "build"], ["data", "info"], ["samplers"]] {
            XCTAssertFalse(try runDiptych(name + ["--help"], cwd: dir).stdout.contains("--threads"), "\(name) offers --threads")
        }
        for name in [["train", "backbone"], ["train", "autoencoder"], ["distill", "train"], ["serve"]] {
            XCTAssertFalse(try runDiptych(name + ["--help"], cwd: dir).stdout.contains("--json"), "\(name) offers --json")
        }
    }

    func testEverySubcommandIsCovered() throws {
        let top = try runDiptych(["--help"], cwd: dir)
        XCTAssertEqual(top.status, 0)
        let section = top.stdout.components(separatedBy: "SUBCOMMANDS:").last ?? ""
        let listed = section.split(separator: "\n").compactMap { line -> String? in
            let t = line.drop(while: { $0 == " " })
            guard line.hasPrefix("  "), !line.hasPrefix("        "), let word = t.split(separator: " ").first else { return nil }
            return String(word)
        }.filter { $0 != "See" }
        XCTAssertGreaterThanOrEqual(listed.count, 15)
        let covered = Set(Self.commands.map { $0.name[0] })
        for name in listed where name != "help" { XCTAssertTrue(covered.contains(name), "no CLI test for '\(name)'") }
    }

    func testHelpUsageAndRuntimeErrors() throws {
        for c in Self.commands {
            let help = try runDiptych(c.name + ["--help"], cwd: dir)
            XCTAssertEqual(help.status, 0, "\(c.name) --help")
            XCTAssertTrue(help.stdout.contains("USAGE:") && help.stdout.contains(c.help), "\(c.name) --help lacks '\(c.help)'")
            if let u = c.usage {
                let r = try runDiptych(c.name + u.args, cwd: dir)
                XCTAssertEqual(r.status, 64, "\(c.name + u.args): \(r.stderr)")
                XCTAssertTrue(r.stderr.contains(u.says), "\(c.name + u.args) says '\(r.stderr)', not '\(u.says)'")
            }
            let takesThreads = help.stdout.contains("--threads")
            if let e = c.runtime {
                let r = try runDiptych(c.name + e.args + (takesThreads ? ["--threads", "1"] : []), cwd: dir)
                XCTAssertEqual(r.status, 1, "\(c.name + e.args): \(r.stderr)")
                XCTAssertEqual(r.stderrLines.count, 1, "\(c.name + e.args) printed more than one line: \(r.stderr)")
                XCTAssertTrue(r.stderr.contains(e.says), "\(c.name + e.args) says '\(r.stderr)', not '\(e.says)'")
            }
        }
    }

    /// Bounds on flags that used to trap, divide by zero, run forever or write an untrained model.
    func testOutOfRangeFlagsAreUsageErrors() throws {
        let cases: [([String], String)] = [
            (["train", "autoencoder", "--data", "shapes", "--widths", "1000000,8,8"], "--widths needs three numbers between 1 and 512"),
            (["train", "autoencoder", "--data", "shapes", "--log-every", "0"], "--log-every and --checkpoint-every must be at least 1"),
            (["train", "autoencoder", "--data", "shapes", "--checkpoint-every", "0"], "--log-every and --checkpoint-every must be at least 1"),
            (["train", "autoencoder", "--emoji-fraction", "2", "--emoji", "x.dptd"], "--emoji-fraction must be between 0 and 1"),
            (["train", "autoencoder", "--data", "shapes", "--lr", "nan"], "--lr must be a number in (0, 1]"),
            (["train", "backbone", "--steps", "0"], "--steps must be between 1 and"),
            (["fill", "a [MASK]", "--steps", "0"], "--steps must be between 1 and 1024"),
            (["fill", "a [MASK]", "--steps", "1000000"], "--steps must be between 1 and 1024"),
            (["fill", ""], "the text is empty"),
            (["caption", "x.png", "--strategy", "bogus"], "'bogus' is invalid"),
            (["generate", "a red circle", "--n", "0"], "--n must be between 1 and 256"),
        ]
        for (args, says) in cases {
            let r = try runDiptych(args, cwd: dir)
            XCTAssertEqual(r.status, 64, "\(args): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(says), "\(args) says '\(r.stderr)', not '\(says)'")
        }
    }

    /// The default model is found from a folder outside the checkout, and the error of a missing one
    /// lists where it looked.
    func testModelsAreFoundFromAnyFolder() throws {
        let r = try runDiptych(["fill", "a red [MASK] above a blue square", "--threads", "1"], cwd: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.hasPrefix("a red "), r.stdout)
        XCTAssertTrue(r.stdout.hasSuffix("above a blue square\n"), r.stdout)
        let missing = try runDiptych(["fill", "a [MASK]", "--model", "Models/nothing", "--threads", "1"], cwd: dir,
                                     environment: ["DIPTYCH_MODELS": dir + "/mine"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains(dir + "/mine/nothing"), missing.stderr)
    }

    /// fill keeps the text after a slot even when the prompt holds an emoji (the slot used to end it).
    func testFillKeepsTextAfterTheSlot() throws {
        let r = try runDiptych(["fill", "😀 grinning [MASK] face", "--threads", "1"], cwd: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.hasPrefix("😀 grinning"), r.stdout)
        XCTAssertTrue(r.stdout.hasSuffix(" face\n"), r.stdout)
    }

    /// One unreadable file among the images of `caption` is reported by name; the others are captioned.
    func testCaptionReportsTheBadFileAndCaptionsTheRest() throws {
        let good = ShippedConfigTests.root + "/Samples/images/shapes-3-a-black-square.png"
        try Data("not a png".utf8).write(to: URL(fileURLWithPath: dir + "/bad.png"))
        let r = try runDiptych(["caption", good, "bad.png", good, "--threads", "1"], cwd: dir)
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.stdout.split(separator: "\n").count, 2, r.stdout)
        XCTAssertTrue(r.stdout.contains("a black square"), r.stdout)
        XCTAssertTrue(r.stderr.contains("bad.png: not a PNG or JPEG file"), r.stderr)
        XCTAssertTrue(r.stderr.contains("1 of 3 image(s) could not be read: bad.png"), r.stderr)
    }

    /// Progress into a pipe is plain lines, never "\r" redraws.
    func testProgressIntoAPipeHasNoCarriageReturns() throws {
        let r = try runDiptych(["generate", "a red circle", "--steps", "3", "--seed", "1", "--out", "g", "--threads", "1"], cwd: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertFalse(r.stderr.contains("\r"), r.stderr)
        XCTAssertTrue(r.stderr.contains("1 image(s) in"), r.stderr)
    }

    /// generate: prompts of the same slug and other settings get their own files; --out "" is refused.
    func testGenerateNeverOverwritesOtherImages() throws {
        var files = Set<String>()
        for args in [["a red circle"], ["A RED CIRCLE!!!"], ["a red circle", "--steps", "4"]] {
            let r = try runDiptych(["generate"] + args + ["--steps", args.count > 1 ? "4" : "3", "--seed", "5", "--out", "g", "--threads", "1"], cwd: dir)
            XCTAssertEqual(r.status, 0, r.stderr)
            files.insert(String(r.stdout.split(separator: " ").first ?? ""))
        }
        XCTAssertEqual(files.count, 3, "\(files)")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir + "/g").filter { $0.hasSuffix(".png") }.count, 3)
        // A temporary file that a killed generate left behind is removed by the next one.
        let stale = dir + "/g/.a-red-circle-5-00000000.png.\(try deadPID()).tmp"
        _ = FileManager.default.createFile(atPath: stale, contents: Data([0x89]))
        XCTAssertEqual(try runDiptych(["generate", "a red circle", "--steps", "3", "--seed", "5", "--out", "g", "--threads", "1"], cwd: dir).status, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: stale))
        let empty = try runDiptych(["generate", "a red circle", "--out", ""], cwd: dir)
        XCTAssertEqual(empty.status, 64)
    }
}
