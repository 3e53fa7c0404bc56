// EmojiDatasetBuilder.swift: the emoji corpus (DESIGN.md, "The emoji corpus"): every fully-qualified
// emoji of emoji-test.txt whose sequence the Noto Color Emoji font draws, its bitmap composited on
// white, centered on a square and area-resized (32x32 and 64x64), captioned with its CLDR name.
//
// Splits (deterministic for a seed): every skin-tone family (the same sequence up to the skin-tone
// modifiers U+1F3FB..U+1F3FF) with at least two tone variants gives one variant, chosen by a hash,
// to "heldout", and the rest of the family (the other tones and the toneless base) to "train", so
// held-out variants test composition of a seen base with a seen tone. Everything else goes by a hash
// of the name: 90% train, 5% val, 5% test. What is skipped, and why, is logged.

import Core
import Foundation
import Media

public struct EmojiItem: Sendable {
    public var entry: EmojiTestEntry
    public var glyph: Int
    public var split: String
    /// The 8-bit RGB pixels at each requested size.
    public var images: [[UInt8]]
    /// "1F483 1F3FD | People & Body / person-activity": code points, group and subgroup.
    public var info: String {
        entry.codePoints.map { String($0, radix: 16, uppercase: true) }.joined(separator: " ") + " | \(entry.group) / \(entry.subgroup)"
    }
}

public struct EmojiDatasetBuilder: Sendable {
    public var sizes: [Int]
    public var seed: UInt64
    public var fontPath: String
    public var emojiTestPath: String

    public init(sizes: [Int] = [32, 64], seed: UInt64 = 1, fontPath: String = EmojiFont.defaultPath,
                emojiTestPath: String = EmojiTestFile.defaultPath) {
        self.sizes = sizes
        self.seed = seed
        self.fontPath = fontPath
        self.emojiTestPath = emojiTestPath
    }

    public static let splits = ["train", "val", "test", "heldout"]
    static let skinTones: ClosedRange<UInt32> = 0x1F3FB...0x1F3FF

    /// Reads the font and names, and returns the items with their images and splits. `log` gets the
    /// progress and one line per skipped entry (counts only for entries skipped for their status).
    public func items(log: (String) -> Void) throws -> [EmojiItem] {
        let font = try EmojiFont(path: fontPath)
        let entries = try EmojiTestFile.load(path: emojiTestPath)
        for s in font.bitmaps.skippedSubtables { log("skipped CBLC index subtable: \(s)") }
        if !font.ligatures.skippedLookupTypes.isEmpty { log("skipped GSUB lookups of types \(font.ligatures.skippedLookupTypes)") }
        var byStatus: [String: Int] = [:]
        var skipped = 0
        // Pass 1: the glyph of every fully-qualified entry.
        var resolved: [(entry: EmojiTestEntry, glyph: Int)] = []
        for e in entries {
            guard e.status == "fully-qualified" else { byStatus[e.status, default: 0] += 1; continue }
            switch font.resolve(e.codePoints) {
            case .glyph(let g): resolved.append((e, g))
            case .unmappedCodePoint(let cp):
                skipped += 1
                log("skipped \"\(e.name)\": the font has no glyph for U+\(String(cp, radix: 16, uppercase: true))")
            case .noLigature(let n):
                skipped += 1
                log("skipped \"\(e.name)\": no ligature joins the sequence (\(n) glyphs left)")
            }
        }
        // Names sharing one glyph (territories drawn with another flag): the shortest name keeps it.
        var owner: [Int: String] = [:]
        for r in resolved where owner[r.glyph].map({ r.entry.name.count < $0.count }) ?? true { owner[r.glyph] = r.entry.name }
        // Pass 2: decode, composite on white, resize.
        var items: [EmojiItem] = []
        for (e, glyph) in resolved {
            func skip(_ why: String) { skipped += 1; log("skipped \"\(e.name)\": \(why)") }
            if owner[glyph] != e.name { skip("same glyph as \"\(owner[glyph]!)\""); continue }
            guard let png = try font.bitmaps.png(glyph: glyph) else { skip("glyph \(glyph) has no bitmap"); continue }
            let bitmap: Image
            do { bitmap = try ImageFile.decode(Data(png)) } catch { skip("PNG of glyph \(glyph): \(error)"); continue }
            let flat = bitmap.composited(onto: [1, 1, 1]).converted(toChannels: 3)
            let images = sizes.map { side in
                flat.centeredOnSquare(fill: [1, 1, 1]).resized(width: side, height: side, filter: .area).pixels.map { UInt8(($0 * 255).rounded().clamped(0, 255)) }
            }
            items.append(EmojiItem(entry: e, glyph: glyph, split: "", images: images))
            if items.count % 500 == 0 { log("emoji: \(items.count) images") }
        }
        for (status, n) in byStatus.sorted(by: { $0.key < $1.key }) { log("skipped \(n) \(status) entries (only fully-qualified ones are used)") }
        log("emoji: \(items.count) named images, \(skipped) fully-qualified entries skipped")
        assignSplits(&items)
        return items
    }

    /// Fills in each item's split (see the header comment).
    func assignSplits(_ items: inout [EmojiItem]) {
        func key(_ cps: [UInt32]) -> [UInt32] { cps.filter { $0 != 0xFE0F && !Self.skinTones.contains($0) } }
        var families: [[UInt32]: [Int]] = [:]
        for (i, it) in items.enumerated() where it.entry.codePoints.contains(where: Self.skinTones.contains) {
            families[key(it.entry.codePoints), default: []].append(i)
        }
        var forced: [Int: String] = [:]
        let variantsOf = families.filter { $0.value.count >= 2 }
        for (k, variants) in variantsOf {
            let sorted = variants.sorted { items[$0].entry.codePoints.lexicographicallyPrecedes(items[$1].entry.codePoints) }
            let pick = Int(hash(k.map { String($0, radix: 16) }.joined(separator: " ")) % UInt64(sorted.count))
            for (j, i) in sorted.enumerated() { forced[i] = j == pick ? "heldout" : "train" }
        }
        for (i, it) in items.enumerated() where forced[i] == nil && variantsOf[key(it.entry.codePoints)] != nil {
            forced[i] = "train"
        }
        for i in items.indices {
            if let f = forced[i] { items[i].split = f; continue }
            let h = hash(items[i].entry.name) % 100
            items[i].split = h < 90 ? "train" : h < 95 ? "val" : "test"
        }
    }

    /// FNV-1a 64 of the seed and a string.
    func hash(_ s: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in Array("\(seed):".utf8) + Array(s.utf8) { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }

    /// Writes emoji-train, emoji-val, emoji-test and emoji-heldout under `dir`; returns their paths.
    public func build(dir: String, log: (String) -> Void) throws -> [String] {
        let all = try items(log: log)
        var paths: [String] = []
        for split in Self.splits {
            let part = all.filter { $0.split == split }
            let path = (dir as NSString).appendingPathComponent("emoji-\(split).dptd")
            let meta = DatasetMetadata(
                corpus: "emoji", split: split,
                source: "diptych data build emoji: \(fontPath) (CBDT bitmaps) named by \(emojiTestPath)",
                seed: seed, infoFormat: "code points (hex) | group / subgroup",
                provenance: DatasetProvenance(
                    command: "diptych data build emoji --seed \(seed)", source: "\(fontPath) + \(emojiTestPath)",
                    layout: "noto-color-emoji",
                    options: ["seed": "\(seed)", "sizes": sizes.map(String.init).joined(separator: ","),
                              "background": "white", "fit": "pad", "split-hash": "FNV-1a of seed and CLDR name"]))
            try DatasetFile.write(to: path, metadata: meta, sizes: sizes,
                                  records: part.map { DatasetRecord(caption: $0.entry.name, info: $0.info, images: $0.images) })
            log("wrote \(path) (\(part.count) emoji)")
            paths.append(path)
        }
        return paths
    }
}
