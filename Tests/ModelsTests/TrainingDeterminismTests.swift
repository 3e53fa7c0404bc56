// TrainingDeterminismTests.swift: the same seed gives bitwise-identical joint training steps at one and
// two threads (every split of the work is a function of the shapes, never of the thread count). The
// config is small but has 512 token rows, so the split products (Matmul.gemm row blocks, gemmSplitK
// reduction blocks) really split.
import Core
import XCTest
@testable import Models

final class TrainingDeterminismTests: XCTestCase {
    func config() -> JointTrainingConfig {
        var bb = BackboneConfig(width: 32, depth: 2, heads: 2, latentSize: 8, latentChannels: 2, patchSize: 2,
                                textLength: 16, vocabSize: 40)
        bb.frequencyDim = 16
        var c = JointTrainingConfig()
        c.backbone = bb
        c.batchSize = 16
        c.steps = 3
        c.warmupSteps = 1
        c.learningRate = 1e-2
        c.batch.conditionDropout = 0.25
        return c
    }

    func train(threads: Int, steps: Int) throws -> (weights: [Float], ema: [Float], losses: [Float]) {
        let c = config()
        Threads.configure(threads)
        defer { Threads.configure(1) }
        let data = TrainingBenchmark.syntheticData(c.backbone, count: 40)
        let trainer = try JointTrainer(config: c, dataset: data, trainSteps: 1000, schedule: TrainingBenchmark.schedule)
        trainer.threads = threads
        var losses: [Float] = []
        for _ in 0..<steps {
            let r = trainer.step()
            losses += [r.loss, r.gradNorm]
        }
        return (trainer.model.parameters.values.toArray(), trainer.ema.toArray(), losses)
    }

    func testOneAndTwoThreadsGiveIdenticalSteps() throws {
        let c = config()
        XCTAssertGreaterThanOrEqual(c.batchSize * c.backbone.sequenceLength, 512, "too few rows to split the products")
        let one = try train(threads: 1, steps: 3)
        let two = try train(threads: 2, steps: 3)
        XCTAssertEqual(one.losses.map(\.bitPattern), two.losses.map(\.bitPattern))
        XCTAssertTrue(one.weights.map(\.bitPattern) == two.weights.map(\.bitPattern), "weights differ between 1 and 2 threads")
        XCTAssertTrue(one.ema.map(\.bitPattern) == two.ema.map(\.bitPattern), "EMA differs between 1 and 2 threads")
        // the steps did change the weights (the comparison is not of two untouched initialisations)
        let start = try JointTrainer(config: c, dataset: TrainingBenchmark.syntheticData(c.backbone, count: 40),
                                     trainSteps: 1000, schedule: TrainingBenchmark.schedule)
        XCTAssertNotEqual(start.model.parameters.values.toArray(), one.weights)
    }
}
