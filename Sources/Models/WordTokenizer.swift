// WordTokenizer.swift: a stand-in word-level tokenizer over the shapes-world grammar, used until the
// byte-level BPE tokenizer of the Data module is wired in. Ids: 0 [PAD], 1 [MASK], 2 [EOS], 3 [UNK],
// then the grammar's words. Lossless only for shapes captions (unknown words become [UNK]).
import Data

public struct WordTokenizer: Sendable {
    public let words: [String]
    let index: [String: Int]
    public static let specials = ["[PAD]", "[MASK]", "[EOS]", "[UNK]"]

    public init() {
        var w = Self.specials + ["a", "an", "and", "small", "large", "left", "right", "of", "above", "below", "two", "three"]
        w += ShapeColor.allCases.map(\.rawValue)
        w += ShapeKind.allCases.flatMap { [$0.rawValue, $0.plural] }
        words = w
        index = Dictionary(uniqueKeysWithValues: w.enumerated().map { ($1, $0) })
    }

    public var vocabSize: Int { words.count }

    public func encode(_ text: String) -> [Int] {
        text.lowercased().split(whereSeparator: { $0 == " " }).map { index[String($0)] ?? 3 }
    }

    /// Words up to the first [EOS] or [PAD], specials dropped.
    public func decode(_ ids: [Int]) -> String {
        var out: [String] = []
        for id in ids {
            if id == 2 || id == 0 { break }
            if id > 3 && id < words.count { out.append(words[id]) }
        }
        return out.joined(separator: " ")
    }
}
