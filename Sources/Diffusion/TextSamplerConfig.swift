// TextSamplerConfig.swift: the options of the masked-diffusion text sampler (LLaDA's generate.py
// options: steps, block length, temperature, remasking, CFG; Fast-dLLM's confidence threshold;
// an [EOS] stop rule for fixed-length captions).

/// Which masked positions a step reveals.
public enum TextUnmasking: Codable, Equatable, Sendable {
    /// LLaDA "low_confidence": the k most confident predictions, k from the linear schedule.
    case lowConfidence
    /// LLaDA "random": k positions chosen uniformly at random.
    case random
    /// Fast-dLLM: every position whose confidence exceeds the threshold, at least the most confident
    /// one; the number of steps follows from the model (steps is ignored).
    case threshold(Double)
    /// Fast-dLLM's factor rule: the n-th most confident prediction (n = 1, 2, ...) is revealed while
    /// its confidence is at least 1 - f / (n + 1); the most confident always is. Steps as threshold.
    case factor(Double)
}

/// How threshold decoding keeps a step budget.
public enum StepBudgetRule: String, Codable, Equatable, Sendable, CaseIterable {
    /// Every step reveals at least ceil(masked / steps left): the forced reveals spread over the steps.
    case spread
    /// Steps reveal by the threshold alone; the last step reveals everything still masked. A caption
    /// the threshold finishes within the budget decodes exactly as without one.
    case last
}

public struct TextSamplerConfig: Codable, Equatable, Sendable {
    /// Denoising steps over the whole generation (divided evenly among the blocks).
    public var steps: Int = 32
    /// Semi-autoregressive block length; nil: one block over the whole masked region.
    public var blockLength: Int? = nil
    /// Gumbel-max sampling temperature; 0 is greedy argmax.
    public var temperature: Double = 0
    public var unmasking: TextUnmasking = .lowConfidence
    /// Classifier-free guidance u + w (c - u) on the logits; 1 = off (LLaDA's cfg_scale c is w = c + 1).
    public var guidanceScale: Float = 1
    /// The stop rule: after the first `eosToken`, every generated position becomes `fillToken`.
    public var eosToken: Int? = nil
    public var fillToken: Int? = nil
    /// Threshold and factor modes only: at most this many steps over the whole generation (divided
    /// among the blocks like `steps`); the forced reveals are the most confident tokens, placed by
    /// `budgetRule`, so the decoding ends in time. nil: no bound (one token at least per step).
    public var stepBudget: Int? = nil
    /// Where the budget's forced reveals go.
    public var budgetRule: StepBudgetRule = .spread

    public init(steps: Int = 32, blockLength: Int? = nil, temperature: Double = 0,
                unmasking: TextUnmasking = .lowConfidence, guidanceScale: Float = 1,
                eosToken: Int? = nil, fillToken: Int? = nil, stepBudget: Int? = nil, budgetRule: StepBudgetRule = .spread) {
        self.steps = steps
        self.blockLength = blockLength
        self.temperature = temperature
        self.unmasking = unmasking
        self.guidanceScale = guidanceScale
        self.eosToken = eosToken
        self.fillToken = fillToken
        self.stepBudget = stepBudget
        self.budgetRule = budgetRule
    }
}
