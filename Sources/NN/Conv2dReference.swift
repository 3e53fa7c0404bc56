// Conv2dReference.swift: the naive direct convolution (seven nested loops, no im2col, no BLAS) over
// the same NHWC buffers and weight layout as Conv2d.swift. It exists to check the fast im2col + sgemm
// path: the tests require both to agree on outputs and on every gradient.
//
//   input [N, H, W, Cin], output [N, Ho, Wo, Cout], weight [Cout, k, k, Cin], bias [Cout]

extension Conv2d {
    /// out [N, Ho, Wo, Cout] = direct convolution of inp [N, H, W, Cin] (overwrites out).
    public func referenceForward(
        out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>,
        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        batch n: Int, height h: Int, width w: Int
    ) {
        let (ho, wo) = outputSize(height: h, width: w)
        let cin = inChannels, k = kernel
        for b in 0..<n {
            for oy in 0..<ho {
                for ox in 0..<wo {
                    for co in 0..<outChannels {
                        var s: Float = bias?[co] ?? 0
                        for ky in 0..<k {
                            let iy = oy * stride - padding + ky
                            if iy < 0 || iy >= h { continue }
                            for kx in 0..<k {
                                let ix = ox * stride - padding + kx
                                if ix < 0 || ix >= w { continue }
                                for ci in 0..<cin {
                                    s += inp[((b * h + iy) * w + ix) * cin + ci] * weight[((co * k + ky) * k + kx) * cin + ci]
                                }
                            }
                        }
                        out[((b * ho + oy) * wo + ox) * outChannels + co] = s
                    }
                }
            }
        }
    }

    /// Accumulates dinp [N, H, W, Cin], dweight [Cout, k, k, Cin] and dbias [Cout] from
    /// dout [N, Ho, Wo, Cout] by walking the same loops as `referenceForward`.
    public func referenceBackward(
        dinp: UnsafeMutablePointer<Float>?, dweight: UnsafeMutablePointer<Float>, dbias: UnsafeMutablePointer<Float>?,
        dout: UnsafePointer<Float>, inp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        batch n: Int, height h: Int, width w: Int
    ) {
        let (ho, wo) = outputSize(height: h, width: w)
        let cin = inChannels, k = kernel
        for b in 0..<n {
            for oy in 0..<ho {
                for ox in 0..<wo {
                    for co in 0..<outChannels {
                        let g = dout[((b * ho + oy) * wo + ox) * outChannels + co]
                        dbias?[co] += g
                        for ky in 0..<k {
                            let iy = oy * stride - padding + ky
                            if iy < 0 || iy >= h { continue }
                            for kx in 0..<k {
                                let ix = ox * stride - padding + kx
                                if ix < 0 || ix >= w { continue }
                                for ci in 0..<cin {
                                    let xi = ((b * h + iy) * w + ix) * cin + ci
                                    let wi = ((co * k + ky) * k + kx) * cin + ci
                                    dweight[wi] += g * inp[xi]
                                    dinp?[xi] += g * weight[wi]
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
