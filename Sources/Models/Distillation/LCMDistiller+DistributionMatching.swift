// LCMDistiller+DistributionMatching.swift: a distribution matching term (DMD, Yin et al. 2024; DMD2,
// Yin et al. 2024) for phased distillation. On the rows whose phase ends at t = 0 (the finished image) the
// student's clean-image prediction x0^ is noised to a random timestep t (uniform over [0.02 T, 0.98 T]) and
// scored twice: by the teacher with classifier-free guidance at the row's w ("real" score) and by a
// FakeScore network trained online on the student's outputs ("fake" score). The gradient of the KL
// divergence between the student's output distribution and the guided teacher's is, per row,
//   d/dx0^ = (x0_fake - x0_real) / mean|x0^ - x0_real|      (DMD eq. 7-8, normalised as in DMD)
// so a sample moves towards where the teacher would put it and away from where the student's other
// samples already are. Unlike the regression on the teacher's walk, this does not ask one network call to
// reproduce one particular ODE endpoint, which a few-step student can only approximate by a blur.
// The gradient is mapped to the image head (d x0^ / d output) and scaled, on those rows, to
// distributionMatchingWeight times the norm of the regression gradient there (as the adversarial term,
// LCMDistiller+Adversarial); then the fake score takes fakeScoreUpdates steps on the same x0^ (DMD2's
// two-time-scale update rule). With distributionMatchingAllPhases the term covers every row: a row of an
// upper phase contributes the clean image x0^ that its jump to the phase edge carries, as DMD2's multistep
// generator is trained on its clean prediction at each of its timesteps.
import Core
import DiffusionMath

extension LCMDistiller {
    /// The timesteps the distribution-matching term noises at: [0.02 T, 0.98 T] (DMD2).
    var distributionMatchingRange: ClosedRange<Int> {
        let T = alphasCumprod.count
        return max(1, Int(0.02 * Double(T)))...max(1, Int(0.98 * Double(T)))
    }

    /// The per-row DMD gradient with respect to x0^ [R, n]: (x0_fake - x0_real) / mean|x0^ - x0_real|.
    static func distributionMatchingGradient(x0: [Float], real: [Float], fake: [Float], n: Int) -> [Float] {
        var g = [Float](repeating: 0, count: x0.count)
        for r in 0..<x0.count / n {
            var norm: Float = 0
            for j in r * n..<(r + 1) * n { norm += abs(x0[j] - real[j]) }
            let inv = 1 / max(norm / Float(n), 1e-6)
            for j in r * n..<(r + 1) * n { g[j] = (fake[j] - real[j]) * inv }
        }
        return g
    }

    /// Adds the DMD gradient to dImage (d loss / d student output, after studentLoss) on the rows of `p` that
    /// end at t = 0 (all rows with distributionMatchingAllPhases), then updates the fake score on those rows'
    /// x0^. The student's last forward must be `p`'s.
    /// Returns (mean |x0_fake - x0_real|, the fake score's diffusion loss), or zeros when there is no such row.
    func distributionMatchingTerm(_ p: Pairs, rng: inout Philox) -> (gap: Float, fake: Float) {
        guard let fakeScore else { return (0, 0) }
        let n = backbone.latentCount, L = backbone.textLength, kind = backbone.prediction
        let rows = p.edge.indices.filter { config.distributionMatchingAllPhases || p.edge[$0] == 0 }
        guard !rows.isEmpty else { return (0, 0) }
        let R = rows.count
        // x0^ of each row from the student's output, and its noised copy x_t.
        var x0 = [Float](repeating: 0, count: R * n), xt = x0, eps = x0, tokens: [Int32] = [], times: [Int] = []
        rng.fillGaussian(&eps, count: eps.count)
        let range = distributionMatchingRange
        for (i, b) in rows.enumerated() {
            let ab = alphasCumprod[Int(p.start[b])], a = Float(ab.squareRoot()), s = Float((1 - ab).squareRoot())
            for j in 0..<n { x0[i * n + j] = PredictionMath.x0Eps(kind, x: p.x[b * n + j], output: student.image.data[b * n + j], a: a, s: s).x0 }
            let t = range.lowerBound + rng.nextInt(below: range.count)
            times.append(t)
            let abt = alphasCumprod[t], at = Float(abt.squareRoot()), st = Float((1 - abt).squareRoot())
            for j in i * n..<(i + 1) * n { xt[j] = at * x0[j] + st * eps[j] }
            tokens += p.tokens[b * L..<(b + 1) * L]
        }
        // The real score: the teacher's guided x0 prediction.
        let null = [Int32](repeating: Int32(backbone.padToken), count: R * L)
        (xt + xt).withUnsafeBufferPointer {
            teacher.forward(tokens: tokens + null, latents: $0.baseAddress!, times: (times + times).map(Float.init))
        }
        var real = [Float](repeating: 0, count: R * n)
        for (i, b) in rows.enumerated() {
            let abt = alphasCumprod[times[i]], at = Float(abt.squareRoot()), st = Float((1 - abt).squareRoot())
            let w = p.guidance[b], out = teacher.image.data
            for j in 0..<n {
                let c = out[i * n + j], u = out[(R + i) * n + j]
                real[i * n + j] = PredictionMath.x0Eps(kind, x: xt[i * n + j], output: u + w * (c - u), a: at, s: st).x0
            }
        }
        let w: [Float]? = config.fakeScoreSeesGuidance ? rows.map { p.guidance[$0] } : nil
        let fake = fakeScore.predictX0(tokens: tokens, xt: xt, times: times, guidance: w)
        let g = Self.distributionMatchingGradient(x0: x0, real: real, fake: fake, n: n)
        // To the image head, scaled to distributionMatchingWeight times the regression gradient's norm there.
        var regression = 0.0, matching = 0.0
        var gOut = g
        for (i, b) in rows.enumerated() {
            let ab = alphasCumprod[Int(p.start[b])]
            let k = PredictionMath.x0Derivative(kind, a: Float(ab.squareRoot()), s: Float((1 - ab).squareRoot()))
            for j in 0..<n {
                gOut[i * n + j] *= k
                regression += Double(dImage.data[b * n + j]) * Double(dImage.data[b * n + j])
                matching += Double(gOut[i * n + j]) * Double(gOut[i * n + j])
            }
        }
        let scale = matching > 0 ? Float(Double(config.distributionMatchingWeight) * (regression / matching).squareRoot()) : 0
        for (i, b) in rows.enumerated() {
            for j in 0..<n { dImage.data[b * n + j] += scale * gOut[i * n + j] }
        }
        var gap: Float = 0
        for j in 0..<R * n { gap += abs(fake[j] - real[j]) }
        var fakeLoss: Float = 0
        for _ in 0..<config.fakeScoreUpdates {
            fakeLoss = fakeScore.train(tokens: tokens, x0: x0, guidance: w, lr: config.fakeScoreLearningRate, rng: &rng)
        }
        return (gap / Float(R * n), fakeLoss)
    }
}
