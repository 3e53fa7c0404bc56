// Softmax.swift: row-wise softmax with an optional additive mask, forward and backward, on SIMD16
// lanes. Rows that are masked out entirely give all zeros (not NaN). Used by attention (mask = key
// padding, shared by `rowsPerMask` consecutive rows) and by cross-entropy.

public enum Softmax {
    /// y[r, :] = softmax(x[r, :] + mask[r / rowsPerMask, :]) for r in 0..<rows. `y` may alias `x`.
    /// x, y: [rows, cols]; mask: [rows / rowsPerMask, cols] additive (0 or -inf), or nil.
    public static func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int, cols: Int,
                               mask: UnsafePointer<Float>? = nil, rowsPerMask: Int = 1) {
        for r in 0..<rows {
            forwardRow(x + r * cols, y + r * cols, cols, mask.map { $0 + (r / rowsPerMask) * cols })
        }
    }

    @inline(__always)
    public static func forwardRow(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int, _ mask: UnsafePointer<Float>?) {
        // pass 1: masked values into y, and their max
        var vm = F16(repeating: -.infinity)
        var i = 0
        while i + 16 <= n {
            var v = Lanes.load(x + i)
            if let m = mask { v += Lanes.load(m + i) }
            Lanes.store(v, y + i)
            vm = pointwiseMax(vm, v)
            i += 16
        }
        var mx = vm.max()
        while i < n {
            let v = x[i] + (mask?[i] ?? 0)
            y[i] = v
            mx = Swift.max(mx, v)
            i += 1
        }
        if mx == -.infinity {
            y.update(repeating: 0, count: n)
            return
        }
        // pass 2: exponentials and their sum (tail through a partial vector: same arithmetic)
        let vmx = F16(repeating: mx)
        var acc = F16()
        i = 0
        while i + 16 <= n {
            let e = FastMath.exp(Lanes.load(y + i) - vmx)
            Lanes.store(e, y + i)
            acc += e
            i += 16
        }
        if i < n {
            let e = FastMath.exp(Lanes.load(y + i, count: n - i, fill: -.infinity) - vmx)
            Lanes.store(e, y + i, count: n - i)
            acc += e
        }
        Kernels.scale(y, 1 / acc.sum(), n)
    }

    /// dx[r, :] = y * (dy - sum(dy * y)) per row. `dx` may alias `dy`.
    /// y, dy, dx: [rows, cols].
    public static func backward(_ y: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, rows: Int, cols: Int) {
        for r in 0..<rows { backwardRow(y + r * cols, dy + r * cols, dx + r * cols, cols) }
    }

    @inline(__always)
    public static func backwardRow(_ y: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, _ n: Int) {
        let s = F16(repeating: Kernels.dot(y, dy, n))
        var i = 0
        while i + 16 <= n {
            let yv = Lanes.load(y + i)
            Lanes.store(yv * (Lanes.load(dy + i) - s), dx + i)
            i += 16
        }
        let ss = s[0]
        while i < n { dx[i] = y[i] * (dy[i] - ss); i += 1 }
    }

    // MARK: scalar reference

    public static func forwardReference(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int, cols: Int,
                                        mask: UnsafePointer<Float>? = nil, rowsPerMask: Int = 1) {
        for r in 0..<rows {
            var v = [Double](repeating: 0, count: cols)
            for c in 0..<cols { v[c] = Double(x[r * cols + c]) + Double(mask?[(r / rowsPerMask) * cols + c] ?? 0) }
            let mx = v.max() ?? 0
            if mx == -.infinity {
                for c in 0..<cols { y[r * cols + c] = 0 }
                continue
            }
            let e = v.map { FastMath.expReferenceDouble($0 - mx) }
            let s = e.reduce(0, +)
            for c in 0..<cols { y[r * cols + c] = Float(e[c] / s) }
        }
    }
}

extension FastMath {
    static func expReferenceDouble(_ x: Double) -> Double { x == -.infinity ? 0 : Foundation_exp(x) }
}
