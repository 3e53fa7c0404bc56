// BackboneLoss.swift: the two losses of joint dual-diffusion training (D-DiT, Li et al. 2024), each
// returning its value and writing the gradient with respect to the backbone's outputs.
// - Image: mean squared error between the image head and its target (v or eps), over the examples
//   that carry an image loss (text-to-image examples).
// - Text: MDLM's continuous-time masked cross-entropy in LLaDA's form (Nie et al. 2025): the sum over
//   masked positions of CE / p_mask, divided by (examples * length); SUBS parameterisation, so the
//   [MASK] column never gets probability and unmasked positions carry no loss.

import Foundation

public enum BackboneLoss {
    /// prediction, target: [B, n]; weights: [B] (1 for examples in the loss, 0 otherwise).
    /// Returns mean over weighted examples and elements; grad: [B, n] (overwritten).
    public static func imageMSE(prediction: UnsafePointer<Float>, target: UnsafePointer<Float>, weights: [Float],
                                perExample n: Int, grad: UnsafeMutablePointer<Float>) -> Float {
        let total = weights.reduce(0, +)
        guard total > 0 else {
            grad.update(repeating: 0, count: weights.count * n)
            return 0
        }
        let norm = 1 / (total * Float(n))
        var loss: Double = 0
        for b in 0..<weights.count {
            let w = weights[b] * norm
            var s: Float = 0
            for e in 0..<n {
                let d = prediction[b * n + e] - target[b * n + e]
                s += d * d
                grad[b * n + e] = 2 * w * d
            }
            loss += Double(w * s)
        }
        return Float(loss)
    }

    /// logits: [B, L, V]; tokens (the masked input), targets (the clean text): [B, L]; pMask: [B].
    /// Only examples listed in `examples` count; the normaliser is examples.count * L.
    /// grad: [B, L, V] (overwritten; zero outside masked positions and in the [MASK] column).
    public static func maskedCrossEntropy(logits: UnsafePointer<Float>, tokens: [Int32], targets: [Int32],
                                          pMask: [Float], examples: [Int], length L: Int, vocab V: Int,
                                          maskToken: Int, grad: UnsafeMutablePointer<Float>) -> Float {
        let B = pMask.count
        grad.update(repeating: 0, count: B * L * V)
        guard !examples.isEmpty else { return 0 }
        let norm = 1 / Float(examples.count * L)
        var loss: Double = 0
        for b in examples {
            let w = norm / pMask[b]
            for i in 0..<L where tokens[b * L + i] == Int32(maskToken) {
                let row = logits + (b * L + i) * V, g = grad + (b * L + i) * V
                var m = -Float.infinity
                for v in 0..<V where v != maskToken { m = max(m, row[v]) }
                var s: Float = 0
                for v in 0..<V where v != maskToken {
                    let e = expf(row[v] - m)
                    g[v] = e
                    s += e
                }
                let target = Int(targets[b * L + i])
                loss += Double(w * (m + logf(s) - row[target]))
                let inv = w / s
                for v in 0..<V where v != maskToken { g[v] *= inv }
                g[target] -= w
            }
        }
        return Float(loss)
    }
}
