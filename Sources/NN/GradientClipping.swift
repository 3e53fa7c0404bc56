// GradientClipping.swift: the global L2 norm of a gradient slab and clipping to a maximum norm (as
// torch.nn.utils.clip_grad_norm_: scale every gradient by max_norm / (norm + 1e-6) when above).
// The norm is summed in Double over fixed blocks in fixed order: thread-count independent.
import Core

public enum GradientClipping {
    static let block = 16384

    /// sqrt(sum g^2) over the whole slab (padding is zero and adds nothing).
    public static func globalNorm(_ grads: Tensor, threads: Int = 1) -> Float {
        let n = grads.count, g = grads.data
        let blocks = (n + block - 1) / block
        var partial = [Double](repeating: 0, count: max(blocks, 1))
        partial.withUnsafeMutableBufferPointer { part in
            let pp = part.baseAddress!
            Threads.parallelFor(blocks, threads: threads) { b in
                let s = b * block
                pp[b] = Kernels.sumOfSquares(g + s, min(block, n - s))
            }
        }
        return Float(partial.reduce(0, +).squareRoot())
    }

    /// Scales the gradients down when their global norm exceeds `maxNorm`; returns the norm before clipping.
    @discardableResult
    public static func clip(_ grads: Tensor, maxNorm: Float, threads: Int = 1) -> Float {
        let norm = globalNorm(grads, threads: threads)
        if norm.isFinite && norm > maxNorm {
            let s = maxNorm / (norm + 1e-6), g = grads.data, n = grads.count
            Threads.parallelRanges(n, grain: block, threads: threads) { r in
                Kernels.scale(g + r.lowerBound, s, r.count)
            }
        }
        return norm
    }
}
