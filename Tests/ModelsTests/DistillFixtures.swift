// DistillFixtures.swift: the tiny backbone, random teacher weights, dataset and schedule shared by the
// distillation tests (LCMDistillTests, StudentGrowthTests); the dataset also serves JointTrainerTests.
import Core
import Foundation
@testable import Models

enum DistillFixtures {
    static func backbone(depth: Int = 1) -> BackboneConfig {
        var c = BackboneConfig(width: 16, depth: depth, heads: 2, latentSize: 4, latentChannels: 2, patchSize: 2,
                               textLength: 5, vocabSize: 12)
        c.frequencyDim = 8
        return c
    }

    /// Weights that are all small random numbers (so all paths, the adaLN gates included, carry signal).
    static func randomWeights(_ c: BackboneConfig) throws -> Tensor {
        let m = try Backbone(config: c, maxBatch: 1, seed: 3)
        let w = m.parameters.values
        var rng = Philox(seed: 11)
        for i in 0..<w.count { w.data[i] += 0.1 * rng.nextGaussian() }
        return w.clone()
    }

    static func data(_ c: BackboneConfig, count: Int = 6) -> LatentTextDataset {
        var rng = Philox(seed: 5)
        var z = [Float](repeating: 0, count: count * c.latentCount)
        rng.fillGaussian(&z, count: z.count)
        var tokens: [Int32] = []
        for i in 0..<count { tokens += BackboneTrainingData.textRow([4 + i % 6, 5 + i % 5], config: c) }
        return LatentTextDataset(latents: z, tokens: tokens, latentCount: c.latentCount, textLength: c.textLength)
    }

    /// A tiny 2-phase teacher-walk distillation (10-step grid) with a fast learning rate.
    static func phasedWalkConfig(batch: Int = 4, captions: Int = 2) -> LCMDistillConfig {
        var c = LCMDistillConfig()
        c.batchSize = batch
        c.captionBatch = captions
        c.originalSteps = 10
        c.phases = 2
        c.teacherTargets = true
        c.learningRate = 1e-3
        c.warmupSteps = 1
        return c
    }

    /// A 100-step schedule (alpha-bar from 0.999 down to about 0.02).
    static let alphas: [Double] = (0..<100).map { Foundation.exp(-0.04 * Double($0)) * 0.999 }

    /// A distiller of the tiny backbone, with random teacher weights, on the tiny dataset.
    static func distiller(_ c: LCMDistillConfig) throws -> LCMDistiller {
        let bb = backbone()
        return try LCMDistiller(config: c, backbone: bb, teacherWeights: try randomWeights(bb), dataset: data(bb), alphasCumprod: alphas)
    }

    /// Five steps in one go, and two steps, a checkpoint and three more steps in a fresh distiller: returns both
    /// (the resumed state holds the teacher hash "t" from its checkpoint; the uninterrupted one holds none).
    static func resumedPair(_ make: () throws -> LCMDistiller) throws -> (uninterrupted: LCMDistiller, resumed: LCMDistiller) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("distill-resume-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let a = try make()
        for _ in 0..<5 { a.step() }
        let b = try make()
        for _ in 0..<2 { b.step() }
        try b.saveCheckpoint(to: dir, teacherHash: "t")
        let r = try make()
        try r.loadCheckpoint(from: dir, teacherHash: "t")
        for _ in 0..<3 { r.step() }
        return (a, r)
    }
}
