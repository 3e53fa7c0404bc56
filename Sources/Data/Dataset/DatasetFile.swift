// DatasetFile.swift: a preprocessed captioned image corpus in one binary file, loaded whole for fast
// epochs: 8-bit RGB images at one or more square sizes, and per record a caption, an info string, a
// split and optional attributes; the metadata says what the corpus is and where it came from
// (DatasetMetadata, DatasetProvenance). Shapes and emoji builds write one file per split; imported
// folders (`diptych data import`) write one file whose records carry their own splits.
//
// Format (all integers little-endian; version 2 is written, versions 1 and 2 are read):
//   header, 64 bytes:
//     0  8  magic "DPTYDATA"
//     8  u32 version (2; 1 for files without the split and attribute tables)
//    12  u32 record count N
//    16  u32 channels (3)
//    20  u32 number of image sizes S (1...4)
//    24  u32 x 4 image sides (unused ones 0), ascending
//    40  u32 metadata JSON length M
//    44  u32 reserved (0)
//    48  u64 payload length (file length - 64)
//    56  u64 FNV-1a 64 checksum of the payload
//   payload, each part zero-padded to a multiple of 8 bytes:
//     metadata JSON (M bytes, `DatasetMetadata`)
//     captions: (N + 1) u32 offsets into the UTF-8 bytes that follow, then the bytes
//     infos: the same layout
//     splits (version 2): the same layout, one split name per record
//     attributes (version 2): the same layout, a JSON object of strings per record, or empty
//     for each size s: N * s * s * channels bytes, record-major, rows top to bottom, RGB interleaved
// A version 1 file's records all have the metadata's split and no attributes. Files are written by
// DatasetWriter (temporary name, then rename); the loader checks every field, the length and the
// checksum.

import Core
import Foundation
import Media

public struct DatasetRecord: Sendable {
    public var caption: String
    public var info: String
    /// One image per size of the file, side * side * channels bytes each.
    public var images: [[UInt8]]
    /// "train", "val", "test", "heldout"; empty for the file's own split (its metadata's).
    public var split: String
    /// Optional per-record facts (extra metadata columns, content hash, ...).
    public var attributes: [String: String]
    public init(caption: String, info: String, images: [[UInt8]], split: String = "", attributes: [String: String] = [:]) {
        self.caption = caption
        self.info = info
        self.images = images
        self.split = split
        self.attributes = attributes
    }
}

public final class DatasetFile: @unchecked Sendable {
    public static let magic = Array("DPTYDATA".utf8)
    public static let version = 2

    public let path: String
    public let metadata: DatasetMetadata
    public let count: Int
    public let channels: Int
    public let sizes: [Int]
    public let captions: [String]
    public let infos: [String]
    /// Each record's split (for a version 1 file, the metadata's split).
    public let splits: [String]
    /// Each record's attributes as compact JSON ("" for none); see `attributes(_:)`.
    public let attributeTexts: [String]
    let bytes: [UInt8]
    /// Byte offset of each size's image block.
    let imageOffsets: [Int]

    // MARK: writing

    /// Writes `records` (through DatasetWriter, so under a temporary name and renamed).
    public static func write(to path: String, metadata: DatasetMetadata, sizes: [Int], channels: Int = 3,
                             records: [DatasetRecord]) throws {
        let w = try DatasetWriter(path: path, metadata: metadata, sizes: sizes, channels: channels)
        do {
            for r in records { try w.append(r) }
            try w.finish()
        } catch {
            w.cancel()
            throw error
        }
    }

    // MARK: loading

    public convenience init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DiptychError("cannot read dataset \(path)")
        }
        try self.init(bytes: [UInt8](data), path: path)
    }

    public init(bytes: [UInt8], path: String) throws {
        func bad(_ why: String) -> DiptychError { DiptychError("\(path) is not a valid Diptych dataset file: \(why)") }
        guard bytes.count >= 64, Array(bytes[0..<8]) == Self.magic else { throw bad("missing DPTYDATA header") }
        let r = LittleEndian(bytes: bytes)
        let version = r.u32(8)
        guard version == 1 || version == 2 else { throw bad("version \(version), this build reads 1 and 2") }
        let n = r.u32(12), ch = r.u32(16), ns = r.u32(20)
        guard (1...4).contains(ch), (1...4).contains(ns) else { throw bad("channels \(ch), sizes \(ns)") }
        let sides = (0..<ns).map { r.u32(24 + 4 * $0) }
        guard sides.allSatisfy({ (1...1024).contains($0) }), sides == sides.sorted() else { throw bad("image sides \(sides)") }
        let m = r.u32(40)
        guard UInt64(bytes.count - 64) == r.u64(48) else {
            throw bad("payload is \(bytes.count - 64) bytes, header says \(r.u64(48)) (truncated?)")
        }
        guard Self.fnv1a(bytes[64...]) == r.u64(56) else { throw bad("checksum mismatch (corrupt file)") }
        var pos = 64
        func need(_ k: Int) throws { guard k >= 0, pos + k <= bytes.count else { throw bad("truncated payload") } }
        try need(m)
        let meta: DatasetMetadata
        do { meta = try JSONDecoder().decode(DatasetMetadata.self, from: Data(bytes[pos..<(pos + m)])) } catch {
            throw bad("metadata: \(error)")
        }
        pos += Self.padded(m)
        var tables: [[String]] = []
        for name in version == 1 ? ["captions", "infos"] : ["captions", "infos", "splits", "attributes"] {
            try need(4 * (n + 1))
            let offsets = (0...n).map { r.u32(pos + 4 * $0) }
            pos += 4 * (n + 1)
            guard offsets[0] == 0, zip(offsets, offsets.dropFirst()).allSatisfy({ $0 <= $1 }) else { throw bad("\(name) offsets") }
            try need(offsets[n])
            var strings: [String] = []
            strings.reserveCapacity(n)
            for i in 0..<n {
                guard let s = String(validating: bytes[(pos + offsets[i])..<(pos + offsets[i + 1])], as: UTF8.self) else {
                    throw bad("\(name) \(i) is not UTF-8")
                }
                strings.append(s)
            }
            pos += Self.padded(4 * (n + 1) + offsets[n]) - 4 * (n + 1)
            tables.append(strings)
        }
        var offs: [Int] = []
        for s in sides {
            offs.append(pos)
            pos += Self.padded(n * s * s * ch)
        }
        guard pos == bytes.count else { throw bad("\(bytes.count - pos) bytes too many or few for the images") }
        self.path = path
        metadata = meta
        count = n
        channels = ch
        sizes = sides
        captions = tables[0]
        infos = tables[1]
        splits = version == 1 ? Array(repeating: meta.split, count: n) : tables[2]
        attributeTexts = version == 1 ? Array(repeating: "", count: n) : tables[3]
        self.bytes = bytes
        imageOffsets = offs
    }

    // MARK: access

    /// The split names present, in the order train, val, test, heldout, then any others.
    public var splitNames: [String] {
        let order = ["train", "val", "test", "heldout"]
        let present = Set(splits)
        return order.filter(present.contains) + present.subtracting(order).sorted()
    }

    /// Records per split.
    public var splitCounts: [String: Int] {
        var out: [String: Int] = [:]
        for s in splits { out[s, default: 0] += 1 }
        return out
    }

    /// The indices of the records of one split.
    public func indices(inSplit split: String) -> [Int] { splits.indices.filter { splits[$0] == split } }

    /// Record `index`'s attributes (empty when it has none or they do not parse).
    public func attributes(_ index: Int) -> [String: String] {
        let t = attributeTexts[index]
        if t.isEmpty { return [:] }
        return (try? JSONDecoder().decode([String: String].self, from: Data(t.utf8))) ?? [:]
    }

    func block(_ size: Int) -> Int {
        guard let k = sizes.firstIndex(of: size) else {
            preconditionFailure("dataset \(path) has image sizes \(sizes), not \(size)")
        }
        return k
    }

    /// The 8-bit pixels of record `index` at `size` (size * size * channels bytes).
    public func imageBytes(_ index: Int, size: Int) -> ArraySlice<UInt8> {
        let n = size * size * channels
        let start = imageOffsets[block(size)] + index * n
        return bytes[start..<(start + n)]
    }

    /// Record `index` at `size` as a float image in [0, 1].
    public func image(_ index: Int, size: Int) -> Image {
        Image(width: size, height: size, channels: channels, pixels: imageBytes(index, size: size).map { Float($0) / 255 })
    }

    public enum Layout: Sendable {
        /// Height, width, channels (interleaved), like `Image`.
        case hwc
        /// Channels, height, width (planar).
        case chw
    }

    /// Writes record `index` at `size` as floats `scale * byte / 255 + shift` (for example scale 2
    /// and shift -1 for [-1, 1]) in the given layout: size * size * channels floats at `out`.
    public func copyImage(_ index: Int, size: Int, layout: Layout = .hwc, scale: Float = 1, shift: Float = 0,
                          to out: UnsafeMutablePointer<Float>) {
        let c = channels, hw = size * size
        let start = imageOffsets[block(size)] + index * hw * c
        let k = scale / 255
        bytes.withUnsafeBufferPointer { b in
            let p = b.baseAddress! + start
            switch layout {
            case .hwc:
                for i in 0..<(hw * c) { out[i] = Float(p[i]) * k + shift }
            case .chw:
                for i in 0..<hw { for ch in 0..<c { out[ch * hw + i] = Float(p[i * c + ch]) * k + shift } }
            }
        }
    }

    // MARK: little-endian helpers

    static func padded(_ n: Int) -> Int { (n + 7) / 8 * 8 }
    static func pad(_ a: inout [UInt8]) { a += [UInt8](repeating: 0, count: padded(a.count) - a.count) }
    static func putU32(_ a: inout [UInt8], _ v: UInt32) { for i in 0..<4 { a.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(i)))) } }
    static func putU64(_ a: inout [UInt8], _ v: UInt64) { for i in 0..<8 { a.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) } }

    /// FNV-1a, 64 bits, fed piece by piece.
    struct FNV1a {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        mutating func update(_ b: [UInt8]) {
            var h = value
            b.withUnsafeBufferPointer { p in for x in p { h = (h ^ UInt64(x)) &* 0x100_0000_01b3 } }
            value = h
        }
    }

    /// FNV-1a, 64 bits.
    static func fnv1a(_ b: ArraySlice<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        b.withUnsafeBufferPointer { p in for x in p { h = (h ^ UInt64(x)) &* 0x100_0000_01b3 } }
        return h
    }

    struct LittleEndian {
        let bytes: [UInt8]
        func u32(_ o: Int) -> Int { (0..<4).reduce(0) { $0 | Int(bytes[o + $1]) << (8 * $1) } }
        func u64(_ o: Int) -> UInt64 { (0..<8).reduce(0) { $0 | UInt64(bytes[o + $1]) << (8 * UInt64($1)) } }
    }
}
