// CmapTable.swift: the code point -> glyph map of an sfnt font from its cmap table, format 12
// subtable (OpenType specification, "cmap: Character to Glyph Index Mapping Table", format 12:
// segmented coverage), as used by fonts with characters beyond the Basic Multilingual Plane.

import Core

public struct CmapTable: Sendable {
    /// Sorted groups: code points start...end map to glyphs startGlyph, startGlyph + 1, ...
    public let groups: [(start: UInt32, end: UInt32, glyph: Int)]

    public init(_ r: ByteReader) throws {
        let count = try r.u16(2)
        var best: Int?
        for i in 0..<count {
            let rec = 4 + 8 * i
            let platform = try r.u16(rec), encoding = try r.u16(rec + 2), offset = try r.u32(rec + 4)
            let format = try r.u16(offset)
            if format == 12 && (platform == 3 && encoding == 10 || platform == 0) { best = offset; break }
        }
        guard let sub = best else { throw DiptychError("\(r.context): no format 12 (full Unicode) subtable") }
        let n = try r.u32(sub + 12)
        var g: [(start: UInt32, end: UInt32, glyph: Int)] = []
        g.reserveCapacity(n)
        for i in 0..<n {
            let o = sub + 16 + 12 * i
            g.append((UInt32(try r.u32(o)), UInt32(try r.u32(o + 4)), try r.u32(o + 8)))
        }
        groups = g.sorted { $0.start < $1.start }
    }

    /// The glyph of a code point, or nil when the font has none.
    public func glyph(_ cp: UInt32) -> Int? {
        var lo = 0, hi = groups.count - 1
        while lo <= hi {
            let mid = (lo + hi) / 2
            let g = groups[mid]
            if cp < g.start { hi = mid - 1 } else if cp > g.end { lo = mid + 1 } else { return g.glyph + Int(cp - g.start) }
        }
        return nil
    }
}
