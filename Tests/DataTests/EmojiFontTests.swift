// EmojiFontTests.swift: the sfnt readers on the installed Noto Color Emoji font (setup.sh installs
// fonts-noto-color-emoji and unicode-data): sequences resolve to glyphs with PNG bitmaps, and bad
// files give clear errors.

import Core
import Foundation
import XCTest
@testable import Data

final class EmojiFontTests: XCTestCase {
    func testNamedSequencesResolveToBitmaps() throws {
        let font = try EmojiFont()
        let entries = try EmojiTestFile.load().filter { $0.status == "fully-qualified" }
        var resolved = 0
        var misses: [String: Int] = [:]
        for e in entries {
            switch font.resolve(e.codePoints) {
            case .glyph(let g):
                if try font.bitmaps.png(glyph: g) != nil { resolved += 1 } else { misses["no bitmap", default: 0] += 1 }
            case .unmappedCodePoint: misses["unmapped code point", default: 0] += 1
            case .noLigature: misses["no ligature", default: 0] += 1
            }
        }
        print("emoji font: \(resolved) of \(entries.count) fully-qualified names have a bitmap; misses \(misses); strike ppem \(font.bitmaps.ppem), \(font.bitmaps.locations.count) bitmaps, ligature lookups \(font.ligatures.lookups.count)")
        XCTAssertGreaterThanOrEqual(resolved, 3600)
        // Known examples: a flag, a ZWJ sequence with a skin tone, a keycap.
        for cps: [UInt32] in [[0x1F1E8, 0x1F1FF], [0x1F469, 0x1F3FD, 0x200D, 0x1F680], [0x23, 0xFE0F, 0x20E3], [0x1F600]] {
            guard case .glyph(let g) = font.resolve(cps) else { return XCTFail("\(cps) does not resolve") }
            let png = try XCTUnwrap(try font.bitmaps.png(glyph: g))
            XCTAssertEqual(Array(png.prefix(4)), [0x89, 0x50, 0x4E, 0x47])
        }
    }

    func testBadFontFilesGiveClearErrors() throws {
        let dir = NSTemporaryDirectory() + "diptych-font-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        XCTAssertThrowsError(try EmojiFont(path: dir + "/missing.ttf")) { XCTAssertTrue("\($0)".contains("cannot read font"), "\($0)") }
        try AtomicFile.write("not a font at all, just text", to: dir + "/text.ttf")
        XCTAssertThrowsError(try EmojiFont(path: dir + "/text.ttf")) { XCTAssertTrue("\($0)".contains("not a TrueType"), "\($0)") }
        // A real font cut short: the table directory points past the end.
        let real = try XCTUnwrap(FileManager.default.contents(atPath: EmojiFont.defaultPath))
        try AtomicFile.write(real.prefix(5000), to: dir + "/cut.ttf")
        XCTAssertThrowsError(try EmojiFont(path: dir + "/cut.ttf")) { XCTAssertTrue("\($0)".contains("truncated"), "\($0)") }
    }
}
