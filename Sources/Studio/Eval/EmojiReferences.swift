// EmojiReferences.swift: the emoji corpus as evaluation references: every named emoji at 32x32 RGB
// on white (imported from the Noto font by Data's EmojiDatasetBuilder), its CLDR name and its split.
// One place for what the eval command, eval job tasks and the few-step comparison all need.

import Data
import Media

public struct EmojiReferences {
    public var names: [String]
    public var images: [Image]
    public var splits: [String]

    /// Imports the corpus from the installed font and emoji-test.txt.
    public static func load() throws -> EmojiReferences {
        let items = try EmojiDatasetBuilder(sizes: [32]).items(log: { _ in })
        return EmojiReferences(
            names: items.map(\.entry.name),
            images: items.map { Image(width: 32, height: 32, channels: 3, pixels: $0.images[0].map { Float($0) / 255 }) },
            splits: items.map(\.split))
    }

    /// (name, image) pairs, the form EmojiRecallEval takes.
    public var pairs: [(name: String, image: Image)] { zip(names, images).map { (name: $0.0, image: $0.1) } }

    /// Indices of the emoji in `split`.
    public func indices(of split: String) -> [Int] { splits.indices.filter { splits[$0] == split } }

    /// `count` indices spread evenly over a split (a fixed set that covers every emoji group; the
    /// first few dozen of a split are all yellow faces).
    public func spread(of split: String, count: Int) -> [Int] {
        let all = indices(of: split)
        let n = min(max(count, 0), all.count)
        return (0..<n).map { all[$0 * all.count / n] }
    }
}
