// RealModelTests.swift: the server over a real model bundle (a tiny backbone with random weights,
// the pool codec and the shipped tokenizer, written here as the Studio tests do): txt2img runs the
// real samplers and stamps the weights hash; and the progress board's hook, which the real executor
// calls after every step, stops exactly the batch it was asked to stop.
import Core
import Data
import Diffusion
import Foundation
import Media
import Models
import Server
import Studio
import XCTest
import DiffusionMath

final class RealModelTests: ServerTestCase {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// Models/tiny under `dir`: width 32, one block, random weights.
    func writeTinyBundle() throws {
        let tokenizerPath = RealModelTests.repo + "/Models/tokenizer.json"
        let tokenizer = try Tokenizer.load(from: tokenizerPath)
        var c = BackboneConfig()
        c.width = 32; c.depth = 1; c.heads = 2; c.mlpRatio = 2; c.textLength = 24
        c.latentChannels = 3; c.latentSize = 8
        c.vocabSize = tokenizer.vocabularySize
        c.padToken = tokenizer.padId; c.maskToken = tokenizer.maskId; c.eosToken = tokenizer.eosId
        let backbone = try Backbone(config: c)
        var rng = Philox(seed: 5)
        let w = backbone.parameters.values
        rng.fillGaussian(w.data, count: w.count)
        for i in 0..<w.count { w.data[i] *= 0.05 }
        let folder = dir + "/Models/tiny"
        var manifest = BundleManifest()
        manifest.autoencoder = "pool"
        manifest.pool = PoolAutoencoder()
        manifest.schedule = NoiseSchedule()
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try ModelBundle.writeBackbone(w, parameters: backbone.parameters, config: c, to: folder + "/" + manifest.backbone, half: true)
        try AtomicFile.write(try Data(contentsOf: URL(fileURLWithPath: tokenizerPath)), to: folder + "/tokenizer.json")
        try AtomicFile.write(try DefaultedJSON.encode(manifest), to: folder + "/bundle.json")
    }

    func testTxt2ImgOnARealBundle() async throws {
        try writeTinyBundle()
        var s = settings()
        s.executor = .model
        s.modelsRoot = dir + "/Models"
        s.model = "tiny"
        try await startServer(s)
        let hash = try ModelExecutor.weightsHash(name: "tiny", modelsRoot: dir + "/Models")
        let r = try await post("/sdapi/v1/txt2img", txt2img(["sampler_name": "DDIM", "steps": 3, "batch_size": 2]))
        XCTAssertEqual(r.status, 200, r.text)
        let images = try XCTUnwrap(r.object["images"] as? [String])
        XCTAssertEqual(images.count, 2)
        let text = try PNG.text(of: try XCTUnwrap(Data(base64Encoded: images[0]))).first { $0.keyword == "parameters" }?.text ?? ""
        XCTAssertTrue(text.hasSuffix("Steps: 3, Sampler: ddim, CFG scale: 4, Seed: 7, Size: 32x32, Model: tiny, Model hash: \(hash)"), text)
        let models = try await get("/sdapi/v1/sd-models")
        XCTAssertEqual((models.json as? [[String: Any]])?.first?["hash"] as? String, hash)
        // The same request from the CLI's point of view: one done job in the store.
        XCTAssertEqual(try server.gateway.queue.store.jobs().map(\.state), ["done"])
    }

    func testBoardStopsOnlyTheBatchItWasAskedToStop() {
        let board = ProgressBoard(workers: 2)
        let hook = board.hook(worker: 0)
        XCTAssertTrue(hook(1, 4, nil))
        board.cancelRunningBatch(worker: 0)
        XCTAssertFalse(hook(2, 4, nil), "the running batch goes on after a cancel")
        XCTAssertTrue(hook(1, 4, nil), "a cancel reached into the next batch")
        XCTAssertTrue(hook(2, 4, nil))
        board.cancelRunningBatch(worker: 1)
        XCTAssertTrue(hook(3, 4, nil), "a cancel of worker 1 stopped worker 0")
        XCTAssertEqual(board.latest()?.step, 3)
        XCTAssertEqual(board.latest()?.total, 4)
    }
}
