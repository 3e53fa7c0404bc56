// SHA256.swift: the SHA-256 hash of FIPS 180-4 (NIST, "Secure Hash Standard", 2015, section 6.2),
// written out here so the manifest's artifact hashes need no crypto dependency. Streaming: feed
// bytes with `update`, read the digest with `finalize`. Checked against the NIST example vectors.
import Core
import Foundation

public struct SHA256: Sendable {
    /// First 32 bits of the fractional parts of the cube roots of the first 64 primes (FIPS 180-4, 4.2.2).
    private static let k: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]

    /// Working hash value H0...H7 (initial value: FIPS 180-4, 5.3.3).
    private var h: [UInt32] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                               0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]
    /// Bytes waiting for a full 64-byte block.
    private var pending: [UInt8] = []
    /// Number of whole 64-byte blocks compressed so far (the padding blocks excluded).
    private var blocks: UInt64 = 0

    public init() { pending.reserveCapacity(64) }

    public mutating func update<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
        for b in bytes {
            pending.append(b)
            if pending.count == 64 { compressPending() }
        }
    }

    @_optimize(speed)
    public mutating func update(_ data: Data) {
        data.withUnsafeBytes { raw in
            let p = raw.bindMemory(to: UInt8.self)
            var i = 0
            // Fill the partial block, then hash whole blocks straight from the buffer.
            while i < p.count && !pending.isEmpty {
                pending.append(p[i]); i += 1
                if pending.count == 64 { compressPending() }
            }
            while p.count - i >= 64 {
                compress(p.baseAddress! + i)
                i += 64
            }
            while i < p.count { pending.append(p[i]); i += 1 }
        }
    }

    /// The 32-byte digest. Padding per FIPS 180-4, 5.1.1: a 1 bit, zeros, and the bit length (64-bit big-endian).
    public mutating func finalize() -> [UInt8] {
        let bitLength = (blocks &* 64 &+ UInt64(pending.count)) &* 8
        var tail = pending
        tail.append(0x80)
        while tail.count % 64 != 56 { tail.append(0) }
        for s in stride(from: 56, through: 0, by: -8) { tail.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(s))) }
        tail.withUnsafeBufferPointer { t in
            for start in stride(from: 0, to: t.count, by: 64) { compress(t.baseAddress! + start) }
        }
        blocks = 0
        pending.removeAll()
        var out: [UInt8] = []
        out.reserveCapacity(32)
        for word in h { for s in stride(from: 24, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: word >> UInt32(s))) } }
        return out
    }

    /// One 64-byte block at `block` (FIPS 180-4, 6.2.2). Optimized even in debug builds
    /// (`@_optimize(speed)`): tests hash model files of tens of MB.
    @_optimize(speed)
    private mutating func compress(_ block: UnsafePointer<UInt8>) {
        blocks &+= 1
        let w = UnsafeMutablePointer<UInt32>.allocate(capacity: 64)
        defer { w.deallocate() }
        for t in 0..<16 {
            w[t] = UInt32(block[4 * t]) << 24 | UInt32(block[4 * t + 1]) << 16 | UInt32(block[4 * t + 2]) << 8 | UInt32(block[4 * t + 3])
        }
        for t in 16..<64 {
            let x = w[t - 15], y = w[t - 2]
            let s0 = (x >> 7 | x << 25) ^ (x >> 18 | x << 14) ^ (x >> 3)
            let s1 = (y >> 17 | y << 15) ^ (y >> 19 | y << 13) ^ (y >> 10)
            w[t] = w[t - 16] &+ s0 &+ w[t - 7] &+ s1
        }
        var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7]
        for t in 0..<64 {
            let s1 = (e >> 6 | e << 26) ^ (e >> 11 | e << 21) ^ (e >> 25 | e << 7)
            let ch = (e & f) ^ (~e & g)
            let t1 = hh &+ s1 &+ ch &+ SHA256.k[t] &+ w[t]
            let s0 = (a >> 2 | a << 30) ^ (a >> 13 | a << 19) ^ (a >> 22 | a << 10)
            let maj = (a & b) ^ (a & c) ^ (b & c)
            let t2 = s0 &+ maj
            hh = g; g = f; f = e; e = d &+ t1
            d = c; c = b; b = a; a = t1 &+ t2
        }
        h[0] &+= a; h[1] &+= b; h[2] &+= c; h[3] &+= d
        h[4] &+= e; h[5] &+= f; h[6] &+= g; h[7] &+= hh
    }

    private mutating func compressPending() {
        let copy = pending
        copy.withUnsafeBufferPointer { compress($0.baseAddress!) }
        pending.removeAll(keepingCapacity: true)
    }

    // MARK: - one-shot helpers

    public static func hash(_ data: Data) -> [UInt8] {
        var s = SHA256()
        s.update(data)
        return s.finalize()
    }

    /// Lower-case hex digest of `data`.
    public static func hex(_ data: Data) -> String { hash(data).map { String(format: "%02x", $0) }.joined() }

    public static func hex(_ text: String) -> String { hex(Data(text.utf8)) }

    /// Lower-case hex digest of a file's bytes, read in 1 MiB pieces.
    public static func hex(file path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw DiptychError("cannot read \(path)") }
        defer { try? handle.close() }
        var s = SHA256()
        while true {
            let chunk = try handle.read(upToCount: 1 << 20) ?? Data()
            if chunk.isEmpty { break }
            s.update(chunk)
        }
        return s.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
