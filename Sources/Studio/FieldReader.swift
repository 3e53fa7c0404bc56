// FieldReader.swift: strict reading of one mapping of a job file. Unknown fields, wrong types and
// values out of bounds become one-line errors naming the file, the place ("task 2 (generate)") and
// the field, with the line number and, for a misspelt field, the nearest known name.
import Core
import Foundation

struct FieldReader {
    let file: String
    /// Where in the file, e.g. "task 2 (generate)", "defaults"; nil at the top level.
    let place: String?
    let line: Int?
    private let fields: [String: JobNode]

    /// Reads `node` as a mapping whose keys must all be in `allowed`.
    init(_ node: JobNode, file: String, place: String?, allowed: [String]) throws {
        self.file = file
        self.place = place
        self.line = node.line
        guard case .map(let pairs) = node.value else {
            throw FieldReader.error(file: file, place: place, "must be a mapping of fields, got \(node.value.typeName)", line: node.line)
        }
        for (key, value) in pairs where !allowed.contains(key) {
            var message = "unknown field \"\(key)\""
            if let near = FieldReader.nearest(key, in: allowed) { message += " (did you mean \"\(near)\"?)" }
            throw FieldReader.error(file: file, place: place, message, line: value.line)
        }
        fields = Dictionary(uniqueKeysWithValues: pairs.map { ($0.key, $0.value) })
    }

    static func error(file: String, place: String?, _ message: String, line: Int?) -> DiptychError {
        var text = "\(file): "
        if let place { text += "\(place): " }
        text += message
        if let line { text += " (line \(line))" }
        return DiptychError(text)
    }

    func error(_ message: String, line: Int? = nil) -> DiptychError {
        FieldReader.error(file: file, place: place, message, line: line ?? self.line)
    }

    func has(_ key: String) -> Bool {
        guard let n = fields[key] else { return false }
        return n.value != .null
    }

    func node(_ key: String) -> JobNode? {
        guard let n = fields[key], n.value != .null else { return nil }
        return n
    }

    /// The error for a field with a bad value: `field "steps" must be ..., got ...`.
    func bad(_ key: String, _ requirement: String, _ got: JobValue?) -> DiptychError {
        var message = "field \"\(key)\" must be \(requirement)"
        if let got { message += ", got \(FieldReader.show(got))" }
        return error(message, line: fields[key]?.line)
    }

    static func show(_ v: JobValue) -> String {
        switch v {
        case .int(let i): return "\(i)"
        case .double(let d): return "\(d)"
        case .bool(let b): return "\(b)"
        case .string(let s): return "\"\(s.count > 40 ? String(s.prefix(40)) + "..." : s)\""
        default: return v.typeName
        }
    }

    func string(_ key: String, nonEmpty: Bool = true, maxLength: Int = 1000) throws -> String? {
        guard let n = node(key) else { return nil }
        guard case .string(let s) = n.value else { throw bad(key, "text", n.value) }
        if nonEmpty && s.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { throw bad(key, "non-empty text", nil) }
        if s.count > maxLength { throw bad(key, "at most \(maxLength) characters long", nil) }
        return s
    }

    func choice(_ key: String, _ choices: [String]) throws -> String? {
        guard let n = node(key) else { return nil }
        guard case .string(let s) = n.value, choices.contains(s) else {
            throw bad(key, "one of " + choices.map { "\"\($0)\"" }.joined(separator: ", "), n.value)
        }
        return s
    }

    func int(_ key: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let n = node(key) else { return nil }
        return try FieldReader.checkedInt(n.value, in: range) { bad(key, $0, $1) }
    }

    static func checkedInt(_ v: JobValue, in range: ClosedRange<Int>,
                           _ fail: (String, JobValue?) -> DiptychError) throws -> Int {
        let requirement = "an integer from \(range.lowerBound) to \(range.upperBound)"
        switch v {
        case .int(let i) where range.contains(i): return i
        case .double(let d):
            // Int(exactly:) also refuses 2^63, which compares equal to Double(Int.max).
            if let i = Int(exactly: d), range.contains(i) { return i }
            throw fail(requirement, v)
        default: throw fail(requirement, v)
        }
    }

    func double(_ key: String, in range: ClosedRange<Double>) throws -> Double? {
        guard let n = node(key) else { return nil }
        let d: Double
        switch n.value {
        case .int(let i): d = Double(i)
        case .double(let x): d = x
        default: throw bad(key, "a number", n.value)
        }
        guard d.isFinite, range.contains(d) else {
            throw bad(key, "a number from \(FieldReader.format(range.lowerBound)) to \(FieldReader.format(range.upperBound))", n.value)
        }
        return d
    }

    func seed(_ key: String) throws -> UInt64? {
        guard let n = node(key) else { return nil }
        return UInt64(try FieldReader.checkedInt(n.value, in: 0...Int.max) { bad(key, "a seed (" + $0 + ")", $1) })
    }

    /// A list of text, or a single text as a one-element list.
    func strings(_ key: String, count range: ClosedRange<Int>, maxLength: Int = 1000) throws -> [String]? {
        guard let n = node(key) else { return nil }
        var out: [String] = []
        switch n.value {
        case .string(let s): out = [s]
        case .list(let items):
            for item in items {
                guard case .string(let s) = item.value else { throw bad(key, "a list of text", item.value) }
                out.append(s)
            }
        default: throw bad(key, "a list of text", n.value)
        }
        try checkCount(key, out.count, range)
        for s in out where s.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty || s.count > maxLength {
            throw bad(key, "a list of non-empty texts of at most \(maxLength) characters", nil)
        }
        return out
    }

    /// A list of integers, or a single integer as a one-element list.
    func ints(_ key: String, in range: ClosedRange<Int>, count: ClosedRange<Int>) throws -> [Int]? {
        guard let n = node(key) else { return nil }
        let values: [JobValue]
        if case .list(let items) = n.value { values = items.map(\.value) } else { values = [n.value] }
        try checkCount(key, values.count, count)
        return try values.map { v in
            try FieldReader.checkedInt(v, in: range) { bad(key, "a list of integers from \(range.lowerBound) to \(range.upperBound)", $1) }
        }
    }

    func seeds(_ key: String, count: ClosedRange<Int>) throws -> [UInt64]? {
        guard let n = node(key) else { return nil }
        let values: [JobValue]
        if case .list(let items) = n.value { values = items.map(\.value) } else { values = [n.value] }
        try checkCount(key, values.count, count)
        let seeds = try values.map { v in UInt64(try FieldReader.checkedInt(v, in: 0...Int.max) { bad(key, "a list of seeds (integers of 0 or more)", $1) }) }
        if Set(seeds).count != seeds.count { throw bad(key, "a list of distinct seeds", nil) }
        return seeds
    }

    func list(_ key: String, count range: ClosedRange<Int>) throws -> [JobNode]? {
        guard let n = node(key) else { return nil }
        guard case .list(let items) = n.value else { throw bad(key, "a list", n.value) }
        try checkCount(key, items.count, range)
        return items
    }

    func checkCount(_ key: String, _ count: Int, _ range: ClosedRange<Int>) throws {
        guard range.contains(count) else {
            let what = range.lowerBound == range.upperBound ? "exactly \(range.lowerBound)" : "from \(range.lowerBound) to \(range.upperBound)"
            throw error("field \"\(key)\" must hold \(what) entries, got \(count)", line: fields[key]?.line)
        }
    }

    /// At most one of `keys` may be given; with `required`, exactly one.
    func exclusive(_ keys: [String], required: Bool) throws {
        let given = keys.filter(has)
        if given.count > 1 {
            throw error("give only one of " + given.map { "\"\($0)\"" }.joined(separator: ", "), line: fields[given[1]]?.line)
        }
        if required && given.isEmpty {
            throw error("missing field: give one of " + keys.map { "\"\($0)\"" }.joined(separator: ", "))
        }
    }

    static func format(_ d: Double) -> String { d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d) }

    /// The allowed name closest to a misspelt one (edit distance at most 2), if any.
    static func nearest(_ key: String, in allowed: [String]) -> String? {
        EditDistance.nearest(key, in: allowed, maxDistance: 2)
    }
}
