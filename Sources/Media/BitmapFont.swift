// BitmapFont.swift: a 5x7 pixel font for printable ASCII (32...126), drawn for Diptych (each glyph
// is 7 rows of 5 bits, top row first, bit 4 = leftmost column), in a 6x9 cell: one column and two
// rows of spacing. Used to label image grids and plots; any other character draws as '?'.

public struct BitmapFont: Sendable {
    public static let standard = BitmapFont()

    public let glyphWidth = 5
    public let glyphHeight = 7
    /// Horizontal distance from one character to the next.
    public let advance = 6
    /// Vertical distance from one line to the next.
    public let lineHeight = 9

    public init() {}

    /// Rows of the glyph for `ch` (7 values of 5 bits, top first).
    public func rows(_ ch: Character) -> [UInt8] {
        var code = ch.unicodeScalars.count == 1 ? Int(ch.unicodeScalars.first!.value) : 63
        if code < 32 || code > 126 { code = 63 }
        let packed = Self.glyphs[code - 32]
        return (0..<7).map { UInt8(truncatingIfNeeded: packed >> UInt64(8 * (6 - $0))) }
    }

    /// Width in pixels of one line of text at `scale` (no trailing spacing).
    public func width(_ text: String, scale: Int = 1) -> Int {
        text.isEmpty ? 0 : (text.count * advance - 1) * scale
    }

    /// Splits `text` into lines no wider than `maxWidth` pixels, breaking at spaces when it can
    /// and inside words when it must. Explicit newlines are kept.
    public func wrap(_ text: String, maxWidth: Int, scale: Int = 1) -> [String] {
        let perLine = max(1, (maxWidth / scale + 1) / advance)
        var lines: [String] = []
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = ""
            for word in paragraph.split(separator: " ", omittingEmptySubsequences: false) {
                var w = Substring(word)
                let candidate = line.isEmpty ? String(w) : line + " " + w
                if candidate.count <= perLine { line = candidate; continue }
                if !line.isEmpty { lines.append(line); line = "" }
                while w.count > perLine { lines.append(String(w.prefix(perLine))); w = w.dropFirst(perLine) }
                line = String(w)
            }
            lines.append(line)
        }
        return lines
    }

    /// Glyphs for code points 32...126, 7 bytes each (one byte per row, top row in the high byte).
    static let glyphs: [UInt64] = [
        0x00000000000000,  // space
        0x04040404040004,  // !
        0x0A0A0A00000000,  // "
        0x0A0A1F0A1F0A0A,  // #
        0x040F140E051E04,  // $
        0x18190204081303,  // %
        0x0C12140815120D,  // &
        0x0C040800000000,  // '
        0x02040808080402,  // (
        0x08040202020408,  // )
        0x0004150E150400,  // *
        0x0004041F040400,  // +
        0x000000000C0408,  // ,
        0x0000001F000000,  // -
        0x00000000000C0C,  // .
        0x00010204081000,  // /
        0x0E11131519110E,  // 0
        0x040C040404040E,  // 1
        0x0E11010204081F,  // 2
        0x1F02040201110E,  // 3
        0x02060A121F0202,  // 4
        0x1F101E0101110E,  // 5
        0x0608101E11110E,  // 6
        0x1F010204080808,  // 7
        0x0E11110E11110E,  // 8
        0x0E11110F01020C,  // 9
        0x000C0C000C0C00,  // :
        0x000C0C000C0408,  // ;
        0x02040810080402,  // <
        0x00001F001F0000,  // =
        0x08040201020408,  // >
        0x0E110102040004,  // ?
        0x0E11010D15150E,  // @
        0x0E1111111F1111,  // A
        0x1E11111E11111E,  // B
        0x0E11101010110E,  // C
        0x1C12111111121C,  // D
        0x1F10101E10101F,  // E
        0x1F10101E101010,  // F
        0x0E11101711110F,  // G
        0x1111111F111111,  // H
        0x0E04040404040E,  // I
        0x0702020202120C,  // J
        0x11121418141211,  // K
        0x1010101010101F,  // L
        0x111B1515111111,  // M
        0x11111915131111,  // N
        0x0E11111111110E,  // O
        0x1E11111E101010,  // P
        0x0E11111115120D,  // Q
        0x1E11111E141211,  // R
        0x0F10100E01011E,  // S
        0x1F040404040404,  // T
        0x1111111111110E,  // U
        0x11111111110A04,  // V
        0x1111111515150A,  // W
        0x11110A040A1111,  // X
        0x1111110A040404,  // Y
        0x1F01020408101F,  // Z
        0x0E08080808080E,  // [
        0x00100804020100,  // \
        0x0E02020202020E,  // ]
        0x040A1100000000,  // ^
        0x0000000000001F,  // _
        0x08040200000000,  // `
        0x00000E010F110F,  // a
        0x1010161911111E,  // b
        0x00000E1010110E,  // c
        0x01010D1311110F,  // d
        0x00000E111F100E,  // e
        0x0609081C080808,  // f
        0x000F11110F010E,  // g
        0x10101619111111,  // h
        0x04000C0404040E,  // i
        0x0200060202120C,  // j
        0x10101214181412,  // k
        0x0C04040404040E,  // l
        0x00001A15151111,  // m
        0x00001619111111,  // n
        0x00000E1111110E,  // o
        0x00001E111E1010,  // p
        0x00000D130F0101,  // q
        0x00001619101010,  // r
        0x00000E100E011E,  // s
        0x08081C08080906,  // t
        0x0000111111130D,  // u
        0x00001111110A04,  // v
        0x0000111115150A,  // w
        0x0000110A040A11,  // x
        0x000011110F010E,  // y
        0x00001F0204081F,  // z
        0x02040408040402,  // {
        0x04040404040404,  // |
        0x08040402040408,  // }
        0x00000815020000,  // ~
    ]
}
