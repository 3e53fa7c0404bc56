// EmojiTestFile.swift: reads Unicode's emoji-test.txt (Unicode Technical Standard #51, "Unicode
// Emoji", section "Data Files"; Debian's unicode-data installs it under /usr/share/unicode/emoji):
// each line is "code points ; status # emoji E<version> CLDR name", with group comments.

import Core
import Foundation

public struct EmojiTestEntry: Codable, Sendable, Equatable {
    /// The code points of the sequence, as written in the file.
    public var codePoints: [UInt32]
    /// "fully-qualified", "minimally-qualified", "unqualified" or "component".
    public var status: String
    /// The CLDR short name, such as "man dancing: medium skin tone".
    public var name: String
    public var group: String
    public var subgroup: String
}

public enum EmojiTestFile {
    public static let defaultPath = "/usr/share/unicode/emoji/emoji-test.txt"

    public static func load(path: String = defaultPath) throws -> [EmojiTestEntry] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DiptychError("cannot read \(path) (install Debian's unicode-data package)")
        }
        return try parse(String(decoding: data, as: UTF8.self), source: path)
    }

    public static func parse(_ text: String, source: String = "emoji-test.txt") throws -> [EmojiTestEntry] {
        var out: [EmojiTestEntry] = []
        var group = "", subgroup = ""
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            if line.hasPrefix("#") {
                if line.hasPrefix("# group:") { group = String(line.dropFirst(8)).trimmingCharacters(in: .whitespaces) }
                if line.hasPrefix("# subgroup:") { subgroup = String(line.dropFirst(11)).trimmingCharacters(in: .whitespaces) }
                continue
            }
            guard let semi = line.firstIndex(of: ";"), let hash = line.firstIndex(of: "#"), semi < hash else {
                throw DiptychError("\(source):\(n + 1): expected \"code points ; status # emoji name\"")
            }
            let cps = line[..<semi].split(separator: " ").map { UInt32($0, radix: 16) }
            guard !cps.isEmpty, cps.allSatisfy({ $0 != nil }) else {
                throw DiptychError("\(source):\(n + 1): bad code points")
            }
            let status = line[line.index(after: semi)..<hash].trimmingCharacters(in: .whitespaces)
            // After '#': the emoji itself, "E<version>", then the name.
            let comment = line[line.index(after: hash)...].split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
            guard comment.count == 3, comment[1].hasPrefix("E") else {
                throw DiptychError("\(source):\(n + 1): expected \"# emoji E<version> name\"")
            }
            out.append(EmojiTestEntry(codePoints: cps.map { $0! }, status: status, name: String(comment[2]),
                                      group: group, subgroup: subgroup))
        }
        return out
    }
}
