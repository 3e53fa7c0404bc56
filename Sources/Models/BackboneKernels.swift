// BackboneKernels.swift: the flat-buffer kernels the backbone is built from (llm.c style: forward and
// backward side by side): linear (through OpenBLAS sgemm), LayerNorm without affine (Ba et al. 2016;
// DiT's eps 1e-6), GELU with the tanh approximation (Hendrycks & Gimpel 2016), SiLU, and a fast
// vectorised exp for them. Row-major everywhere; "n" is the number of rows (batch * tokens).
import Core
import Foundation

enum BK {
    // MARK: linear

    /// y[n, out] = x[n, inp] W[out, inp]^T + b[out].
    static func linear(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ b: UnsafePointer<Float>?,
                       _ y: UnsafeMutablePointer<Float>, n: Int, inp: Int, out: Int) {
        if let b {
            for r in 0..<n { (y + r * out).update(from: b, count: out) }
        }
        BLAS.sgemm(transB: true, m: n, n: out, k: inp, a: x, lda: inp, b: w, ldb: inp,
                   beta: b == nil ? 0 : 1, c: y, ldc: out)
    }

    /// dx[n, inp] (+)= dy W; dW[out, inp] += dy^T x; db[out] += sum_rows dy. dx may be nil.
    static func linearBackward(_ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>,
                               dx: UnsafeMutablePointer<Float>?, dw: UnsafeMutablePointer<Float>,
                               db: UnsafeMutablePointer<Float>?, n: Int, inp: Int, out: Int, accumulateDx: Bool = false) {
        if let dx {
            BLAS.sgemm(m: n, n: inp, k: out, a: dy, lda: out, b: w, ldb: inp, beta: accumulateDx ? 1 : 0, c: dx, ldc: inp)
        }
        BLAS.sgemm(transA: true, m: out, n: inp, k: n, a: dy, lda: out, b: x, ldb: inp, beta: 1, c: dw, ldc: inp)
        if let db {
            for r in 0..<n {
                let row = dy + r * out
                for o in 0..<out { db[o] += row[o] }
            }
        }
    }

    // MARK: LayerNorm (no affine)

    /// xhat[n, d] = (x - mean) * rstd; rstd[n] saved for backward.
    static func layerNorm(_ x: UnsafePointer<Float>, _ xhat: UnsafeMutablePointer<Float>, _ rstd: UnsafeMutablePointer<Float>,
                          n: Int, d: Int, eps: Float) {
        for r in 0..<n {
            let row = x + r * d, out = xhat + r * d
            var s: Float = 0
            for i in 0..<d { s += row[i] }
            let mean = s / Float(d)
            var v: Float = 0
            for i in 0..<d { let c = row[i] - mean; v += c * c }
            let rs = 1 / (v / Float(d) + eps).squareRoot()
            rstd[r] = rs
            for i in 0..<d { out[i] = (row[i] - mean) * rs }
        }
    }

    /// dx[n, d] (+)= rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)).
    static func layerNormBackward(_ dxhat: UnsafePointer<Float>, _ xhat: UnsafePointer<Float>, _ rstd: UnsafePointer<Float>,
                                  _ dx: UnsafeMutablePointer<Float>, n: Int, d: Int, accumulate: Bool) {
        for r in 0..<n {
            let g = dxhat + r * d, h = xhat + r * d, o = dx + r * d
            var m1: Float = 0, m2: Float = 0
            for i in 0..<d { m1 += g[i]; m2 += g[i] * h[i] }
            m1 /= Float(d); m2 /= Float(d)
            let rs = rstd[r]
            for i in 0..<d {
                let v = rs * (g[i] - m1 - h[i] * m2)
                o[i] = accumulate ? o[i] + v : v
            }
        }
    }

    // MARK: activations

    /// exp(x) as 2^k * p(r), r = x - k ln2, degree-6 polynomial (relative error ~2e-7). Branch-free
    /// float and integer arithmetic only (the rounding uses the 1.5 * 2^23 trick), so loops vectorise.
    @inline(__always)
    static func fastExp(_ x: Float) -> Float {
        let c = min(max(x, -87), 88)
        let shifted = c * 1.442695041 + 12582912
        let k = shifted - 12582912
        let r = c - k * 0.693359375 + k * 2.12194440e-4
        var p: Float = 1.0 / 720
        p = p * r + 1.0 / 120
        p = p * r + 1.0 / 24
        p = p * r + 1.0 / 6
        p = p * r + 0.5
        p = p * r + 1
        p = p * r + 1
        let bits = (shifted.bitPattern &- 0x4B40_0000 &+ 127) &<< 23
        return p * Float(bitPattern: bits)
    }

    static let geluK: Float = 0.7978845608  // sqrt(2/pi)

    /// y = 0.5 u (1 + tanh(k (u + 0.044715 u^3))) = u * sigmoid(2 k (u + 0.044715 u^3)).
    static func gelu(_ u: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count {
            let x = u[i]
            let z = 2 * geluK * (x + 0.044715 * x * x * x)
            y[i] = x / (1 + fastExp(-z))
        }
    }

    /// du = dy * gelu'(u), gelu'(u) = s + u s (1 - s) 2k (1 + 3 * 0.044715 u^2), s = sigmoid(2 k (u + 0.044715 u^3)).
    static func geluBackward(_ dy: UnsafePointer<Float>, _ u: UnsafePointer<Float>, _ du: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count {
            let x = u[i]
            let s = 1 / (1 + fastExp(-2 * geluK * (x + 0.044715 * x * x * x)))
            du[i] = dy[i] * (s + x * s * (1 - s) * (2 * geluK) * (1 + 0.134145 * x * x))
        }
    }

    /// y = x * sigmoid(x).
    static func silu(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { y[i] = x[i] / (1 + fastExp(-x[i])) }
    }

    /// dx (+)= dy * silu'(x), silu'(x) = s (1 + x (1 - s)).
    static func siluBackward(_ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
                             count: Int, accumulate: Bool) {
        for i in 0..<count {
            let s = 1 / (1 + fastExp(-x[i]))
            let v = dy[i] * s * (1 + x[i] * (1 - s))
            dx[i] = accumulate ? dx[i] + v : v
        }
    }

    /// dst[count] += src[count].
    static func add(_ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { dst[i] += src[i] }
    }
}
