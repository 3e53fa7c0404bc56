// CaptionText.swift: how imported captions are read and cleaned.
//   - Sidecar caption files (the kohya-ss sd-scripts / AUTOMATIC1111 training convention, `cat.png`
//     beside `cat.txt`): sd-scripts reads the file as UTF-8 and keeps its first line, stripped; so
//     does this (a UTF-8 byte order mark is dropped first).
//   - Metadata columns (Hugging Face imagefolder `text`): the whole value.
//   - File names (`--caption-from filename`): the stem, underscores and dashes read as spaces.
// Every caption then has its runs of white space (new lines included) joined into one space and
// its ends trimmed. Too-long captions are cut at a word boundary to a token budget.

import Foundation

public enum CaptionText {
    /// Why bytes are not a usable caption.
    public enum Problem: Error, Equatable {
        case notUTF8
        case empty
    }

    /// Runs of white space joined into single spaces, ends trimmed.
    public static func normalized(_ s: String) -> String {
        s.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    /// A caption from a sidecar file's bytes: UTF-8 (BOM dropped), first line, normalized.
    public static func sidecar(_ bytes: [UInt8]) -> Result<String, Problem> {
        var b = bytes[...]
        if b.starts(with: [0xEF, 0xBB, 0xBF]) { b = b.dropFirst(3) }
        guard let text = String(validating: b, as: UTF8.self) else { return .failure(.notUTF8) }
        let first = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }).first.map(String.init) ?? ""
        let c = normalized(first)
        return c.isEmpty ? .failure(.empty) : .success(c)
    }

    /// A caption from metadata bytes (a CSV field): UTF-8, normalized.
    public static func field(_ bytes: [UInt8]) -> Result<String, Problem> {
        guard let text = String(validating: bytes, as: UTF8.self) else { return .failure(.notUTF8) }
        return checked(text)
    }

    /// A caption from a string (a JSON value): normalized, not empty.
    public static func checked(_ text: String) -> Result<String, Problem> {
        let c = normalized(text)
        return c.isEmpty ? .failure(.empty) : .success(c)
    }

    /// The caption a file name gives: the last path component without its extension, underscores
    /// and dashes as spaces ("red_fox-2.png" -> "red fox 2").
    public static func fromFileName(_ path: String) -> Result<String, Problem> {
        let stem = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        return checked(String(stem.map { $0 == "_" || $0 == "-" ? " " : $0 }))
    }

    /// The longest prefix of `caption` that ends at a word boundary and has at most `maxTokens`
    /// tokens by `count`, with trailing commas and similar separators dropped; nil when even the
    /// first word is too long.
    public static func truncated(_ caption: String, maxTokens: Int, count: (String) -> Int) -> String? {
        if count(caption) <= maxTokens { return caption }
        let words = caption.split(separator: " ", omittingEmptySubsequences: true)
        // Token counts grow with the number of words (BPE never crosses a space-led chunk), so a
        // binary search over the word count finds the longest prefix that fits.
        func prefix(_ k: Int) -> String {
            var s = words.prefix(k).joined(separator: " ")
            while let last = s.last, ",;:-/|&".contains(last) || last == " " { s.removeLast() }
            return s
        }
        var lo = 0, hi = words.count - 1 // prefix(lo) fits (or lo == 0), prefix(hi + 1) does not
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if count(prefix(mid)) <= maxTokens { lo = mid } else { hi = mid - 1 }
        }
        let s = prefix(lo)
        return s.isEmpty ? nil : s
    }
}
