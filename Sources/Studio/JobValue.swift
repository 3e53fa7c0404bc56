// JobValue.swift: a job file as a plain tree of values with line numbers, read from YAML 1.1
// (Yams over libyaml) or JSON (a subset that the same parser reads), so the job reader can name the
// exact field and line of any mistake. Scalars keep YAML's core-schema typing (int, float, bool,
// null, string); quoted scalars are always strings.
import Core
import Foundation
import Yams

public indirect enum JobValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case list([JobNode])
    /// Keys in file order (duplicates are refused while reading).
    case map([(key: String, value: JobNode)])

    public static func == (a: JobValue, b: JobValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.int(x), .int(y)): return x == y
        case let (.double(x), .double(y)): return x == y
        case let (.string(x), .string(y)): return x == y
        case let (.list(x), .list(y)): return x == y
        case let (.map(x), .map(y)): return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }

    /// What the value is, for error messages ("a number", "a list", ...).
    public var typeName: String {
        switch self {
        case .null: return "empty"
        case .bool: return "true/false"
        case .int: return "an integer"
        case .double: return "a number"
        case .string: return "text"
        case .list: return "a list"
        case .map: return "a mapping"
        }
    }
}

/// A value and the line it starts on (1-based; nil when unknown).
public struct JobNode: Equatable, Sendable {
    public var value: JobValue
    public var line: Int?
    public init(_ value: JobValue, line: Int? = nil) {
        self.value = value
        self.line = line
    }
}

public enum JobValueReader {
    /// Parses YAML or JSON text. `file` names the source in error messages.
    public static func parse(_ text: String, file: String) throws -> JobNode {
        try JobTextLimits.check(text, file: file)
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw DiptychError("\(file): not valid YAML or JSON: \(describe(error))")
        } catch {
            throw DiptychError("\(file): not valid YAML or JSON: \(error)")
        }
        guard let root else { throw DiptychError("\(file): the file is empty") }
        var budget = JobTextLimits.maxNodes
        return try convert(root, file: file, budget: &budget)
    }

    /// `budget`: nodes still allowed (aliases are expanded here, so a small file can name a huge tree).
    private static func convert(_ node: Node, file: String, budget: inout Int) throws -> JobNode {
        budget -= 1
        guard budget >= 0 else {
            throw DiptychError("\(file): the document expands to more than \(JobTextLimits.maxNodes) values (aliases of aliases?)")
        }
        let line = node.mark?.line
        switch node {
        case .scalar(let s):
            return JobNode(scalar(s), line: line)
        case .sequence(let seq):
            var items: [JobNode] = []
            for element in seq { items.append(try convert(element, file: file, budget: &budget)) }
            return JobNode(.list(items), line: line)
        case .mapping(let map):
            var pairs: [(key: String, value: JobNode)] = []
            var seen = Set<String>()
            for (k, v) in map {
                guard case .scalar(let ks) = k else {
                    throw DiptychError("\(file): line \(k.mark?.line ?? 0): a field name must be plain text")
                }
                if !seen.insert(ks.string).inserted {
                    throw DiptychError("\(file): line \(k.mark?.line ?? 0): field \"\(ks.string)\" appears twice")
                }
                pairs.append((ks.string, try convert(v, file: file, budget: &budget)))
            }
            return JobNode(.map(pairs), line: line)
        }
    }

    /// YAML 1.2 core-schema typing of a plain scalar; quoted and block scalars are text.
    private static func scalar(_ s: Node.Scalar) -> JobValue {
        if s.style == .singleQuoted || s.style == .doubleQuoted || s.style == .literal || s.style == .folded {
            return .string(s.string)
        }
        let t = s.string
        switch t {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        case ".inf", ".Inf", ".INF", "+.inf": return .double(.infinity)
        case "-.inf", "-.Inf", "-.INF": return .double(-.infinity)
        case ".nan", ".NaN", ".NAN": return .double(.nan)
        default: break
        }
        let body = t.first == "-" || t.first == "+" ? t.dropFirst() : Substring(t)
        if !body.isEmpty, body.allSatisfy(\.isASCII), body.allSatisfy(\.isNumber) {
            return Int(t).map(JobValue.int) ?? .double(Double(t)!)
        }
        if !body.isEmpty, body.first!.isNumber || body.first == ".",
           body.allSatisfy({ $0.isASCII && ($0.isNumber || "eE.+-".contains($0)) }), let d = Double(t) {
            return .double(d)
        }
        return .string(t)
    }

    private static func describe(_ error: YamlError) -> String {
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            let where_ = "line \(mark.line), column \(mark.column)"
            if let context { return "\(problem) \(context.text) (\(where_))" }
            return "\(problem) (\(where_))"
        default:
            return "\(error)".split(separator: "\n").first.map(String.init) ?? "\(error)"
        }
    }
}
