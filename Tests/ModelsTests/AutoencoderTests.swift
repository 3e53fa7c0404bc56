// AutoencoderTests.swift: the latent autoencoder on a tiny configuration: whole-model gradients
// against finite differences of the training loss, shapes of encode/decode, the safetensors round
// trip (float32 exact, float16 close), exact resumption of training from a checkpoint, and the
// oracle-agreement comparison used by `diptych eval autoencoder`.
import XCTest
import Core
@testable import Data
@testable import Models

final class AutoencoderTests: XCTestCase {
    func tinyConfig() -> AutoencoderConfig {
        var c = AutoencoderConfig()
        c.imageSize = 8
        c.widths = [3, 4, 4]
        c.encoderBlocks = [1, 1, 1]
        c.decoderBlocks = [1, 1, 1]
        c.latentChannels = 4
        return c
    }

    func tinyTrainer(seed: UInt64 = 3) -> AutoencoderTrainer {
        var tc = AutoencoderTrainingConfig()
        tc.batch = 2
        tc.steps = 10
        tc.warmup = 2
        let model = Autoencoder(config: tinyConfig(), seed: seed)
        return AutoencoderTrainer(model: model, config: tc, source: AutoencoderImageSource(size: 8), threads: 1)
    }

    func testGradientsMatchFiniteDifferences() {
        let trainer = tinyTrainer()
        let ae = trainer.model
        let px = Tensor(shape: [2, 8, 8, 3])
        var rng = Philox(seed: 9)
        rng.fillUniform(px.data, count: px.count)
        _ = trainer.lossAndGradients(pixels: px.data, batch: 2)
        let analytic = ae.params.grads.clone()
        let w = ae.params.params
        var pick = Philox(seed: 10)
        var errSum = 0.0, magSum = 0.0
        let eps: Float = 1e-3
        for _ in 0..<60 {
            let i = pick.nextInt(below: ae.parameterCount)
            let saved = w[i]
            w[i] = saved + eps; let lp = Double(trainer.lossAndGradients(pixels: px.data, batch: 2))
            w[i] = saved - eps; let lm = Double(trainer.lossAndGradients(pixels: px.data, batch: 2))
            w[i] = saved
            let numeric = (lp - lm) / (2 * Double(eps))
            errSum += abs(numeric - Double(analytic[i]))
            magSum += abs(Double(analytic[i]))
        }
        XCTAssertGreaterThan(magSum, 0)
        XCTAssertLessThan(errSum / magSum, 0.05, "relative gradient error over 60 parameters")
    }

    func testEncodeDecodeShapesAndRange() throws {
        let ae = Autoencoder(config: tinyConfig(), seed: 1)
        let source = AutoencoderImageSource(size: 8)
        var rng = Philox(seed: 2)
        let images = (0..<3).map { _ in source.renderer.render(source.scene(&rng).objects, size: 8) }
        let z = try ae.encode(images)
        XCTAssertEqual(z.shape, [3, 2, 2, 4])
        let back = ae.decode(z)
        XCTAssertEqual(back.count, 3)
        XCTAssertTrue(back.allSatisfy { $0.width == 8 && $0.channels == 3 && $0.pixels.allSatisfy { (0...1).contains($0) } })
        XCTAssertThrowsError(try ae.encode([source.renderer.render([], size: 16)]))
    }

    func testSaveLoadRoundTrip() throws {
        var cfg = tinyConfig()
        cfg.latentShift = 0.25
        cfg.latentScale = 1.5
        let ae = Autoencoder(config: cfg, seed: 4)
        let dir = NSTemporaryDirectory() + "ae-test-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try ae.save(to: dir, half: false)
        let back = try Autoencoder.load(from: dir)
        XCTAssertEqual(back.config, cfg)
        XCTAssertEqual(back.params.params.toArray(), ae.params.params.toArray())
        try ae.save(to: dir, half: true)
        let half = try Autoencoder.load(from: dir)
        for i in 0..<ae.parameterCount {
            XCTAssertEqual(half.params.params[i], ae.params.params[i], accuracy: 1e-3 * max(1, abs(ae.params.params[i])))
        }
        XCTAssertThrowsError(try Autoencoder.load(from: dir + "/missing"))
    }

    func testResumeContinuesExactly() throws {
        let a = tinyTrainer()
        for _ in 0..<3 { a.trainStep() }
        let path = NSTemporaryDirectory() + "ae-ckpt-\(UUID().uuidString).safetensors"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try a.saveCheckpoint(path)
        let next = a.trainStep()
        let b = tinyTrainer(seed: 99)
        try b.resume(from: path)
        XCTAssertEqual(b.step, 3)
        let resumed = b.trainStep()
        XCTAssertEqual(resumed.loss, next.loss)
        XCTAssertEqual(b.model.params.params.toArray(), a.model.params.params.toArray())
        XCTAssertEqual(b.ema.toArray(), a.ema.toArray())
    }

    func testOracleReadingComparison() {
        let o = OracleObject(color: .red, shape: .cross, size: .small, centerX: 10, centerY: 12, centroidX: 10,
                             centroidY: 12, area: 30, colorDistance: 0, fitError: 0)
        var moved = o; moved.centerX += 1
        var recolored = o; recolored.color = .orange
        XCTAssertTrue(AutoencoderEval.sameReading([o], [moved]))
        XCTAssertFalse(AutoencoderEval.sameReading([o], [recolored]))
        XCTAssertFalse(AutoencoderEval.sameReading([o], [o, moved]))
    }
}

final class ChannelCovarianceTests: XCTestCase {
    func testSpectrumOfKnownCovariance() {
        // Vectors (a, a, b) with a, b independent of variance 4 and 1: eigenvalues 8, 1, 0.
        var cov = ChannelCovariance(channels: 3)
        var rng = Philox(seed: 3)
        var z = [Float]()
        for _ in 0..<20000 {
            let a = 2 * rng.nextGaussian(), b = rng.nextGaussian()
            z += [a, a, b]
        }
        z.withUnsafeBufferPointer { cov.add($0.baseAddress!, positions: 20000) }
        let s = cov.spectrum()
        XCTAssertEqual(s.count, 3)
        XCTAssertEqual(s[0], 8.0 / 9, accuracy: 0.02)
        XCTAssertEqual(s[1], 1.0 / 9, accuracy: 0.02)
        XCTAssertEqual(s[2], 0, accuracy: 1e-6)
    }
}
