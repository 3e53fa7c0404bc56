// MaskedTextSampler.swift: reverse process of masked (absorbing-state) text diffusion as in LLaDA
// (Nie et al. 2025, Algorithm "low-confidence remasking", generate.py) with Fast-dLLM's confidence
// threshold (Wu et al. 2025). Every step runs the model on the current sequences, predicts a token at
// each masked position of the current block (argmax of logits + T * Gumbel noise in Float64; the
// mask logit is excluded: MDLM's SUBS), and reveals some of them: the most confident k (k from the
// linear schedule), k random ones, or all above a threshold. Given tokens are never changed, so a
// sequence with [MASK] in the middle is infilled. Optional CFG runs conditional and unconditional
// rows in one batched call; optional semi-autoregressive blocks go left to right.

import Core
import Foundation

/// Called after each step with (step done, 1-based; planned total; current tokens). Return false to
/// cancel (the sampler throws CancellationError). In threshold mode the total is an upper bound.
public typealias TextProgress = (_ step: Int, _ total: Int, _ tokens: [[Int]]) -> Bool

/// The result of a text sampling run.
public struct TextSample: Equatable, Sendable {
    /// The sequences with every mask filled (same length as the input).
    public var tokens: [[Int]]
    /// Model calls made (a CFG call of 2B rows counts once).
    public var modelCalls: Int
}

public struct MaskedTextSampler: Sendable {
    public var config: TextSamplerConfig

    public init(config: TextSamplerConfig = TextSamplerConfig()) { self.config = config }

    /// A prompt followed by `generationLength` masks.
    public static func prompt(_ prefix: [Int], generationLength: Int, maskToken: Int) -> [Int] {
        prefix + [Int](repeating: maskToken, count: generationLength)
    }

    /// Fills every mask of `tokens` (B sequences of one length). conditionMask[r][p] true marks
    /// prompt positions that the unconditional CFG rows see as masks (nil: only the model's own
    /// condition is dropped). rng: one stream per sequence.
    public func sample(model: TextDenoiser, tokens input: [[Int]], conditionMask: [[Bool]]? = nil,
                       rng: inout BatchRNG, progress: TextProgress? = nil) throws -> TextSample {
        let b = input.count, mask = model.maskToken, v = model.vocabSize
        guard b > 0 else { return TextSample(tokens: [], modelCalls: 0) }
        let length = input[0].count
        guard input.allSatisfy({ $0.count == length }) else { throw DiptychError("sequences differ in length") }
        guard rng.count == b else { throw DiptychError("\(b) sequences but the RNG has \(rng.count) streams") }
        guard input.allSatisfy({ $0.allSatisfy { (0..<v).contains($0) } }) else {
            throw DiptychError("a token id is outside the vocabulary of \(v)")
        }
        if let cm = conditionMask, cm.count != b || cm.contains(where: { $0.count != length }) {
            throw DiptychError("conditionMask must have the shape of the tokens")
        }
        guard config.temperature >= 0 else { throw DiptychError("temperature must be >= 0") }
        var x = input
        let editable = input.map { $0.map { $0 == mask } }
        let start = editable.compactMap { $0.firstIndex(of: true) }.min() ?? length
        let blocks = TextUnmaskingSchedule.blocks(start: start, length: length, blockLength: config.blockLength)
            .filter { r in editable.contains { row in r.contains { row[$0] } } }
        if blocks.isEmpty { return TextSample(tokens: x, modelCalls: 0) }

        let thresholdMode: Bool
        switch config.unmasking {
        case .threshold, .factor: thresholdMode = true
        case .lowConfidence, .random: thresholdMode = false
        }
        if let budget = config.stepBudget, budget < 1 { throw DiptychError("stepBudget must be at least 1") }
        let budget = thresholdMode ? config.stepBudget : nil
        let blockSteps = thresholdMode && budget == nil ? blocks.map { $0.count }
            : try TextUnmaskingSchedule.stepsPerBlock(steps: budget ?? config.steps, blocks: blocks.count)
        let total = blockSteps.reduce(0, +)
        var calls = 0, done = 0

        for (bi, block) in blocks.enumerated() {
            let steps = blockSteps[bi]
            let plan = x.map { row in TextUnmaskingSchedule.counts(masked: block.filter { row[$0] == mask }.count, steps: steps) }
            for s in 0..<steps {
                if !x.contains(where: { row in block.contains { row[$0] == mask } }) { break }
                let logits = try guidedLogits(model, x, conditionMask)
                calls += 1
                for r in 0..<b {
                    let candidates = block.filter { x[r][$0] == mask }
                    if candidates.isEmpty { continue }
                    // Threshold modes reveal at least k: 1, or what finishes the block within the budget.
                    let left = steps - s
                    let k = !thresholdMode ? min(plan[r][s], candidates.count)
                        : budget == nil ? 1
                        : config.budgetRule == .spread ? (candidates.count + left - 1) / left
                        : left == 1 ? candidates.count : 1
                    let picks = TextTokenChoice.choose(
                        logits: logits.data + r * length * v, vocab: v, maskToken: mask, positions: candidates,
                        temperature: config.temperature, unmasking: config.unmasking,
                        count: k, rng: &rng.generators[r])
                    for (p, tok) in picks { x[r][p] = tok }
                    if let eos = config.eosToken {
                        TextStopRule.apply(&x[r], eos: eos, fill: config.fillToken ?? eos, start: start, editable: editable[r])
                    }
                }
                done += 1
                if let progress, !progress(done, total, x) { throw CancellationError() }
            }
        }
        return TextSample(tokens: x, modelCalls: calls)
    }

    /// Logits [B, L, V] of the current sequences, with CFG u + w (c - u) when the scale is not 1.
    func guidedLogits(_ model: TextDenoiser, _ x: [[Int]], _ conditionMask: [[Bool]]?) throws -> Tensor {
        let b = x.count, length = x[0].count, v = model.vocabSize, w = config.guidanceScale
        let cond = (0..<b).map { ConditionRow(example: $0, conditional: true) }
        if w == 1 { return try checked(model.logits(x, rows: cond), rows: b, length, v) }
        var uncondTokens = x
        if let cm = conditionMask {
            for r in 0..<b { for p in 0..<length where cm[r][p] { uncondTokens[r][p] = model.maskToken } }
        }
        let uncond = (0..<b).map { ConditionRow(example: $0, conditional: false) }
        let both = try checked(model.logits(x + uncondTokens, rows: cond + uncond), rows: 2 * b, length, v)
        let out = Tensor(shape: [b, length, v])
        let n = b * length * v, c = both.data, u = both.data + n
        for i in 0..<n { out.data[i] = u[i] + w * (c[i] - u[i]) }
        return out
    }

    private func checked(_ t: Tensor, rows: Int, _ length: Int, _ v: Int) throws -> Tensor {
        guard t.count == rows * length * v else {
            throw DiptychError("the text model returned \(t.shape), expected [\(rows), \(length), \(v)]")
        }
        return t
    }
}
