// ColorBitmapTable.swift: embedded color bitmaps of an sfnt font from its CBLC (locations) and CBDT
// (data) tables (OpenType specification, "CBLC: Color Bitmap Location Table" and "CBDT: Color Bitmap
// Data Table"). Supported: index subtable format 1 (a 32-bit offset per glyph) and image format 17
// (small glyph metrics, then a 32-bit length, then a raw PNG). With several strikes, the largest is used.

import Core

public struct ColorBitmapTable: Sendable {
    /// Glyph -> (offset, length) of its PNG inside CBDT.
    public let locations: [Int: (offset: Int, length: Int)]
    public let cbdt: ByteReader
    /// Pixels per em of the strike used.
    public let ppem: Int
    /// Index subtables skipped because of an unsupported format, as "index format i / image format f".
    public private(set) var skippedSubtables: [String] = []

    public init(cblc: ByteReader, cbdt: ByteReader) throws {
        self.cbdt = cbdt
        let numSizes = try cblc.u32(4)
        guard numSizes > 0 else { throw DiptychError("\(cblc.context): no bitmap strikes") }
        // Largest strike (by ppemY).
        var strike = 8
        var bestPpem = -1
        for i in 0..<numSizes {
            let rec = 8 + 48 * i
            let p = try cblc.u8(rec + 45)
            if p > bestPpem { bestPpem = p; strike = rec }
        }
        ppem = bestPpem
        let arrayOffset = try cblc.u32(strike), subtables = try cblc.u32(strike + 8)
        var loc: [Int: (offset: Int, length: Int)] = [:]
        var skipped: [String] = []
        for i in 0..<subtables {
            let rec = arrayOffset + 8 * i
            let first = try cblc.u16(rec), last = try cblc.u16(rec + 2)
            let sub = arrayOffset + (try cblc.u32(rec + 4))
            let indexFormat = try cblc.u16(sub), imageFormat = try cblc.u16(sub + 2), dataOffset = try cblc.u32(sub + 4)
            guard indexFormat == 1, imageFormat == 17, last >= first else {
                skipped.append("index format \(indexFormat) / image format \(imageFormat) (glyphs \(first)-\(last))")
                continue
            }
            for g in first...last {
                let a = try cblc.u32(sub + 8 + 4 * (g - first)), b = try cblc.u32(sub + 8 + 4 * (g - first + 1))
                guard b > a else { continue }
                // Format 17: 5 bytes of small metrics, 4 bytes of length, then the PNG.
                let start = dataOffset + a
                let length = try cbdt.u32(start + 5)
                guard 9 + length <= b - a else {
                    throw DiptychError("\(cbdt.context): glyph \(g) PNG length \(length) exceeds its slot of \(b - a - 9) bytes")
                }
                loc[g] = (start + 9, length)
            }
        }
        locations = loc
        skippedSubtables = skipped
    }

    /// The PNG bytes of a glyph's bitmap, or nil when the glyph has none.
    public func png(glyph: Int) throws -> [UInt8]? {
        guard let l = locations[glyph] else { return nil }
        return Array(try cbdt.slice(l.offset, l.length))
    }
}
