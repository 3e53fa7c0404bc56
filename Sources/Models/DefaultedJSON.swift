// DefaultedJSON.swift: decodes a Codable config from JSON where any key may be missing: the JSON is
// merged (recursively, objects only) over the encoding of the type's defaults, then decoded. Config
// files then only list what they change, and old files keep loading when fields are added.
import Core
import Foundation

public enum DefaultedJSON {
    public static func decode<T: Codable>(_ type: T.Type, from data: Data, defaults: T) throws -> T {
        let base = try JSONSerialization.jsonObject(with: JSONEncoder().encode(defaults))
        let user: Any
        do { user = try JSONSerialization.jsonObject(with: data) } catch {
            throw DiptychError("config is not valid JSON: \(error.localizedDescription)")
        }
        let merged = merge(base, user)
        do {
            return try JSONDecoder().decode(T.self, from: JSONSerialization.data(withJSONObject: merged))
        } catch {
            throw DiptychError("config does not match \(T.self): \(error)")
        }
    }

    static func merge(_ base: Any, _ over: Any) -> Any {
        guard var b = base as? [String: Any], let o = over as? [String: Any] else { return over }
        for (k, v) in o { b[k] = b[k].map { merge($0, v) } ?? v }
        return b
    }

    /// Pretty, key-sorted JSON of a value (config files, checkpoints, model cards).
    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try e.encode(value)
    }
}
