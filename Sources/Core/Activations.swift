// Activations.swift: GELU (tanh approximation, Hendrycks & Gimpel 2016, as in GPT-2 and DiT's
// `approximate="tanh"`) and SiLU (Elfwing et al. 2018), forward and backward, on SIMD16 lanes.
// GELU-tanh is rewritten as x * sigmoid(2u), u = sqrt(2/pi) (x + 0.044715 x^3), so one exp per
// element. Scalar references use libm in Double.

public enum Activations {
    static let k0: Float = 0.797_884_560_8 // sqrt(2/pi)
    static let k1: Float = 0.044_715

    // MARK: GELU (tanh form)

    @inline(__always)
    static func geluVec(_ x: F16) -> F16 {
        let u = F16(repeating: k0) * (x + F16(repeating: k1) * x * x * x)
        return x * FastMath.sigmoid(F16(repeating: 2) * u)
    }

    /// d gelu(x) / dx times dy.
    @inline(__always)
    static func geluGradVec(_ x: F16, _ dy: F16) -> F16 {
        let x2 = x * x
        let u = F16(repeating: k0) * (x + F16(repeating: k1) * x2 * x)
        let s = FastMath.sigmoid(F16(repeating: 2) * u)
        let du = F16(repeating: k0) * (F16(repeating: 1) + F16(repeating: 3 * k1) * x2)
        // gelu = x s, s = sigmoid(2u): d/dx = s + x * 2 s (1 - s) du
        return dy * (s + x * F16(repeating: 2) * s * (F16(repeating: 1) - s) * du)
    }

    /// out[i] = gelu(x[i]); `out` may alias `x`.
    public static func gelu(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int) {
        map(x, out, n, geluVec)
    }

    /// dx[i] = gelu'(x[i]) * dy[i]; `dx` may alias `dy`.
    public static func geluBackward(_ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, _ n: Int) {
        map(x, dy, dx, n, geluGradVec)
    }

    // MARK: SiLU

    @inline(__always)
    static func siluVec(_ x: F16) -> F16 { x * FastMath.sigmoid(x) }

    @inline(__always)
    static func siluGradVec(_ x: F16, _ dy: F16) -> F16 {
        let s = FastMath.sigmoid(x)
        return dy * s * (F16(repeating: 1) + x * (F16(repeating: 1) - s))
    }

    /// out[i] = x[i] * sigmoid(x[i]); `out` may alias `x`.
    public static func silu(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int) {
        map(x, out, n, siluVec)
    }

    /// dx[i] = silu'(x[i]) * dy[i]; `dx` may alias `dy`.
    public static func siluBackward(_ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, _ n: Int) {
        map(x, dy, dx, n, siluGradVec)
    }

    // MARK: lane loops (tails go through a partial vector: the same arithmetic as full lanes)

    @inline(__always)
    static func map(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int, _ f: (F16) -> F16) {
        var i = 0
        while i + 16 <= n { Lanes.store(f(Lanes.load(x + i)), out + i); i += 16 }
        if i < n { Lanes.store(f(Lanes.load(x + i, count: n - i)), out + i, count: n - i) }
    }

    @inline(__always)
    static func map(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int,
                    _ f: (F16, F16) -> F16) {
        var i = 0
        while i + 16 <= n { Lanes.store(f(Lanes.load(x + i), Lanes.load(y + i)), out + i); i += 16 }
        if i < n {
            let m = n - i
            Lanes.store(f(Lanes.load(x + i, count: m), Lanes.load(y + i, count: m)), out + i, count: m)
        }
    }

    // MARK: scalar references

    public static func geluReference(_ x: Float) -> Float {
        let d = Double(x)
        return Float(0.5 * d * (1 + Foundation_tanh((2 / Double.pi).squareRoot() * (d + 0.044715 * d * d * d))))
    }

    public static func geluGradReference(_ x: Float) -> Float {
        let d = Double(x)
        let c = (2 / Double.pi).squareRoot()
        let t = Foundation_tanh(c * (d + 0.044715 * d * d * d))
        return Float(0.5 * (1 + t) + 0.5 * d * (1 - t * t) * c * (1 + 3 * 0.044715 * d * d))
    }

    public static func siluReference(_ x: Float) -> Float {
        let d = Double(x)
        return Float(d / (1 + Foundation_exp(-d)))
    }

    public static func siluGradReference(_ x: Float) -> Float {
        let d = Double(x)
        let s = 1 / (1 + Foundation_exp(-d))
        return Float(s * (1 + d * (1 - s)))
    }
}
