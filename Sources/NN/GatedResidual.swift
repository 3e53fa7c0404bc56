// GatedResidual.swift: DiT's gated residual x + gate[b] * f (adaLN-Zero's per-sample, per-channel
// gate broadcast over tokens), forward and backward. Parallel over samples.
import Core

public enum GatedResidual {
    /// out = x + gate[b] * f. x, f, out: [B, T, dim] (out may alias x); gate row b at gate + b*modStride.
    public static func forward(_ x: UnsafePointer<Float>, _ f: UnsafePointer<Float>, gate: UnsafePointer<Float>,
                               _ out: UnsafeMutablePointer<Float>, modStride: Int, batch: Int, tokens: Int, dim n: Int,
                               threads: Int) {
        Threads.parallelFor(batch, threads: threads) { b in
            let g = gate + b * modStride
            for t in 0..<tokens {
                let o = (b * tokens + t) * n
                var i = 0
                while i + 16 <= n {
                    Lanes.store(Lanes.load(x + o + i) + Lanes.load(g + i) * Lanes.load(f + o + i), out + o + i)
                    i += 16
                }
                while i < n { out[o + i] = x[o + i] + g[i] * f[o + i]; i += 1 }
            }
        }
    }

    /// df = dout * gate[b] (written); dgate[b] += sum over tokens of dout * f. (dx = dout: the caller's.)
    /// dout, f, df: [B, T, dim]; gate, dgate rows at + b*modStride.
    public static func backward(_ dout: UnsafePointer<Float>, _ f: UnsafePointer<Float>, gate: UnsafePointer<Float>,
                                _ df: UnsafeMutablePointer<Float>, dgate: UnsafeMutablePointer<Float>, modStride: Int,
                                batch: Int, tokens: Int, dim n: Int, threads: Int) {
        Threads.parallelFor(batch, threads: threads) { b in
            let g = gate + b * modStride, dg = dgate + b * modStride
            for t in 0..<tokens {
                let o = (b * tokens + t) * n
                var i = 0
                while i + 16 <= n {
                    let d = Lanes.load(dout + o + i)
                    Lanes.store(Lanes.load(dg + i) + d * Lanes.load(f + o + i), dg + i)
                    Lanes.store(d * Lanes.load(g + i), df + o + i)
                    i += 16
                }
                while i < n {
                    dg[i] += dout[o + i] * f[o + i]
                    df[o + i] = dout[o + i] * g[i]
                    i += 1
                }
            }
        }
    }
}
