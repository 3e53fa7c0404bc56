// Attention.swift: bidirectional scaled dot-product attention over packed q|k|v rows, with a key
// padding mask (Vaswani et al. 2017; the head layout of timm's `Attention` used by DiT:
// qkv[b, t] = [q heads | k heads | v heads], head h at columns h*hd..<(h+1)*hd). No parameters.
// Forward and backward side by side. The work is one task per (sample, head): scores sgemm, masked
// softmax and the value sgemm stay in cache; tasks spread over our threads with OpenBLAS held at one
// thread, and each task's arithmetic is fixed, so results do not depend on the thread count.
import Core

public final class Attention {
    public let dim: Int
    public let heads: Int
    public let headDim: Int
    public let maxBatch: Int
    public let maxTokens: Int
    public var threads = 1
    /// Attention probabilities saved for the backward. [maxBatch, heads, maxTokens, maxTokens] (used as [B, H, T, T]).
    public let probs: Tensor
    /// Gradient scratch, same shape as `probs`.
    let dprobs: Tensor
    /// Additive key mask (0 or -inf). [maxBatch, maxTokens] (used as [B, T]).
    let additiveMask: Tensor
    private var hasMask = false

    public init(dim: Int, heads: Int, maxBatch: Int, maxTokens: Int) {
        precondition(dim % heads == 0, "dim \(dim) not divisible by \(heads) heads")
        self.dim = dim
        self.heads = heads
        headDim = dim / heads
        self.maxBatch = maxBatch
        self.maxTokens = maxTokens
        probs = Tensor(shape: [maxBatch, heads, maxTokens, maxTokens])
        dprobs = Tensor(shape: [maxBatch, heads, maxTokens, maxTokens])
        additiveMask = Tensor(shape: [maxBatch, maxTokens])
    }

    /// out = softmax(q k^T / sqrt(hd) + mask) v per sample and head.
    /// qkv: [B, T, 3*dim]; out: [B, T, dim]; keyMask: [B, T], 1 = attend to this key, 0 = padding (or nil).
    public func forward(_ qkv: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, keyMask: UnsafePointer<Float>?,
                        batch: Int, tokens: Int) {
        precondition(batch <= maxBatch && tokens <= maxTokens, "attention: [\(batch), \(tokens)] > [\(maxBatch), \(maxTokens)]")
        let T = tokens, D = dim, hd = headDim, H = heads
        let scale = 1 / Float(hd).squareRoot()
        hasMask = keyMask != nil
        if let keyMask {
            for i in 0..<batch * T { additiveMask[i] = keyMask[i] > 0.5 ? 0 : -.infinity }
        }
        let q = UnsafeMutablePointer(mutating: qkv), p = probs.data, m = additiveMask.data
        let mask = hasMask
        parallelOverHeads(batch: batch) { b, h in
            let s = p + (b * H + h) * T * T                       // [T, T]
            let qb = q + b * T * 3 * D + h * hd                   // [T, hd] with row stride 3D
            BLAS.sgemm(transB: true, m: T, n: T, k: hd, alpha: scale, a: qb, lda: 3 * D, b: qb + D, ldb: 3 * D,
                       c: s, ldc: T)
            Softmax.forward(s, s, rows: T, cols: T, mask: mask ? m + b * T : nil, rowsPerMask: T)
            BLAS.sgemm(m: T, n: hd, k: T, a: s, lda: T, b: qb + 2 * D, ldb: 3 * D,
                       c: out + b * T * D + h * hd, ldc: D)
        }
    }

    /// dqkv (written) from dout, using the saved probabilities.
    /// dout: [B, T, dim]; qkv: [B, T, 3*dim] (the forward input); dqkv: [B, T, 3*dim].
    public func backward(_ dout: UnsafePointer<Float>, _ qkv: UnsafePointer<Float>, _ dqkv: UnsafeMutablePointer<Float>,
                         batch: Int, tokens: Int) {
        let T = tokens, D = dim, hd = headDim, H = heads
        let scale = 1 / Float(hd).squareRoot()
        let q = UnsafeMutablePointer(mutating: qkv), dO = UnsafeMutablePointer(mutating: dout)
        let p = probs.data, dp = dprobs.data
        parallelOverHeads(batch: batch) { b, h in
            let s = p + (b * H + h) * T * T, ds = dp + (b * H + h) * T * T   // [T, T]
            let qb = q + b * T * 3 * D + h * hd, dqb = dqkv + b * T * 3 * D + h * hd  // [T, hd], stride 3D
            let dob = dO + b * T * D + h * hd                                 // [T, hd], stride D
            // dP = dO V^T ; dV = P^T dO
            BLAS.sgemm(transB: true, m: T, n: T, k: hd, a: dob, lda: D, b: qb + 2 * D, ldb: 3 * D, c: ds, ldc: T)
            BLAS.sgemm(transA: true, m: T, n: hd, k: T, a: s, lda: T, b: dob, ldb: D, c: dqb + 2 * D, ldc: 3 * D)
            // dS = softmax backward (masked entries have P = 0, so their dS is 0)
            Softmax.backward(s, ds, ds, rows: T, cols: T)
            // dQ = scale dS K ; dK = scale dS^T Q
            BLAS.sgemm(m: T, n: hd, k: T, alpha: scale, a: ds, lda: T, b: qb + D, ldb: 3 * D, c: dqb, ldc: 3 * D)
            BLAS.sgemm(transA: true, m: T, n: hd, k: T, alpha: scale, a: ds, lda: T, b: qb, ldb: 3 * D,
                       c: dqb + D, ldc: 3 * D)
        }
    }

    /// Runs body(b, h) for every sample and head, spread over our threads, OpenBLAS at one thread
    /// (each product then runs the same code whatever the thread count).
    private func parallelOverHeads(batch: Int, _ body: (Int, Int) -> Void) {
        let H = heads
        Matmul.withSingleThreadedBLAS { Threads.parallelFor(batch * H, threads: threads) { i in body(i / H, i % H) } }
    }
}
