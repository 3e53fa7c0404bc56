// DistributionMatchingTests.swift: the distribution matching term (DMD, Yin et al. 2024) of phased
// distillation: its per-row gradient against a hand calculation, its map to the image head against finite
// differences of x0^(output), the adaptive weight (the added gradient has distributionMatchingWeight times the
// regression gradient's norm, on the rows that end at t = 0 only), a fake score that learns, the config
// rules, the optional guidance input of the fake score, and a resumed run that equals an uninterrupted one.
import Core
import Foundation
import XCTest
@testable import Models
import DiffusionMath

final class DistributionMatchingTests: XCTestCase {
    func config(weight: Float = 0.5) -> LCMDistillConfig {
        var c = DistillFixtures.phasedWalkConfig(batch: 6, captions: 0)
        c.distributionMatchingWeight = weight
        c.fakeScoreLearningRate = 1e-3
        c.edgeFraction = 1
        c.steps = 5
        return c
    }

    func distiller(_ c: LCMDistillConfig) throws -> LCMDistiller { try DistillFixtures.distiller(c) }

    func testGradientIsTheScoreGapOverTheMeanDistance() {
        // Two rows of two values: x0^, the teacher's x0 (real) and the fake score's.
        let g = LCMDistiller.distributionMatchingGradient(x0: [1, 2, 0, 0], real: [0, 0, 1, -1], fake: [1, 1, 0, 0], n: 2)
        // Row 0: mean|x0^ - real| = 1.5, gap (1, 1); row 1: mean distance 1, gap (-1, 1).
        XCTAssertEqual(g[0], 1 / 1.5, accuracy: 1e-6)
        XCTAssertEqual(g[1], 1 / 1.5, accuracy: 1e-6)
        XCTAssertEqual(g[2], -1, accuracy: 1e-6)
        XCTAssertEqual(g[3], 1, accuracy: 1e-6)
        // A descent step moves x0^ towards the teacher when the fake score sits on the sample.
        let h = LCMDistiller.distributionMatchingGradient(x0: [1, 2], real: [0, 0], fake: [1, 2], n: 2)
        XCTAssertLessThan(abs(1 - 0.1 * h[0]) + abs(2 - 0.1 * h[1]), 3)
    }

    /// On rows that end at 0, the added gradient is scale * g * d x0^ / d output, with one positive scale that makes
    /// its norm distributionMatchingWeight times the regression gradient's; the other rows are untouched.
    func testTermHasTheConfiguredNormOnFinalPhaseRowsAndTheFakeScoreLearns() throws {
        let dist = try distiller(config(weight: 0.5))
        let n = dist.backbone.latentCount
        var rng = Philox(seed: 8)
        let pairs = dist.draw(rows: Array(0..<6), rng: &rng)
        _ = dist.studentLoss(pairs, target: dist.teacherWalk(pairs))
        let final = pairs.edge.indices.filter { pairs.edge[$0] == 0 }
        XCTAssertFalse(final.isEmpty)
        XCTAssertLessThan(final.count, 6, "both phases should be drawn")
        let before = Array(UnsafeBufferPointer(start: dist.dImage.data, count: 6 * n))
        let output = Array(UnsafeBufferPointer(start: dist.student.image.data, count: 6 * n))
        let fakeBefore = dist.fakeScore!.network.parameters.values.toArray()
        var termRNG = Philox(seed: 9)
        let result = dist.distributionMatchingTerm(pairs, rng: &termRNG)
        let after = Array(UnsafeBufferPointer(start: dist.dImage.data, count: 6 * n))
        var added = 0.0, regression = 0.0
        for b in 0..<6 {
            for j in b * n..<(b + 1) * n {
                if final.contains(b) {
                    added += Double(after[j] - before[j]) * Double(after[j] - before[j])
                    regression += Double(before[j]) * Double(before[j])
                } else {
                    XCTAssertEqual(after[j], before[j], "row \(b) of the upper phase changed")
                }
            }
        }
        XCTAssertEqual((added / regression).squareRoot(), 0.5, accuracy: 1e-3)
        XCTAssertGreaterThan(result.gap, 0)
        XCTAssertGreaterThan(result.fake, 0)
        XCTAssertNotEqual(dist.fakeScore!.network.parameters.values.toArray(), fakeBefore)

        // The chain to the image head: the added gradient is parallel to d <g, x0^(output)> / d output by finite
        // differences, where g is the added gradient divided by d x0^ / d output (a constant per row).
        let b = final[0], ab = DistillFixtures.alphas[Int(pairs.start[b])]
        let a = Float(ab.squareRoot()), s = Float((1 - ab).squareRoot()), h: Float = 1e-2
        for j in stride(from: 0, to: n, by: 3) {
            let i = b * n + j, o = output[i], x = pairs.x[i]
            let dx0 = (PredictionMath.x0Eps(.v, x: x, output: o + h, a: a, s: s).x0 - PredictionMath.x0Eps(.v, x: x, output: o - h, a: a, s: s).x0) / (2 * h)
            let g = (after[i] - before[i]) / PredictionMath.x0Derivative(.v, a: a, s: s)
            XCTAssertEqual(after[i] - before[i], g * dx0, accuracy: 1e-3 * max(1, abs(after[i] - before[i])))
        }
    }

    func testFakeScoreLossFallsOnAFixedBatch() throws {
        let bb = DistillFixtures.backbone()
        let fake = try FakeScore(config: bb, weights: try DistillFixtures.randomWeights(bb), alphasCumprod: DistillFixtures.alphas, maxBatch: 4)
        let data = DistillFixtures.data(bb, count: 4)
        let x0 = Array(data.latents[0..<4 * bb.latentCount])
        func loss(_ lr: Float) -> Float {
            var rng = Philox(seed: 3)   // the same noise and timesteps at every call
            return fake.train(tokens: data.tokens, x0: x0, lr: lr, rng: &rng)
        }
        let first = loss(3e-3)
        for _ in 0..<30 { _ = loss(3e-3) }
        XCTAssertLessThan(loss(3e-3), 0.7 * first)
    }

    /// distributionMatchingAllPhases: the rows of the upper phase get the term too, at the same norm ratio.
    func testAllPhasesCoversEveryRow() throws {
        var c = config(weight: 0.5)
        c.distributionMatchingAllPhases = true
        let dist = try distiller(c)
        let n = dist.backbone.latentCount
        var rng = Philox(seed: 8)
        let pairs = dist.draw(rows: Array(0..<6), rng: &rng)
        _ = dist.studentLoss(pairs, target: dist.teacherWalk(pairs))
        XCTAssertTrue(pairs.edge.contains { $0 > 0 })
        let before = Array(UnsafeBufferPointer(start: dist.dImage.data, count: 6 * n))
        var termRNG = Philox(seed: 9)
        _ = dist.distributionMatchingTerm(pairs, rng: &termRNG)
        let after = Array(UnsafeBufferPointer(start: dist.dImage.data, count: 6 * n))
        var added = 0.0, regression = 0.0
        for b in 0..<6 {
            XCTAssertNotEqual(Array(after[b * n..<(b + 1) * n]), Array(before[b * n..<(b + 1) * n]), "row \(b)")
            for j in b * n..<(b + 1) * n {
                added += Double(after[j] - before[j]) * Double(after[j] - before[j])
                regression += Double(before[j]) * Double(before[j])
            }
        }
        XCTAssertEqual((added / regression).squareRoot(), 0.5, accuracy: 1e-3)
    }

    /// fakeScoreSeesGuidance: the fake score's guidance embedding trains only when it is fed the rows' w.
    func testFakeScoreSeesGuidanceOnlyWhenAsked() throws {
        for sees in [false, true] {
            var c = config()
            c.fakeScoreSeesGuidance = sees
            let dist = try distiller(c)
            let p = dist.fakeScore!.network.parameters, e = p.entry("g_embed.fc1.weight")
            let before = Array(UnsafeBufferPointer(start: p.w(e.name), count: e.count))
            dist.step()
            let after = Array(UnsafeBufferPointer(start: p.w(e.name), count: e.count))
            XCTAssertEqual(after != before, sees, "fakeScoreSeesGuidance \(sees)")
        }
    }

    func testConfigRules() throws {
        var c = config()
        c.phases = 0
        c.teacherTargets = false
        c.edgeFraction = 0
        XCTAssertThrowsError(try distiller(c), "the term needs rows that end at 0 of a phased student")
        XCTAssertThrowsError(try distiller(config(weight: -1)))
        var u = config()
        u.fakeScoreUpdates = 0
        XCTAssertThrowsError(try distiller(u))
        XCTAssertNil(try distiller(config(weight: 0)).fakeScore)
    }

    func testResumeEqualsUninterrupted() throws {
        let c = config()
        let (a, r) = try DistillFixtures.resumedPair { try self.distiller(c) }
        XCTAssertGreaterThan(a.state.fakeScoreSteps, 0)
        var resumed = r.state
        resumed.teacher = a.state.teacher   // set by saveCheckpoint
        XCTAssertEqual(resumed, a.state)
        XCTAssertEqual(r.student.parameters.values.toArray(), a.student.parameters.values.toArray())
        XCTAssertEqual(r.fakeScore!.network.parameters.values.toArray(), a.fakeScore!.network.parameters.values.toArray())
    }
}
