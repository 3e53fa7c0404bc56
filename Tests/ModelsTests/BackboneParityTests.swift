// BackboneParityTests.swift: the Swift backbone against the PyTorch reference (scripts/torch_backbone.py):
// forward outputs and the gradients of a scalar loss (image-weighted sum + MDLM masked CE) with respect to
// every weight and the input latent must match the fixture to 1e-4 relative.
import Core
import Foundation
import XCTest
@testable import Models

final class BackboneParityTests: XCTestCase {
    /// Max |a - b| / max |b| over the finite entries; infinities must coincide.
    func relativeError(_ a: UnsafePointer<Float>, _ b: [Float]) -> Float {
        var err: Float = 0, scale: Float = 1e-12
        for (i, r) in b.enumerated() {
            if r.isInfinite { if a[i] != r { return .infinity }; continue }
            err = max(err, abs(a[i] - r))
            scale = max(scale, abs(r))
        }
        return err / scale
    }

    func testForwardAndGradientsMatchPyTorch() throws {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "backbone_parity", withExtension: "safetensors",
                                                  subdirectory: "Fixtures"))
        let file = try TestSafeTensors(path: url.path)
        let config = try JSONDecoder().decode(BackboneConfig.self, from: Data(try XCTUnwrap(file.metadata["config"]).utf8))
        let B = file.tensors["in.t"]!.values.count
        let model = try Backbone(config: config, maxBatch: B)
        var weights: [String: (shape: [Int], values: [Float])] = [:]
        for (name, t) in file.tensors where name.hasPrefix("w.") { weights[String(name.dropFirst(2))] = t }
        XCTAssertEqual(model.parameters.load(weights), [])

        let tokens = file.tensors["in.tokens"]!.values.map { Int32($0) }
        let targets = file.tensors["in.targets"]!.values.map { Int32($0) }
        let latent = file.tensors["in.latent"]!.values
        let times = file.tensors["in.t"]!.values, guidance = file.tensors["in.guidance"]!.values
        let L = config.textLength, V = config.vocabSize
        latent.withUnsafeBufferPointer { model.forward(tokens: tokens, latents: $0.baseAddress!, times: times, guidance: guidance) }
        XCTAssertLessThan(relativeError(model.image.data, file.tensors["out.image"]!.values), 1e-4)
        XCTAssertLessThan(relativeError(model.logits.data, file.tensors["out.logits"]!.values), 1e-4)

        let weight = file.tensors["in.image_weight"]!.values
        var imageLoss: Float = 0
        for i in 0..<weight.count { imageLoss += model.image.data[i] * weight[i] }
        let dLogits = Tensor(shape: [B, L, V])
        let textLoss = BackboneLoss.maskedCrossEntropy(
            logits: model.logits.data, tokens: tokens, targets: targets, pMask: file.tensors["in.p_mask"]!.values,
            examples: Array(0..<B), length: L, vocab: V, maskToken: config.maskToken, grad: dLogits.data)
        let loss = file.tensors["out.loss"]!.values[0]
        XCTAssertLessThan(abs(imageLoss + textLoss - loss) / abs(loss), 1e-4)

        model.parameters.zeroGrads()
        let dLatent = Tensor(shape: [latent.count])
        weight.withUnsafeBufferPointer {
            model.backward(dImage: $0.baseAddress!, dLogits: dLogits.data, dLatents: dLatent.data)
        }
        XCTAssertLessThan(relativeError(dLatent.data, file.tensors["grad.latent"]!.values), 1e-4, "grad.latent")
        for e in model.parameters.entries {
            let ref = try XCTUnwrap(file.tensors["grad." + e.name], e.name)
            let err = relativeError(model.parameters.g(e.name), ref.values)
            XCTAssertLessThan(err, 1e-4, "grad of \(e.name)")
        }
    }

    func testSubsNeverPredictsMask() throws {
        var config = BackboneConfig(width: 16, depth: 1, heads: 2, latentSize: 4, latentChannels: 2, patchSize: 2,
                                    textLength: 4, vocabSize: 10)
        config.frequencyDim = 8
        let model = try Backbone(config: config, maxBatch: 1, seed: 3)
        let latent = [Float](repeating: 0.5, count: config.latentCount)
        latent.withUnsafeBufferPointer {
            model.forward(tokens: [4, 1, 2, 0], latents: $0.baseAddress!, times: [0.5])
        }
        for l in 0..<4 {
            XCTAssertEqual(model.logits.data[l * 10 + config.maskToken], -.infinity)
            XCTAssertTrue(model.logits.data[l * 10 + 3].isFinite)
        }
        // adaLN-Zero: the freshly initialised image head outputs exactly zero.
        XCTAssertEqual(model.image.toArray().map(abs).max(), 0)
    }
}
