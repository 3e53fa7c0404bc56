// DatasetWriter.swift: writes a dataset file (format in DatasetFile.swift) one record at a time, so
// a corpus of any length is written in bounded memory: each size's image bytes go to a spool file
// beside the output as records arrive, the strings stay in memory, and `finish` writes header,
// metadata, string tables and the spooled images into a temporary file, then renames it into place
// (as Core's AtomicFile does). `cancel`, a thrown error or dropping an unfinished writer removes
// every temporary file, so a failed import leaves nothing behind.

import Core
import Foundation

public final class DatasetWriter {
    public let path: String
    public let sizes: [Int]
    public let channels: Int
    public var metadata: DatasetMetadata
    public private(set) var count = 0
    var captions: [String] = [], infos: [String] = [], splits: [String] = [], attributes: [String] = []
    var spools: [FileHandle] = []
    var spoolPaths: [String] = []
    var pending: [[UInt8]]
    let tempPath: String
    var done = false

    static let flushBytes = 1 << 20

    public init(path: String, metadata: DatasetMetadata, sizes: [Int], channels: Int = 3) throws {
        guard (1...4).contains(sizes.count), sizes == sizes.sorted(), Set(sizes).count == sizes.count,
              sizes.allSatisfy({ (1...1024).contains($0) }) else {
            throw DiptychError("dataset sizes \(sizes) must be 1 to 4 ascending sides of 1...1024")
        }
        guard (1...4).contains(channels) else { throw DiptychError("dataset channels \(channels) must be 1 to 4") }
        self.path = path
        self.metadata = metadata
        self.sizes = sizes
        self.channels = channels
        pending = sizes.map { _ in [] }
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        } catch {
            throw DiptychError("cannot create folder \(dir.path): \(error.localizedDescription)")
        }
        let stem = dir.appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier)").path
        tempPath = stem + ".tmp"
        for s in sizes {
            let p = stem + ".\(s).spool"
            guard FileManager.default.createFile(atPath: p, contents: nil), let h = FileHandle(forUpdatingAtPath: p) else {
                cancel()
                throw DiptychError("cannot write \(p)")
            }
            spoolPaths.append(p)
            spools.append(h)
        }
    }

    deinit { if !done { cancel() } }

    /// Adds one record (an empty split means the metadata's split).
    public func append(_ r: DatasetRecord) throws {
        guard !done else { throw DiptychError("dataset writer for \(path) is already finished") }
        guard r.images.count == sizes.count else {
            throw DiptychError("dataset record \(count): \(r.images.count) images for \(sizes.count) sizes")
        }
        for (k, s) in sizes.enumerated() where r.images[k].count != s * s * channels {
            throw DiptychError("dataset record \(count): image \(k) has \(r.images[k].count) bytes, expected \(s * s * channels)")
        }
        guard count < Int(UInt32.max) else { throw DiptychError("dataset \(path): too many records") }
        captions.append(r.caption)
        infos.append(r.info)
        splits.append(r.split.isEmpty ? metadata.split : r.split)
        attributes.append(try Self.encode(r.attributes))
        for k in sizes.indices {
            pending[k] += r.images[k]
            if pending[k].count >= Self.flushBytes { try flush(k) }
        }
        count += 1
    }

    func flush(_ k: Int) throws {
        do { try spools[k].write(contentsOf: pending[k]) } catch {
            throw DiptychError("cannot write \(spoolPaths[k]): \(error.localizedDescription)")
        }
        pending[k].removeAll(keepingCapacity: true)
    }

    /// Writes the file and renames it into place.
    public func finish() throws {
        guard !done else { throw DiptychError("dataset writer for \(path) is already finished") }
        do {
            try write()
            done = true
            removeTemporaries()
        } catch {
            cancel()
            throw error
        }
    }

    /// Drops everything written so far.
    public func cancel() {
        done = true
        removeTemporaries()
        try? FileManager.default.removeItem(atPath: tempPath)
    }

    func removeTemporaries() {
        for h in spools { try? h.close() }
        spools = []
        for p in spoolPaths { try? FileManager.default.removeItem(atPath: p) }
    }

    func write() throws {
        for k in sizes.indices { try flush(k) }
        var head: [UInt8] = []
        let json = try JSONEncoder().encode(metadata)
        head += json
        DatasetFile.pad(&head)
        for strings in [captions, infos, splits, attributes] { try Self.appendTable(strings, to: &head) }
        guard FileManager.default.createFile(atPath: tempPath, contents: nil), let out = FileHandle(forWritingAtPath: tempPath) else {
            throw DiptychError("cannot write \(tempPath)")
        }
        defer { try? out.close() }
        var hash = DatasetFile.FNV1a()
        var payloadLength: UInt64 = 0
        func emit(_ bytes: [UInt8]) throws {
            hash.update(bytes)
            payloadLength += UInt64(bytes.count)
            try out.write(contentsOf: bytes)
        }
        do {
            try out.write(contentsOf: [UInt8](repeating: 0, count: 64))
            try emit(head)
            for (k, s) in sizes.enumerated() {
                let h = spools[k]
                try h.seek(toOffset: 0)
                var left = count * s * s * channels
                while left > 0 {
                    guard let chunk = try h.read(upToCount: min(left, 4 << 20)), !chunk.isEmpty else {
                        throw DiptychError("spool \(spoolPaths[k]) is shorter than its records")
                    }
                    try emit([UInt8](chunk))
                    left -= chunk.count
                }
                let n = count * s * s * channels
                try emit([UInt8](repeating: 0, count: DatasetFile.padded(n) - n))
            }
            var header: [UInt8] = DatasetFile.magic
            DatasetFile.putU32(&header, UInt32(DatasetFile.version))
            DatasetFile.putU32(&header, UInt32(count))
            DatasetFile.putU32(&header, UInt32(channels))
            DatasetFile.putU32(&header, UInt32(sizes.count))
            for i in 0..<4 { DatasetFile.putU32(&header, UInt32(i < sizes.count ? sizes[i] : 0)) }
            DatasetFile.putU32(&header, UInt32(json.count))
            DatasetFile.putU32(&header, 0)
            DatasetFile.putU64(&header, payloadLength)
            DatasetFile.putU64(&header, hash.value)
            try out.seek(toOffset: 0)
            try out.write(contentsOf: header)
            try out.synchronize()
        } catch let e as DiptychError {
            throw e
        } catch {
            throw DiptychError("cannot write \(path): \(error.localizedDescription)")
        }
        if rename(tempPath, path) != 0 {
            throw DiptychError("cannot rename \(tempPath) to \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// (N + 1) u32 offsets, then the UTF-8 bytes, zero-padded to 8.
    static func appendTable(_ strings: [String], to a: inout [UInt8]) throws {
        var offsets: [UInt32] = [0]
        var text: [UInt8] = []
        for s in strings {
            text += s.utf8
            guard text.count < Int(UInt32.max) else { throw DiptychError("dataset strings exceed 4 GB") }
            offsets.append(UInt32(text.count))
        }
        for o in offsets { DatasetFile.putU32(&a, o) }
        a += text
        DatasetFile.pad(&a)
    }

    /// Attributes as compact JSON with sorted keys ("" when there are none).
    static func encode(_ attributes: [String: String]) throws -> String {
        if attributes.isEmpty { return "" }
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try e.encode(attributes), as: UTF8.self)
    }
}
