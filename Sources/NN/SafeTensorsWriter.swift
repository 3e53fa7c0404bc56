// SafeTensorsWriter.swift: writing safetensors files (format: see SafeTensors.swift) and the
// float conversions both directions share. F16 is IEEE 754 binary16 through Swift's Float16;
// BF16 keeps the top 16 bits of a float32, rounded to nearest even (NaN stays a quiet NaN).
import Core
import Foundation

extension SafeTensors {
    /// Encodes tensors, in the given order, all stored as `dtype` (F32, F16 or BF16).
    public static func encode(_ tensors: [(String, Tensor)], dtype: DType = .F32,
                              metadata: [String: String] = [:]) throws -> Data {
        try encode(items: tensors.map { ($0.0, $0.1, dtype) }, metadata: metadata)
    }

    /// Encodes tensors with one dtype each. Names must be unique, non-empty and not "__metadata__".
    public static func encode(items: [(name: String, tensor: Tensor, dtype: DType)],
                              metadata: [String: String] = [:]) throws -> Data {
        var seen = Set<String>()
        var json = "{"
        if !metadata.isEmpty {
            json += "\"__metadata__\":{"
            json += metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0]!))" }.joined(separator: ",")
            json += "}"
        }
        var offset = 0
        for item in items {
            guard !item.name.isEmpty, item.name != "__metadata__", seen.insert(item.name).inserted else {
                throw error("cannot write tensor name '\(item.name)' (empty, reserved or repeated)")
            }
            guard item.dtype.isFloatLoadable else { throw error("cannot write dtype \(item.dtype.rawValue) (use F32, F16 or BF16)") }
            let bytes = item.tensor.count * item.dtype.byteSize
            if json.count > 1 { json += "," }
            json += "\(jsonString(item.name)):{\"dtype\":\"\(item.dtype.rawValue)\",\"shape\":[\(item.tensor.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(offset + bytes)]}"
            offset += bytes
        }
        json += "}"
        var header = Array(json.utf8)
        while header.count % 8 != 0 { header.append(0x20) }
        var out = Data(capacity: 8 + header.count + offset)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: header)
        for item in items {
            var chunk = Data(count: item.tensor.count * item.dtype.byteSize)
            chunk.withUnsafeMutableBytes { raw in
                if let base = raw.baseAddress {
                    SafeTensorsConversion.fromFloat(item.dtype, item.tensor.data, base, item.tensor.count)
                }
            }
            out.append(chunk)
        }
        return out
    }

    /// Writes a file atomically (temporary file and rename).
    public static func write(_ tensors: [(String, Tensor)], to path: String, dtype: DType = .F32,
                             metadata: [String: String] = [:]) throws {
        try AtomicFile.write(encode(tensors, dtype: dtype, metadata: metadata), to: path)
    }

    /// A JSON string literal (quotes, backslashes and control characters escaped).
    static func jsonString(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }
}

/// Float conversions for the three loadable dtypes, over raw little-endian bytes (no alignment assumed).
public enum SafeTensorsConversion {
    public static func toFloat(_ dtype: SafeTensors.DType, _ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ n: Int) {
        switch dtype {
        case .F32:
            for i in 0..<n { dst[i] = Float(bitPattern: UInt32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
        case .F16:
            for i in 0..<n { dst[i] = Float(Float16(bitPattern: UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))) }
        case .BF16:
            for i in 0..<n { dst[i] = bf16ToFloat(UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) }
        default:
            preconditionFailure("dtype \(dtype) does not convert to Float")
        }
    }

    public static func fromFloat(_ dtype: SafeTensors.DType, _ src: UnsafePointer<Float>, _ dst: UnsafeMutableRawPointer, _ n: Int) {
        switch dtype {
        case .F32:
            for i in 0..<n { dst.storeBytes(of: src[i].bitPattern.littleEndian, toByteOffset: 4 * i, as: UInt32.self) }
        case .F16:
            for i in 0..<n { dst.storeBytes(of: Float16(src[i]).bitPattern.littleEndian, toByteOffset: 2 * i, as: UInt16.self) }
        case .BF16:
            for i in 0..<n { dst.storeBytes(of: floatToBF16(src[i]).littleEndian, toByteOffset: 2 * i, as: UInt16.self) }
        default:
            preconditionFailure("dtype \(dtype) does not convert from Float")
        }
    }

    @inline(__always)
    public static func bf16ToFloat(_ b: UInt16) -> Float { Float(bitPattern: UInt32(b) << 16) }

    /// Round to nearest even; NaN maps to a quiet NaN with the same sign.
    @inline(__always)
    public static func floatToBF16(_ f: Float) -> UInt16 {
        let bits = f.bitPattern
        if f.isNaN { return UInt16(truncatingIfNeeded: bits >> 16) | 0x0040 }
        let rounded = bits &+ 0x7FFF &+ ((bits >> 16) & 1)
        return UInt16(truncatingIfNeeded: rounded >> 16)
    }
}
