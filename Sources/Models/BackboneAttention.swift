// BackboneAttention.swift: multi-head scaled dot-product attention (Vaswani et al. 2017) with a key
// padding mask, forward and backward over flat buffers. Bidirectional: every query sees every valid key.
// qkv: [B, T, 3d] (q | k | v, head h at columns h*hd ..< (h+1)*hd of each third), as in DiT/timm.
import Core
import Foundation

enum BackboneAttention {
    /// probs: [B, H, T, T] (saved for backward); out: [B, T, d]. keyValid: [B, T] (false = padding key).
    static func forward(qkv: UnsafePointer<Float>, probs: UnsafeMutablePointer<Float>, out: UnsafeMutablePointer<Float>,
                        keyValid: [Bool], B: Int, T: Int, d: Int, heads H: Int) {
        let hd = d / H, scale = 1 / Float(hd).squareRoot()
        for b in 0..<B {
            for h in 0..<H {
                let q = qkv + b * T * 3 * d + h * hd, k = q + d, v = q + 2 * d
                let p = probs + (b * H + h) * T * T
                BLAS.sgemm(transB: true, m: T, n: T, k: hd, alpha: scale, a: q, lda: 3 * d, b: k, ldb: 3 * d, c: p, ldc: T)
                for i in 0..<T {
                    let row = p + i * T
                    var m = -Float.infinity
                    for j in 0..<T where keyValid[b * T + j] { m = max(m, row[j]) }
                    var s: Float = 0
                    for j in 0..<T {
                        let e: Float = keyValid[b * T + j] ? expf(row[j] - m) : 0
                        row[j] = e
                        s += e
                    }
                    let inv = 1 / s
                    for j in 0..<T { row[j] *= inv }
                }
                BLAS.sgemm(m: T, n: hd, k: T, a: p, lda: T, b: v, ldb: 3 * d, c: out + b * T * d + h * hd, ldc: d)
            }
        }
    }

    /// dqkv: [B, T, 3d] (overwritten) from dout: [B, T, d]. scratch: [T, T].
    static func backward(dout: UnsafePointer<Float>, qkv: UnsafePointer<Float>, probs: UnsafePointer<Float>,
                         dqkv: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>, B: Int, T: Int, d: Int, heads H: Int) {
        let hd = d / H, scale = 1 / Float(hd).squareRoot()
        for b in 0..<B {
            for h in 0..<H {
                let q = qkv + b * T * 3 * d + h * hd, k = q + d, v = q + 2 * d
                let dq = dqkv + b * T * 3 * d + h * hd, dk = dq + d, dv = dq + 2 * d
                let p = probs + (b * H + h) * T * T, da = dout + b * T * d + h * hd
                // dP = dA V^T; dV = P^T dA.
                BLAS.sgemm(transB: true, m: T, n: T, k: hd, a: da, lda: d, b: v, ldb: 3 * d, c: scratch, ldc: T)
                BLAS.sgemm(transA: true, m: T, n: hd, k: T, a: p, lda: T, b: da, ldb: d, c: dv, ldc: 3 * d)
                // dS = P * (dP - sum_j dP P) * scale.
                for i in 0..<T {
                    let pr = p + i * T, gr = scratch + i * T
                    var dot: Float = 0
                    for j in 0..<T { dot += pr[j] * gr[j] }
                    for j in 0..<T { gr[j] = pr[j] * (gr[j] - dot) * scale }
                }
                BLAS.sgemm(m: T, n: hd, k: T, a: scratch, lda: T, b: k, ldb: 3 * d, c: dq, ldc: 3 * d)
                BLAS.sgemm(transA: true, m: T, n: hd, k: T, a: scratch, lda: T, b: q, ldb: 3 * d, c: dk, ldc: 3 * d)
            }
        }
    }
}
