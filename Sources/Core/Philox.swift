// Philox.swift: the Philox4x32-10 counter-based random number generator (Salmon, Moraes, Dror,
// Shaw, "Parallel random numbers: as easy as 1, 2, 3", SC 2011), with uniform and Gaussian draws.
//
// Counter-based: the n-th block of four words depends only on (key, counter n), so a buffer of
// noise is the same whichever threads fill it. A generator is a value passed explicitly; there is
// no global generator anywhere in Diptych.

/// Philox4x32-10. The key is the seed; the 128-bit counter is (position low, position high,
/// stream low, stream high), so independent streams of one seed never overlap.
public struct Philox: Sendable, Equatable, Codable {
    public var key0: UInt32
    public var key1: UInt32
    public var stream: UInt64
    /// Blocks of four words consumed so far.
    public var position: UInt64
    /// Words left over from the last block (for one-at-a-time draws).
    private var spare: [UInt32] = []

    public init(seed: UInt64, stream: UInt64 = 0) {
        key0 = UInt32(truncatingIfNeeded: seed)
        key1 = UInt32(truncatingIfNeeded: seed >> 32)
        self.stream = stream
        position = 0
    }

    /// The raw Philox4x32-10 bijection of one counter under one key.
    public static func block(counter c: (UInt32, UInt32, UInt32, UInt32), key k: (UInt32, UInt32))
        -> (UInt32, UInt32, UInt32, UInt32)
    {
        var (c0, c1, c2, c3) = c
        var (k0, k1) = k
        for round in 0..<10 {
            if round > 0 {
                k0 &+= 0x9E37_79B9
                k1 &+= 0xBB67_AE85
            }
            let p0 = UInt64(0xD251_1F53) &* UInt64(c0)
            let p1 = UInt64(0xCD9E_8D57) &* UInt64(c2)
            let hi0 = UInt32(truncatingIfNeeded: p0 >> 32), lo0 = UInt32(truncatingIfNeeded: p0)
            let hi1 = UInt32(truncatingIfNeeded: p1 >> 32), lo1 = UInt32(truncatingIfNeeded: p1)
            (c0, c1, c2, c3) = (hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0)
        }
        return (c0, c1, c2, c3)
    }

    /// Block number `index` of this generator's stream (does not advance the generator).
    @inline(__always)
    public func block(at index: UInt64) -> (UInt32, UInt32, UInt32, UInt32) {
        Philox.block(
            counter: (UInt32(truncatingIfNeeded: index), UInt32(truncatingIfNeeded: index >> 32),
                      UInt32(truncatingIfNeeded: stream), UInt32(truncatingIfNeeded: stream >> 32)),
            key: (key0, key1))
    }

    /// A generator for an independent stream derived from this one (same key, other stream id).
    public func fork(_ id: UInt64) -> Philox {
        var g = self
        g.stream = stream &* 0x9E37_79B9_7F4A_7C15 &+ id &+ 1
        g.position = 0
        g.spare = []
        return g
    }

    public mutating func nextUInt32() -> UInt32 {
        if spare.isEmpty {
            let b = block(at: position)
            position &+= 1
            spare = [b.3, b.2, b.1]
            return b.0
        }
        return spare.removeLast()
    }

    public mutating func nextUInt64() -> UInt64 {
        UInt64(nextUInt32()) << 32 | UInt64(nextUInt32())
    }

    /// Uniform in [0, 1) with 24 bits.
    public mutating func nextFloat() -> Float { Float(nextUInt32() >> 8) * 0x1p-24 }

    /// Uniform in [0, 1) with 53 bits.
    public mutating func nextDouble() -> Double { Double(nextUInt64() >> 11) * 0x1p-53 }

    /// Uniform integer in 0..<n (n > 0), unbiased by rejection.
    public mutating func nextInt(below n: Int) -> Int {
        precondition(n > 0)
        let bound = UInt64(n)
        let limit = UInt64.max - UInt64.max % bound
        while true {
            let x = nextUInt64()
            if x < limit { return Int(x % bound) }
        }
    }

    /// One standard normal draw (Box-Muller on two 32-bit words).
    public mutating func nextGaussian() -> Float {
        let u1 = (Double(nextUInt32()) + 1) * 0x1p-32
        let u2 = Double(nextUInt32()) * 0x1p-32
        return Float((-2 * Foundation_log(u1)).squareRoot() * Foundation_cos(2 * Double.pi * u2))
    }

    /// Fills `count` standard normals: block i gives elements 4i..<4i+4, so the result does not
    /// depend on how the work is split. Advances the generator past the blocks used.
    public mutating func fillGaussian(_ out: UnsafeMutablePointer<Float>, count: Int) {
        let blocks = (count + 3) / 4
        let base = position
        for i in 0..<blocks {
            let b = block(at: base &+ UInt64(i))
            let g = Philox.boxMuller(b)
            let o = i * 4
            out[o] = g.0
            if o + 1 < count { out[o + 1] = g.1 }
            if o + 2 < count { out[o + 2] = g.2 }
            if o + 3 < count { out[o + 3] = g.3 }
        }
        position &+= UInt64(blocks)
        spare = []
    }

    /// Fills `count` uniforms in [0, 1), one per word, blockwise like `fillGaussian`.
    public mutating func fillUniform(_ out: UnsafeMutablePointer<Float>, count: Int) {
        let blocks = (count + 3) / 4
        let base = position
        for i in 0..<blocks {
            let b = block(at: base &+ UInt64(i))
            let words = [b.0, b.1, b.2, b.3]
            for j in 0..<4 where i * 4 + j < count { out[i * 4 + j] = Float(words[j] >> 8) * 0x1p-24 }
        }
        position &+= UInt64(blocks)
        spare = []
    }

    @inline(__always)
    static func boxMuller(_ b: (UInt32, UInt32, UInt32, UInt32)) -> (Float, Float, Float, Float) {
        let r0 = (-2 * Foundation_log((Double(b.0) + 1) * 0x1p-32)).squareRoot()
        let a0 = 2 * Double.pi * Double(b.1) * 0x1p-32
        let r1 = (-2 * Foundation_log((Double(b.2) + 1) * 0x1p-32)).squareRoot()
        let a1 = 2 * Double.pi * Double(b.3) * 0x1p-32
        return (Float(r0 * Foundation_cos(a0)), Float(r0 * Foundation_sin(a0)),
                Float(r1 * Foundation_cos(a1)), Float(r1 * Foundation_sin(a1)))
    }

    enum CodingKeys: String, CodingKey { case key0, key1, stream, position, spare }
}
