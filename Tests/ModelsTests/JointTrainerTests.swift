// JointTrainerTests.swift: the joint batch mix (D-DiT recipe) and exact resumption of the trainer.
import Core
import Foundation
import XCTest
@testable import Models

final class JointTrainerTests: XCTestCase {
    func tinyConfig() -> JointTrainingConfig {
        var c = JointTrainingConfig()
        c.backbone = BackboneConfig(width: 16, depth: 1, heads: 2, latentSize: 4, latentChannels: 2, patchSize: 2,
                                    textLength: 5, vocabSize: 12)
        c.backbone.frequencyDim = 8
        c.batchSize = 6
        c.steps = 10
        c.warmupSteps = 2
        c.batch.conditionDropout = 0.3
        return c
    }

    func tinyData(_ c: BackboneConfig, count: Int = 7) -> LatentTextDataset { DistillFixtures.data(c, count: count) }

    let schedule: @Sendable (Float) -> (alpha: Float, sigma: Float) = { t in
        let ab = Foundation.exp(-Double(t) / 200)
        return (Float(ab.squareRoot()), Float((1 - ab).squareRoot()))
    }

    func testBatchMixesTasksAsSpecified() {
        let c = tinyConfig()
        let builder = JointBatchBuilder(config: c.batch, backbone: c.backbone, trainSteps: 1000, schedule: schedule)
        var rng = Philox(seed: 9)
        let data = tinyData(c.backbone)
        let L = c.backbone.textLength
        for _ in 0..<20 {
            let b = builder.build(data, indices: [0, 1, 2, 3, 4, 5], rng: &rng)
            XCTAssertEqual(b.captionExamples, [3, 4, 5])
            for i in 0..<6 {
                let row = b.tokens[i * L..<(i + 1) * L]
                if b.captionExamples.contains(i) {
                    XCTAssertEqual(b.imageWeights[i], 0)
                    XCTAssertTrue(b.times[i] == 0 || b.times[i] == 999)
                    XCTAssertFalse(row.contains(Int32(c.backbone.padToken)))
                } else {
                    XCTAssertEqual(b.imageWeights[i], 1)
                    XCTAssertFalse(row.contains(Int32(c.backbone.maskToken)))
                    XCTAssertTrue((0...999).contains(b.times[i]))
                    let dropped = row.allSatisfy { $0 == Int32(c.backbone.padToken) }
                    XCTAssertTrue(dropped || Array(row) == Array(b.targets[i * L..<(i + 1) * L]))
                }
            }
        }
    }

    func testLossFallsAndResumeIsExact() throws {
        let c = tinyConfig()
        let data = tinyData(c.backbone)
        var fast = c
        fast.learningRate = 3e-3
        fast.steps = 60
        let learner = try JointTrainer(config: fast, dataset: data, trainSteps: 1000, schedule: schedule)
        var losses: [Float] = []
        for _ in 0..<60 { losses.append(learner.step().loss) }
        XCTAssertLessThan(losses.suffix(10).reduce(0, +), 0.7 * losses.prefix(10).reduce(0, +))

        let straight = try JointTrainer(config: c, dataset: data, trainSteps: 1000, schedule: schedule)
        for _ in 0..<10 { straight.step() }

        let dir = NSTemporaryDirectory() + "/diptych-resume-\(ProcessInfo.processInfo.processIdentifier)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = try JointTrainer(config: c, dataset: data, trainSteps: 1000, schedule: schedule)
        for _ in 0..<4 { first.step() }
        try first.saveCheckpoint(to: dir)
        let resumed = try JointTrainer(config: c, dataset: data, trainSteps: 1000, schedule: schedule)
        try resumed.loadCheckpoint(from: dir)
        XCTAssertEqual(resumed.state, first.state)
        for _ in 4..<10 { resumed.step() }
        XCTAssertEqual(resumed.model.parameters.values.toArray(), straight.model.parameters.values.toArray())
        XCTAssertEqual(resumed.ema.toArray(), straight.ema.toArray())
    }

    func testInitializeFromWeightsSetsWeightsAndEMAOnlyAtStepZero() throws {
        let c = tinyConfig()
        let data = tinyData(c.backbone)
        let donor = try JointTrainer(config: c, dataset: data, trainSteps: 1000, schedule: schedule)
        for _ in 0..<3 { donor.step() }
        let fresh = try JointTrainer(config: c, dataset: data, trainSteps: 1000, schedule: schedule)
        XCTAssertNotEqual(fresh.model.parameters.values.toArray(), donor.ema.toArray())
        try fresh.initialize(weights: donor.ema)
        XCTAssertEqual(fresh.model.parameters.values.toArray(), donor.ema.toArray())
        XCTAssertEqual(fresh.ema.toArray(), donor.ema.toArray())
        XCTAssertThrowsError(try donor.initialize(weights: fresh.ema))
        XCTAssertThrowsError(try fresh.initialize(weights: Tensor(shape: [3])))
        fresh.step()
        XCTAssertThrowsError(try fresh.initialize(weights: donor.ema))
    }
}
