// JointBatch.swift: assembles one mixed batch of joint dual-diffusion training (D-DiT, Li et al. 2024).
// Every batch holds text-to-image examples (clean text, latent noised at a sampled time t, target v or
// eps) and captioning examples (clean latent at t = 0, text masked at rate p_mask = (1-eps) t + eps as in
// LLaDA). Condition dropout for classifier-free guidance (Ho & Salimans 2022): a text-to-image example
// loses its text (all [PAD], ignored as keys); a captioning example loses its image (noise at the last timestep).
// Image times u in [0, 1] are drawn from a logit-normal (Esser et al. 2024, SD3) shifted towards high
// noise, mixed with a uniform share so both ends are seen, and scaled to the schedule's timesteps.
import Core
import Foundation

/// Where clean examples come from: latents [count, latentCount] and text [count, textLength]
/// (caption tokens then EOS fill).
public struct LatentTextDataset: Sendable {
    public var latents: [Float]
    public var tokens: [Int32]
    public var count: Int
    public var latentCount: Int
    public var textLength: Int

    public init(latents: [Float], tokens: [Int32], latentCount: Int, textLength: Int) {
        precondition(latents.count % latentCount == 0 && tokens.count % textLength == 0)
        precondition(latents.count / latentCount == tokens.count / textLength, "latent and text counts differ")
        self.latents = latents
        self.tokens = tokens
        self.latentCount = latentCount
        self.textLength = textLength
        self.count = latents.count / latentCount
    }
}

/// Knobs of the batch mix (part of the training config).
public struct JointBatchConfig: Codable, Equatable, Sendable {
    /// Share of captioning examples in every batch.
    public var captionFraction: Float = 0.5
    /// Probability of dropping the condition (text for T2I, image for captioning).
    public var conditionDropout: Float = 0.1
    /// LLaDA's eps in p_mask = (1 - eps) t + eps.
    public var maskEpsilon: Float = 1e-3
    /// Logit-normal image times: t = sigmoid(mean + std * n); mean > 0 leans to high noise.
    public var timeMean: Float = 0.3
    public var timeStd: Float = 1.0
    /// Share of image times drawn uniformly from [0, 1] instead.
    public var uniformTimeFraction: Float = 0.2
    public init() {}
}

/// One assembled batch, in the layout Backbone.forward reads.
public struct JointBatch {
    /// [B, L] model input tokens (masked for captioning examples, all PAD for dropped text).
    public var tokens: [Int32]
    /// [B, L] clean text (the targets of masked positions).
    public var targets: [Int32]
    /// [B, C, H, W] model input latents.
    public var latents: [Float]
    /// [B, C, H, W] image-head targets (v or eps); zero for captioning examples.
    public var imageTargets: [Float]
    /// [B] image timesteps in [0, trainSteps - 1] (0 for clean captioning images).
    public var times: [Float]
    /// [B] 1 for examples in the image loss.
    public var imageWeights: [Float]
    /// [B] mask rates (1 for text-to-image examples, which have no masked position).
    public var pMask: [Float]
    /// Indices of captioning examples (the text loss normaliser).
    public var captionExamples: [Int]
}

public struct JointBatchBuilder {
    public var config: JointBatchConfig
    public var backbone: BackboneConfig
    /// Timesteps of the noise schedule (model times are in [0, trainSteps - 1]).
    public var trainSteps: Int
    /// alpha, sigma of the Gaussian noise schedule at a (fractional) timestep (x_t = alpha x0 + sigma eps).
    public var schedule: @Sendable (Float) -> (alpha: Float, sigma: Float)

    public init(config: JointBatchConfig, backbone: BackboneConfig, trainSteps: Int,
                schedule: @escaping @Sendable (Float) -> (alpha: Float, sigma: Float)) {
        self.config = config
        self.backbone = backbone
        self.trainSteps = trainSteps
        self.schedule = schedule
    }

    /// A timestep in [0, trainSteps - 1]: u in [0, 1] from the mix, scaled.
    func sampleTime(_ rng: inout Philox) -> Float {
        let last = Float(trainSteps - 1)
        if rng.nextFloat() < config.uniformTimeFraction { return rng.nextFloat() * last }
        let n = config.timeMean + config.timeStd * rng.nextGaussian()
        return last / (1 + expf(-n))
    }

    /// Builds a batch from dataset rows `indices` (in order). Randomness only from `rng`.
    public func build(_ data: LatentTextDataset, indices: [Int], rng: inout Philox) -> JointBatch {
        let B = indices.count, L = backbone.textLength, n = backbone.latentCount
        precondition(data.latentCount == n && data.textLength == L, "dataset does not match the backbone config")
        let captions = Int((Float(B) * config.captionFraction).rounded())
        var batch = JointBatch(tokens: [Int32](repeating: 0, count: B * L), targets: [Int32](repeating: 0, count: B * L),
                               latents: [Float](repeating: 0, count: B * n), imageTargets: [Float](repeating: 0, count: B * n),
                               times: [Float](repeating: 0, count: B), imageWeights: [Float](repeating: 0, count: B),
                               pMask: [Float](repeating: 1, count: B), captionExamples: [])
        var eps = [Float](repeating: 0, count: n)
        let pad = Int32(backbone.padToken), mask = Int32(backbone.maskToken)
        for (b, row) in indices.enumerated() {
            let isCaption = b >= B - captions
            let drop = rng.nextFloat() < config.conditionDropout
            for i in 0..<L { batch.targets[b * L + i] = data.tokens[row * L + i] }
            rng.fillGaussian(&eps, count: n)
            let x0 = row * n
            if isCaption {
                batch.captionExamples.append(b)
                let last = Float(trainSteps - 1)
                let (a, s) = drop ? schedule(last) : (1, 0)
                batch.times[b] = drop ? last : 0
                for e in 0..<n { batch.latents[b * n + e] = a * data.latents[x0 + e] + s * eps[e] }
                let p = (1 - config.maskEpsilon) * rng.nextFloat() + config.maskEpsilon
                batch.pMask[b] = p
                for i in 0..<L {
                    batch.tokens[b * L + i] = rng.nextFloat() < p ? mask : data.tokens[row * L + i]
                }
            } else {
                let t = sampleTime(&rng)
                let (a, s) = schedule(t)
                batch.times[b] = t
                batch.imageWeights[b] = 1
                for e in 0..<n {
                    let clean = data.latents[x0 + e]
                    batch.latents[b * n + e] = a * clean + s * eps[e]
                    batch.imageTargets[b * n + e] = backbone.prediction == .v ? a * eps[e] - s * clean : eps[e]
                }
                for i in 0..<L { batch.tokens[b * L + i] = drop ? pad : data.tokens[row * L + i] }
            }
        }
        return batch
    }
}
