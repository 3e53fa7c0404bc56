// LCMDistillTests.swift: latent consistency distillation (LCM, Luo et al. 2023) on a tiny backbone:
// boundary scalings give the identity at t = 0, the pseudo-Huber loss and its gradient, the LCM target
// (teacher's guided DDIM step, then the target network's consistency function) against a hand
// calculation, a short run whose loss falls, and resume == uninterrupted; the same for phased
// distillation (PCM, Wang et al. 2024), whose target is the jump to the phase's lower edge, or with
// teacherTargets the teacher's own DDIM walk there; a student that starts from other weights; a phase subset.
import Core
import Foundation
import XCTest
@testable import Models
import DiffusionMath

final class LCMDistillTests: XCTestCase {
    func tinyBackbone() -> BackboneConfig { DistillFixtures.backbone() }

    func tinyConfig() -> LCMDistillConfig {
        var c = LCMDistillConfig()
        c.batchSize = 4
        c.captionBatch = 2
        c.originalSteps = 10
        c.learningRate = 1e-3
        c.warmupSteps = 1
        c.guidanceMin = 1
        c.guidanceMax = 4
        return c
    }

    func teacherWeights(_ c: BackboneConfig) throws -> Tensor { try DistillFixtures.randomWeights(c) }
    func tinyData(_ c: BackboneConfig, count: Int = 6) -> LatentTextDataset { DistillFixtures.data(c, count: count) }
    let alphas = DistillFixtures.alphas

    func makeDistiller(_ cfg: LCMDistillConfig? = nil) throws -> LCMDistiller {
        let bb = tinyBackbone()
        return try LCMDistiller(config: cfg ?? tinyConfig(), backbone: bb, teacherWeights: try teacherWeights(bb),
                                dataset: tinyData(bb), alphasCumprod: alphas)
    }

    func testBoundaryScalingsAreIdentityAtZero() {
        let (s0, o0) = ConsistencyMath.boundaryScalings(timestep: 0)
        XCTAssertEqual(s0, 1)
        XCTAssertEqual(o0, 0)
        let (s, o) = ConsistencyMath.boundaryScalings(timestep: 19)
        XCTAssertEqual(s, 0.25 / (190 * 190 + 0.25), accuracy: 1e-15)
        XCTAssertEqual(o, 190 / (190 * 190 + 0.25).squareRoot(), accuracy: 1e-12)
        let x: [Float] = [0.3, -1.2, 2.5, 0.01], out: [Float] = [9, -7, 3, 100]
        var f = [Float](repeating: 0, count: 4)
        for kind in [ImagePrediction.v, .eps] {
            ConsistencyMath.consistency(kind, x: x, output: out, out: &f, n: 4, alphaBar: 0.9991, timestep: 0)
            XCTAssertEqual(f, x, "f(x, 0) must be x whatever the network says")
        }
        XCTAssertEqual(ConsistencyMath.grid(trainSteps: 1000, originalSteps: 50).prefix(3), [19, 39, 59])
        XCTAssertEqual(ConsistencyMath.grid(trainSteps: 1000, originalSteps: 50).last, 999)
        XCTAssertTrue(ConsistencyMath.pair(index: 0, trainSteps: 1000, originalSteps: 50) == (19, 0))
        XCTAssertTrue(ConsistencyMath.pair(index: 49, trainSteps: 1000, originalSteps: 50) == (999, 979))
    }

    func testPseudoHuberValueAndGradient() {
        let p: [Float] = [0.5, -0.2, 0.0, 3.0], t: [Float] = [0.0, 0.1, 0.0, -1.0]
        let c: Float = 0.1
        var g = [Float](repeating: 0, count: 4)
        let loss = ConsistencyMath.pseudoHuber(prediction: p, target: t, n: 4, c: c, grad: &g)
        // By hand: sqrt(d^2 + c^2) - c for d = 0.5, -0.3, 0, 4.
        let r: [Double] = [0.26, 0.1, 0.01, 16.01].map { $0.squareRoot() - 0.1 }
        let hand: Double = r.reduce(0, +) / 4
        XCTAssertEqual(Double(loss), hand, accuracy: 1e-6)
        XCTAssertEqual(Double(g[0]), 0.5 / (0.26).squareRoot() / 4, accuracy: 1e-6)
        XCTAssertEqual(g[2], 0)
        // Finite differences.
        for i in 0..<4 {
            var pp = p, pm = p
            pp[i] += 1e-3; pm[i] -= 1e-3
            let fd = (ConsistencyMath.pseudoHuber(prediction: pp, target: t, n: 4, c: c, grad: nil)
                - ConsistencyMath.pseudoHuber(prediction: pm, target: t, n: 4, c: c, grad: nil)) / 2e-3
            XCTAssertEqual(fd, g[i], accuracy: 2e-3)
        }
    }

    func testTargetMatchesHandCalculation() throws {
        let d = try makeDistiller()
        let bb = d.backbone, n = bb.latentCount, L = bb.textLength
        var rng = Philox(seed: 21)
        var p = d.draw(rows: [0, 1, 2, 3], rng: &rng)
        // One pair ending at t = 0 (the target is the teacher's step itself) and three inside the grid.
        p.start = [9, 39, 69, 99]; p.end = [0, 29, 59, 89]
        p.guidance = [1, 2.5, 4, 7]
        let (xPrev, f) = d.consistencyTarget(p)

        // The teacher alone, conditional and unconditional.
        let teacher = try Backbone(config: bb, maxBatch: 4)
        teacher.parameters.values.data.update(from: d.teacher.parameters.values.data, count: teacher.parameters.values.count)
        func run(_ m: Backbone, _ tokens: [Int32], _ x: [Float], _ t: [Float], _ w: [Float]?) -> [Float] {
            x.withUnsafeBufferPointer { m.forward(tokens: tokens, latents: $0.baseAddress!, times: t, guidance: w) }
            return Array(UnsafeBufferPointer(start: m.image.data, count: x.count))
        }
        let vc = run(teacher, p.tokens, p.x, p.start, nil)
        let vu = run(teacher, [Int32](repeating: Int32(bb.padToken), count: 4 * L), p.x, p.start, nil)
        var handPrev = [Float](repeating: 0, count: 4 * n)
        for b in 0..<4 {
            let ab = alphas[Int(p.start[b])], abp = alphas[Int(p.end[b])]
            let a = ab.squareRoot(), s = (1 - ab).squareRoot()
            for j in 0..<n {
                let i = b * n + j, w = Double(p.guidance[b])
                let v = Double(vu[i]) + w * (Double(vc[i]) - Double(vu[i]))
                let x0 = a * Double(p.x[i]) - s * v, eps = s * Double(p.x[i]) + a * v
                handPrev[i] = Float(abp.squareRoot() * x0 + (1 - abp).squareRoot() * eps)
                XCTAssertEqual(xPrev[i], handPrev[i], accuracy: 1e-4)
            }
        }
        // Target network (= the teacher at the start) with the guidance embedding, then f = c_skip x + c_out x0.
        let vt = run(teacher, p.tokens, handPrev, p.end, p.guidance)
        for b in 0..<4 {
            let t = Double(p.end[b]), ab = alphas[Int(p.end[b])]
            let st = 10 * t, cs = 0.25 / (st * st + 0.25), co = st / (st * st + 0.25).squareRoot()
            for j in 0..<n {
                let i = b * n + j
                let x0 = ab.squareRoot() * Double(handPrev[i]) - (1 - ab).squareRoot() * Double(vt[i])
                let hand = cs * Double(handPrev[i]) + co * x0
                XCTAssertEqual(Double(f[i]), hand, accuracy: 1e-4)
                if b == 0 { XCTAssertEqual(f[i], xPrev[i], "at t_n = 0 the target is the teacher's step") }
            }
        }
    }

    /// The student's consistency-loss gradient on three weights against central differences.
    func assertStudentGradientMatchesFiniteDifferences(_ d: LCMDistiller, file: StaticString = #filePath, line: UInt = #line) {
        var rng = Philox(seed: 4)
        let p = d.draw(rows: [0, 1, 2, 3], rng: &rng)
        let f = d.consistencyTarget(p).target
        d.student.parameters.zeroGrads()
        _ = d.studentLoss(p, target: f)
        d.student.backward(dImage: d.dImage.data, dLogits: nil)
        let e = d.student.parameters.entry("final_linear.bias")
        for k in 0..<3 {
            let w = d.student.parameters.w(e.name) + k, g = d.student.parameters.g(e.name)[k]
            let keep = w.pointee
            w.pointee = keep + 1e-2
            let up = d.studentLoss(p, target: f)
            w.pointee = keep - 1e-2
            let down = d.studentLoss(p, target: f)
            w.pointee = keep
            XCTAssertEqual((up - down) / 2e-2, g, accuracy: max(1e-4, 0.02 * abs(g)), file: file, line: line)
        }
    }

    func testStudentGradientMatchesFiniteDifferences() throws {
        var cfg = tinyConfig()
        cfg.huberC = 0.5   // smooth, so finite differences are accurate
        cfg.huberScaleByLatentStd = false
        let d = try makeDistiller(cfg)
        assertStudentGradientMatchesFiniteDifferences(d)
    }

    func testLossFallsAndTextHeadStaysFrozen() throws {
        let d = try makeDistiller()
        let head = d.student.parameters.entry("text_head.weight")
        let headBefore = Array(UnsafeBufferPointer(start: d.student.parameters.w(head.name), count: head.count))
        let before = d.evaluate(rows: [0, 1, 2, 3], seed: 9)
        for _ in 0..<60 { d.step() }
        let after = d.evaluate(rows: [0, 1, 2, 3], seed: 9)
        XCTAssertLessThan(after, 0.8 * before, "consistency loss \(before) -> \(after)")
        XCTAssertEqual(Array(UnsafeBufferPointer(start: d.student.parameters.w(head.name), count: head.count)), headBefore)
    }

    /// Phased distillation (PCM): in 2 phases over the tiny grid (9, 19, ..., 99) the lower edges are 0 and 49.
    func phasedConfig() -> LCMDistillConfig {
        var c = tinyConfig()
        c.phases = 2
        return c
    }

    func testPhasedTargetJumpsToThePhaseEdge() throws {
        let d = try makeDistiller(phasedConfig())
        XCTAssertEqual(d.phaseEdges, [0, 49])
        let bb = d.backbone, n = bb.latentCount
        var rng = Philox(seed: 21)
        var p = d.draw(rows: [0, 1, 2, 3], rng: &rng)
        XCTAssertTrue(zip(p.start, p.edge).allSatisfy { s, e in e == (s > 49 ? 49 : 0) }, "\(p.start) \(p.edge)")
        // Rows 0 and 2 end on their edge (the target is the teacher's step); rows 1 and 3 inside a phase.
        p.start = [9, 39, 59, 99]; p.end = [0, 29, 49, 89]; p.edge = [0, 0, 49, 49]
        p.guidance = [1, 2.5, 4, 7]
        let (xPrev, f) = d.consistencyTarget(p)
        let target = try Backbone(config: bb, maxBatch: 4)
        target.parameters.values.data.update(from: d.target.parameters.values.data, count: target.parameters.values.count)
        xPrev.withUnsafeBufferPointer { target.forward(tokens: p.tokens, latents: $0.baseAddress!, times: p.end, guidance: p.guidance) }
        for b in 0..<4 {
            let ab = alphas[Int(p.end[b])], abTo = alphas[Int(p.edge[b])]
            for j in 0..<n {
                let i = b * n + j, v = Double(target.image.data[i]), x = Double(xPrev[i])
                let x0 = ab.squareRoot() * x - (1 - ab).squareRoot() * v, eps = (1 - ab).squareRoot() * x + ab.squareRoot() * v
                let hand = p.end[b] == p.edge[b] ? x : abTo.squareRoot() * x0 + (1 - abTo).squareRoot() * eps
                XCTAssertEqual(Double(f[i]), hand, accuracy: 1e-4, "row \(b)")
            }
        }
    }

    func testPhasedJumpIsIdentityAtItsEdgeAndItsDerivativeIsRight() {
        for kind in [ImagePrediction.v, .eps] {
            let x: [Float] = [0.3, -1.2], o: [Float] = [0.5, 0.1]
            var out = [Float](repeating: 0, count: 2)
            PhasedConsistency.jump(kind, x: x, output: o, out: &out, n: 2, alphaBar: 0.4, alphaBarTo: 0.4)
            for j in 0..<2 { XCTAssertEqual(out[j], x[j], accuracy: 1e-6, "\(kind)") }
            let h: Float = 1e-3
            var up = [Float](repeating: 0, count: 2), down = up
            PhasedConsistency.jump(kind, x: x, output: o.map { $0 + h }, out: &up, n: 2, alphaBar: 0.4, alphaBarTo: 0.9)
            PhasedConsistency.jump(kind, x: x, output: o.map { $0 - h }, out: &down, n: 2, alphaBar: 0.4, alphaBarTo: 0.9)
            XCTAssertEqual((up[0] - down[0]) / (2 * h), PhasedConsistency.jumpDerivative(kind, alphaBar: 0.4, alphaBarTo: 0.9),
                           accuracy: 1e-3, "\(kind)")
        }
    }

    func testPhasedStudentGradientMatchesFiniteDifferencesAndLossFalls() throws {
        var cfg = phasedConfig()
        cfg.huberC = 0.5
        cfg.huberScaleByLatentStd = false
        let d = try makeDistiller(cfg)
        assertStudentGradientMatchesFiniteDifferences(d)
        let trained = try makeDistiller(phasedConfig())
        let before = trained.evaluate(rows: [0, 1, 2, 3], seed: 9)
        for _ in 0..<60 { trained.step() }
        let after = trained.evaluate(rows: [0, 1, 2, 3], seed: 9)
        XCTAssertLessThan(after, 0.8 * before, "phased consistency loss \(before) -> \(after)")
        var bad = tinyConfig()
        bad.phases = 11
        XCTAssertThrowsError(try makeDistiller(bad), "more phases than grid steps")
    }

    /// teacherTargets: the target is the teacher's guided DDIM walk down the grid to the phase edge,
    /// checked against a loop of single teacher steps (consistencyTarget's xPrev); the loss falls.
    func testTeacherWalkTargetIsTheTeachersDDIMWalkToTheEdge() throws {
        var cfg = phasedConfig()
        cfg.teacherTargets = true
        let d = try makeDistiller(cfg)
        let bb = d.backbone, n = bb.latentCount
        var rng = Philox(seed: 21)
        var p = d.draw(rows: [0, 1, 2, 3], rng: &rng)
        // Walks of 4, 1, 1 and 5 teacher steps: 39 -> 29 -> 19 -> 9 -> 0, 9 -> 0, 59 -> 49, 99 -> ... -> 49.
        p.start = [39, 9, 59, 99]; p.edge = [0, 0, 49, 49]
        p.guidance = [1, 2.5, 4, 7]
        let walk = d.teacherWalk(p)
        var hand = p
        while zip(hand.start, hand.edge).contains(where: { $0 > $1 }) {
            hand.end = zip(hand.start, hand.edge).map { max($0 - 10, $1) }
            let prev = d.consistencyTarget(hand).xPrev
            for b in 0..<4 where hand.start[b] > hand.edge[b] {
                hand.x.replaceSubrange(b * n..<(b + 1) * n, with: prev[b * n..<(b + 1) * n])
                hand.start[b] = hand.end[b]
            }
        }
        for i in 0..<4 * n { XCTAssertEqual(walk[i], hand.x[i], accuracy: 1e-4) }
        XCTAssertNotEqual(walk[0], p.x[0])
        let before = d.evaluate(rows: [0, 1, 2, 3], seed: 9)
        for _ in 0..<60 { d.step() }
        let after = d.evaluate(rows: [0, 1, 2, 3], seed: 9)
        XCTAssertLessThan(after, 0.8 * before, "teacher-walk loss \(before) -> \(after)")
        var bad = tinyConfig()
        bad.teacherTargets = true
        XCTAssertThrowsError(try makeDistiller(bad), "teacherTargets without phases")
    }

    /// edgeFraction 1: every example starts at an upper phase edge, a timestep the 2-step sampler visits.
    func testEdgeFractionDrawsTheSamplersTimesteps() throws {
        var cfg = phasedConfig()
        cfg.edgeFraction = 1
        let d = try makeDistiller(cfg)
        var rng = Philox(seed: 2)
        let starts = Set((0..<20).flatMap { _ in d.draw(rows: [0, 1, 2, 3], rng: &rng).start })
        XCTAssertEqual(starts, [99, 49])
        cfg.edgeFraction = 0.5
        let half = try makeDistiller(cfg)
        let mixed = (0..<50).flatMap { _ in half.draw(rows: [0, 1, 2, 3], rng: &rng).start }
        XCTAssertGreaterThan(Set(mixed).count, 4, "the other half stays uniform over the grid")
        var bad = tinyConfig()
        bad.edgeFraction = 0.5
        XCTAssertThrowsError(try makeDistiller(bad), "edgeFraction without phases")
    }

    /// phaseSubset [2] of 2 phases (edges 0, 49): only the lower phase's grid starts, and its edge with
    /// edgeFraction 1; a phase that does not exist is rejected.
    func testPhaseSubsetDrawsOnlyItsPhases() throws {
        var cfg = phasedConfig()
        cfg.phaseSubset = [2]
        let d = try makeDistiller(cfg)
        var rng = Philox(seed: 2)
        XCTAssertEqual(Set((0..<30).flatMap { _ in d.draw(rows: [0, 1, 2, 3], rng: &rng).start }), [9, 19, 29, 39, 49])
        cfg.edgeFraction = 1
        let e = try makeDistiller(cfg)
        XCTAssertEqual(Set((0..<10).flatMap { _ in e.draw(rows: [0, 1, 2, 3], rng: &rng).start }), [49])
        cfg.phaseSubset = [3]
        XCTAssertThrowsError(try makeDistiller(cfg), "there is no phase 3")
    }

    /// Rollout: marked rows become the student's phased jump from their noise at 99 to their x_t at 49;
    /// with rolloutFraction 1 exactly the rows drawn at a lower sampler timestep are marked; the loss falls.
    func testRolloutGivesTheStudentsOwnSamplerInputs() throws {
        var cfg = phasedConfig()
        cfg.teacherTargets = true; cfg.edgeFraction = 0.5; cfg.rolloutFraction = 1
        let d = try makeDistiller(cfg)
        let bb = d.backbone, n = bb.latentCount
        var rng = Philox(seed: 21)
        var p = d.draw(rows: [0, 1, 2, 3], rng: &rng)
        p.start = [49, 99, 49, 19]; p.edge = [0, 49, 0, 0]; p.guidance = [1, 2.5, 4, 7]
        let (marked, noise, _) = d.rolloutRows(p, rng: &rng)
        XCTAssertEqual(marked, [true, false, true, false])
        let before = p
        d.rollOut(&p, rows: marked, noise: noise)
        let student = try Backbone(config: bb, maxBatch: 4)
        student.parameters.values.data.update(from: d.student.parameters.values.data, count: student.parameters.values.count)
        noise.withUnsafeBufferPointer {
            student.forward(tokens: p.tokens, latents: $0.baseAddress!, times: [99, 99, 99, 99], guidance: p.guidance)
        }
        let ab = alphas[99], abTo = alphas[49]
        for b in 0..<4 {
            for j in 0..<n {
                let i = b * n + j, v = Double(student.image.data[i]), z = Double(noise[i])
                let x0 = ab.squareRoot() * z - (1 - ab).squareRoot() * v, eps = (1 - ab).squareRoot() * z + ab.squareRoot() * v
                let want = marked[b] ? Float(abTo.squareRoot() * x0 + (1 - abTo).squareRoot() * eps) : before.x[i]
                XCTAssertEqual(p.x[i], want, accuracy: 1e-4, "row \(b)")
            }
        }
        let loss0 = d.evaluate(rows: [0, 1, 2, 3], seed: 9)
        for _ in 0..<60 { d.step() }
        XCTAssertLessThan(d.evaluate(rows: [0, 1, 2, 3], seed: 9), 0.8 * loss0)
    }

    /// Stochastic rollout (rolloutGamma): a marked row's jump mixes fresh noise into eps^ as the phased
    /// sampler with that gamma does; without rolloutGamma no fresh noise is drawn; the config rules.
    func testRolloutWithGammaMixesFreshNoiseIntoTheJump() throws {
        var cfg = phasedConfig()
        cfg.teacherTargets = true; cfg.edgeFraction = 0.5; cfg.rolloutFraction = 1
        let plain = try makeDistiller(cfg)
        var r0 = Philox(seed: 1)
        XCTAssertTrue(plain.rolloutRows(plain.draw(rows: [0, 1], rng: &r0), rng: &r0).fresh.isEmpty)
        cfg.rolloutGamma = 0.6
        let d = try makeDistiller(cfg)
        let bb = d.backbone, n = bb.latentCount
        var rng = Philox(seed: 21)
        var p = d.draw(rows: [0, 1, 2], rng: &rng)
        p.start = [49, 99, 49]; p.edge = [0, 49, 0]; p.guidance = [2, 3, 5]
        let (marked, noise, fresh) = d.rolloutRows(p, rng: &rng)
        XCTAssertEqual(marked, [true, false, true])
        XCTAssertEqual(fresh.count, 1 * 3 * n, "one lower sampler timestep (49), three rows")
        let before = p
        d.rollOut(&p, rows: marked, noise: noise, fresh: fresh)
        let student = try Backbone(config: bb, maxBatch: 3)
        student.parameters.values.data.update(from: d.student.parameters.values.data, count: student.parameters.values.count)
        noise.withUnsafeBufferPointer {
            student.forward(tokens: p.tokens, latents: $0.baseAddress!, times: [99, 99, 99], guidance: p.guidance)
        }
        let ab = alphas[99], abTo = alphas[49], keep = (1 - 0.36).squareRoot()
        for b in 0..<3 {
            for j in 0..<n {
                let i = b * n + j, v = Double(student.image.data[i]), z = Double(noise[i])
                let x0 = ab.squareRoot() * z - (1 - ab).squareRoot() * v, eps = (1 - ab).squareRoot() * z + ab.squareRoot() * v
                let mixed = keep * eps + 0.6 * Double(fresh[i])
                let want = marked[b] ? Float(abTo.squareRoot() * x0 + (1 - abTo).squareRoot() * mixed) : before.x[i]
                XCTAssertEqual(p.x[i], want, accuracy: 1e-4, "row \(b)")
            }
        }
        cfg.rolloutGamma = 1.5
        XCTAssertThrowsError(try makeDistiller(cfg))
        cfg.rolloutGamma = 0.4; cfg.rolloutFraction = 0
        XCTAssertThrowsError(try makeDistiller(cfg), "rolloutGamma needs rollout")
    }

    /// initialStudent: student, target and sampling EMA start there; the teacher keeps its own weights.
    func testInitialStudent() throws {
        let bb = tinyBackbone()
        var cfg = tinyConfig()
        cfg.samplingEMADecay = 0.9
        let teacher = try teacherWeights(bb), start = try Backbone(config: bb, maxBatch: 1, seed: 8).parameters.values
        let d = try LCMDistiller(config: cfg, backbone: bb, teacherWeights: teacher, dataset: tinyData(bb), alphasCumprod: alphas,
                                 initialStudent: start)
        for (name, slab, want) in [("teacher", d.teacher.parameters.values, teacher), ("student", d.student.parameters.values, start),
                                   ("target", d.target.parameters.values, start), ("ema", d.samplingEMA, start)] {
            XCTAssertEqual(Array(UnsafeBufferPointer(start: slab.data, count: slab.count)),
                           Array(UnsafeBufferPointer(start: want.data, count: want.count)), name)
        }
        XCTAssertThrowsError(try LCMDistiller(config: cfg, backbone: bb, teacherWeights: teacher, dataset: tinyData(bb),
                                              alphasCumprod: alphas, initialStudent: Tensor(shape: [3])))
    }

    func testCosineScheduleAndSamplingEMA() throws {
        var cfg = tinyConfig()
        cfg.learningRate = 1e-3; cfg.warmupSteps = 2; cfg.steps = 12; cfg.finalLearningRateFraction = 0.1
        XCTAssertEqual(cfg.learningRate(at: 0), 5e-4, accuracy: 1e-9)
        XCTAssertEqual(cfg.learningRate(at: 2), 1e-3, accuracy: 1e-9)
        XCTAssertEqual(cfg.learningRate(at: 7), 5.5e-4, accuracy: 1e-8)   // half way: (1 + 0.1) / 2
        XCTAssertEqual(cfg.learningRate(at: 12), 1e-4, accuracy: 1e-9)
        XCTAssertEqual(cfg.learningRate(at: 50), 1e-4, accuracy: 1e-9)
        cfg.finalLearningRateFraction = 1
        XCTAssertEqual(cfg.learningRate(at: 7), 1e-3)
        // The sampling EMA follows e * ema + (1 - e) * student after every step, from the teacher's weights.
        cfg.samplingEMADecay = 0.5
        let d = try makeDistiller(cfg)
        XCTAssertEqual(d.exportWeights.count, d.student.parameters.values.count)
        var expected = Array(UnsafeBufferPointer(start: d.student.parameters.values.data, count: d.samplingEMA.count))
        for _ in 0..<3 {
            d.step()
            let s = d.student.parameters.values.data
            for i in 0..<expected.count { expected[i] = 0.5 * expected[i] + 0.5 * s[i] }
        }
        XCTAssertEqual(Array(UnsafeBufferPointer(start: d.exportWeights.data, count: expected.count)), expected)
        XCTAssertEqual(try makeDistiller().samplingEMA.count, 0, "off by default: the student is exported")
    }

    func testResumeEqualsUninterrupted() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lcm-resume-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var cfg = tinyConfig()
        cfg.samplingEMADecay = 0.9
        cfg.finalLearningRateFraction = 0.2
        cfg.steps = 5
        let makeDistiller = { try self.makeDistiller(cfg) }
        let a = try makeDistiller()
        for _ in 0..<5 { a.step() }
        let b = try makeDistiller()
        for _ in 0..<2 { b.step() }
        try b.saveCheckpoint(to: dir, teacherHash: "t1")
        let c = try makeDistiller()
        XCTAssertThrowsError(try c.loadCheckpoint(from: dir, teacherHash: "other"))
        try c.loadCheckpoint(from: dir, teacherHash: "t1")
        for _ in 0..<3 { c.step() }
        var resumed = c.state
        resumed.teacher = a.state.teacher
        XCTAssertEqual(resumed, a.state)
        let wa = a.student.parameters.values, wc = c.student.parameters.values
        XCTAssertTrue(memcmp(wa.data, wc.data, wa.count * 4) == 0, "student weights differ after resume")
        let ta = a.target.parameters.values, tc = c.target.parameters.values
        XCTAssertTrue(memcmp(ta.data, tc.data, ta.count * 4) == 0, "target weights differ after resume")
        let ea = a.samplingEMA, ec = c.samplingEMA
        XCTAssertTrue(ea.count > 0 && memcmp(ea.data, ec.data, ea.count * 4) == 0, "sampling EMA differs after resume")
    }
}
