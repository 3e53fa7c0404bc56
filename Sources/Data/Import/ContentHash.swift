// ContentHash.swift: a 128-bit hash of an image's decoded pixels (its width, height, channel count
// and every sample as a 16-bit value, which is exact for 8- and 16-bit sources), independent of the
// file's name, format details and the order files are read in. Import uses it to drop duplicate
// images and to put each image in a split (the same picture always lands in the same split).
// Two independent 64-bit lanes, each a multiply-xorshift mix of 64-bit words (in the manner of
// MurmurHash3's finalizer); not cryptographic, which duplicate detection does not need.

import Media

public struct ContentHash: Hashable, Sendable, CustomStringConvertible {
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    public init(_ image: Image) {
        var a: UInt64 = 0x9E37_79B9_7F4A_7C15, b: UInt64 = 0xC2B2_AE3D_27D4_EB4F
        @inline(__always) func mix(_ h: inout UInt64, _ v: UInt64, _ k: UInt64) {
            h = (h ^ v) &* k
            h ^= h >> 29
        }
        let header = UInt64(image.width) << 40 | UInt64(image.height) << 8 | UInt64(image.channels)
        mix(&a, header, 0xFF51_AFD7_ED55_8CCD)
        mix(&b, header, 0xC4CE_B9FE_1A85_EC53)
        image.pixels.withUnsafeBufferPointer { p in
            let n = p.count
            var i = 0
            while i < n {
                var word: UInt64 = 0
                for k in 0..<4 where i + k < n {
                    let v = p[i + k].isNaN ? 0 : min(max(p[i + k], 0), 1)
                    word |= UInt64(UInt16(v * 65535 + 0.5)) << (16 * UInt64(k))
                }
                mix(&a, word, 0xFF51_AFD7_ED55_8CCD)
                mix(&b, word &+ 0x632B_E59B_D9B4_E019, 0xC4CE_B9FE_1A85_EC53)
                i += 4
            }
        }
        func fmix(_ x: UInt64) -> UInt64 {
            var h = x
            h ^= h >> 33; h = h &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 33; h = h &* 0xC4CE_B9FE_1A85_EC53
            h ^= h >> 33
            return h
        }
        high = fmix(a ^ (b >> 1))
        low = fmix(b ^ (a << 1))
    }

    /// A number in [0, 1) from the hash, for split assignment.
    public var unitInterval: Double { Double(high >> 11) / Double(1 << 53) }

    public var description: String {
        String(high, radix: 16).leftPadded(16) + String(low, radix: 16).leftPadded(16)
    }
}

extension String {
    fileprivate func leftPadded(_ n: Int) -> String { String(repeating: "0", count: max(0, n - count)) + self }
}
