// SampleJobsTests.swift: the job files in Samples/jobs/ parse, and the README's walk-through (make
// images, then caption them; compare samplers) runs in-process with the fake executor, giving
// captions that describe the generated scenes and a complete comparison report.
import Core
import Foundation
import XCTest
@testable import Studio

final class SampleJobsTests: XCTestCase {
    static let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Samples/jobs").path

    var root = ""

    override func setUpWithError() throws {
        root = NSTemporaryDirectory() + "samples-\(getpid())-\(UUID().uuidString.prefix(6))"
        try FileManager.default.createDirectory(atPath: root + "/Samples", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: SampleJobsTests.samples, toPath: root + "/Samples/jobs")
        try FileManager.default.copyItem(atPath: SampleJobsTests.samples + "/../images", toPath: root + "/Samples/images")
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: root) }

    func run(_ file: String, _ queue: StudioQueue, provider: ExecutorProvider = ExecutorKind.fake.provider()) throws -> (WorkerSummary, Int64) {
        let (_, s) = try queue.add(jobFile: root + "/Samples/jobs/" + file)
        var options = WorkerOptions()
        options.jobID = s.jobID
        let runner = ItemRunner(outputsRoot: queue.outputsRoot, provider: provider, store: queue.store)
        let summary = try StudioWorker(store: queue.store, runner: runner, options: options, stop: StopFlag(),
                                       progress: ProgressReporter(quiet: true)).run()
        return (summary, s.jobID)
    }

    func testSamplesParse() throws {
        for file in ["shapes-demo.yaml", "caption-demo.yaml", "few-step-compare.yaml", "shapes-eval.yaml"] {
            let job = try JobReader.read(path: root + "/Samples/jobs/" + file)
            XCTAssertFalse(try JobPlanner.plan(job).isEmpty, file)
        }
    }

    func testGenerateThenCaptionWalkThrough() throws {
        let queue = try StudioQueue(outputsRoot: root + "/Outputs")
        let (made, _) = try run("shapes-demo.yaml", queue)
        XCTAssertEqual([made.done, made.failed], [10, 0])
        let (captioned, jobID) = try run("caption-demo.yaml", queue)
        XCTAssertEqual([captioned.done, captioned.failed], [8, 0])
        XCTAssertEqual(try queue.store.manifest(job: jobID).artifacts.map(\.artifact.path).first, "captions/emoji-1585-woman-cartwheeling.txt")
        // The fake captioner reads scenes with the shapes oracle.
        let sample = try String(contentsOfFile: root + "/Outputs/caption-demo/captions/shapes-2-a-purple-cross.txt", encoding: .utf8)
        XCTAssertTrue(sample.contains("purple cross"), sample)
        // Captioning what the shapes demo made: the scene the fake model drew for each prompt.
        try "tasks:\n  - kind: caption\n    folder: ../../Outputs/shapes-demo/01-generate\n"
            .write(toFile: root + "/Samples/jobs/mine.yaml", atomically: true, encoding: .utf8)
        let (mine, mineID) = try run("mine.yaml", queue)
        XCTAssertEqual(mine.done, 8)
        let caption = try String(contentsOfFile: root + "/Outputs/mine/01-caption/p001-s2.txt", encoding: .utf8)
        XCTAssertTrue(caption.contains("green triangle"), caption)
        let entry = try XCTUnwrap(try queue.store.manifest(job: mineID).artifacts.first { $0.artifact.path == "01-caption/p000-s1.txt" })
        XCTAssertEqual(entry.artifact.parameters["source_sha256"],
                       .string(try SHA256.hex(file: root + "/Outputs/shapes-demo/01-generate/p000-s1.png")))
    }

    func testCompareSampleWritesAReport() throws {
        let queue = try StudioQueue(outputsRoot: root + "/Outputs")
        var loads: [String] = []
        let provider = CachingExecutorProvider { model in
            loads.append(model)
            return FakeExecutor(model: model)
        }
        let (summary, jobID) = try run("few-step-compare.yaml", queue, provider: provider)
        XCTAssertEqual(summary.failed, 0)
        XCTAssertGreaterThan(summary.batches, 10)
        XCTAssertEqual(loads, ["default"], "the model is loaded once per worker")
        XCTAssertTrue(try queue.store.manifest(job: jobID).complete)
        let data = try Data(contentsOf: URL(fileURLWithPath: root + "/Outputs/few-step-compare/compare/report.json"))
        let report = try JSONDecoder().decode(ComparisonReport.self, from: data)
        XCTAssertEqual(report.rows.count, 1 + 4 + 3 + 3 + 3)
        // With the fake model, quality against the reference grows with the step count.
        let dpm = report.rows.filter { $0.sampler == "dpmpp-2m" && !$0.isReference }
        XCTAssertEqual(dpm.map(\.steps), [2, 4, 8, 16])
        XCTAssertEqual(dpm.map { $0.psnr! }, dpm.map { $0.psnr! }.sorted())
        XCTAssertEqual(dpm.map { $0.nfePerImage }, [4, 8, 16, 32])
    }
}
