// SfntFile.swift: the table directory of an sfnt font file (OpenType specification, "Organization
// of an OpenType Font": offset table and table records). Gives each table's bytes by tag.

import Core
import Foundation

public struct SfntFile: Sendable {
    public let path: String
    public let reader: ByteReader
    /// Tag -> (offset, length) in the file.
    public let tables: [String: (offset: Int, length: Int)]

    public init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DiptychError("cannot read font \(path) (install Debian's fonts-noto-color-emoji package)")
        }
        try self.init(bytes: [UInt8](data), path: path)
    }

    public init(bytes: [UInt8], path: String) throws {
        self.path = path
        let r = ByteReader(bytes, context: (path as NSString).lastPathComponent)
        reader = r
        guard bytes.count >= 12 else { throw DiptychError("\(path) is not a font file (\(bytes.count) bytes)") }
        let version = try r.u32(0)
        guard version == 0x0001_0000 || version == 0x4F54_544F || version == 0x7472_7565 else {
            throw DiptychError("\(path) is not a TrueType/OpenType font (version 0x\(String(version, radix: 16)))")
        }
        let n = try r.u16(4)
        var t: [String: (offset: Int, length: Int)] = [:]
        for i in 0..<n {
            let rec = 12 + 16 * i
            let tag = try r.tag(rec)
            let offset = try r.u32(rec + 8), length = try r.u32(rec + 12)
            _ = try r.slice(offset, length)
            t[tag] = (offset, length)
        }
        tables = t
    }

    /// A reader over one table's bytes; throws if the font lacks it.
    public func table(_ tag: String) throws -> ByteReader {
        guard let t = tables[tag] else {
            throw DiptychError("\(path) has no \(tag) table (tables: \(tables.keys.sorted().joined(separator: " ")))")
        }
        return ByteReader(Array(try reader.slice(t.offset, t.length)), context: "\((path as NSString).lastPathComponent) \(tag)")
    }
}
