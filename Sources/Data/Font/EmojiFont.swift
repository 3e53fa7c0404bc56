// EmojiFont.swift: a color emoji font (Noto Color Emoji, Debian's fonts-noto-color-emoji) read
// through its sfnt tables: cmap format 12 maps code points to glyphs, GSUB ligatures join sequences
// into one glyph, CBLC/CBDT hold each glyph's PNG bitmap.

import Core

public struct EmojiFont: Sendable {
    public static let defaultPath = "/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf"

    public let path: String
    public let cmap: CmapTable
    public let ligatures: LigatureTable
    public let bitmaps: ColorBitmapTable

    public init(path: String = EmojiFont.defaultPath) throws {
        let file = try SfntFile(path: path)
        self.path = path
        cmap = try CmapTable(file.table("cmap"))
        ligatures = try LigatureTable(file.table("GSUB"))
        bitmaps = try ColorBitmapTable(cblc: file.table("CBLC"), cbdt: file.table("CBDT"))
    }

    public enum Resolution: Equatable, Sendable {
        case glyph(Int)
        /// A code point of the sequence has no glyph in the cmap.
        case unmappedCodePoint(UInt32)
        /// The ligatures leave more than one glyph.
        case noLigature(glyphs: Int)
    }

    /// The single glyph that shows a code point sequence: the sequence as given, else without its
    /// variation selectors (U+FE0F), which emoji fonts often leave out of their ligatures.
    public func resolve(_ codePoints: [UInt32]) -> Resolution {
        var first: Resolution?
        for seq in [codePoints, codePoints.filter { $0 != 0xFE0F }] where !seq.isEmpty {
            var glyphs: [Int] = []
            var missing: UInt32?
            for cp in seq {
                if let g = cmap.glyph(cp) { glyphs.append(g) } else { missing = cp; break }
            }
            let r: Resolution
            if let missing {
                r = .unmappedCodePoint(missing)
            } else {
                let out = ligatures.apply(glyphs)
                r = out.count == 1 ? .glyph(out[0]) : .noLigature(glyphs: out.count)
            }
            if case .glyph = r { return r }
            if first == nil { first = r }
        }
        return first ?? .noLigature(glyphs: 0)
    }
}
