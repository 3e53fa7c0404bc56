// TestSafeTensors.swift: a minimal safetensors reader for test fixtures (F32 only): 8-byte little-endian
// header length, JSON header {name: {dtype, shape, data_offsets}, __metadata__}, then raw data.
import Foundation

struct TestSafeTensors {
    var tensors: [String: (shape: [Int], values: [Float])] = [:]
    var metadata: [String: String] = [:]

    init(path: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let n = data.prefix(8).withUnsafeBytes { Int($0.loadUnaligned(as: UInt64.self).littleEndian) }
        let header = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<8 + n)) as! [String: Any]
        for (name, value) in header {
            let info = value as! [String: Any]
            if name == "__metadata__" { metadata = info as! [String: String]; continue }
            precondition(info["dtype"] as! String == "F32", "fixture tensors are F32")
            let shape = (info["shape"] as! [NSNumber]).map(\.intValue)
            let offsets = (info["data_offsets"] as! [NSNumber]).map(\.intValue)
            let bytes = data.subdata(in: 8 + n + offsets[0]..<8 + n + offsets[1])
            let values = bytes.withUnsafeBytes { raw in (0..<raw.count / 4).map { raw.loadUnaligned(fromByteOffset: $0 * 4, as: Float.self) } }
            tensors[name] = (shape, values)
        }
    }
}
