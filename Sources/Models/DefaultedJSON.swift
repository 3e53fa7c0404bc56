// DefaultedJSON.swift: decodes a Codable config from JSON where any key may be missing: the JSON is
// merged (recursively, objects only) over the encoding of the type's defaults, then decoded. Config
// files then only list what they change, and old files keep loading when fields are added.
//
// It is strict about what it does not know: a key that the decoded value does not carry (found by
// encoding the result again) is a typo or a removed option, and is an error that names the key and
// the nearest valid one, as job files do. Decoding errors become one line naming the key path.
import Core
import Foundation

public enum DefaultedJSON {
    /// Most bytes a config file may have (configs are a few kB; this bounds parsing work).
    public static let maxBytes = 4 << 20

    public static func decode<T: Codable>(_ type: T.Type, from data: Data, defaults: T, what: String = "config") throws -> T {
        guard data.count <= maxBytes else { throw DiptychError("\(what) is \(data.count) bytes; at most \(maxBytes) are read") }
        let base = try JSONSerialization.jsonObject(with: JSONEncoder().encode(defaults))
        let user: Any
        do { user = try JSONSerialization.jsonObject(with: data) } catch {
            throw DiptychError("\(what) is not valid JSON")
        }
        guard user is [String: Any] else { throw DiptychError("\(what) must be a JSON object") }
        let merged = merge(base, user)
        let value: T
        do {
            value = try JSONDecoder().decode(T.self, from: JSONSerialization.data(withJSONObject: merged))
        } catch let error as DecodingError {
            throw DiptychError("\(what): \(describe(error))")
        } catch {
            throw DiptychError("\(what) does not match \(T.self): \(error.localizedDescription)")
        }
        let known = try JSONSerialization.jsonObject(with: JSONEncoder().encode(value))
        if let (path, suggestion) = firstUnknownKey(user, known: known, base: base, path: "") {
            throw DiptychError("\(what): unknown key '\(path)'" + (suggestion.map { " (did you mean '\($0)'?)" } ?? ""))
        }
        return value
    }

    static func merge(_ base: Any, _ over: Any) -> Any {
        guard var b = base as? [String: Any], let o = over as? [String: Any] else { return over }
        for (k, v) in o { b[k] = b[k].map { merge($0, v) } ?? v }
        return b
    }

    /// The dotted path of the first key of `user` (sorted order) that neither the decoded value's
    /// encoding nor the defaults carry, with the nearest valid key at that level. Null values are
    /// skipped (an optional set to null is not encoded again).
    static func firstUnknownKey(_ user: Any, known: Any, base: Any, path: String) -> (String, String?)? {
        guard let u = user as? [String: Any] else { return nil }
        let k = known as? [String: Any] ?? [:], b = base as? [String: Any] ?? [:]
        for key in u.keys.sorted() {
            let here = path.isEmpty ? key : path + "." + key
            if u[key] is NSNull { continue }
            guard k[key] != nil || b[key] != nil else {
                let valid = Set(k.keys).union(b.keys)
                return (here, nearest(key, in: valid).map { path.isEmpty ? $0 : path + "." + $0 })
            }
            if let found = firstUnknownKey(u[key]!, known: k[key] ?? [:], base: b[key] ?? [:], path: here) { return found }
        }
        return nil
    }

    /// The candidate closest to `key` by edit distance, when it is close enough to be a typo.
    public static func nearest(_ key: String, in candidates: Set<String>) -> String? {
        let scored = candidates.map { ($0, editDistance(key.lowercased(), $0.lowercased())) }
        guard let best = scored.min(by: { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }) else { return nil }
        return best.1 <= max(2, key.count / 3) ? best.0 : nil
    }

    /// Edit distance counting an insertion, a deletion, a substitution or a swap of two neighbours as
    /// one edit (optimal string alignment), so "guidanceMni" is nearest to "guidanceMin".
    public static func editDistance(_ a: String, _ b: String) -> Int {
        let x = Array(a), y = Array(b)
        guard !x.isEmpty else { return y.count }
        guard !y.isEmpty else { return x.count }
        var d = [[Int]](repeating: [Int](repeating: 0, count: y.count + 1), count: x.count + 1)
        for i in 0...x.count { d[i][0] = i }
        for j in 0...y.count { d[0][j] = j }
        for i in 1...x.count {
            for j in 1...y.count {
                let cost = x[i - 1] == y[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1 && j > 1 && x[i - 1] == y[j - 2] && x[i - 2] == y[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
            }
        }
        return d[x.count][y.count]
    }

    /// One line for a decoding error: where, and what was expected.
    public static func describe(_ error: DecodingError) -> String {
        func path(_ c: [CodingKey]) -> String {
            let p = c.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            return p.isEmpty ? "the top level" : "'\(p.replacingOccurrences(of: ".[", with: "["))'"
        }
        switch error {
        case .typeMismatch(let type, let c): return "\(path(c.codingPath)) should be \(typeName(type))"
        case .valueNotFound(let type, let c): return "\(path(c.codingPath)) should be \(typeName(type)), not null"
        case .keyNotFound(let key, let c): return "missing key '\(key.stringValue)' in \(path(c.codingPath))"
        case .dataCorrupted(let c):
            return "\(path(c.codingPath)): \(c.debugDescription.prefix(120))"
        @unknown default: return "cannot decode"
        }
    }

    static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type, is Int32.Type, is Int64.Type, is UInt64.Type, is UInt32.Type: return "an integer"
        case is Float.Type, is Double.Type: return "a number"
        case is Bool.Type: return "true or false"
        case is String.Type: return "a string"
        default:
            let name = "\(type)"
            if name.hasPrefix("Array") { return "a list" }
            if name.hasPrefix("Dictionary") { return "an object" }
            return "a \(name)"
        }
    }

    /// Pretty, key-sorted JSON of a value (config files, checkpoints, model cards).
    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try e.encode(value)
    }
}
