// ArtifactFiles.swift: writing artifact files (AtomicFile: temporary name, then rename) and
// describing them for the manifest (path, kind, SHA-256, size, parameters), and removing the
// temporary files that killed writers left behind.
import Core
import Foundation

/// Writing and describing artifact files.
public enum ArtifactFiles {
    /// Writes `data` atomically to `relative` inside `dir` and describes it.
    public static func write(_ data: Data, _ relative: String, in dir: String, kind: String,
                             parameters: [String: JSONScalar] = [:]) throws -> ArtifactRecord {
        let path = try OutputNames.resolve(relative, under: dir)
        try AtomicFile.write(data, to: path)
        return ArtifactRecord(path: relative, kind: kind, sha256: SHA256.hex(data), bytes: data.count, parameters: parameters)
    }

    /// A flat Codable value as a dictionary of JSON scalars (keys in snake_case).
    public static func flatten<T: Encodable>(_ value: T) -> [String: JSONScalar] {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        guard let data = try? encoder.encode(value),
              let dict = try? JSONDecoder().decode([String: JSONScalar].self, from: data) else { return [:] }
        return dict
    }

    /// Removes temporary files (".<name>.<pid>.tmp", AtomicFile's pattern) left in `dir` by processes
    /// that no longer run. Returns the paths removed.
    @discardableResult
    public static func cleanStaleTemporaries(in dir: String, recursive: Bool = true) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: dir) else { return [] }
        var removed: [String] = []
        while let rel = walker.nextObject() as? String {
            if !recursive { walker.skipDescendants() }
            let name = URL(fileURLWithPath: rel).lastPathComponent
            guard name.hasPrefix("."), name.hasSuffix(".tmp") else { continue }
            let parts = name.dropLast(4).split(separator: ".")
            guard let last = parts.last, let pid = Int32(last) else { continue }
            if pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH {
                let path = URL(fileURLWithPath: dir).appendingPathComponent(rel).path
                if (try? FileManager.default.removeItem(atPath: path)) != nil { removed.append(path) }
            }
        }
        return removed
    }
}
