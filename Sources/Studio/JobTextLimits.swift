// JobTextLimits.swift: bounds on a job file's text, checked before the YAML parser sees it. A 10 kB
// file nested 5,000 levels deep overflows the stack of a recursive parser, and a 543-byte "billion
// laughs" (aliases of aliases) expands to gigabytes, so the size, the nesting depth and the number of
// aliases are capped first, and the tree built from the parse is capped in nodes (JobValueReader).
import Core

public enum JobTextLimits {
    public static let maxBytes = 1 << 20
    public static let maxDepth = 64
    public static let maxAliases = 64
    public static let maxNodes = 200_000

    /// Throws when the text is too large, nested too deep or holds too many aliases.
    public static func check(_ text: String, file: String) throws {
        let bytes = text.utf8.count
        guard bytes <= maxBytes else { throw DiptychError("\(file): \(bytes) bytes; a job file may have at most \(maxBytes)") }
        var indents: [Int] = []
        var aliases = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = Array(rawLine.utf8)
            var i = 0
            while i < line.count && line[i] == UInt8(ascii: " ") { i += 1 }
            if i == line.count || line[i] == UInt8(ascii: "#") { continue }
            while let top = indents.last, top > i { indents.removeLast() }
            if indents.last != i { indents.append(i) }
            var depth = indents.count
            var j = i   // "- - - x" and "? " open one level each on the same line
            while j + 1 < line.count, (line[j] == UInt8(ascii: "-") || line[j] == UInt8(ascii: "?")), line[j + 1] == UInt8(ascii: " ") {
                depth += 1
                j += 2
                while j < line.count && line[j] == UInt8(ascii: " ") { j += 1 }
            }
            var flow = 0, quote: UInt8? = nil
            for k in j..<line.count {
                let c = line[k]
                if let q = quote { if c == q { quote = nil }; continue }
                switch c {
                case UInt8(ascii: "\""), UInt8(ascii: "'"): quote = c
                case UInt8(ascii: "["), UInt8(ascii: "{"):
                    flow += 1
                    if depth + flow > maxDepth { throw tooDeep(file) }
                case UInt8(ascii: "]"), UInt8(ascii: "}"): flow = max(0, flow - 1)
                case UInt8(ascii: "*") where k == 0 || [UInt8(ascii: " "), UInt8(ascii: "["), UInt8(ascii: "{"), UInt8(ascii: ",")].contains(line[k - 1]):
                    aliases += 1
                case UInt8(ascii: "#") where k > 0 && line[k - 1] == UInt8(ascii: " "): break
                default: break
                }
            }
            if depth > maxDepth { throw tooDeep(file) }
        }
        // Flow collections may also span lines; count the unclosed brackets over the whole text.
        var flow = 0, quote: Character? = nil
        for c in text {
            if let q = quote { if c == q || c == "\n" { quote = nil }; continue }
            switch c {
            case "\"": quote = c
            case "[", "{": flow += 1; if flow > maxDepth { throw tooDeep(file) }
            case "]", "}": flow = max(0, flow - 1)
            default: break
            }
        }
        if aliases > maxAliases { throw DiptychError("\(file): \(aliases) aliases (*name); a job file may use at most \(maxAliases)") }
    }

    static func tooDeep(_ file: String) -> DiptychError {
        DiptychError("\(file): nested more than \(maxDepth) levels deep")
    }
}
