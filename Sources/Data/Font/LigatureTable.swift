// LigatureTable.swift: the ligature substitutions of an sfnt font's GSUB table (OpenType
// specification, "GSUB: Glyph Substitution Table": lookup type 4, ligature substitution format 1,
// reached directly or through lookup type 7, extension substitution). Emoji fonts use them for
// multi-code-point emoji: ZWJ sequences, skin-tone modifiers, flags, keycaps.

import Core

public struct LigatureTable: Sendable {
    public struct Ligature: Sendable, Equatable {
        /// Glyphs after the first one.
        public var rest: [Int]
        public var glyph: Int
    }

    /// One map per ligature lookup, in lookup order: first glyph -> its ligatures (longest first).
    public let lookups: [[Int: [Ligature]]]
    /// Lookups of other types, skipped (type numbers).
    public let skippedLookupTypes: [Int]

    public init(_ r: ByteReader) throws {
        let lookupList = try r.u16(8)
        let count = try r.u16(lookupList)
        var out: [[Int: [Ligature]]] = []
        var skipped: [Int] = []
        for i in 0..<count {
            let lookup = lookupList + (try r.u16(lookupList + 2 + 2 * i))
            var type = try r.u16(lookup)
            let subCount = try r.u16(lookup + 4)
            var map: [Int: [Ligature]] = [:]
            for s in 0..<subCount {
                var sub = lookup + (try r.u16(lookup + 6 + 2 * s))
                if type == 7 {
                    // Extension: format 1, the real lookup type, a 32-bit offset from this subtable.
                    type = try r.u16(sub + 2)
                    sub += try r.u32(sub + 4)
                }
                guard type == 4 else { continue }
                try Self.readLigatureSubtable(r, at: sub, into: &map)
            }
            if type == 4 {
                for k in map.keys { map[k]!.sort { $0.rest.count > $1.rest.count } }
                out.append(map)
            } else {
                skipped.append(type)
            }
        }
        lookups = out
        skippedLookupTypes = skipped
    }

    static func readLigatureSubtable(_ r: ByteReader, at sub: Int, into map: inout [Int: [Ligature]]) throws {
        guard try r.u16(sub) == 1 else { throw DiptychError("\(r.context): unknown ligature subtable format") }
        let coverage = try Self.coverage(r, at: sub + (try r.u16(sub + 2)))
        let setCount = try r.u16(sub + 4)
        guard setCount == coverage.count else {
            throw DiptychError("\(r.context): ligature set count \(setCount) differs from coverage \(coverage.count)")
        }
        for k in 0..<setCount {
            let set = sub + (try r.u16(sub + 6 + 2 * k))
            let n = try r.u16(set)
            for j in 0..<n {
                let lig = set + (try r.u16(set + 2 + 2 * j))
                let glyph = try r.u16(lig), components = try r.u16(lig + 2)
                guard components >= 1 else { continue }
                let rest = try (0..<(components - 1)).map { try r.u16(lig + 4 + 2 * $0) }
                map[coverage[k], default: []].append(Ligature(rest: rest, glyph: glyph))
            }
        }
    }

    /// The glyphs of a coverage table, in coverage-index order (formats 1 and 2).
    static func coverage(_ r: ByteReader, at o: Int) throws -> [Int] {
        switch try r.u16(o) {
        case 1:
            return try (0..<(try r.u16(o + 2))).map { try r.u16(o + 4 + 2 * $0) }
        case 2:
            var out: [Int] = []
            for i in 0..<(try r.u16(o + 2)) {
                let rec = o + 4 + 6 * i
                let start = try r.u16(rec), end = try r.u16(rec + 2)
                if end >= start { out += Array(start...end) }
            }
            return out
        default:
            throw DiptychError("\(r.context): unknown coverage format")
        }
    }

    /// Applies every ligature lookup in order, left to right, longest match first.
    public func apply(_ glyphs: [Int]) -> [Int] {
        var g = glyphs
        for map in lookups {
            var out: [Int] = []
            var i = 0
            while i < g.count {
                if let ligs = map[g[i]], let l = ligs.first(where: { lig in
                    i + lig.rest.count < g.count && g[(i + 1)..<(i + 1 + lig.rest.count)].elementsEqual(lig.rest)
                }) {
                    out.append(l.glyph)
                    i += 1 + l.rest.count
                } else {
                    out.append(g[i])
                    i += 1
                }
            }
            g = out
        }
        return g
    }
}
