// EmojiDatasetTests.swift: the emoji importer on a small emoji-test.txt excerpt with the real font:
// names, images on white, skin-tone hold-out, shared glyphs, skipped entries and their reasons.

import Core
import Foundation
import XCTest
@testable import Data

final class EmojiDatasetTests: XCTestCase {
    static let excerpt = """
    # group: Smileys & Emotion
    # subgroup: face-smiling
    1F600                                                  ; fully-qualified     # 😀 E1.0 grinning face
    263A FE0F                                              ; fully-qualified     # ☺️ E0.6 smiling face
    263A                                                   ; unqualified         # ☺ E0.6 smiling face
    # group: People & Body
    # subgroup: hand-fingers-open
    1F44B                                                  ; fully-qualified     # 👋 E0.6 waving hand
    1F44B 1F3FB                                            ; fully-qualified     # 👋🏻 E1.0 waving hand: light skin tone
    1F44B 1F3FC                                            ; fully-qualified     # 👋🏼 E1.0 waving hand: medium-light skin tone
    1F44B 1F3FD                                            ; fully-qualified     # 👋🏽 E1.0 waving hand: medium skin tone
    1F44B 1F3FE                                            ; fully-qualified     # 👋🏾 E1.0 waving hand: medium-dark skin tone
    1F44B 1F3FF                                            ; fully-qualified     # 👋🏿 E1.0 waving hand: dark skin tone
    1F469 200D 1F680                                       ; fully-qualified     # 👩‍🚀 E4.0 woman astronaut
    0041                                                   ; fully-qualified     # A E0.0 letter that is no emoji
    # group: Flags
    # subgroup: country-flag
    1F1FA 1F1F2                                            ; fully-qualified     # 🇺🇲 E2.0 flag: U.S. Outlying Islands
    1F1FA 1F1F8                                            ; fully-qualified     # 🇺🇸 E0.6 flag: United States
    """

    func testExcerptImportsWithSplitsAndReasons() throws {
        let dir = NSTemporaryDirectory() + "diptych-emoji-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try AtomicFile.write(Self.excerpt, to: dir + "/emoji-test.txt")
        var log: [String] = []
        let builder = EmojiDatasetBuilder(sizes: [32], seed: 1, emojiTestPath: dir + "/emoji-test.txt")
        let items = try builder.items { log.append($0) }
        let names = items.map(\.entry.name)
        XCTAssertEqual(Set(names), ["grinning face", "smiling face", "waving hand", "waving hand: light skin tone",
                                    "waving hand: medium-light skin tone", "waving hand: medium skin tone",
                                    "waving hand: medium-dark skin tone", "waving hand: dark skin tone",
                                    "woman astronaut", "flag: United States"])
        XCTAssertTrue(log.contains { $0.contains("\"letter that is no emoji\": the font has no glyph for U+41") }, "\(log)")
        XCTAssertTrue(log.contains { $0.contains("\"flag: U.S. Outlying Islands\": same glyph as \"flag: United States\"") }, "\(log)")
        XCTAssertTrue(log.contains { $0.contains("1 unqualified") }, "\(log)")
        // One tone variant held out, the rest of the family (and the base) in training.
        let family = items.filter { $0.entry.name.hasPrefix("waving hand") }
        XCTAssertEqual(family.filter { $0.split == "heldout" }.count, 1)
        XCTAssertTrue(family.filter { $0.split != "heldout" }.allSatisfy { $0.split == "train" })
        XCTAssertEqual(family.first { $0.split == "heldout" }?.entry.codePoints.count, 2)
        XCTAssertTrue(items.filter { !$0.entry.name.hasPrefix("waving hand") }.allSatisfy { ["train", "val", "test"].contains($0.split) })
        // Images: 32x32 RGB on white (corners white), with color in the middle.
        for it in items {
            let px = it.images[0]
            XCTAssertEqual(px.count, 32 * 32 * 3)
            XCTAssertEqual(Array(px[0..<3]), [255, 255, 255], it.entry.name)
            XCTAssertTrue(px.contains { $0 < 200 }, it.entry.name)
        }
        XCTAssertEqual(items.first { $0.entry.name == "woman astronaut" }?.info, "1F469 200D 1F680 | People & Body / hand-fingers-open")
        // Same seed, same splits; the files load back.
        let again = try builder.items { _ in }
        XCTAssertEqual(again.map(\.split), items.map(\.split))
        let paths = try builder.build(dir: dir + "/out") { _ in }
        let total = try paths.map { try DatasetFile(path: $0).count }.reduce(0, +)
        XCTAssertEqual(total, items.count)
    }

    func testMissingFontIsAClearError() {
        XCTAssertThrowsError(try EmojiDatasetBuilder(fontPath: "/nonexistent/font.ttf").items { _ in }) {
            XCTAssertTrue("\($0)".contains("cannot read font /nonexistent/font.ttf"), "\($0)")
        }
    }
}
