// BackboneTokens.swift: the fixed, parameter-free pieces of the backbone's token layout:
// patchify/unpatchify of latents (DiT, Peebles & Xie 2023), the fixed 2-D sin-cos positions of image
// patches (MAE/DiT), and the sinusoidal features of scalars (timestep, guidance scale; DDPM/DiT).
// Layout: a latent is [C, H, W] (channel-major); a patch vector has order (i, j, c) for the pixel
// (row r*p+i, column q*p+j) of patch (r, q), matching scripts/torch_backbone.py.
import Core
import Foundation

public enum BackboneTokens {
    /// latent[b]: [C, H, W] -> patches[b]: [g*g, p*p*C] (g = H/p).
    public static func patchify(_ latent: UnsafePointer<Float>, _ patches: UnsafeMutablePointer<Float>,
                                batch: Int, channels C: Int, size H: Int, patch p: Int) {
        let g = H / p, pd = p * p * C
        for b in 0..<batch {
            let src = latent + b * C * H * H, dst = patches + b * g * g * pd
            for r in 0..<g { for q in 0..<g { for i in 0..<p { for j in 0..<p { for c in 0..<C {
                dst[(r * g + q) * pd + (i * p + j) * C + c] = src[c * H * H + (r * p + i) * H + q * p + j]
            } } } } }
        }
    }

    /// patches[b]: [g*g, p*p*C] -> latent[b]: [C, H, W]; with `accumulate` adds into `latent`.
    public static func unpatchify(_ patches: UnsafePointer<Float>, _ latent: UnsafeMutablePointer<Float>,
                                  batch: Int, channels C: Int, size H: Int, patch p: Int, accumulate: Bool = false) {
        let g = H / p, pd = p * p * C
        for b in 0..<batch {
            let src = patches + b * g * g * pd, dst = latent + b * C * H * H
            for r in 0..<g { for q in 0..<g { for i in 0..<p { for j in 0..<p { for c in 0..<C {
                let v = src[(r * g + q) * pd + (i * p + j) * C + c]
                let o = c * H * H + (r * p + i) * H + q * p + j
                dst[o] = accumulate ? dst[o] + v : v
            } } } } }
        }
    }

    /// [len, dim]: first half sin(pos * w_k), second half cos(pos * w_k), w_k = 10000^(-k/(dim/2)).
    static func sinCos1D(dim: Int, positions: [Int]) -> [Double] {
        let half = dim / 2
        var out = [Double](repeating: 0, count: positions.count * dim)
        for (n, pos) in positions.enumerated() {
            for k in 0..<half {
                let a = Double(pos) / pow(10000.0, Double(k) / Double(half))
                out[n * dim + k] = sin(a)
                out[n * dim + half + k] = cos(a)
            }
        }
        return out
    }

    /// [g*g, dim] fixed positions; token (r, q) at index r*g + q is [sinCos1D(dim/2, q) | sinCos1D(dim/2, r)].
    public static func imagePositions(dim: Int, grid g: Int) -> Tensor {
        let cols = (0..<g * g).map { $0 % g }, rows = (0..<g * g).map { $0 / g }
        let a = sinCos1D(dim: dim / 2, positions: cols), b = sinCos1D(dim: dim / 2, positions: rows)
        let t = Tensor(shape: [g * g, dim])
        for n in 0..<g * g {
            for k in 0..<dim / 2 {
                t.data[n * dim + k] = Float(a[n * dim / 2 + k])
                t.data[n * dim + dim / 2 + k] = Float(b[n * dim / 2 + k])
            }
        }
        return t
    }

    /// out[b]: [dim] = [cos(x_b * f_k) | sin(x_b * f_k)], f_k = exp(-ln(10000) k / (dim/2)) (DiT's
    /// timestep features). Computed in double so large arguments (t * 1000) stay exact.
    public static func frequencyFeatures(_ values: [Float], scale: Float, dim: Int, into out: UnsafeMutablePointer<Float>) {
        let half = dim / 2
        for (b, v) in values.enumerated() {
            let x = Double(v) * Double(scale)
            for k in 0..<half {
                let a = x * exp(-log(10000.0) * Double(k) / Double(half))
                out[b * dim + k] = Float(cos(a))
                out[b * dim + half + k] = Float(sin(a))
            }
        }
    }
}
