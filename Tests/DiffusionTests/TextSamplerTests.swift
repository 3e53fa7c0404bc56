// TextSamplerTests.swift: the masked-diffusion text sampler with fake models whose logits are known:
// exact unmasking counts per step, blocks, infilling, SUBS (mask never chosen), Fast-dLLM threshold,
// CFG on logits, the EOS stop rule, Gumbel-max sampling frequencies, batch invariance.
import Core
import XCTest
@testable import Diffusion

/// Vocabulary of 6: 0 pad, 1 mask, 2 eos, 3..5 words. Logits depend only on position (and row kind).
func fakeTextModel(length: Int, mask: Int = 1, vocab: Int = 6, record: Counter? = nil,
                   _ logit: @escaping (_ row: ConditionRow, _ tokens: [Int], _ position: Int, _ token: Int) -> Float)
    -> ClosureTextDenoiser
{
    ClosureTextDenoiser(vocabSize: vocab, maskToken: mask) { tokens, rows in
        record?.value += 1
        let out = Tensor(shape: [tokens.count, length, vocab])
        for r in 0..<tokens.count {
            for p in 0..<length { for t in 0..<vocab { out[(r * length + p) * vocab + t] = logit(rows[r], tokens[r], p, t) } }
        }
        return out
    }
}

final class TextSamplerTests: XCTestCase {
    /// Prefers token 3 + p % 3 with a confidence growing with the position; the mask logit is huge.
    let model = fakeTextModel(length: 10) { _, _, p, t in
        if t == 1 { return 50 }
        return t == 3 + p % 3 ? Float(p) * 0.3 + 1 : 0
    }

    func masksPerStep(_ config: TextSamplerConfig, tokens: [Int]) throws -> ([Int], [Int]) {
        var rng = BatchRNG(seeds: [1])
        var counts: [Int] = []
        let result = try MaskedTextSampler(config: config).sample(
            model: model, tokens: [tokens], rng: &rng,
            progress: { _, _, x in counts.append(x[0].filter { $0 == 1 }.count); return true })
        return (counts, result.tokens[0])
    }

    func testScheduleCounts() throws {
        XCTAssertEqual(TextUnmaskingSchedule.counts(masked: 10, steps: 4), [3, 3, 2, 2])
        XCTAssertEqual(TextUnmaskingSchedule.counts(masked: 3, steps: 5), [1, 1, 1, 0, 0])
        XCTAssertEqual(try TextUnmaskingSchedule.stepsPerBlock(steps: 7, blocks: 3), [3, 2, 2])
        XCTAssertThrowsError(try TextUnmaskingSchedule.stepsPerBlock(steps: 2, blocks: 3))
        XCTAssertEqual(TextUnmaskingSchedule.blocks(start: 2, length: 10, blockLength: 3), [2..<5, 5..<8, 8..<10])
        XCTAssertEqual(TextUnmaskingSchedule.blocks(start: 2, length: 10, blockLength: nil), [2..<10])
    }

    func testLowConfidenceUnmasksExactCountsMostConfidentFirst() throws {
        let prompt = MaskedTextSampler.prompt([4, 5], generationLength: 8, maskToken: 1)
        var order: [[Int]] = []
        var rng = BatchRNG(seeds: [1])
        let result = try MaskedTextSampler(config: TextSamplerConfig(steps: 3)).sample(
            model: model, tokens: [prompt], rng: &rng,
            progress: { _, total, x in XCTAssertEqual(total, 3); order.append(x[0]); return true })
        XCTAssertEqual(order.map { $0.filter { $0 == 1 }.count }, [5, 2, 0])  // 8 masks: 3, 3, 2 per step
        // Confidence grows with the position: the last three positions go first.
        XCTAssertEqual(Array(order[0][7...]), [4, 5, 3])
        XCTAssertEqual(Array(order[0][2..<7]), [1, 1, 1, 1, 1])
        XCTAssertEqual(result.tokens[0], [4, 5] + (2..<10).map { 3 + $0 % 3 })
        XCTAssertEqual(result.modelCalls, 3)
    }

    func testBlocksGoLeftToRight() throws {
        let (counts, tokens) = try masksPerStep(TextSamplerConfig(steps: 4, blockLength: 4),
                                                tokens: [4] + [Int](repeating: 1, count: 9))
        // 9 masks from position 1: blocks 1..<5, 5..<9, 9..<10 get 2, 1, 1 steps.
        XCTAssertEqual(counts, [7, 5, 1, 0])
        XCTAssertFalse(tokens.contains(1))
        var rng = BatchRNG(seeds: [1])
        var first: [Int] = []
        _ = try MaskedTextSampler(config: TextSamplerConfig(steps: 4, blockLength: 4)).sample(
            model: model, tokens: [[4] + [Int](repeating: 1, count: 9)], rng: &rng,
            progress: { step, _, x in if step == 2 { first = x[0] }; return true })
        XCTAssertEqual(Array(first[5...]), [1, 1, 1, 1, 1], "the second block is untouched while the first runs")
    }

    func testInfillingKeepsGivenTokensAndNeverPredictsMask() throws {
        // The model wants token 5 everywhere, given positions included; the mask logit is the largest.
        let greedy = fakeTextModel(length: 6) { _, _, _, t in t == 1 ? 99 : (t == 5 ? 2 : 0) }
        let input = [3, 1, 4, 1, 1, 2]
        for unmasking in [TextUnmasking.lowConfidence, .random, .threshold(0.9)] {
            var rng = BatchRNG(seeds: [3])
            let out = try MaskedTextSampler(config: TextSamplerConfig(steps: 3, temperature: 1, unmasking: unmasking))
                .sample(model: greedy, tokens: [input], rng: &rng)
            XCTAssertEqual(out.tokens[0][0], 3)
            XCTAssertEqual(out.tokens[0][2], 4)
            XCTAssertEqual(out.tokens[0][5], 2)
            XCTAssertFalse(out.tokens[0].contains(1), "\(unmasking)")
        }
    }

    /// Vocabulary 4, mask 3. Position p puts probability c[p] on token 0, (1 - c[p]) / 2 on 1 and 2, for
    /// c = 0.9, 0.3, 0.6, 0.2, 0.95, 0.1: confidences 0.9, 0.35, 0.6, 0.4, 0.95, 0.45.
    let knownConfidenceModel = fakeTextModel(length: 6, mask: 3, vocab: 4) { _, _, p, t in
        let c = [0.9, 0.3, 0.6, 0.2, 0.95, 0.1]
        return t == 3 ? 1e4 : Float(log(t == 0 ? c[p] : (1 - c[p]) / 2))
    }

    func testThresholdDecodingWithKnownConfidences() throws {
        let m = knownConfidenceModel
        var rng = BatchRNG(seeds: [1])
        var revealed: [[Int]] = []
        var previous = [Int](repeating: 3, count: 6)
        let out = try MaskedTextSampler(config: TextSamplerConfig(unmasking: .threshold(0.5))).sample(
            model: m, tokens: [previous], rng: &rng,
            progress: { _, _, x in
                revealed.append((0..<6).filter { previous[$0] == 3 && x[0][$0] != 3 })
                previous = x[0]
                return true
            })
        // Step 1: everything above 0.5; then one per step by confidence max(c, (1 - c)/2): 0.45, 0.4, 0.35.
        XCTAssertEqual(revealed, [[0, 2, 4], [5], [3], [1]])
        XCTAssertEqual(out.modelCalls, 4)
        XCTAssertEqual(out.tokens[0], [0, 1, 0, 1, 0, 1])  // ties between tokens 1 and 2 go to the lower id
    }

    func testThresholdDecodingWithAStepBudgetFinishesInTime() throws {
        let m = knownConfidenceModel
        func run(_ config: TextSamplerConfig) throws -> ([[Int]], TextSample) {
            var rng = BatchRNG(seeds: [1])
            var revealed: [[Int]] = []
            var previous = [Int](repeating: 3, count: 6)
            let out = try MaskedTextSampler(config: config).sample(model: m, tokens: [previous], rng: &rng, progress: { _, _, x in
                revealed.append((0..<6).filter { previous[$0] == 3 && x[0][$0] != 3 })
                previous = x[0]
                return true
            })
            return (revealed, out)
        }
        // Budget 3: step 1 has three above 0.5 (>= ceil(6/3)); step 2 must take ceil(3/2) = 2, step 3 the last.
        let (revealed, out) = try run(TextSamplerConfig(unmasking: .threshold(0.5), stepBudget: 3))
        XCTAssertEqual(revealed, [[0, 2, 4], [3, 5], [1]])
        XCTAssertEqual(out.modelCalls, 3)
        // A budget of one step reveals everything at once; a generous budget changes nothing.
        XCTAssertEqual(try run(TextSamplerConfig(unmasking: .threshold(0.5), stepBudget: 1)).1.modelCalls, 1)
        let unbounded = try run(TextSamplerConfig(unmasking: .threshold(0.5)))
        let generous = try run(TextSamplerConfig(unmasking: .threshold(0.5), stepBudget: 6))
        XCTAssertEqual(generous.0, unbounded.0)
        XCTAssertEqual(generous.1, unbounded.1)
        XCTAssertThrowsError(try run(TextSamplerConfig(unmasking: .threshold(0.5), stepBudget: 0)))
        // Rule .last: the threshold alone (then one per step: 5, 3 by confidence 0.45, 0.4), the rest at the end.
        let last = try run(TextSamplerConfig(unmasking: .threshold(0.5), stepBudget: 3, budgetRule: .last))
        XCTAssertEqual(last.0, [[0, 2, 4], [5], [1, 3]])
        XCTAssertEqual(last.1.modelCalls, 3)
        let lastGenerous = try run(TextSamplerConfig(unmasking: .threshold(0.5), stepBudget: 4, budgetRule: .last))
        XCTAssertEqual(lastGenerous.0, unbounded.0)
    }

    func testTextCFGCombinesLogitsAndMasksThePrompt() throws {
        let sampler = MaskedTextSampler(config: TextSamplerConfig(guidanceScale: 3))
        var seen: [([Int], ConditionRow)] = []
        let m = ClosureTextDenoiser(vocabSize: 4, maskToken: 1) { tokens, rows in
            for (t, r) in zip(tokens, rows) { seen.append((t, r)) }
            let out = Tensor(shape: [tokens.count, 3, 4])
            for r in 0..<tokens.count { for i in 0..<12 { out[r * 12 + i] = rows[r].conditional ? Float(i) : Float(2 * i) } }
            return out
        }
        let logits = try sampler.guidedLogits(m, [[2, 3, 1]], [[true, false, false]])
        XCTAssertEqual(seen.map { $0.0 }, [[2, 3, 1], [1, 3, 1]])
        XCTAssertEqual(seen.map { $0.1.conditional }, [true, false])
        for i in 0..<12 { XCTAssertEqual(logits[i], Float(2 * i) + 3 * (Float(i) - Float(2 * i))) }
    }

    func testEOSStopRule() throws {
        var t = [5, 3, 2, 4, 1, 3]
        XCTAssertTrue(TextStopRule.apply(&t, eos: 2, fill: 0, editable: [true, true, true, true, true, false]))
        XCTAssertEqual(t, [5, 3, 2, 0, 0, 3])
        XCTAssertEqual(TextStopRule.truncate([7, 5, 3, 2, 0, 0], eos: 2, start: 1), [5, 3])
        XCTAssertEqual(TextStopRule.truncate([5, 3], eos: 2), [5, 3])
        // In the sampler: EOS is most confident at position 2; once revealed the tail is filled.
        let m = fakeTextModel(length: 6) { _, _, p, t in t == (p == 2 ? 2 : 4) ? (p == 2 ? 9 : 1) : 0 }
        var rng = BatchRNG(seeds: [1])
        let out = try MaskedTextSampler(config: TextSamplerConfig(steps: 6, eosToken: 2, fillToken: 0))
            .sample(model: m, tokens: [[1, 1, 1, 1, 1, 1]], rng: &rng)
        XCTAssertEqual(out.tokens[0], [4, 4, 2, 0, 0, 0])
        XCTAssertEqual(out.modelCalls, 3)
    }

    func testGumbelSamplingFollowsTheSoftmax() {
        // Two tokens with probabilities 0.75 / 0.25 at temperature 1 over 4000 positions.
        let n = 4000, v = 3
        let logits = Tensor(shape: [n, v])
        for p in 0..<n { logits[p * v] = Float(log(0.75)); logits[p * v + 1] = Float(log(0.25)); logits[p * v + 2] = 30 }
        var rng = Philox(seed: 5)
        let picks = TextTokenChoice.choose(logits: logits.data, vocab: v, maskToken: 2, positions: Array(0..<n),
                                           temperature: 1, unmasking: .lowConfidence, count: n, rng: &rng)
        let zeros = Double(picks.filter { $0.1 == 0 }.count) / Double(n)
        XCTAssertEqual(zeros, 0.75, accuracy: 0.03)
        XCTAssertFalse(picks.contains { $0.1 == 2 })
    }

    func testBatchInvarianceAndRandomRemaskingCounts() throws {
        let m = fakeTextModel(length: 8) { _, _, p, t in t == 1 ? 0 : Float((p * 7 + t * 3) % 5) }
        let config = TextSamplerConfig(steps: 4, temperature: 0.8, unmasking: .random)
        let inputs = [[1, 1, 1, 1, 1, 1, 1, 1], [3, 1, 1, 4, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1, 1, 5]]
        var rng = BatchRNG(seeds: [10, 11, 12])
        var counts: [[Int]] = []
        let batch = try MaskedTextSampler(config: config).sample(
            model: m, tokens: inputs, rng: &rng,
            progress: { _, _, x in counts.append(x.map { $0.filter { $0 == 1 }.count }); return true })
        // Masks per row: 8, 6, 7 over 4 steps: 2,2,2,2 / 2,2,1,1 / 2,2,2,1 revealed.
        XCTAssertEqual(counts, [[6, 4, 5], [4, 2, 3], [2, 1, 1], [0, 0, 0]])
        var single = BatchRNG(seeds: [11])
        let alone = try MaskedTextSampler(config: config).sample(model: m, tokens: [inputs[1]], rng: &single)
        XCTAssertEqual(alone.tokens[0], batch.tokens[1])
    }

    func testCancellationAndBadInput() {
        var rng = BatchRNG(seeds: [1])
        XCTAssertThrowsError(try MaskedTextSampler(config: TextSamplerConfig(steps: 4)).sample(
            model: model, tokens: [[Int](repeating: 1, count: 10)], rng: &rng, progress: { s, _, _ in s < 2 })) {
            XCTAssertTrue($0 is CancellationError)
        }
        XCTAssertThrowsError(try MaskedTextSampler().sample(model: model, tokens: [[1, 1], [1]], rng: &rng))
        XCTAssertThrowsError(try MaskedTextSampler().sample(model: model, tokens: [[1, 99]], rng: &rng))
        var two = BatchRNG(seeds: [1, 2])
        XCTAssertThrowsError(try MaskedTextSampler().sample(model: model, tokens: [[1, 1]], rng: &two))
    }
}

final class TextFactorTests: XCTestCase {
    func testFactorRuleThresholdsGrowWithTheCount() {
        // Confidences 0.99, 0.8, 0.7, 0.6 at positions 0..3 (vocab 3, mask 2: p on token 0, 1 - p on 1).
        let c = [0.99, 0.8, 0.7, 0.6]
        let logits = Tensor(shape: [4, 3])
        for p in 0..<4 { logits[p * 3] = Float(log(c[p])); logits[p * 3 + 1] = Float(log(1 - c[p])); logits[p * 3 + 2] = 40 }
        func picks(_ f: Double) -> [Int] {
            var rng = Philox(seed: 1)
            return TextTokenChoice.choose(logits: logits.data, vocab: 3, maskToken: 2, positions: [0, 1, 2, 3],
                                          temperature: 0, unmasking: .factor(f), count: 0, rng: &rng).map { $0.0 }
        }
        // f = 1: the 2nd needs >= 1 - 1/3 = 0.667 (0.8 ok), the 3rd >= 0.75 (0.7 fails).
        XCTAssertEqual(picks(1), [0, 1])
        // f = 0.1: the 2nd needs >= 0.967: only the first.
        XCTAssertEqual(picks(0.1), [0])
        // f = 2: thresholds 0.333, 0.5, 0.6: all four.
        XCTAssertEqual(picks(2), [0, 1, 2, 3])
    }
}
