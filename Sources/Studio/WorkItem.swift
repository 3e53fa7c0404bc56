// WorkItem.swift: the unit the queue hands out: one image, one caption, one fill, or one report.
// Its key is the path of its main output inside Outputs/<job>/, unique in the job. Its spec hash
// (SHA-256 of its sorted-key JSON) tells a re-run which items changed and must be redone.
import Foundation

public enum ItemKind: String, Codable, Sendable {
    case image, caption, fill
    /// Runs after every other item of its task is done: the compare report or the eval scores.
    case report
}

public struct WorkItem: Codable, Equatable, Sendable {
    /// Path of the main output, relative to Outputs/<job>/.
    public var key: String
    /// Task index, 0-based.
    public var task: Int
    public var kind: ItemKind
    public var model: String
    /// Items with the same batch key may run in one model call.
    public var batchKey: String
    public var batchLimit: Int
    /// Every file the item writes, relative to Outputs/<job>/.
    public var outputs: [String]
    /// image: what to paint.
    public var image: GenerationParameters?
    /// caption and fill: how to decode.
    public var text: TextParameters?
    /// caption: the input image (path as resolved from the job file) and the SHA-256 of its bytes.
    public var source: String?
    public var sourceHash: String?
    /// edit and inpaint: the mask (path as resolved from the job file) and the SHA-256 of its bytes;
    /// the input image is `source`. Fill with an image: the image is `source`.
    public var maskSource: String?
    public var maskHash: String?
    /// fill: the text with [MASK] tokens.
    public var input: String?
    /// compare: "reference" or the run's label ("dpmpp-2m, 4 steps").
    public var group: String?
    /// report: SHA-256 over the spec hashes of the task's other items, so any change reruns it.
    public var inputsDigest: String?
    /// The model's weights hash when the job was queued, so new weights under the same name redo
    /// the items (nil when the executor has no weights file, as the fake one).
    public var modelHash: String?

    public init(key: String, task: Int, kind: ItemKind, model: String, batchKey: String, batchLimit: Int, outputs: [String]) {
        self.key = key
        self.task = task
        self.kind = kind
        self.model = model
        self.batchKey = batchKey
        self.batchLimit = batchLimit
        self.outputs = outputs
    }

    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }

    public static func decode(_ json: String) throws -> WorkItem {
        try JSONDecoder().decode(WorkItem.self, from: Data(json.utf8))
    }

    public var specHash: String { SHA256.hex(json) }
}

/// One file an item wrote, as the manifest lists it.
public struct ArtifactRecord: Codable, Equatable, Sendable {
    /// Relative to Outputs/<job>/.
    public var path: String
    /// "image", "caption", "fill", "report".
    public var kind: String
    public var sha256: String
    public var bytes: Int
    /// The parameters that made it (generation or text parameters, plus inputs), as JSON values.
    public var parameters: [String: JSONScalar]

    public init(path: String, kind: String, sha256: String, bytes: Int, parameters: [String: JSONScalar]) {
        self.path = path
        self.kind = kind
        self.sha256 = sha256
        self.bytes = bytes
        self.parameters = parameters
    }
}

/// A JSON scalar (parameters are flat: text, numbers, booleans).
public enum JSONScalar: Codable, Equatable, Sendable {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int.self) { self = .int(i) }
        else if let d = try? c.decode(Double.self) { self = .double(d) }
        else { self = .string(try c.decode(String.self)) }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .string(let s): try c.encode(s)
        case .int(let i): try c.encode(i)
        case .double(let d): try c.encode(d)
        case .bool(let b): try c.encode(b)
        }
    }
}

/// What an item produced: its files and how much work it took.
public struct ItemResult: Codable, Equatable, Sendable {
    public var artifacts: [ArtifactRecord]
    /// Network evaluations spent (0 for reports).
    public var nfe: Int
    /// Wall-clock seconds of the item's share of its batch (not part of any artifact).
    public var seconds: Double
    public init(artifacts: [ArtifactRecord], nfe: Int, seconds: Double) {
        self.artifacts = artifacts
        self.nfe = nfe
        self.seconds = seconds
    }
}
