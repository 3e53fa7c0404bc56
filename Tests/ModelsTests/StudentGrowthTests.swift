// StudentGrowthTests.swift: function-preserving depth growth of a distillation student (StudentGrowth,
// Net2DeeperNet-style gated-off copies of DiT blocks): the block plan, the grown backbone's image and
// text outputs equal the original's, the new blocks' gates get gradient, and a distiller with
// studentDepth trains the deeper student against the shallower teacher.
import Core
import Foundation
import XCTest
@testable import Models

final class StudentGrowthTests: XCTestCase {
    func tinyBackbone(depth: Int) -> BackboneConfig { DistillFixtures.backbone(depth: depth) }
    func randomWeights(_ c: BackboneConfig) throws -> Tensor { try DistillFixtures.randomWeights(c) }

    func testBlockPlanSpreadsTheCopies() {
        let plan = StudentGrowth.blockPlan(from: 6, to: 8)
        XCTAssertEqual(plan.map(\.source), [0, 1, 2, 2, 3, 4, 5, 5])
        XCTAssertEqual(plan.map(\.isCopy), [false, false, false, true, false, false, false, true])
        XCTAssertEqual(StudentGrowth.blockPlan(from: 2, to: 2).map(\.source), [0, 1])
        XCTAssertEqual(StudentGrowth.blockPlan(from: 2, to: 5).map(\.source), [0, 0, 1, 1, 1])
    }

    func testGrownBackboneComputesTheSameFunction() throws {
        let c = tinyBackbone(depth: 2)
        var deep = c
        deep.depth = 5
        let w = try randomWeights(c)
        let grown = try StudentGrowth.deepen(w, config: c, to: 5)
        let a = try Backbone(config: c, maxBatch: 2), b = try Backbone(config: deep, maxBatch: 2)
        a.parameters.values.data.update(from: w.data, count: w.count)
        b.parameters.values.data.update(from: grown.data, count: grown.count)
        var rng = Philox(seed: 2)
        var x = [Float](repeating: 0, count: 2 * c.latentCount)
        rng.fillGaussian(&x, count: x.count)
        let tokens: [Int32] = [4, 5, 6, 2, 0, 7, 8, 2, 0, 0]
        for m in [a, b] { m.forward(tokens: tokens, latents: x, times: [30, 700], guidance: [2, 5]) }
        for i in 0..<a.image.count { XCTAssertEqual(a.image.data[i], b.image.data[i], accuracy: 1e-5) }
        for i in 0..<a.logits.count where a.logits.data[i].isFinite {
            XCTAssertEqual(a.logits.data[i], b.logits.data[i], accuracy: 1e-4)
        }
        // The copies are not inert: their gates receive gradient, so distillation can open them.
        let dImage = Tensor(shape: [2, c.latentCount])
        for i in 0..<dImage.count { dImage.data[i] = 1 }
        b.parameters.zeroGrads()
        b.backward(dImage: dImage.data, dLogits: nil)
        let gate = b.parameters.entry("blocks.3.adaLN.bias"), d = c.width
        let g = (0..<d).map { abs(b.parameters.grads.data[gate.offset + 2 * d + $0]) }.reduce(0, +)
        XCTAssertGreaterThan(g, 0)
        XCTAssertEqual(b.parameters.values.data[gate.offset + 2 * d], 0)
    }

    func testGrowthRejectsShallowerStudents() throws {
        let c = tinyBackbone(depth: 2)
        XCTAssertThrowsError(try StudentGrowth.deepen(try randomWeights(c), config: c, to: 1))
        XCTAssertThrowsError(try StudentGrowth.deepen(Tensor(shape: [3]), config: c, to: 3))
    }

    /// A distiller whose student is deeper than its teacher runs, and its loss falls.
    func testDistillerTrainsAGrownStudent() throws {
        let c = tinyBackbone(depth: 1)
        var cfg = DistillFixtures.phasedWalkConfig()
        cfg.studentDepth = 2
        let teacher = try randomWeights(c)
        let data = DistillFixtures.data(c), alphas = DistillFixtures.alphas
        XCTAssertThrowsError(try LCMDistiller(config: cfg, backbone: c, teacherWeights: teacher, dataset: data,
                                              alphasCumprod: alphas))   // depth 2 needs grown weights
        let d = try LCMDistiller(config: cfg, backbone: c, teacherWeights: teacher, dataset: data, alphasCumprod: alphas,
                                 initialStudent: try StudentGrowth.deepen(teacher, config: c, to: 2))
        XCTAssertEqual(d.studentBackbone.depth, 2)
        XCTAssertEqual(d.teacher.parameters.values.count, teacher.count)
        let rows = Array(0..<4)
        let before = d.evaluate(rows: rows, seed: 9)
        for _ in 0..<30 { d.step() }
        XCTAssertLessThan(d.evaluate(rows: rows, seed: 9), 0.8 * before)
    }
}
