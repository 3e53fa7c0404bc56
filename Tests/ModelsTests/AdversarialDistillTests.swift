// AdversarialDistillTests.swift: PCM's adversarial term (Wang et al. 2024) in teacher-walk distillation:
// the LatentDiscriminator's input gradient against finite differences, the hinge loss, the adaptive weight
// (the added gradient's norm is adversarialWeight times the regression gradient's, on the rows that end at
// t = 0 only, with the discriminator seeing each endpoint beside its input), discriminator updates that separate real from fake, the config rules, and a resumed run
// that equals an uninterrupted one.
import Core
import Foundation
import XCTest
@testable import Models

final class AdversarialDistillTests: XCTestCase {
    func config(weight: Float = 0.5) -> LCMDistillConfig {
        var c = DistillFixtures.phasedWalkConfig(batch: 6, captions: 0)
        c.adversarialWeight = weight
        c.discriminatorLearningRate = 1e-2
        c.discriminatorWidth = 4
        c.steps = 5
        return c
    }

    func distiller(_ c: LCMDistillConfig) throws -> LCMDistiller { try DistillFixtures.distiller(c) }

    func testDiscriminatorInputGradientMatchesFiniteDifferences() {
        let d = LatentDiscriminator(channels: 2, size: 4, width: 4, maxBatch: 2)
        var rng = Philox(seed: 4)
        var x = [Float](repeating: 0, count: 2 * 32)
        rng.fillGaussian(&x, count: x.count)
        let w: [Float] = [0.7, -1.3]   // loss = sum_b w_b D(x_b)
        _ = d.forward(x, batch: 2)
        let dx = d.backward(dLogits: w)
        let h: Float = 1e-2
        for i in stride(from: 0, to: x.count, by: 5) {
            var p = x, m = x
            p[i] += h; m[i] -= h
            let lp = zip(d.forward(p, batch: 2), w).map(*).reduce(0, +), lm = zip(d.forward(m, batch: 2), w).map(*).reduce(0, +)
            XCTAssertEqual(dx[i], (lp - lm) / (2 * h), accuracy: 2e-3 + 0.02 * abs(dx[i]), "input \(i)")
        }
    }

    func testHingeLoss() {
        let h = LatentDiscriminator.hinge(real: [2, 0.5], fake: [-3, 0])
        XCTAssertEqual(h.loss, (0 + 0.5) / 2 + (0 + 1) / 2, accuracy: 1e-6)
        XCTAssertEqual(h.dReal, [0, -0.5])
        XCTAssertEqual(h.dFake, [0, 0.5])
    }

    func testUpdatesSeparateRealFromFake() {
        let d = LatentDiscriminator(channels: 2, size: 4, width: 4, maxBatch: 4)
        let real = [Float](repeating: 1, count: 4 * 32), fake = [Float](repeating: -1, count: 4 * 32)
        let first = d.update(real: real, fake: fake, lr: 1e-2)
        var last = first
        for _ in 0..<40 { last = d.update(real: real, fake: fake, lr: 1e-2) }
        XCTAssertLessThan(last, 0.5 * first)
    }

    /// The adaptive weight: on rows that end at 0 the added gradient has adversarialWeight times the norm of
    /// what was there; the other rows are untouched; the discriminator takes a step.
    func testAdversarialGradientHasTheConfiguredNormOnFinalPhaseRows() throws {
        let dist = try distiller(config(weight: 0.5))
        let n = dist.backbone.latentCount, B = 4
        var rng = Philox(seed: 8)
        var fs = [Float](repeating: 0, count: B * n), f = fs, x = fs
        rng.fillGaussian(&fs, count: fs.count)
        rng.fillGaussian(&f, count: f.count)
        rng.fillGaussian(&x, count: x.count)
        for i in 0..<B * n { dist.dImage.data[i] = 0.01 * Float(i % 7 - 3) }
        let before = Array(UnsafeBufferPointer(start: dist.dImage.data, count: B * n))
        let discBefore = dist.discriminator!.params.params.toArray()
        let losses = dist.adversarialTerm(student: fs, target: f, inputs: x, edges: [0, 49, 0, 0])
        let after = Array(UnsafeBufferPointer(start: dist.dImage.data, count: B * n))
        XCTAssertEqual(Array(after[n..<2 * n]), Array(before[n..<2 * n]), "a row of the upper phase changed")
        var added = 0.0, regression = 0.0
        for r in [0, 2, 3] {
            for j in r * n..<(r + 1) * n {
                added += Double(after[j] - before[j]) * Double(after[j] - before[j])
                regression += Double(before[j]) * Double(before[j])
            }
        }
        XCTAssertEqual((added / regression).squareRoot(), 0.5, accuracy: 1e-3)
        XCTAssertGreaterThan(losses.d, 0)
        XCTAssertNotEqual(dist.discriminator!.params.params.toArray(), discBefore)
        XCTAssertEqual(dist.adversarialTerm(student: fs, target: f, inputs: x, edges: [49, 49, 0, 49]).d, 0, "one row is too few")
    }

    func testConfigRules() throws {
        var c = config()
        c.teacherTargets = false
        XCTAssertThrowsError(try distiller(c), "real samples need the teacher's walk")
        c = config(weight: -1)
        XCTAssertThrowsError(try distiller(c))
        XCTAssertNil(try distiller(config(weight: 0)).discriminator)
    }

    func testResumeEqualsUninterrupted() throws {
        let c = config()
        let (a, r) = try DistillFixtures.resumedPair { try self.distiller(c) }
        XCTAssertGreaterThan(a.state.discriminatorSteps, 0)
        var resumed = r.state
        resumed.teacher = a.state.teacher   // set by saveCheckpoint
        XCTAssertEqual(resumed, a.state)
        XCTAssertEqual(r.student.parameters.values.toArray(), a.student.parameters.values.toArray())
        XCTAssertEqual(r.discriminator!.params.params.toArray(), a.discriminator!.params.params.toArray())
    }
}
