// FakeScore.swift: the "fake" score network of distribution matching distillation (DMD, Yin et al. 2024,
// "One-step Diffusion with Distribution Matching Distillation"; DMD2, Yin et al. 2024, "Improved
// Distribution Matching Distillation for Fast Image Synthesis"). A copy of the teacher's backbone that is
// trained online, with the teacher's own diffusion loss (MSE on v or eps at a uniform timestep), on the
// student's current outputs, so that it tracks the score of the student's output distribution; the
// distiller compares its x0 prediction with the teacher's to move the student's outputs towards the data
// (LCMDistiller+DistributionMatching). It sees the prompt, and optionally the guidance scale w the student
// sampled at (through the backbone's guidance embedding, zero in the teacher, so it starts as the teacher's
// conditional model): then it models the student's outputs at each w rather than their mixture over w.
// Its optimiser is Adam with beta1 0 (as DMD2's), and its gradient norm is clipped at 1.
//
// Buffers:
//   x0      [B, n]   the student's outputs (n = latentCount), no gradient flows back into the student
//   noised  [B, n]   x_t = sqrt(ab_t) x0 + sqrt(1 - ab_t) eps
//   target  [B, n]   v = sqrt(ab_t) eps - sqrt(1 - ab_t) x0, or eps
//   grad    [B, n]   d loss / d image head
import Core
import NN
import DiffusionMath

public final class FakeScore {
    public let network: Backbone
    public let optimizer: AdamW
    let alphasCumprod: [Double]
    let grad: Tensor
    public var threads = 1 {
        didSet { network.threads = threads; optimizer.threads = threads }
    }

    /// weights: the teacher's slab (the fake score starts as the teacher's conditional model).
    public init(config: BackboneConfig, weights: Tensor, alphasCumprod: [Double], maxBatch: Int) throws {
        network = try Backbone(config: config, maxBatch: maxBatch)
        guard network.parameters.values.count == weights.count else { throw DiptychError("fake score: weights do not match the backbone") }
        network.parameters.values.data.update(from: weights.data, count: weights.count)
        optimizer = AdamW(store: network.parameters.store, config: AdamWConfig(beta1: 0, beta2: 0.999, eps: 1e-8, weightDecay: 0))
        self.alphasCumprod = alphasCumprod
        grad = Tensor(shape: [maxBatch, config.latentCount])
    }

    /// x0 predicted at x_t (one timestep per row) for these prompts. xt: [B, n]; returns [B, n].
    /// guidance: [B] w per row, or nil (the same at training and prediction).
    public func predictX0(tokens: [Int32], xt: [Float], times: [Int], guidance: [Float]? = nil) -> [Float] {
        let n = network.config.latentCount, kind = network.config.prediction
        xt.withUnsafeBufferPointer {
            network.forward(tokens: tokens, latents: $0.baseAddress!, times: times.map(Float.init), guidance: guidance)
        }
        var x0 = [Float](repeating: 0, count: xt.count)
        for b in times.indices {
            let ab = alphasCumprod[times[b]], a = Float(ab.squareRoot()), s = Float((1 - ab).squareRoot())
            for j in 0..<n { x0[b * n + j] = PredictionMath.x0Eps(kind, x: xt[b * n + j], output: network.image.data[b * n + j], a: a, s: s).x0 }
        }
        return x0
    }

    /// One update of the diffusion loss on samples x0 [B, n] with their prompts; timesteps uniform over the
    /// schedule, noise from `rng`. Returns the loss.
    @discardableResult
    public func train(tokens: [Int32], x0: [Float], guidance: [Float]? = nil, lr: Float, rng: inout Philox) -> Float {
        let n = network.config.latentCount, B = x0.count / n, kind = network.config.prediction
        var eps = [Float](repeating: 0, count: B * n), noised = eps, target = eps, times: [Float] = []
        rng.fillGaussian(&eps, count: eps.count)
        for b in 0..<B {
            let t = rng.nextInt(below: alphasCumprod.count)
            times.append(Float(t))
            let ab = alphasCumprod[t], a = Float(ab.squareRoot()), s = Float((1 - ab).squareRoot())
            for j in b * n..<(b + 1) * n {
                noised[j] = a * x0[j] + s * eps[j]
                target[j] = kind == .v ? a * eps[j] - s * x0[j] : eps[j]
            }
        }
        network.parameters.zeroGrads()
        noised.withUnsafeBufferPointer { network.forward(tokens: tokens, latents: $0.baseAddress!, times: times, guidance: guidance) }
        let loss = BackboneLoss.imageMSE(prediction: network.image.data, target: target, weights: [Float](repeating: 1, count: B),
                                         perExample: n, grad: grad.data)
        network.backward(dImage: grad.data, dLogits: nil)
        _ = GradientClipping.clip(network.parameters.grads, maxNorm: 1, threads: threads)
        optimizer.update(lr: lr)
        return loss
    }
}
