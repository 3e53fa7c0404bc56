// FewStepCaptioner.swift: a bundle model whose captions come from one chosen masked-diffusion decoding
// (LLaDA low-confidence remasking at a fixed step count, Nie et al. 2025; or Fast-dLLM's confidence
// threshold, Wu et al. 2025, which reveals every token above the threshold per step) and that counts
// the model calls the decoding made, so caption exact match can be set against steps actually spent.
// Images pass through to the wrapped model. Conforms to EvalModel, so CaptionEval runs on it.
import Core
import Diffusion
import Media
import Models

public final class FewStepCaptioner: EvalModel {
    public let model: BundleModel
    public let sampler: MaskedTextSampler
    /// Model calls (denoising steps) and captions made so far.
    public private(set) var calls = 0
    public private(set) var captions = 0

    /// Captions decoded together (1: every caption's own call count; a batch runs until its slowest is done).
    public let batch: Int

    /// stepBudget: with a threshold, at most this many steps per caption (nil: no bound), kept by budgetRule.
    public init(model: BundleModel, unmasking: TextUnmasking, steps: Int, batch: Int, stepBudget: Int? = nil,
                budgetRule: StepBudgetRule = .spread) {
        self.model = model
        self.batch = max(1, min(batch, model.chunk))
        let eos = model.config.eosToken
        sampler = MaskedTextSampler(config: TextSamplerConfig(steps: steps > 0 ? steps : model.config.textLength,
                                                              unmasking: unmasking, eosToken: eos, fillToken: eos,
                                                              stepBudget: stepBudget, budgetRule: budgetRule))
    }

    /// Mean model calls per caption (a batch's calls count for every caption in it).
    public var callsPerCaption: Double { captions == 0 ? 0 : Double(calls) / Double(captions) }

    public func generate(prompts: [String], seeds: [UInt64], sampling: EvalSampling) throws -> [Image] {
        try model.generate(prompts: prompts, seeds: seeds, sampling: sampling)
    }

    public func caption(images: [Image], decoding: EvalCaptioning) throws -> [String] {
        var out: [String] = []
        let cfg = model.config
        for start in stride(from: 0, to: images.count, by: batch) {
            let part = Array(images[start..<min(images.count, start + batch)])
            let z = try model.bundle.codec.encode(part.map(model.prepare), threads: model.threads)
            let n = cfg.latentCount
            let latents = (0..<part.count).map { Array(z[$0 * n..<($0 + 1) * n]) }
            let denoiser = BackboneTextDenoiser(backbone: model.bundle.backbone, images: latents, examples: part.count,
                                                lastTimestep: model.schedule.lastTimestep, seed: 0)
            let masks = [[Int]](repeating: [Int](repeating: cfg.maskToken, count: cfg.textLength), count: part.count)
            var rng = BatchRNG(seeds: (0..<part.count).map { UInt64(start + $0) })
            let result = try sampler.sample(model: denoiser, tokens: masks, rng: &rng)
            calls += result.modelCalls * part.count
            captions += part.count
            out += result.tokens.map(model.text(of:))
        }
        return out
    }
}
