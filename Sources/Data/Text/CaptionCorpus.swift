// CaptionCorpus.swift: the caption text the tokenizer is trained on (DESIGN.md, "Tokenizer"): every
// caption of the shapes-world grammar, and the CLDR names of the fully-qualified emoji of
// emoji-test.txt (the emoji corpus's captions).

import Core

public enum CaptionCorpus {
    /// Every caption the shapes grammar can write (8,000: all sizes, pairs, relations and counts).
    public static func allShapesCaptions() -> [String] {
        var specs: [SceneSpec] = []
        let objects = ColorShape.all.map { ObjectSpec(color: $0.color, shape: $0.shape) }
        for o in objects {
            specs.append(.single(o))
            for s in ShapeSize.allCases { specs.append(.single(ObjectSpec(color: o.color, shape: o.shape, size: s))) }
            specs.append(.count(2, o))
            specs.append(.count(3, o))
            for p in objects where p != o {
                specs.append(.pair(o, p, nil))
                for r in Relation.allCases { specs.append(.pair(o, p, r)) }
            }
        }
        return specs.map(CaptionWriter.caption)
    }

    /// Names of the fully-qualified entries of emoji-test.txt.
    public static func emojiNames(path: String = EmojiTestFile.defaultPath) throws -> [String] {
        try EmojiTestFile.load(path: path).filter { $0.status == "fully-qualified" }.map(\.name)
    }

    /// Both corpora, shapes first.
    public static func all(emojiTestPath: String = EmojiTestFile.defaultPath) throws -> [String] {
        try allShapesCaptions() + emojiNames(path: emojiTestPath)
    }
}
