// DatasetProvenance.swift: where a captioned image corpus came from, stored in its dataset file's
// metadata (DatasetMetadata.provenance) by every producer: the shapes world, the emoji corpus and
// folders brought in by `diptych data import`. Enough to tell what the file holds and to redo it:
// the tool and version, the date, the command, the source, its layout, and the options used.

import Foundation

public struct DatasetProvenance: Codable, Sendable, Equatable {
    /// "diptych".
    public var tool: String
    public var toolVersion: String
    /// ISO 8601, UTC, to the second.
    public var created: String
    /// The command that made the file.
    public var command: String
    /// The source: an imported folder's path, the font and names files, "shapes world v1".
    public var source: String
    /// How the source is laid out: "sidecar", "metadata", "filename" (imports), "shapes-world",
    /// "noto-color-emoji".
    public var layout: String
    /// The options that shaped the records (sizes, fit, background, split fractions, ...).
    public var options: [String: String]
    /// Inputs left out, by reason (imports; empty otherwise).
    public var skipped: [String: Int]

    public init(toolVersion: String = DatasetProvenance.defaultToolVersion, created: Date = Date(), command: String,
                source: String, layout: String, options: [String: String] = [:], skipped: [String: Int] = [:]) {
        tool = "diptych"
        self.toolVersion = toolVersion
        self.created = Self.iso8601(created)
        self.command = command
        self.source = source
        self.layout = layout
        self.options = options
        self.skipped = skipped
    }

    /// The library's version when the caller does not pass the CLI's (kept equal to it).
    public static let defaultToolVersion = "0.1.0"

    public static func iso8601(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: date)
    }
}
