// FolderImportReport.swift: what an import did: the file written (none under --strict with skips,
// or when nothing could be imported), the records per split, every skip with its file and reason,
// and the captions that were shortened. The CLI prints it as text or JSON.

public struct FolderImportReport: Codable, Sendable {
    public var folder: String
    /// The file written, or nil when none was.
    public var output: String?
    public var layout: String
    public var metadataFiles: [String]
    /// Image files found (PNG and JPEG).
    public var images: Int
    public var imported: Int
    public var splits: [String: Int]
    public var sizes: [Int]
    public var skipped: [ImportSkip]
    /// Skips per reason (filled when the import ends).
    public var skipCounts: [String: Int] = [:]
    /// Relative paths of images whose caption was cut at a word boundary.
    public var truncated: [String]
    public var seconds: Double

    public var skippedByReason: [String: Int] {
        var out: [String: Int] = [:]
        for s in skipped { out[s.reason.rawValue, default: 0] += 1 }
        return out
    }

    /// Human-readable summary lines (every skip listed).
    public func lines() -> [String] {
        var out: [String] = []
        out.append(output.map { "wrote \($0)" } ?? "no file written")
        out.append("folder \(folder) (layout \(layout)\(metadataFiles.isEmpty ? "" : ": " + metadataFiles.joined(separator: ", ")))")
        let split = ["train", "val", "test"].map { "\($0) \(splits[$0] ?? 0)" }.joined(separator: ", ")
        out.append("\(images) images found, \(imported) imported (\(split)), sizes \(sizes.map(String.init).joined(separator: ",")), \(String(format: "%.1f", seconds)) s")
        if !truncated.isEmpty { out.append("\(truncated.count) captions truncated at a word boundary") }
        if skipped.isEmpty {
            out.append("skipped 0")
        } else {
            let by = skippedByReason.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            out.append("skipped \(skipped.count) (\(by)):")
            for s in skipped { out.append("  " + s.line) }
        }
        return out
    }
}
