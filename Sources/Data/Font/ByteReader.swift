// ByteReader.swift: bounds-checked big-endian reads from a byte buffer, the base of the sfnt
// (OpenType/TrueType) table parsers. Every read past the end throws instead of crashing, so a
// truncated or corrupt font gives a clear error.

import Core

public struct ByteReader: Sendable {
    public let bytes: [UInt8]
    /// What is being read, for error messages ("NotoColorEmoji.ttf CBLC").
    public let context: String

    public init(_ bytes: [UInt8], context: String) {
        self.bytes = bytes
        self.context = context
    }

    @inline(__always)
    func check(_ offset: Int, _ n: Int) throws {
        guard offset >= 0, n >= 0, offset <= bytes.count - n else {
            throw DiptychError("\(context): corrupt or truncated data (read of \(n) bytes at offset \(offset), size \(bytes.count))")
        }
    }

    public func u8(_ o: Int) throws -> Int {
        try check(o, 1)
        return Int(bytes[o])
    }

    public func i8(_ o: Int) throws -> Int {
        try check(o, 1)
        return Int(Int8(bitPattern: bytes[o]))
    }

    public func u16(_ o: Int) throws -> Int {
        try check(o, 2)
        return Int(bytes[o]) << 8 | Int(bytes[o + 1])
    }

    public func u32(_ o: Int) throws -> Int {
        try check(o, 4)
        return Int(bytes[o]) << 24 | Int(bytes[o + 1]) << 16 | Int(bytes[o + 2]) << 8 | Int(bytes[o + 3])
    }

    public func slice(_ o: Int, _ n: Int) throws -> ArraySlice<UInt8> {
        try check(o, n)
        return bytes[o..<(o + n)]
    }

    /// Four ASCII characters, such as a table tag.
    public func tag(_ o: Int) throws -> String {
        String(decoding: try slice(o, 4), as: UTF8.self)
    }
}
