// RealModelTests.swift: the server over a real model bundle (a tiny backbone with random weights,
// the pool codec and the shipped tokenizer, written here as the Studio tests do): txt2img runs the
// real samplers and stamps the weights hash; img2img at strength 0 is the init image's latent
// decode; and the progress board's hook, which the real executor
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

    /// img2img at denoising_strength 0 runs no step: the answer is the init image (any size, resized
    /// by the bundle) through the autoencoder, encoded and decoded here on our own.
    func testImg2ImgStrengthZeroIsTheInitImagesLatentDecode() async throws {
        try writeTinyBundle()
        var s = settings()
        s.executor = .model
        s.modelsRoot = dir + "/Models"
        s.model = "tiny"
        try await startServer(s)
        var px = [Float](repeating: 0, count: 48 * 40 * 3)
        for i in px.indices { px[i] = Float((i * 37) % 256) / 255 }
        let initImage = Image(width: 48, height: 40, channels: 3, pixels: px)
        let r = try await post("/sdapi/v1/img2img", txt2img(["init_images": [try PNG.encode(initImage).base64EncodedString()],
                                                             "denoising_strength": 0, "sampler_name": "DDIM", "steps": 3]))
        XCTAssertEqual(r.status, 200, r.text)
        let png = try XCTUnwrap(Data(base64Encoded: try XCTUnwrap((r.object["images"] as? [String])?.first)))
        let got = try PNG.decode(png)
        let m = try BundleModel(path: dir + "/Models/tiny", threads: 1)
        let sent = try PNG.decode(try PNG.encode(initImage))
        let z = try m.bundle.codec.encode([m.prepare(sent)], threads: 1)
        let expected = try PNG.decode(try PNG.encode(m.decode(Tensor(shape: [1, z.count], values: z), count: 1)[0]))
        XCTAssertEqual([got.width, got.height, got.channels], [expected.width, expected.height, expected.channels])
        let worst = zip(got.pixels, expected.pixels).map { abs($0 - $1) }.max() ?? 1
        XCTAssertLessThanOrEqual(worst, 1.0 / 255 + 1e-6, "strength 0 is not the init image's latent decode")
        let text = try PNG.text(of: png).first { $0.keyword == "parameters" }?.text ?? ""
        XCTAssertTrue(text.contains("Denoising strength: 0, Mode: edit"), text)
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
