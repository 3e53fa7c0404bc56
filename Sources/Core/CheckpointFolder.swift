// CheckpointFolder.swift: a training checkpoint written as a whole. Its files go into a new folder
// beside it (NAME.new), each flushed, with manifest.json written last listing every file's size and
// FNV-1a 64-bit checksum; then the old folder is moved aside (NAME.old), the new one renamed into
// place and the old one removed. A crash at any point leaves either the old checkpoint or the new
// one complete: `read` recovers from an interrupted swap and verifies every file against the manifest,
// so a torn or edited checkpoint is refused instead of resuming silently from a mix of two steps.
// Checkpoints written before the manifest existed (no manifest, no NAME.new beside them) still read.
import Foundation

public enum CheckpointFolder {
    struct Manifest: Codable {
        var format = "diptych-checkpoint"
        var files: [String: FileRecord]
    }

    struct FileRecord: Codable {
        var bytes: Int
        var fnv1a64: String
    }

    /// FNV-1a, 64 bits (Fowler, Noll, Vo): a fast checksum against torn and truncated files.
    public static func fnv1a64(_ data: Data) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        data.withUnsafeBytes { raw in
            for b in raw.bindMemory(to: UInt8.self) { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        }
        return h
    }

    /// Writes `files` (name, bytes) as the checkpoint folder `dir`, replacing the previous one whole.
    public static func write(_ files: [(String, Data)], to dir: String) throws {
        let fm = FileManager.default
        let new = dir + ".new", old = dir + ".old"
        try? fm.removeItem(atPath: new)
        var records: [String: FileRecord] = [:]
        for (name, data) in files {
            try AtomicFile.write(data, to: new + "/" + name)
            records[name] = FileRecord(bytes: data.count, fnv1a64: String(fnv1a64(data), radix: 16))
        }
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(enc.encode(Manifest(files: records)), to: new + "/manifest.json")
        try? fm.removeItem(atPath: old)
        if fm.fileExists(atPath: dir), rename(dir, old) != 0 {
            throw DiptychError("cannot move the old checkpoint \(dir) aside: \(String(cString: strerror(errno)))")
        }
        guard rename(new, dir) == 0 else {
            throw DiptychError("cannot rename \(new) to \(dir): \(String(cString: strerror(errno)))")
        }
        try? fm.removeItem(atPath: old)
    }

    /// Whether a checkpoint can be read at `dir` (after recovering an interrupted swap).
    public static func exists(_ dir: String, marker: String = "state.json") -> Bool {
        recover(dir)
        return FileManager.default.fileExists(atPath: dir + "/manifest.json") || FileManager.default.fileExists(atPath: dir + "/" + marker)
    }

    /// The files of the checkpoint at `dir`, verified against its manifest.
    public static func read(_ dir: String, names: [String]) throws -> [String: Data] {
        recover(dir)
        var out: [String: Data] = [:]
        let manifestPath = dir + "/manifest.json"
        guard FileManager.default.fileExists(atPath: manifestPath) else {   // a checkpoint from before manifests
            for name in names { out[name] = try FileInput.read(dir + "/" + name, maxBytes: Int.max) }
            return out
        }
        let manifest: Manifest
        do { manifest = try JSONDecoder().decode(Manifest.self, from: FileInput.read(manifestPath)) } catch {
            throw DiptychError("\(manifestPath) is not a checkpoint manifest")
        }
        for name in names {
            guard let record = manifest.files[name] else { throw DiptychError("checkpoint \(dir) has no \(name)") }
            let data = try FileInput.read(dir + "/" + name, maxBytes: Int.max)
            guard data.count == record.bytes, String(fnv1a64(data), radix: 16) == record.fnv1a64 else {
                throw DiptychError("checkpoint \(dir) is damaged: \(name) does not match its manifest (a torn write or an edit)")
            }
            out[name] = data
        }
        return out
    }

    /// Finishes an interrupted swap: NAME missing or without a manifest while NAME.new holds a complete
    /// one -> NAME.new becomes NAME; NAME missing and only NAME.old left -> NAME.old comes back.
    static func recover(_ dir: String) {
        let fm = FileManager.default
        let new = dir + ".new", old = dir + ".old"
        let current = fm.fileExists(atPath: dir + "/manifest.json")
        if !current && fm.fileExists(atPath: new + "/manifest.json") {
            if fm.fileExists(atPath: dir) { try? fm.removeItem(atPath: old); _ = rename(dir, old) }
            if rename(new, dir) == 0 { try? fm.removeItem(atPath: old) }
        } else if !fm.fileExists(atPath: dir) && fm.fileExists(atPath: old) {
            _ = rename(old, dir)
        }
    }
}
