// CaptionParser.swift: parses a caption of the shapes-world grammar (DESIGN.md, "The shapes world,
// v1") into a `SceneSpec`, and rejects anything else with a message that says what was expected.
//
// Grammar (words separated by spaces; case and extra whitespace are normalised, nothing else is):
//   caption  := single | pair | count
//   single   := article [size] color shape
//   pair     := article color shape ("and" | relation) article color shape
//   count    := ("two" | "three") color plural
//   relation := "left of" | "right of" | "above" | "below"
//   article  := "a" | "an"   ("an" exactly when the next word starts with a vowel)

import Core

public enum CaptionParser {
    public static func parse(_ text: String) throws -> SceneSpec {
        var words = Words(text)
        guard !words.items.isEmpty else { throw DiptychError("the caption is empty") }
        let spec: SceneSpec
        switch words.peek() {
        case "two", "three":
            let n = words.next() == "two" ? 2 : 3
            let color = try words.color()
            let shape = try words.plural()
            spec = .count(n, ObjectSpec(color: color, shape: shape))
        case "a", "an":
            let first = try words.phrase(allowSize: true)
            if words.atEnd {
                spec = .single(first)
                break
            }
            if first.size != nil {
                throw words.error("size words are only allowed in single-object captions")
            }
            let link = try words.link()
            let second = try words.phrase(allowSize: false)
            spec = .pair(first, second, link)
        default:
            throw words.error("expected \"a\", \"an\", \"two\" or \"three\"")
        }
        if !words.atEnd { throw words.error("expected the end of the caption") }
        return spec
    }

    /// A cursor over the normalised words of the caption.
    struct Words {
        let text: String
        let items: [String]
        var index = 0

        init(_ text: String) {
            self.text = text
            items = text.lowercased().split(whereSeparator: { $0.isWhitespace }).map(String.init)
        }

        var atEnd: Bool { index >= items.count }
        func peek() -> String? { atEnd ? nil : items[index] }
        mutating func next() -> String? {
            defer { index += 1 }
            return peek()
        }

        func error(_ expectation: String) -> DiptychError {
            let found = peek().map { "\"\($0)\" (word \(index + 1))" } ?? "the end of the caption"
            return DiptychError("not a shapes caption: \(expectation), found \(found) in \"\(text)\"")
        }

        mutating func color() throws -> ShapeColor {
            if let w = peek(), let c = ShapeColor(rawValue: w) { index += 1; return c }
            throw error("expected a color (\(ShapeColor.allCases.map(\.rawValue).joined(separator: ", ")))")
        }

        mutating func shape() throws -> ShapeKind {
            if let w = peek(), let s = ShapeKind(rawValue: w) { index += 1; return s }
            if let w = peek(), ShapeKind.allCases.contains(where: { $0.plural == w }) {
                throw error("expected a singular shape after \"a\"/\"an\"")
            }
            throw error("expected a shape (\(ShapeKind.allCases.map(\.rawValue).joined(separator: ", ")))")
        }

        mutating func plural() throws -> ShapeKind {
            if let w = peek(), let s = ShapeKind.allCases.first(where: { $0.plural == w }) { index += 1; return s }
            throw error("expected a plural shape (\(ShapeKind.allCases.map(\.plural).joined(separator: ", ")))")
        }

        /// article [size] color shape, with the article checked against the word after it.
        mutating func phrase(allowSize: Bool) throws -> ObjectSpec {
            guard let art = peek(), art == "a" || art == "an" else { throw error("expected \"a\" or \"an\"") }
            index += 1
            guard let following = peek() else { throw error("expected a color or size after \"\(art)\"") }
            let wanted = CaptionWriter.article(before: following)
            if art != wanted {
                index -= 1
                throw error("expected \"\(wanted)\" before \"\(following)\"")
            }
            var size: ShapeSize?
            if let s = ShapeSize(rawValue: following) {
                guard allowSize else { throw error("size words are only allowed in single-object captions") }
                size = s
                index += 1
            }
            let color = try color()
            let shape = try shape()
            return ObjectSpec(color: color, shape: shape, size: size)
        }

        /// "and" (nil) or a relation.
        mutating func link() throws -> Relation? {
            switch peek() {
            case "and": index += 1; return nil
            case "above": index += 1; return .above
            case "below": index += 1; return .below
            case "left", "right":
                let side = items[index]
                index += 1
                guard peek() == "of" else { throw error("expected \"of\" after \"\(side)\"") }
                index += 1
                return side == "left" ? .leftOf : .rightOf
            default:
                throw error("expected \"and\", \"left of\", \"right of\", \"above\" or \"below\"")
            }
        }
    }
}
