// SafeTensorsTests.swift: the safetensors reader and writer. A file written by the Python
// `safetensors` package (scripts/make_safetensors_fixture.py) must load with the exact values
// torch reads; a file Diptych writes must equal the committed golden bytes that
// scripts/check_safetensors_roundtrip.py loads in Python; F16/BF16 rounding must match naive
// references; every corrupt file must be a one-line error.
import Core
import Foundation
import XCTest
@testable import NN

final class SafeTensorsTests: XCTestCase {
    static var fixtures: URL { Bundle.module.resourceURL!.appendingPathComponent("Fixtures/safetensors") }

    func testLoadsAFileWrittenByPythonSafetensors() throws {
        let file = try SafeTensors(path: Self.fixtures.appendingPathComponent("python_written.safetensors").path)
        let expectedData = try Data(contentsOf: Self.fixtures.appendingPathComponent("python_written.json"))
        let expected = try JSONSerialization.jsonObject(with: expectedData) as! [String: Any]
        let tensors = expected["tensors"] as! [String: [String: Any]]
        XCTAssertEqual(Set(file.names), Set(tensors.keys))
        XCTAssertEqual(file.metadata, expected["metadata"] as! [String: String])
        XCTAssertEqual(file.headerBytes % 8, 0)
        for (name, spec) in tensors {
            let entry = try XCTUnwrap(file.entry(name))
            XCTAssertEqual(entry.dtype.rawValue, spec["dtype"] as! String, name)
            XCTAssertEqual(entry.shape, spec["shape"] as! [Int], name)
            let want: [Float] = (spec["values"] as! [Any]).map { v in
                if let s = v as? String { return s == "inf" ? .infinity : -.infinity }
                return Float((v as! NSNumber).doubleValue)
            }
            let got = try file.floats(name)
            XCTAssertEqual(got.count, want.count, name)
            for (g, w) in zip(got, want) { XCTAssertEqual(g.bitPattern == w.bitPattern || g == w, true, "\(name): \(g) != \(w)") }
            XCTAssertEqual(try file.tensor(name).shape, entry.shape)
        }
    }

    /// The tensors of the golden file; scripts/check_safetensors_roundtrip.py builds the same ones.
    static func goldenTensors() -> [(name: String, tensor: Tensor, dtype: SafeTensors.DType)] {
        let f32 = Tensor(shape: [3, 5], values: (0..<15).map { Float($0) * 0.37 - 2 })
        let f16 = Tensor(shape: [2, 4], values: [0, -0.0, 1, -2.5, 1.0 / 3.0, 65504, 1e-7, 70000])
        // 1.00390625 and 1.01171875 lie exactly halfway between two bfloat16 values: ties go to even.
        let bf16 = Tensor(shape: [6], values: [1, 3.14159265, -1e30, 1e-30, 1.00390625, 1.01171875])
        return [("w.f32", f32, .F32), ("w.f16", f16, .F16), ("w.bf16", bf16, .BF16), ("empty", Tensor(shape: [0]), .F32)]
    }

    static let goldenMetadata = ["format": "pt", "note": "é 中 \"quoted\"\n", "config": #"{"d":256}"#]

    func testWrittenFileMatchesTheGoldenFileThatPythonChecks() throws {
        let bytes = try SafeTensors.encode(items: Self.goldenTensors(), metadata: Self.goldenMetadata)
        let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/safetensors/diptych_written.safetensors")
        if ProcessInfo.processInfo.environment["DIPTYCH_REGENERATE_FIXTURES"] == "1" {
            try AtomicFile.write(bytes, to: golden.path)
        }
        XCTAssertEqual(bytes, try Data(contentsOf: Self.fixtures.appendingPathComponent("diptych_written.safetensors")))
        let back = try SafeTensors(data: bytes)
        XCTAssertEqual(back.metadata, Self.goldenMetadata)
        XCTAssertEqual(back.names, ["w.f32", "w.f16", "w.bf16", "empty"])
        XCTAssertEqual(back.headerBytes % 8, 0)
        XCTAssertEqual(try back.floats("w.f32"), Self.goldenTensors()[0].tensor.toArray())
        XCTAssertEqual(try back.floats("w.bf16")[4...5], [1.0, 1.015625])
        XCTAssertEqual(try back.floats("w.f16")[7], .infinity)
    }

    func testRoundTripsAndRoundingMatchNaiveReferences() throws {
        var rng = Philox(seed: 5, stream: 0)
        var values = (0..<2000).map { i in rng.nextGaussian() * Float(1 << (i % 24)) / 4096 }
        values += [0, -0.0, .infinity, -.infinity, 65520, 65519, 6e-8, 3e-8, Float(bitPattern: 0x0001_8000), Float(bitPattern: 0x0002_8000),
                   Float.greatestFiniteMagnitude, Float(bitPattern: 0x7F7F_8000), Float(bitPattern: 0x7F7F_7FFF)]
        for i in 0..<300 { values.append(Float(bitPattern: rng.nextUInt32() & 0x7F7F_FFFF | (UInt32(i & 1) << 31))) }
        let t = Tensor(shape: [values.count], values: values)
        let file = try SafeTensors(data: SafeTensors.encode(items: [("a", t, .F32), ("b", t, .F16), ("c", t, .BF16)]))
        XCTAssertEqual(try file.floats("a").map(\.bitPattern), values.map(\.bitPattern))
        XCTAssertEqual(try file.floats("b").map(\.bitPattern), values.map { Float(Float16($0)).bitPattern })
        XCTAssertEqual(try file.floats("c").map(\.bitPattern), values.map { naiveBF16($0).bitPattern })
        let nan = try SafeTensors(data: SafeTensors.encode([("n", Tensor(shape: [1], values: [.nan]))], dtype: .BF16))
        XCTAssertTrue(try nan.floats("n")[0].isNaN)
    }

    /// bfloat16 rounding by brute force: the nearer of the two neighbours, ties to the even one.
    func naiveBF16(_ x: Float) -> Float {
        if !x.isFinite { return x }
        let low = Float(bitPattern: x.bitPattern & 0xFFFF_0000)
        let high = Float(bitPattern: (x.bitPattern & 0xFFFF_0000) &+ 0x1_0000)
        // Past the largest finite value the upper neighbour stands for 2^128 (it rounds to infinity).
        let highValue = high.isInfinite ? (high < 0 ? -0x1p128 : 0x1p128) : Double(high)
        let dLow = abs(Double(x) - Double(low)), dHigh = abs(highValue - Double(x))
        if dLow < dHigh { return low }
        if dHigh < dLow { return high }
        return (low.bitPattern >> 16) & 1 == 0 ? low : high
    }

    func testLoadIntoChecksShapeAndUnknownNames() throws {
        let file = try SafeTensors(data: SafeTensors.encode([("x", Tensor(shape: [2, 2], values: [1, 2, 3, 4]))]))
        let dst = Tensor(shape: [2, 2])
        try file.load("x", into: dst)
        XCTAssertEqual(dst.toArray(), [1, 2, 3, 4])
        XCTAssertThrowsError(try file.load("x", into: Tensor(shape: [4])))
        XCTAssertThrowsError(try file.tensor("y"))
        XCTAssertThrowsError(try SafeTensors.encode([("x", dst), ("x", dst)]))
        XCTAssertThrowsError(try SafeTensors.encode([("__metadata__", dst)]))
    }

    // MARK: - corrupt files

    /// A file with the given header text (padded to 8) and `buffer` data bytes.
    func file(_ header: String, buffer: Int, headerLength: UInt64? = nil) -> Data {
        var h = Array(header.utf8)
        while h.count % 8 != 0 { h.append(0x20) }
        var d = Data()
        withUnsafeBytes(of: (headerLength ?? UInt64(h.count)).littleEndian) { d.append(contentsOf: $0) }
        d.append(contentsOf: h)
        d.append(Data(count: buffer))
        return d
    }

    func assertRejected(_ data: Data, _ fragment: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try SafeTensors(data: data), file: file, line: line) { error in
            let message = (error as? DiptychError)?.message ?? ""
            XCTAssertTrue(message.hasPrefix("safetensors: ") && message.contains(fragment), message, file: file, line: line)
            XCTAssertFalse(message.contains("\n"), file: file, line: line)
        }
    }

    func testCorruptFilesAreClearErrors() {
        let a = #""a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}"#
        XCTAssertNoThrow(try SafeTensors(data: file("{\(a)}", buffer: 8)))
        assertRejected(file("{\(a)}", buffer: 4), "data buffer")
        assertRejected(file("{\(a)}", buffer: 12), "trailing")
        assertRejected(file(#"{\#(a),"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#, buffer: 12), "overlaps")
        assertRejected(file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, buffer: 8), "gap")
        assertRejected(file(#"{"a":{"dtype":"Q7","shape":[2],"data_offsets":[0,8]}}"#, buffer: 8), "unknown dtype 'Q7'")
        assertRejected(file(#"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, buffer: 8), "needs 12")
        assertRejected(file(#"{"a":{"dtype":"F32","shape":[2.5],"data_offsets":[0,8]}}"#, buffer: 8), "shape")
        assertRejected(file(#"{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#, buffer: 8), "shape")
        assertRejected(file(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}"#, buffer: 8), "out of order")
        assertRejected(file(#"{"a":{"dtype":"F32","shape":[2]}}"#, buffer: 8), "data_offsets")
        assertRejected(file(#"{"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}}"#, buffer: 8), "absurd")
        assertRejected(file(#"{"__metadata__":{"k":3}}"#, buffer: 0), "not a string")
        assertRejected(file("[1,2]", buffer: 0), "not a JSON object")
        assertRejected(file("{\"a\":", buffer: 0), "not valid JSON")
        assertRejected(file("{\(a)}", buffer: 8, headerLength: 1 << 40), "exceeds")
        assertRejected(file("{\(a)}", buffer: 8, headerLength: 4096), "longer than the file")
        assertRejected(Data([1, 2, 3]), "shorter than")
    }

    func testEveryTruncationIsRejected() throws {
        let data = try Data(contentsOf: Self.fixtures.appendingPathComponent("python_written.safetensors"))
        for cut in 0..<data.count { XCTAssertThrowsError(try SafeTensors(data: data.prefix(cut)), "cut at \(cut)") }
    }
}
