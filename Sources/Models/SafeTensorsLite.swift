// SafeTensorsLite.swift: a minimal reader and writer of the safetensors format
// (huggingface/safetensors: 8-byte little-endian header length, JSON header naming each tensor's
// dtype, shape and byte range, "__metadata__" of string pairs, header padded with spaces to 8
// bytes, then the raw little-endian data). F32 and F16 only. A private stand-in used by the
// autoencoder until NN's SafeTensors lands.
import Core
import Foundation

enum SafeTensorsLite {
    enum DType: String { case f32 = "F32", f16 = "F16" }

    struct Entry {
        var name: String
        var shape: [Int]
        var values: [Float]
    }

    static func encode(_ entries: [Entry], dtype: DType, metadata: [String: String]) throws -> Data {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        let width = dtype == .f32 ? 4 : 2
        for e in entries {
            precondition(e.values.count == e.shape.reduce(1, *), "shape of \(e.name)")
            header[e.name] = ["dtype": dtype.rawValue, "shape": e.shape, "data_offsets": [offset, offset + e.values.count * width]]
            offset += e.values.count * width
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(0x20) }
        var out = Data(capacity: 8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(json)
        for e in entries {
            switch dtype {
            case .f32:
                e.values.withUnsafeBytes { out.append(contentsOf: $0) }
            case .f16:
                let half = e.values.map { Float16($0).bitPattern.littleEndian }
                half.withUnsafeBytes { out.append(contentsOf: $0) }
            }
        }
        return out
    }

    static func write(_ entries: [Entry], dtype: DType, metadata: [String: String], to path: String) throws {
        try AtomicFile.write(encode(entries, dtype: dtype, metadata: metadata), to: path)
    }

    /// All tensors (as Float) and the metadata of a safetensors file.
    static func read(_ path: String) throws -> (tensors: [String: Entry], metadata: [String: String]) {
        guard let data = FileManager.default.contents(atPath: path) else { throw DiptychError("cannot read \(path)") }
        guard data.count >= 8 else { throw DiptychError("\(path): not a safetensors file") }
        let n = data.prefix(8).withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) }
        guard n > 0, 8 + n <= data.count,
              let header = try? JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + n))) as? [String: Any] else {
            throw DiptychError("\(path): bad safetensors header")
        }
        let base = 8 + n
        var tensors: [String: Entry] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in header {
            if name == "__metadata__" { metadata = value as? [String: String] ?? [:]; continue }
            guard let d = value as? [String: Any], let dt = d["dtype"] as? String, let dtype = DType(rawValue: dt),
                  let shape = d["shape"] as? [Int], let offs = d["data_offsets"] as? [Int], offs.count == 2 else {
                throw DiptychError("\(path): unsupported entry \(name)")
            }
            let count = shape.reduce(1, *), width = dtype == .f32 ? 4 : 2
            guard offs[0] >= 0, offs[1] - offs[0] == count * width, base + offs[1] <= data.count else {
                throw DiptychError("\(path): bad byte range for \(name)")
            }
            let bytes = data.subdata(in: (base + offs[0])..<(base + offs[1]))
            let values: [Float] = bytes.withUnsafeBytes { raw in
                switch dtype {
                case .f32: return (0..<count).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
                case .f16: return (0..<count).map { Float(Float16(bitPattern: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self)))) }
                }
            }
            tensors[name] = Entry(name: name, shape: shape, values: values)
        }
        return (tensors, metadata)
    }
}
