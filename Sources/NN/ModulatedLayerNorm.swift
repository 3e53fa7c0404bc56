// ModulatedLayerNorm.swift: DiT's `modulate(norm(x), shift, scale)` = LN(x) * (1 + scale) + shift,
// LayerNorm without affine parameters (eps 1e-6 in DiT), shift and scale per sample, broadcast over
// its tokens. Fused in one pass forward; backward gives dx and the per-sample dshift/dscale.
// Parallel over samples (each sample's reductions stay in one task: thread-count independent).
import Core

public final class ModulatedLayerNorm {
    public let dim: Int
    public let eps: Float
    public var threads = 1
    /// Saved: normalized x [maxRows, dim], per-row mean and 1/std [maxRows].
    public let normalized: Tensor
    let mean: Tensor
    let rstd: Tensor
    /// Gradient scratch [maxRows, dim].
    let dnorm: Tensor

    public init(dim: Int, maxRows: Int, eps: Float = 1e-6) {
        self.dim = dim
        self.eps = eps
        normalized = Tensor(shape: [maxRows, dim])
        mean = Tensor(shape: [maxRows])
        rstd = Tensor(shape: [maxRows])
        dnorm = Tensor(shape: [maxRows, dim])
    }

    /// y = LN(x) * (1 + scale[b]) + shift[b].
    /// x, y: [B, T, dim]; shift, scale: row b at shift + b*modStride ([dim] each).
    public func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, shift: UnsafePointer<Float>,
                        scale: UnsafePointer<Float>, modStride: Int, batch: Int, tokens: Int) {
        precondition(batch * tokens <= mean.count, "ModulatedLayerNorm: \(batch * tokens) rows > \(mean.count)")
        let n = dim, T = tokens, h = normalized.data, mp = mean.data, rp = rstd.data, eps = eps
        Threads.parallelFor(batch, threads: threads) { b in
            let o = b * T * n
            LayerNormKernel.forward(x + o, h + o, mean: mp + b * T, rstd: rp + b * T, weight: nil, bias: nil,
                                    rows: T, n, eps: eps)
            let sh = shift + b * modStride, sc = scale + b * modStride
            for t in 0..<T {
                let hr = h + o + t * n, yr = y + o + t * n
                var i = 0
                while i + 16 <= n {
                    let v = Lanes.load(hr + i) * (F16(repeating: 1) + Lanes.load(sc + i)) + Lanes.load(sh + i)
                    Lanes.store(v, yr + i)
                    i += 16
                }
                while i < n { yr[i] = hr[i] * (1 + sc[i]) + sh[i]; i += 1 }
            }
        }
    }

    /// dy: [B, T, dim]; x: [B, T, dim] (forward input); dx: [B, T, dim] (written, or added when
    /// `accumulate`); dshift, dscale: row b at + b*modStride (added to).
    public func backward(_ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
                         accumulate: Bool, scale: UnsafePointer<Float>, dshift: UnsafeMutablePointer<Float>,
                         dscale: UnsafeMutablePointer<Float>, modStride: Int, batch: Int, tokens: Int) {
        let n = dim, T = tokens, h = normalized.data, dh = dnorm.data, mp = mean.data, rp = rstd.data
        Threads.parallelFor(batch, threads: threads) { b in
            let o = b * T * n
            let sc = scale + b * modStride, dsh = dshift + b * modStride, dsc = dscale + b * modStride
            for t in 0..<T {
                let dr = dy + o + t * n, hr = h + o + t * n, dhr = dh + o + t * n
                var i = 0
                while i + 16 <= n {
                    let d = Lanes.load(dr + i)
                    Lanes.store(Lanes.load(dsh + i) + d, dsh + i)
                    Lanes.store(Lanes.load(dsc + i) + d * Lanes.load(hr + i), dsc + i)
                    Lanes.store(d * (F16(repeating: 1) + Lanes.load(sc + i)), dhr + i)
                    i += 16
                }
                while i < n {
                    dsh[i] += dr[i]
                    dsc[i] += dr[i] * hr[i]
                    dhr[i] = dr[i] * (1 + sc[i])
                    i += 1
                }
            }
            LayerNormKernel.backward(dh + o, x + o, mean: mp + b * T, rstd: rp + b * T, weight: nil, dx: dx + o,
                                     accumulate: accumulate, dweight: nil, dbias: nil, rows: T, n)
        }
    }
}
