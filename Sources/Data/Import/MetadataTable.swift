// MetadataTable.swift: the rows of one Hugging Face imagefolder metadata file ("Create an image
// dataset", datasets documentation): `metadata.jsonl` (one JSON object per line) or `metadata.csv`
// (RFC 4180 with a header, read by CSVReader), each row naming an image by `file_name` relative to
// the metadata file's folder (nested folders allowed), with its caption in a text column (`text` by
// default) and any other columns kept as attributes. A row that cannot be used becomes a skip; a
// file that cannot be used at all (unreadable, malformed CSV, no file_name or caption column)
// throws one line naming it.

import Core
import Foundation

public struct MetadataTable: Sendable {
    public struct Row: Sendable {
        /// `file_name` as written (relative to the metadata file's folder).
        public var fileName: String
        public var caption: Result<String, CaptionText.Problem>
        public var attributes: [String: String]
        public var line: Int
    }

    public var rows: [Row] = []
    public var skips: [ImportSkip] = []

    /// Reads `path` (`relative` names it in skips); `column` is the caption column.
    public init(path: String, relative: String, column: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else { throw DiptychError("cannot read \(path)") }
        let bytes = [UInt8](data)
        if path.hasSuffix(".csv") {
            try readCSV(bytes, path: path, relative: relative, column: column)
        } else {
            readJSONL(bytes, relative: relative, column: column)
        }
    }

    mutating func readJSONL(_ bytes: [UInt8], relative: String, column: String) {
        var lineNo = 0
        for raw in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNo += 1
            var line = raw[...]
            if lineNo == 1 && line.starts(with: [0xEF, 0xBB, 0xBF]) { line = line.dropFirst(3) }
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            let at = "\(relative) line \(lineNo)"
            guard String(validating: line, as: UTF8.self) != nil else {
                skips.append(ImportSkip(at, .notUTF8, "the line is not UTF-8 (JSON Lines are UTF-8)"))
                continue
            }
            guard let object = try? JSONSerialization.jsonObject(with: Data(line)), let dict = object as? [String: Any] else {
                skips.append(ImportSkip(at, .badMetadata, "not a JSON object"))
                continue
            }
            guard let name = dict["file_name"] as? String, !name.isEmpty else {
                skips.append(ImportSkip(at, .badMetadata, "no file_name string"))
                continue
            }
            let caption: Result<String, CaptionText.Problem>
            switch dict[column] {
            case let s as String: caption = CaptionText.checked(s)
            case nil, is NSNull: caption = .failure(.empty)
            case let other?: caption = CaptionText.checked(Self.text(of: other))
            }
            var attributes: [String: String] = [:]
            for (k, v) in dict where k != "file_name" && k != column && !(v is NSNull) { attributes[k] = Self.text(of: v) }
            rows.append(Row(fileName: name, caption: caption, attributes: attributes, line: lineNo))
        }
    }

    mutating func readCSV(_ bytes: [UInt8], path: String, relative: String, column: String) throws {
        let csv: CSVReader
        do { csv = try CSVReader(bytes: bytes) } catch let e as DiptychError { throw DiptychError("\(path): \(e.message)") }
        let header: [String]
        do { header = try csv.header() } catch let e as DiptychError { throw DiptychError("\(path): \(e.message)") }
        guard let fileColumn = header.firstIndex(of: "file_name") else { throw DiptychError("\(path): no file_name column (columns: \(header.joined(separator: ", ")))") }
        guard let textColumn = header.firstIndex(of: column) else { throw DiptychError("\(path): no \(column) column (columns: \(header.joined(separator: ", ")); see --caption-column)") }
        for row in csv.rows.dropFirst() {
            let at = "\(relative) line \(row.line)"
            guard row.fields.count == header.count else {
                skips.append(ImportSkip(at, .badMetadata, "\(row.fields.count) fields, the header has \(header.count)"))
                continue
            }
            guard let name = String(validating: row.fields[fileColumn], as: UTF8.self), !name.isEmpty else {
                skips.append(ImportSkip(at, .badMetadata, "file_name is empty or not UTF-8"))
                continue
            }
            var attributes: [String: String] = [:]
            for (k, h) in header.enumerated() where k != fileColumn && k != textColumn {
                if let v = String(validating: row.fields[k], as: UTF8.self), !v.isEmpty { attributes[h] = v }
            }
            rows.append(Row(fileName: name, caption: CaptionText.field(row.fields[textColumn]), attributes: attributes, line: row.line))
        }
    }

    /// A JSON value as text: strings as they are, anything else as compact JSON.
    static func text(of value: Any) -> String {
        if let s = value as? String { return s }
        if let n = value as? NSNumber { return n.stringValue }
        if let d = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed]) {
            return String(decoding: d, as: UTF8.self)
        }
        return "\(value)"
    }
}
