// FastMath.swift: vectorized exp, sigmoid and tanh on SIMD16<Float>, which Swift never gets from libm
// inside a loop. exp follows the Cephes `expf` scheme (Moshier, "Methods and Programs for
// Mathematical Functions", 1989): range reduction x = n ln2 + r, a degree-6 minimax polynomial for
// e^r on [-ln2/2, ln2/2], and 2^n assembled in the exponent bits. Relative error about 2e-7.
// The scalar references next to them call libm in Double.

public typealias F16 = SIMD16<Float>

public enum FastMath {
    /// e^x for each lane. Lanes below -87.3 give exactly 0 (so an additive -inf mask gives 0);
    /// lanes above 88.7 saturate at e^88.7.
    @inline(__always)
    public static func exp(_ x: F16) -> F16 {
        let lo = F16(repeating: -87.3), hi = F16(repeating: 88.7)
        let xc = pointwiseMin(pointwiseMax(x, lo), hi)
        // Round x*log2(e) to the nearest integer with the 1.5*2^23 trick; the low bits of t hold n.
        let magic = F16(repeating: 12_582_912)
        let t = magic.addingProduct(xc, F16(repeating: 1.442_695_04))
        let n = t - magic
        // r = x - n ln2, ln2 split in two parts for accuracy.
        var r = xc.addingProduct(n, F16(repeating: -0.693_359_375))
        r = r.addingProduct(n, F16(repeating: 2.121_944_4e-4))
        var p = F16(repeating: 1.987_569_150_0e-4)
        p = F16(repeating: 1.398_199_950_7e-3).addingProduct(p, r)
        p = F16(repeating: 8.333_451_907_3e-3).addingProduct(p, r)
        p = F16(repeating: 4.166_579_589_4e-2).addingProduct(p, r)
        p = F16(repeating: 1.666_666_545_9e-1).addingProduct(p, r)
        p = F16(repeating: 5.000_000_120_1e-1).addingProduct(p, r)
        let er = (r + F16(repeating: 1)).addingProduct(p, r * r)
        let tb = unsafeBitCast(t, to: SIMD16<UInt32>.self)
        let pow2 = unsafeBitCast((tb &<< 23) &+ SIMD16<UInt32>(repeating: 127 << 23), to: F16.self)
        var y = er * pow2
        y.replace(with: 0, where: x .< lo)
        return y
    }

    /// 1 / (1 + e^-x) for each lane.
    @inline(__always)
    public static func sigmoid(_ x: F16) -> F16 {
        F16(repeating: 1) / (F16(repeating: 1) + exp(-x))
    }

    /// tanh(x) = 2 sigmoid(2x) - 1 for each lane.
    @inline(__always)
    public static func tanh(_ x: F16) -> F16 {
        F16(repeating: 2) * sigmoid(F16(repeating: 2) * x) - F16(repeating: 1)
    }

    // MARK: scalar references

    public static func expReference(_ x: Float) -> Float { Float(Foundation_exp(Double(x))) }
    public static func sigmoidReference(_ x: Float) -> Float { Float(1 / (1 + Foundation_exp(-Double(x)))) }
    public static func tanhReference(_ x: Float) -> Float { Float(Foundation_tanh(Double(x))) }
}

/// Loads and stores of SIMD16 lanes from float pointers, with partial versions for tails (missing
/// lanes read as `fill`), so a tail goes through exactly the same arithmetic as a full vector.
public enum Lanes {
    @inline(__always)
    public static func load(_ p: UnsafePointer<Float>) -> F16 {
        UnsafeRawPointer(p).loadUnaligned(as: F16.self)
    }

    @inline(__always)
    public static func store(_ v: F16, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: F16.self)
    }

    @inline(__always)
    public static func load(_ p: UnsafePointer<Float>, count: Int, fill: Float = 0) -> F16 {
        var v = F16(repeating: fill)
        for i in 0..<count { v[i] = p[i] }
        return v
    }

    @inline(__always)
    public static func store(_ v: F16, _ p: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { p[i] = v[i] }
    }
}
