// Kernels.swift: vectorized elementwise operations and reductions over flat float buffers, on
// SIMD16<Float> lanes (Swift vectorizes neither float reductions nor most pointer loops by itself).
// Each kernel has a plain scalar reference (`...Reference`) that the tests compare it with.
// Reductions use a fixed lane/accumulator structure, so a result depends only on the data and
// its length, never on the thread count.

public enum Kernels {
    // MARK: elementwise

    /// out[i] = a[i] + b[i]; `out` may alias `a` or `b`.
    @inline(__always)
    public static func add(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int) {
        var i = 0
        while i + 16 <= n { Lanes.store(Lanes.load(a + i) + Lanes.load(b + i), out + i); i += 16 }
        while i < n { out[i] = a[i] + b[i]; i += 1 }
    }

    /// y[i] += alpha * x[i].
    @inline(__always)
    public static func axpy(_ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        let va = F16(repeating: alpha)
        var i = 0
        while i + 16 <= n { Lanes.store(Lanes.load(y + i).addingProduct(va, Lanes.load(x + i)), y + i); i += 16 }
        while i < n { y[i] += alpha * x[i]; i += 1 }
    }

    /// x[i] *= s.
    @inline(__always)
    public static func scale(_ x: UnsafeMutablePointer<Float>, _ s: Float, _ n: Int) {
        let vs = F16(repeating: s)
        var i = 0
        while i + 16 <= n { Lanes.store(Lanes.load(x + i) * vs, x + i); i += 16 }
        while i < n { x[i] *= s; i += 1 }
    }

    /// out[i] = a[i] * b[i]; `out` may alias `a` or `b`.
    @inline(__always)
    public static func mul(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int) {
        var i = 0
        while i + 16 <= n { Lanes.store(Lanes.load(a + i) * Lanes.load(b + i), out + i); i += 16 }
        while i < n { out[i] = a[i] * b[i]; i += 1 }
    }

    /// Each of `rows` rows of y[rows, n] gets the vector b[n] added.
    @inline(__always)
    public static func addRowVector(_ y: UnsafeMutablePointer<Float>, _ b: UnsafePointer<Float>, rows: Int, _ n: Int) {
        for r in 0..<rows { add(y + r * n, b, y + r * n, n) }
    }

    /// acc[n] += the sum over rows of x[rows, n] (row order fixed, so deterministic).
    @inline(__always)
    public static func accumulateColumnSums(_ x: UnsafePointer<Float>, rows: Int, _ n: Int, into acc: UnsafeMutablePointer<Float>) {
        for r in 0..<rows { add(acc, x + r * n, acc, n) }
    }

    // MARK: reductions

    /// Sum of x[0..<n] in four SIMD16 accumulators.
    @inline(__always)
    public static func sum(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        var a0 = F16(), a1 = F16(), a2 = F16(), a3 = F16()
        var i = 0
        while i + 64 <= n {
            a0 += Lanes.load(x + i); a1 += Lanes.load(x + i + 16)
            a2 += Lanes.load(x + i + 32); a3 += Lanes.load(x + i + 48)
            i += 64
        }
        while i + 16 <= n { a0 += Lanes.load(x + i); i += 16 }
        var s = ((a0 + a1) + (a2 + a3)).sum()
        while i < n { s += x[i]; i += 1 }
        return s
    }

    /// Sum of a[i] * b[i].
    @inline(__always)
    public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        var a0 = F16(), a1 = F16()
        var i = 0
        while i + 32 <= n {
            a0 = a0.addingProduct(Lanes.load(a + i), Lanes.load(b + i))
            a1 = a1.addingProduct(Lanes.load(a + i + 16), Lanes.load(b + i + 16))
            i += 32
        }
        while i + 16 <= n { a0 = a0.addingProduct(Lanes.load(a + i), Lanes.load(b + i)); i += 16 }
        var s = (a0 + a1).sum()
        while i < n { s += a[i] * b[i]; i += 1 }
        return s
    }

    /// Largest element of x[0..<n] (n > 0).
    @inline(__always)
    public static func max(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        var m = F16(repeating: -.infinity)
        var i = 0
        while i + 16 <= n { m = pointwiseMax(m, Lanes.load(x + i)); i += 16 }
        var s = m.max()
        while i < n { s = Swift.max(s, x[i]); i += 1 }
        return s
    }

    /// Sum of squares of x[0..<n], accumulated in Double over blocks of 4096 (for norms of big slabs).
    public static func sumOfSquares(_ x: UnsafePointer<Float>, _ n: Int) -> Double {
        var total = 0.0
        var start = 0
        while start < n {
            let len = Swift.min(4096, n - start)
            total += Double(dot(x + start, x + start, len))
            start += len
        }
        return total
    }

    // MARK: scalar references

    public static func sumReference(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        var s = 0.0
        for i in 0..<n { s += Double(x[i]) }
        return Float(s)
    }

    public static func dotReference(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        var s = 0.0
        for i in 0..<n { s += Double(a[i]) * Double(b[i]) }
        return Float(s)
    }

    public static func axpyReference(_ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        for i in 0..<n { y[i] += alpha * x[i] }
    }
}
