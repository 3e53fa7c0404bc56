// EndToEndCLITests.swift: the whole path a user walks, through the built binary on tiny configs:
// train a backbone -> its exported bundle paints and captions; distil that bundle -> its student paints
// in 2 steps. Also a resumed run and a NaN run. Tiny sizes (width 32, one block, a few steps), so
// this checks wiring and files, not quality.
import Foundation
import Media
import XCTest

final class EndToEndCLITests: TemporaryFolderTestCase {
    let trainConfig = """
        {"train": {"backbone": {"width": 32, "depth": 1, "heads": 2}, "batchSize": 8, "steps": 4, "logEvery": 2,
                   "warmupSteps": 1, "checkpointSeconds": 0},
         "data": {"shapes": 24}, "autoencoder": "pool"}
        """

    func train(_ run: String, steps: Int? = nil) throws -> CLIResult {
        try trainConfig.write(toFile: dir + "/train.json", atomically: true, encoding: .utf8)
        return try runDiptych(["train", "backbone", "--config", "train.json", "--run", run, "--threads", "1"]
                              + (steps.map { ["--steps", "\($0)"] } ?? []), cwd: dir)
    }

    func testTrainExportGenerateCaptionThenDistillGenerate() throws {
        let t = try train("runs/tiny")
        XCTAssertEqual(t.status, 0, t.stderr)
        XCTAssertTrue(t.stderr.contains("step 4/4"), t.stderr)
        for f in ["model/bundle.json", "model/backbone.safetensors", "model/tokenizer.json", "loss.csv", "checkpoint/state.json"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/runs/tiny/" + f), f)
        }
        XCTAssertEqual(try String(contentsOfFile: dir + "/runs/tiny/loss.csv", encoding: .utf8).split(separator: "\n").count, 3)
        let bundle = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/runs/tiny/model/bundle.json"))) as? [String: Any]
        XCTAssertEqual((bundle?["schedule"] as? [String: Any])?["trainSteps"] as? Int, 1000, "the schedule is an object in bundle.json")

        let g = try runDiptych(["generate", "a red circle", "--model", "runs/tiny/model", "--steps", "2", "--seed", "3",
                                "--out", "out", "--json", "--threads", "1"], cwd: dir)
        XCTAssertEqual(g.status, 0, g.stderr)
        let rows = try JSONSerialization.jsonObject(with: Data(g.stdout.utf8)) as? [[String: String]]
        let png = try XCTUnwrap(rows?.first?["file"])
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/" + png))

        let c = try runDiptych(["caption", png, "--model", "runs/tiny/model", "--steps", "4", "--threads", "1"], cwd: dir)
        XCTAssertEqual(c.status, 0, c.stderr)
        XCTAssertEqual(c.stdout.split(separator: "\n").count, 1)

        let distill = """
            {"distill": {"batchSize": 4, "steps": 2, "captionBatch": 2, "logEvery": 1, "checkpointSeconds": 0, "warmupSteps": 1},
             "data": {"shapes": 16}}
            """
        try distill.write(toFile: dir + "/distill.json", atomically: true, encoding: .utf8)
        let d = try runDiptych(["distill", "--teacher", "runs/tiny/model", "--config", "distill.json", "--run", "runs/student",
                                "--threads", "1"], cwd: dir)
        XCTAssertEqual(d.status, 0, d.stderr)
        let student = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/runs/student/model/bundle.json"))) as? [String: Any]
        let settings = student?["consistency"] as? [String: Any]
        XCTAssertEqual(settings?["originalSteps"] as? Int, 50, "the student's bundle records the grid it was distilled on")
        XCTAssertEqual(settings?["timestepScaling"] as? Double, 10)
        let s = try runDiptych(["generate", "a red circle", "--model", "runs/student/model", "--steps", "2", "--seed", "3",
                                "--out", "student", "--threads", "1"], cwd: dir)
        XCTAssertEqual(s.status, 0, s.stderr)
        XCTAssertTrue(s.stderr.contains("consistency"), s.stderr)
    }

    /// Garbage in a run folder is refused or rebuilt, never trained on: token ids of 0x7fffffff in the
    /// dataset cache (rebuilt), NaN weights or an out-of-range step in a checkpoint (refused, one line).
    func testGarbageInCachesAndCheckpointsIsCaught() throws {
        XCTAssertEqual(try train("runs/g", steps: 2).status, 0)
        let tokens = URL(fileURLWithPath: dir + "/runs/g/data/tokens.i32")
        var t = try Data(contentsOf: tokens)
        t.replaceSubrange(0..<4, with: [0xff, 0xff, 0xff, 0x7f])
        try t.write(to: tokens)
        let rebuilt = try train("runs/g", steps: 3)
        XCTAssertEqual(rebuilt.status, 0, rebuilt.stderr)
        XCTAssertTrue(rebuilt.stderr.contains("damaged") && rebuilt.stderr.contains("rebuilding"), rebuilt.stderr)

        // A checkpoint from before manifests (none to check it against) with NaN weights, then with step -5.
        let ckpt = dir + "/runs/g/checkpoint"
        try FileManager.default.removeItem(atPath: ckpt + "/manifest.json")
        let w = URL(fileURLWithPath: ckpt + "/weights.f32")
        var weights = try Data(contentsOf: w)
        let good = weights
        weights.replaceSubrange(8..<12, with: [0x00, 0x00, 0xc0, 0x7f])   // a quiet NaN
        try weights.write(to: w)
        let nan = try train("runs/g")
        XCTAssertEqual(nan.status, 1)
        XCTAssertTrue(nan.stderr.contains("weights.f32 holds NaN or Inf"), nan.stderr)
        try good.write(to: w)
        let state = URL(fileURLWithPath: ckpt + "/state.json")
        let text = try String(contentsOf: state, encoding: .utf8)
        try text.replacingOccurrences(of: #""step" : 3"#, with: #""step" : -5"#).write(to: state, atomically: true, encoding: .utf8)
        let negative = try train("runs/g")
        XCTAssertEqual(negative.status, 1)
        XCTAssertTrue(negative.stderr.contains("step -5 is outside 0...4"), negative.stderr)
    }

    /// A folder of captioned images is imported, then mixed into training with --data PATH:REPEAT (its
    /// train split only).
    func testImportThenTrainOnTheImportedCorpus() throws {
        try trainConfig.write(toFile: dir + "/train.json", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: dir + "/pics", withIntermediateDirectories: true)
        for i in 0..<12 {
            var image = Image(width: 40, height: 40, fill: [1, 1, 1])
            for y in 10..<30 { for x in 10..<30 { image[x, y, i % 3] = 0.2 } }
            try ImageFile.write(image, to: dir + "/pics/p\(i).png")
            try "a square of colour \(i % 3) number \(i)".write(toFile: dir + "/pics/p\(i).txt", atomically: true, encoding: .utf8)
        }
        let imp = try runDiptych(["data", "import", "pics", "--out", "mine.dptd", "--sizes", "32", "--val", "0.2", "--test", "0"], cwd: dir)
        XCTAssertEqual(imp.status, 0, imp.stderr)
        let t = try runDiptych(["train", "backbone", "--config", "train.json", "--run", "runs/mix", "--data", "mine.dptd:2", "--steps", "2",
                                "--threads", "1"], cwd: dir)
        XCTAssertEqual(t.status, 0, t.stderr)
        let line = try XCTUnwrap(t.stderr.split(separator: "\n").first { $0.contains("from --data") }, t.stderr)
        let imported = Int(line.components(separatedBy: " emoji, ").last?.split(separator: " ").first ?? "") ?? -1
        XCTAssertGreaterThan(imported, 0, String(line))
        XCTAssertLessThan(imported, 24, "only the train split, twice: \(line)")
        XCTAssertEqual(imported % 2, 0, String(line))
        let bad = try runDiptych(["train", "backbone", "--config", "train.json", "--run", "runs/bad", "--data", "mine.dptd:0",
                                  "--steps", "1", "--threads", "1"], cwd: dir)
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stderr.contains("the repeat must be 1 to 100"), bad.stderr)
    }

    /// A run stopped at step 2 and resumed to 4 ends with the same weights as one that ran to 4.
    func testResumedRunEqualsUninterruptedRun() throws {
        XCTAssertEqual(try train("runs/a").status, 0)
        XCTAssertEqual(try train("runs/b", steps: 2).status, 0)
        let resumed = try train("runs/b")
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stderr.contains("resumed at step 2"), resumed.stderr)
        let a = try Data(contentsOf: URL(fileURLWithPath: dir + "/runs/a/model/backbone.safetensors"))
        let b = try Data(contentsOf: URL(fileURLWithPath: dir + "/runs/b/model/backbone.safetensors"))
        XCTAssertEqual(a, b)
    }
}

/// SIGKILL during training, at random points (with a checkpoint after every step), then a resume:
/// the final weights equal those of a run that was never killed.
final class KilledTrainingTests: TemporaryFolderTestCase {
    func testKilledRunsResumeToTheSameWeights() throws {
        let config = """
            {"train": {"backbone": {"width": 32, "depth": 1, "heads": 2}, "batchSize": 8, "steps": 30, "logEvery": 5,
                       "warmupSteps": 1, "checkpointSeconds": 0},
             "data": {"shapes": 24}, "autoencoder": "pool"}
            """
        try config.write(toFile: dir + "/train.json", atomically: true, encoding: .utf8)
        let args = ["train", "backbone", "--config", "train.json", "--threads", "1"]
        XCTAssertEqual(try runDiptych(args + ["--run", "whole"], cwd: dir).status, 0)
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<3 {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: try diptychBinary())
            p.arguments = args + ["--run", "killed"]
            p.currentDirectoryURL = URL(fileURLWithPath: dir)
            p.standardError = FileHandle.nullDevice
            try p.run()
            usleep(UInt32.random(in: 300_000...900_000, using: &rng))
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
        }
        let last = try runDiptych(args + ["--run", "killed"], cwd: dir)
        XCTAssertEqual(last.status, 0, last.stderr)
        let a = try Data(contentsOf: URL(fileURLWithPath: dir + "/whole/model/backbone.safetensors"))
        let b = try Data(contentsOf: URL(fileURLWithPath: dir + "/killed/model/backbone.safetensors"))
        XCTAssertEqual(a, b, "the killed and resumed run ended with other weights")
    }
}
