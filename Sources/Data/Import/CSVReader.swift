// CSVReader.swift: a reader of comma-separated values as RFC 4180 defines them ("Common Format and
// MIME Type for Comma-Separated Values (CSV) Files", 2005): records separated by CRLF (a lone LF or
// CR is accepted too, as files written on Unix have them), fields separated by commas, a field that
// starts with a double quote runs to the matching closing quote and may hold commas, line breaks and
// doubled quotes ("" is one "). The first record is the header (Hugging Face imagefolder's
// metadata.csv has one). It works on bytes and returns byte fields, so a field that is not UTF-8 is
// the caller's to report, not a failure of the whole file; a leading UTF-8 byte order mark is dropped.
// Malformed input (a quote inside an unquoted field, text after a closing quote, an unterminated
// quote) throws with the line number; nothing input can reach traps.

import Core
import Foundation

public struct CSVReader: Sendable {
    /// One record: its fields' bytes and the line (1-based) it starts on.
    public struct Row: Sendable, Equatable {
        public var fields: [[UInt8]]
        public var line: Int
    }

    public let rows: [Row]

    public init(bytes input: [UInt8]) throws {
        var bytes = input[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        var rows: [Row] = []
        var fields: [[UInt8]] = []
        var field: [UInt8] = []
        var line = 1, rowLine = 1
        var i = bytes.startIndex
        let end = bytes.endIndex
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
        var atFieldStart = true
        var sawAnything = false
        func endRow() {
            fields.append(field)
            field = []
            // A completely blank line is not a record (RFC 4180 does not allow one; tolerate it).
            if !(fields.count == 1 && fields[0].isEmpty) { rows.append(Row(fields: fields, line: rowLine)) }
            fields = []
            atFieldStart = true
        }
        while i < end {
            let b = bytes[i]
            sawAnything = true
            if atFieldStart && b == quote {
                // Quoted field: up to the closing quote; "" is a literal quote.
                let startLine = line
                i += 1
                var closed = false
                while i < end {
                    let c = bytes[i]
                    if c == quote {
                        if i + 1 < end && bytes[i + 1] == quote { field.append(quote); i += 2; continue }
                        closed = true
                        i += 1
                        break
                    }
                    if c == lf || (c == cr && !(i + 1 < end && bytes[i + 1] == lf)) { line += 1 }
                    field.append(c)
                    i += 1
                }
                guard closed else { throw DiptychError("CSV line \(startLine): a quoted field is never closed") }
                // After the closing quote: a comma, a line break or the end.
                if i < end {
                    let c = bytes[i]
                    guard c == comma || c == cr || c == lf else {
                        throw DiptychError("CSV line \(line): text after the closing quote of a field")
                    }
                }
                atFieldStart = false
                continue
            }
            switch b {
            case comma:
                fields.append(field)
                field = []
                atFieldStart = true
                i += 1
            case cr, lf:
                if b == cr && i + 1 < end && bytes[i + 1] == lf { i += 1 }
                i += 1
                endRow()
                line += 1
                rowLine = line
            case quote:
                throw DiptychError("CSV line \(line): a double quote inside an unquoted field (quote the whole field and double the quote)")
            default:
                field.append(b)
                atFieldStart = false
                i += 1
            }
        }
        if sawAnything && !(atFieldStart && fields.isEmpty && field.isEmpty) { endRow() }
        self.rows = rows
    }

    /// The header's column names (UTF-8, surrounding spaces trimmed).
    public func header() throws -> [String] {
        guard let first = rows.first else { throw DiptychError("CSV file is empty (no header)") }
        return try first.fields.map {
            guard let s = String(validating: $0, as: UTF8.self) else {
                throw DiptychError("CSV line \(first.line): the header is not UTF-8")
            }
            return s.trimmingCharacters(in: .whitespaces)
        }
    }
}
