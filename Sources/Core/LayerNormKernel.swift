// LayerNormKernel.swift: layer normalization over the last dimension (Ba, Kiros & Hinton 2016),
// forward and backward, optional affine weight and bias, on SIMD16 lanes. The llm.c layout: the
// forward saves each row's mean and 1/std for the backward. A scalar reference sits beside it.

public enum LayerNormKernel {
    /// Mean and 1/sqrt(var + eps) of one row (two passes, biased variance as in PyTorch).
    @inline(__always)
    public static func moments(_ x: UnsafePointer<Float>, _ n: Int, eps: Float) -> (mean: Float, rstd: Float) {
        let mean = Kernels.sum(x, n) / Float(n)
        let vm = F16(repeating: mean)
        var acc = F16()
        var i = 0
        while i + 16 <= n { let d = Lanes.load(x + i) - vm; acc += d * d; i += 16 }
        var v = acc.sum()
        while i < n { let d = x[i] - mean; v += d * d; i += 1 }
        return (mean, 1 / (v / Float(n) + eps).squareRoot())
    }

    /// out = (x - mean) * rstd * weight + bias per row. `out` may alias `x`.
    /// x, out: [rows, n]; mean, rstd: [rows] (written); weight, bias: [n] or nil.
    public static func forward(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                               mean: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>,
                               weight: UnsafePointer<Float>?, bias: UnsafePointer<Float>?,
                               rows: Int, _ n: Int, eps: Float) {
        for r in 0..<rows {
            let xr = x + r * n, yr = out + r * n
            let (m, s) = moments(xr, n, eps: eps)
            mean[r] = m
            rstd[r] = s
            let vm = F16(repeating: m), vs = F16(repeating: s)
            var i = 0
            while i + 16 <= n {
                var h = (Lanes.load(xr + i) - vm) * vs
                if let w = weight { h *= Lanes.load(w + i) }
                if let b = bias { h += Lanes.load(b + i) }
                Lanes.store(h, yr + i)
                i += 16
            }
            while i < n {
                var h = (xr[i] - m) * s
                if let w = weight { h *= w[i] }
                if let b = bias { h += b[i] }
                yr[i] = h
                i += 1
            }
        }
    }

    /// Backward of `forward`. dx (written, or added to when `accumulate`), dweight and dbias (added to).
    /// dout, x, dx: [rows, n]; mean, rstd: [rows]; weight, dweight, dbias: [n] or nil.
    public static func backward(_ dout: UnsafePointer<Float>, _ x: UnsafePointer<Float>,
                                mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>,
                                weight: UnsafePointer<Float>?, dx: UnsafeMutablePointer<Float>, accumulate: Bool,
                                dweight: UnsafeMutablePointer<Float>?, dbias: UnsafeMutablePointer<Float>?,
                                rows: Int, _ n: Int) {
        for r in 0..<rows {
            let dy = dout + r * n, xr = x + r * n, dxr = dx + r * n
            let vm = F16(repeating: mean[r]), vs = F16(repeating: rstd[r])
            // pass 1: mean of g = dy*w and of g*xhat; parameter gradients
            var sg = F16(), sgx = F16()
            var i = 0
            while i + 16 <= n {
                let xh = (Lanes.load(xr + i) - vm) * vs
                let d = Lanes.load(dy + i)
                var g = d
                if let w = weight { g *= Lanes.load(w + i) }
                sg += g
                sgx += g * xh
                if let dw = dweight { Lanes.store(Lanes.load(dw + i) + d * xh, dw + i) }
                if let db = dbias { Lanes.store(Lanes.load(db + i) + d, db + i) }
                i += 16
            }
            var a = sg.sum(), b = sgx.sum()
            let tail = i
            while i < n {
                let xh = (xr[i] - mean[r]) * rstd[r]
                let g = dy[i] * (weight?[i] ?? 1)
                a += g
                b += g * xh
                dweight?[i] += dy[i] * xh
                dbias?[i] += dy[i]
                i += 1
            }
            let ma = F16(repeating: a / Float(n)), mb = F16(repeating: b / Float(n))
            // pass 2: dx = rstd * (g - mean(g) - xhat * mean(g xhat))
            i = 0
            while i + 16 <= n {
                let xh = (Lanes.load(xr + i) - vm) * vs
                var g = Lanes.load(dy + i)
                if let w = weight { g *= Lanes.load(w + i) }
                var v = vs * (g - ma - xh * mb)
                if accumulate { v += Lanes.load(dxr + i) }
                Lanes.store(v, dxr + i)
                i += 16
            }
            i = tail
            while i < n {
                let xh = (xr[i] - mean[r]) * rstd[r]
                let g = dy[i] * (weight?[i] ?? 1)
                let v = rstd[r] * (g - ma[0] - xh * mb[0])
                dxr[i] = accumulate ? dxr[i] + v : v
                i += 1
            }
        }
    }

    // MARK: scalar reference (Double)

    public static func forwardReference(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                                        weight: UnsafePointer<Float>?, bias: UnsafePointer<Float>?,
                                        rows: Int, _ n: Int, eps: Float) {
        for r in 0..<rows {
            var m = 0.0
            for i in 0..<n { m += Double(x[r * n + i]) }
            m /= Double(n)
            var v = 0.0
            for i in 0..<n { let d = Double(x[r * n + i]) - m; v += d * d }
            let s = 1 / (v / Double(n) + Double(eps)).squareRoot()
            for i in 0..<n {
                let h = (Double(x[r * n + i]) - m) * s * Double(weight?[i] ?? 1) + Double(bias?[i] ?? 0)
                out[r * n + i] = Float(h)
            }
        }
    }
}
