// ModelExecutorTests.swift: the studio over a real model bundle (a tiny backbone with random
// weights, the pool codec and the shipped tokenizer, written here): a batched job makes images,
// captions and fills; each image, re-run alone from the parameters stored in its PNG, comes out
// byte-identical (the batch and the thread count do not matter).
import Core
import Data
import Diffusion
import Foundation
import Media
import Models
import XCTest
@testable import Studio
import DiffusionMath

final class ModelExecutorTests: TemporaryFolderTestCase {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// Writes Models/tiny under `dir`: width 32, one block, random weights (std 0.05).
    func writeTinyBundle(seed: UInt64 = 3, edit: (inout BundleManifest) -> Void = { _ in }) throws {
        let tokenizer = try Tokenizer.load(from: ModelExecutorTests.repo + "/Models/tokenizer.json")
        var c = BackboneConfig()
        c.width = 32; c.depth = 1; c.heads = 2; c.mlpRatio = 2; c.textLength = 24
        c.latentChannels = 3; c.latentSize = 8
        c.vocabSize = tokenizer.vocabularySize
        c.padToken = tokenizer.padId; c.maskToken = tokenizer.maskId; c.eosToken = tokenizer.eosId
        let backbone = try Backbone(config: c)
        var rng = Philox(seed: seed)
        let w = backbone.parameters.values
        rng.fillGaussian(w.data, count: w.count)
        for i in 0..<w.count { w.data[i] *= 0.05 }
        let folder = dir + "/Models/tiny"
        var manifest = BundleManifest()
        manifest.autoencoder = "pool"
        manifest.pool = PoolAutoencoder()
        manifest.schedule = NoiseSchedule()
        edit(&manifest)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try ModelBundle.writeBackbone(w, parameters: backbone.parameters, config: c, to: folder + "/" + manifest.backbone, half: true)
        try AtomicFile.write(try Data(contentsOf: URL(fileURLWithPath: ModelExecutorTests.repo + "/Models/tokenizer.json")), to: folder + "/tokenizer.json")
        try AtomicFile.write(try DefaultedJSON.encode(manifest), to: folder + "/bundle.json")
    }

    func run(_ job: Job, _ queue: StudioQueue, threads: Int) throws -> WorkerSummary {
        let s = try queue.add(job: job) { try ExecutorKind.model.modelHash($0, modelsRoot: self.dir + "/Models") }.summary
        var options = WorkerOptions()
        options.jobID = s.jobID
        let runner = ItemRunner(outputsRoot: queue.outputsRoot, provider: ExecutorKind.model.provider(threads: threads, modelsRoot: dir + "/Models"),
                                store: queue.store)
        return try StudioWorker(store: queue.store, runner: runner, options: options, stop: StopFlag(), progress: ProgressReporter(quiet: true)).run()
    }

    func testConsistencySamplersEmbedGuidanceAndWarnOnMismatches() throws {
        func notes(_ sampler: String, _ steps: Int) throws -> [String] {
            try BundleModel(path: dir + "/Models/tiny").samplingNotes(EvalSampling(sampler: sampler, steps: steps, cfg: 5), cfgGiven: false)
        }
        try writeTinyBundle { $0.guidanceEmbedding = true; $0.phases = 4 }   // a phased (PCM) student
        let pcm = try BundleModel(path: dir + "/Models/tiny")
        XCTAssertTrue(pcm.embedsGuidance(sampler: "phased") && pcm.embedsGuidance(sampler: "consistency"))
        XCTAssertFalse(pcm.embedsGuidance(sampler: "ddim"))
        XCTAssertEqual(try notes("phased", 4), [])
        XCTAssertTrue(try notes("phased", 2).first?.contains("distilled for 4 steps") == true)
        XCTAssertTrue(try notes("consistency", 4).first?.contains("--sampler phased") == true)
        try writeTinyBundle { $0.guidanceEmbedding = true }                  // an LCM student
        XCTAssertEqual(try notes("consistency", 4), [])
        XCTAssertTrue(try notes("phased", 4).first?.contains("not in phases") == true)
        try writeTinyBundle()                                                // an ordinary diffusion model
        XCTAssertFalse(try BundleModel(path: dir + "/Models/tiny").embedsGuidance(sampler: "phased"))
        XCTAssertTrue(try notes("phased", 4).first?.contains("not consistency-distilled") == true)
    }

    /// Phase routes (BundleModel+PhaseRoutes): a bundle routed to itself as its own expert is unchanged; a
    /// teacher walk on a phase changes the image; other samplers ignore routes; a missing phase is an error.
    func testPhaseRoutesReplaceChosenPhases() throws {
        try writeTinyBundle { $0.guidanceEmbedding = true; $0.phases = 4 }
        let pcm = try BundleModel(path: dir + "/Models/tiny")
        let phased = EvalSampling(sampler: "phased", steps: 4, cfg: 5)
        let plain = try pcm.generateLatents(prompts: ["a red circle"], seeds: [7], sampling: phased).toArray()
        pcm.phaseRoutes = [2: .expert(try BundleModel(path: dir + "/Models/tiny"))]
        XCTAssertEqual(try pcm.generateLatents(prompts: ["a red circle"], seeds: [7], sampling: phased).toArray(), plain)
        pcm.phaseRoutes = [4: .teacherWalk(try BundleModel(path: dir + "/Models/tiny"))]
        XCTAssertNotEqual(try pcm.generateLatents(prompts: ["a red circle"], seeds: [7], sampling: phased).toArray(), plain)
        let ddim = EvalSampling(sampler: "ddim", steps: 4, cfg: 5)
        let unrouted = try pcm.generateLatents(prompts: ["a red circle"], seeds: [7], sampling: ddim).toArray()
        pcm.phaseRoutes = [:]
        XCTAssertEqual(try pcm.generateLatents(prompts: ["a red circle"], seeds: [7], sampling: ddim).toArray(), unrouted)
        pcm.phaseRoutes = [5: .expert(pcm)]
        XCTAssertThrowsError(try pcm.generateLatents(prompts: ["a red circle"], seeds: [7], sampling: phased))
    }

    func testBatchedJobAndLoneRerunsGiveTheSameBytes() throws {
        try writeTinyBundle()
        let queue = try StudioQueue(outputsRoot: dir + "/Outputs")
        let images = ModelExecutorTests.repo + "/Samples/images"
        let job = try JobReader.parse("""
            name: tiny
            model: tiny
            defaults: {steps: 3, cfg: 3, batch: 4}
            tasks:
              - kind: generate
                prompts: [a red circle above a blue square, two green triangles]
                seeds: [4, 9]
              - kind: caption
                images: [\(images)/shapes-2-a-purple-cross.png, \(images)/emoji-2374-six-thirty.png]
                steps: 4
              - kind: fill
                text: "a [MASK] circle"
                n: 2
            """, file: "tiny.yaml")
        let summary = try run(job, queue, threads: 2)
        XCTAssertEqual([summary.done, summary.failed], [4 + 2 + 2, 0], summary.failures.joined(separator: "\n"))
        let manifest = try queue.store.manifest(job: try XCTUnwrap(try queue.store.jobID(named: "tiny")))
        XCTAssertTrue(manifest.complete)
        let modelHash = try SHA256.hex(file: dir + "/Models/tiny/backbone.safetensors").prefix(10)
        let pngs = manifest.artifacts.filter { $0.artifact.kind == "image" }
        XCTAssertEqual(pngs.count, 4)
        for entry in manifest.artifacts where entry.artifact.kind != "image" {
            let text = try String(contentsOfFile: dir + "/Outputs/tiny/" + entry.artifact.path, encoding: .utf8)
            XCTAssertTrue(text.hasSuffix("\n"), entry.artifact.path)
        }
        for (i, entry) in pngs.enumerated() {
            let data = try Data(contentsOf: URL(fileURLWithPath: dir + "/Outputs/tiny/" + entry.artifact.path))
            let p = try GenerationParameters.from(text: try PNG.text(of: data).map { ($0.keyword, $0.text) })
            XCTAssertEqual(p.modelHash.map { Substring($0) }, modelHash)
            XCTAssertEqual(p.model, "tiny")
            let alone = Job(name: "again-\(i)", model: p.model, tasks: [.generate(GenerateTask(
                folder: "images", model: p.model, prompts: [p.prompt], seeds: [p.seed], sampler: p.sampler, steps: p.steps, cfg: p.cfg,
                size: p.width, batch: 1))])
            XCTAssertEqual(try run(alone, queue, threads: 1).done, 1)
            let again = try Data(contentsOf: URL(fileURLWithPath: dir + "/Outputs/again-\(i)/images/p000-s\(p.seed).png"))
            XCTAssertEqual(again, data, "\(entry.artifact.path) re-run alone differs")
        }
        // Different seeds give different images.
        XCTAssertNotEqual(pngs[0].artifact.sha256, pngs[1].artifact.sha256)
        // New weights under the same model name: every item is done again, with the new hash.
        try writeTinyBundle(seed: 4)
        let requeued = try queue.add(job: job) { try ExecutorKind.model.modelHash($0, modelsRoot: self.dir + "/Models") }.summary
        XCTAssertEqual([requeued.changed, requeued.done], [8, 0])
        XCTAssertEqual(try run(job, queue, threads: 1).done, 8)
        let redone = try queue.store.manifest(job: try XCTUnwrap(try queue.store.jobID(named: "tiny")))
        let newHash = try SHA256.hex(file: dir + "/Models/tiny/backbone.safetensors").prefix(10)
        XCTAssertNotEqual(newHash, modelHash)
        XCTAssertTrue(redone.artifacts.allSatisfy { $0.artifact.parameters["model_hash"] == .string(String(newHash)) })
    }
}
