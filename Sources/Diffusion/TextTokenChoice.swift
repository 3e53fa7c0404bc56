// TextTokenChoice.swift: one step's choice for one sequence of masked text diffusion: the predicted
// token at each candidate position (Gumbel-max sampling at a temperature, in Float64 as LLaDA
// recommends, never the mask token) and which positions to reveal (LLaDA low-confidence or random
// remasking, Fast-dLLM confidence threshold or factor rule).

import Core
import Foundation

enum TextTokenChoice {
    /// Returns (position, token) pairs to reveal. logits: [L, V] of this sequence.
    static func choose(logits: UnsafeMutablePointer<Float>, vocab v: Int, maskToken: Int, positions: [Int],
                       temperature: Double, unmasking: TextUnmasking, count k: Int,
                       rng: inout Philox) -> [(Int, Int)] {
        var gumbel = [Double](repeating: 0, count: temperature > 0 ? v : 0)
        var scored: [(position: Int, token: Int, confidence: Double)] = []
        scored.reserveCapacity(positions.count)
        for p in positions {
            let row = logits + p * v
            if temperature > 0 { fillGumbel(&gumbel, rng: &rng) }
            var best = -1, bestScore = -Double.infinity, maxLogit = -Double.infinity
            for t in 0..<v where t != maskToken {
                let l = Double(row[t])
                maxLogit = max(maxLogit, l)
                let score = temperature > 0 ? l + temperature * gumbel[t] : l
                if best < 0 || score > bestScore { best = t; bestScore = score }
            }
            // Softmax probability of the chosen token (mask excluded).
            var z = 0.0
            for t in 0..<v where t != maskToken { z += exp(Double(row[t]) - maxLogit) }
            var confidence = exp(Double(row[best]) - maxLogit) / z
            if unmasking == .random { confidence = uniform(&rng) }
            scored.append((p, best, confidence))
        }
        // Most confident first; ties to the earlier position.
        let order = scored.sorted { $0.confidence != $1.confidence ? $0.confidence > $1.confidence : $0.position < $1.position }
        switch unmasking {
        case .lowConfidence, .random:
            return order.prefix(k).map { ($0.position, $0.token) }
        case .threshold(let threshold):
            // At least k (the most confident): 1, or more under a step budget.
            let above = order.prefix { $0.confidence > threshold }.count
            return order.prefix(max(above, k, 1)).map { ($0.position, $0.token) }
        case .factor(let f):
            var n = 1
            while n < order.count && order[n].confidence >= 1 - f / Double(n + 2) { n += 1 }
            return order.prefix(max(n, k)).map { ($0.position, $0.token) }
        }
    }

    /// A uniform in (0, 1) with 53 bits.
    static func uniform(_ rng: inout Philox) -> Double {
        let b = rng.block(at: rng.position)
        rng.position &+= 1
        return (Double((UInt64(b.0) << 32 | UInt64(b.1)) >> 11) + 0.5) * 0x1p-53
    }

    /// Standard Gumbel draws -log(-log u), u uniform in (0, 1) with 53 bits, two per Philox block.
    static func fillGumbel(_ out: inout [Double], rng: inout Philox) {
        var i = 0
        while i < out.count {
            let b = rng.block(at: rng.position)
            rng.position &+= 1
            let u0 = (Double((UInt64(b.0) << 32 | UInt64(b.1)) >> 11) + 0.5) * 0x1p-53
            let u1 = (Double((UInt64(b.2) << 32 | UInt64(b.3)) >> 11) + 0.5) * 0x1p-53
            out[i] = -log(-log(u0))
            if i + 1 < out.count { out[i + 1] = -log(-log(u1)) }
            i += 2
        }
    }
}
