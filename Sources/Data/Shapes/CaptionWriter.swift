// CaptionWriter.swift: turns a `SceneSpec` into the caption text of the shapes-world grammar
// (DESIGN.md, "The shapes world, v1"): lower case, no trailing period, "an" before a vowel sound.

public enum CaptionWriter {
    /// The caption of a spec; `CaptionParser.parse(caption(spec)) == spec` for every valid spec.
    public static func caption(_ spec: SceneSpec) -> String {
        switch spec {
        case .single(let o):
            return phrase(o, withSize: true)
        case .pair(let a, let b, let rel):
            let link = rel?.rawValue ?? "and"
            return "\(phrase(a, withSize: false)) \(link) \(phrase(b, withSize: false))"
        case .count(let n, let o):
            let number = n == 2 ? "two" : "three"
            return "\(number) \(o.color.rawValue) \(o.shape.plural)"
        }
    }

    /// "a large red circle", "an orange cross".
    static func phrase(_ o: ObjectSpec, withSize: Bool) -> String {
        var words: [String] = []
        if withSize, let s = o.size { words.append(s.rawValue) }
        words.append(o.color.rawValue)
        words.append(o.shape.rawValue)
        return "\(article(before: words[0])) \(words.joined(separator: " "))"
    }

    /// "an" before a word starting with a vowel letter (every word of this grammar that does also
    /// starts with a vowel sound), "a" otherwise.
    public static func article(before word: String) -> String {
        guard let c = word.first else { return "a" }
        return "aeiou".contains(c) ? "an" : "a"
    }
}
