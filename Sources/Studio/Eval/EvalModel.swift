// EvalModel.swift: what the evaluation needs from a model: images from prompts and captions from
// images. The model bundle conforms to it; tests use small fakes. Keeping evaluation behind this
// seam means metrics never depend on how a model is built.

import Media

/// How images are sampled during an evaluation (the per-run generation parameters).
public struct EvalSampling: Codable, Sendable, Equatable {
    /// Sampler name as on the CLI ("ddim", "dpmpp-2m", "euler-karras", "ddpm", "consistency", "phased").
    public var sampler: String = "ddim"
    public var steps: Int = 50
    /// Classifier-free guidance scale (1 = no guidance).
    public var cfg: Float = 4
    public init() {}
    public init(sampler: String, steps: Int, cfg: Float) {
        self.sampler = sampler
        self.steps = steps
        self.cfg = cfg
    }
}

/// How captions are decoded during an evaluation.
public struct EvalCaptioning: Codable, Sendable, Equatable {
    /// Denoising steps of the masked text sampler (0 = one token per step).
    public var steps: Int = 0
    /// "low-confidence" (LLaDA), "random", or "threshold" (Fast-dLLM style parallel unmasking).
    public var strategy: String = "low-confidence"
    public init() {}
    public init(steps: Int, strategy: String) {
        self.steps = steps
        self.strategy = strategy
    }
}

public protocol EvalModel {
    /// One 32x32 RGB image per prompt; `seeds[i]` gives image i's noise, so the result does not
    /// depend on batching.
    func generate(prompts: [String], seeds: [UInt64], sampling: EvalSampling) throws -> [Image]
    /// One caption per image (RGB, any size: the model resizes as it needs).
    func caption(images: [Image], decoding: EvalCaptioning) throws -> [String]
}
