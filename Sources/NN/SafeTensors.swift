// SafeTensors.swift: reading and writing the safetensors format (Hugging Face, format spec in the
// safetensors repository README): 8-byte little-endian header length N, N bytes of JSON (padded
// with spaces; Diptych pads so the data starts at a multiple of 8), then one byte buffer. The JSON
// maps each tensor name to {"dtype", "shape", "data_offsets": [begin, end]} (offsets relative to
// the buffer) plus an optional "__metadata__" map of strings to strings.
//
// Loading validates everything before trusting it: header size cap, JSON shape, known dtypes,
// byte counts that match shapes, offsets that tile the buffer from 0 with no gap or overlap, and
// the file length. Floats convert from F32, F16 (IEEE half) and BF16; writing F16 and BF16 rounds
// to nearest even.
import Core
import Foundation

public struct SafeTensors: Sendable {
    /// Element types of the format. Only F32, F16 and BF16 convert to and from Float here; the
    /// others are recognised (so a file can be listed) but not loaded.
    public enum DType: String, Sendable, CaseIterable, Codable {
        case F64, F32, F16, BF16, I64, I32, I16, I8, U64, U32, U16, U8, BOOL, F8_E5M2, F8_E4M3
        public var byteSize: Int {
            switch self {
            case .F64, .I64, .U64: return 8
            case .F32, .I32, .U32: return 4
            case .F16, .BF16, .I16, .U16: return 2
            case .I8, .U8, .BOOL, .F8_E5M2, .F8_E4M3: return 1
            }
        }
        public var isFloatLoadable: Bool { self == .F32 || self == .F16 || self == .BF16 }
    }

    /// One tensor's entry in the header.
    public struct Entry: Sendable, Equatable {
        public var name: String
        public var dtype: DType
        public var shape: [Int]
        /// Byte range inside the data buffer.
        public var begin: Int
        public var end: Int
        public var count: Int { shape.reduce(1, *) }
    }

    /// Largest header accepted (the reference implementation's limit).
    public static let maxHeaderBytes = 100_000_000

    /// Entries in buffer order.
    public let entries: [Entry]
    public let metadata: [String: String]
    /// Size of the JSON header in bytes (N).
    public let headerBytes: Int
    private let data: Data
    private let index: [String: Int]

    /// Parses and validates a whole file held in memory.
    public init(data: Data) throws {
        self.data = data
        guard data.count >= 8 else { throw Self.error("file is \(data.count) bytes, shorter than the 8-byte header length") }
        let n = data.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard n <= UInt64(Self.maxHeaderBytes) else { throw Self.error("header of \(n) bytes exceeds the \(Self.maxHeaderBytes)-byte limit") }
        guard n <= UInt64(data.count - 8) else { throw Self.error("header of \(n) bytes is longer than the file (\(data.count) bytes)") }
        headerBytes = Int(n)
        let header = data.subdata(in: (data.startIndex + 8)..<(data.startIndex + 8 + headerBytes))
        guard header.first == UInt8(ascii: "{") else { throw Self.error("header is not a JSON object") }
        guard String(data: header, encoding: .utf8) != nil else { throw Self.error("header is not valid UTF-8") }
        let object: [String: Any]
        do {
            guard let parsed = try JSONSerialization.jsonObject(with: header) as? [String: Any] else {
                throw Self.error("header is not a JSON object")
            }
            object = parsed
        } catch let e as DiptychError {
            throw e
        } catch {
            throw Self.error("header is not valid JSON")
        }
        var meta: [String: String] = [:]
        var list: [Entry] = []
        for (name, value) in object {
            if name == "__metadata__" {
                guard let map = value as? [String: Any] else { throw Self.error("__metadata__ is not an object") }
                for (k, v) in map {
                    guard let s = v as? String else { throw Self.error("__metadata__ value of '\(k)' is not a string") }
                    meta[k] = s
                }
                continue
            }
            list.append(try Self.entry(name: name, value))
        }
        list.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        let bufferBytes = data.count - 8 - headerBytes
        var next = 0
        for e in list {
            if e.begin < next { throw Self.error("tensor '\(e.name)' overlaps the tensor before it (offset \(e.begin) < \(next))") }
            if e.begin > next { throw Self.error("gap in the data before tensor '\(e.name)' (offset \(e.begin), expected \(next))") }
            next = e.end
        }
        if next != bufferBytes {
            throw Self.error("data buffer is \(bufferBytes) bytes but the tensors cover \(next) (file truncated or has trailing bytes)")
        }
        entries = list
        metadata = meta
        index = Dictionary(uniqueKeysWithValues: list.enumerated().map { ($1.name, $0) })
    }

    /// Reads and validates a file (memory-mapped when possible); errors name the file.
    public init(path: String) throws {
        let bytes: Data
        do {
            bytes = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw DiptychError("cannot read \(path): \((error as NSError).localizedDescription)")
        }
        do {
            try self.init(data: bytes)
        } catch let e as DiptychError {
            throw DiptychError("\(path): \(e.message)")
        }
    }

    public var names: [String] { entries.map(\.name) }

    public func entry(_ name: String) -> Entry? { index[name].map { entries[$0] } }

    /// The named tensor converted to float32.
    public func tensor(_ name: String) throws -> Tensor {
        let e = try floatEntry(name)
        let t = Tensor(shape: e.shape)
        convert(e, into: t.data)
        return t
    }

    /// The named tensor's values converted to float32, row-major.
    public func floats(_ name: String) throws -> [Float] {
        let e = try floatEntry(name)
        var out = [Float](repeating: 0, count: e.count)
        out.withUnsafeMutableBufferPointer { convert(e, into: $0.baseAddress!) }
        return out
    }

    /// Copies the named tensor into an existing tensor of the same shape (e.g. a parameter view).
    public func load(_ name: String, into tensor: Tensor) throws {
        let e = try floatEntry(name)
        guard e.shape == tensor.shape else {
            throw DiptychError("safetensors: tensor '\(name)' has shape \(e.shape), expected \(tensor.shape)")
        }
        convert(e, into: tensor.data)
    }

    private func floatEntry(_ name: String) throws -> Entry {
        guard let e = entry(name) else { throw DiptychError("safetensors: no tensor named '\(name)'") }
        guard e.dtype.isFloatLoadable else {
            throw DiptychError("safetensors: tensor '\(name)' has dtype \(e.dtype.rawValue); only F32, F16 and BF16 load as floats")
        }
        return e
    }

    private func convert(_ e: Entry, into dst: UnsafeMutablePointer<Float>) {
        data.withUnsafeBytes { raw in
            let src = raw.baseAddress! + 8 + headerBytes + e.begin
            SafeTensorsConversion.toFloat(e.dtype, src, dst, e.count)
        }
    }

    static func error(_ message: String) -> DiptychError { DiptychError("safetensors: \(message)") }

    private static func entry(name: String, _ value: Any) throws -> Entry {
        guard !name.isEmpty else { throw error("empty tensor name") }
        guard let map = value as? [String: Any] else { throw error("entry '\(name)' is not an object") }
        guard let dtypeName = map["dtype"] as? String else { throw error("tensor '\(name)' has no dtype") }
        guard let dtype = DType(rawValue: dtypeName) else { throw error("tensor '\(name)' has unknown dtype '\(dtypeName)'") }
        guard let shapeValues = map["shape"] as? [Any], let shape = integers(shapeValues) else {
            throw error("tensor '\(name)' has no valid shape")
        }
        guard let offsetValues = map["data_offsets"] as? [Any], let offsets = integers(offsetValues), offsets.count == 2 else {
            throw error("tensor '\(name)' has no valid data_offsets")
        }
        guard offsets[0] <= offsets[1] else { throw error("tensor '\(name)' has data_offsets [\(offsets[0]), \(offsets[1])] out of order") }
        var count = 1
        for d in shape {
            let (p, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow, p <= Int(UInt32.max) * 64 else { throw error("tensor '\(name)' has an absurd shape \(shape)") }
            count = p
        }
        let bytes = count * dtype.byteSize
        guard offsets[1] - offsets[0] == bytes else {
            throw error("tensor '\(name)' has \(offsets[1] - offsets[0]) bytes but \(dtype.rawValue) \(shape) needs \(bytes)")
        }
        return Entry(name: name, dtype: dtype, shape: shape, begin: offsets[0], end: offsets[1])
    }

    /// Non-negative integers from JSON numbers, or nil (floats, negatives, booleans, strings).
    private static func integers(_ values: [Any]) -> [Int]? {
        var out: [Int] = []
        for v in values {
            guard let n = v as? NSNumber, String(cString: n.objCType) != "c", n.doubleValue == n.doubleValue.rounded(),
                  n.doubleValue >= 0, n.doubleValue < 9e15 else { return nil }
            out.append(n.intValue)
        }
        return out
    }
}
