// BundleRefusalTests.swift: a bundle whose parts disagree or whose numbers are out of range is refused
// at load with one line naming what is wrong (never a trap, an out-of-bounds read or a black image).
// Each case edits one file of a copy of Models/default.
import Core
import Foundation
import Models
import NN
import Studio
import XCTest

final class BundleRefusalTests: TemporaryFolderTestCase {
    static let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Models/default").standardized.path

    /// A copy of Models/default in the test folder, with `edit` applied to its bundle.json object.
    func copy(editing edit: (inout [String: Any]) -> Void = { _ in }) throws -> String {
        let to = dir + "/bundle"
        try FileManager.default.copyItem(atPath: Self.shipped, toPath: to)
        var json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: to + "/bundle.json"))) as! [String: Any]
        edit(&json)
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: to + "/bundle.json"))
        return to
    }

    func assertRefused(_ path: String, _ fragment: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try BundleModel(path: path), file: file, line: line) { e in
            let text = "\(e)"
            XCTAssertTrue(text.contains(fragment), "'\(text)' does not say '\(fragment)'", file: file, line: line)
            XCTAssertFalse(text.contains("\n"), "more than one line: \(text)", file: file, line: line)
        }
    }

    func testShippedCopyLoads() throws {
        XCTAssertNoThrow(try BundleModel(path: try copy()))
    }

    func testHugeOrBadManifestNumbers() throws {
        assertRefused(try copy { $0["defaultSteps"] = 1_000_000_000 }, "defaultSteps 1000000000 is outside 1...1000")
        try FileManager.default.removeItem(atPath: dir + "/bundle")
        assertRefused(try copy { $0["defaultSampler"] = "dpm-fast" }, "unknown defaultSampler 'dpm-fast'")
        try FileManager.default.removeItem(atPath: dir + "/bundle")
        assertRefused(try copy { $0["defaultStepz"] = 3 }, "unknown key 'defaultStepz' (did you mean 'defaultSteps'?)")
    }

    func testBadSchedules() throws {
        assertRefused(try copy { $0["schedule"] = #"{"trainSteps": 1000000000}"# }, "timesteps")
        try FileManager.default.removeItem(atPath: dir + "/bundle")
        assertRefused(try copy { $0["schedule"] = #"{"kind": "linear", "betaStart": 0.5, "betaEnd": 2}"# }, "must lie in (0, 1)")
    }

    func testTokenizerOfAnotherVocabulary() throws {
        let path = try copy()
        let url = URL(fileURLWithPath: path + "/tokenizer.json")
        var tok = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        tok["merges"] = Array((tok["merges"] as! [Any]).dropLast(5))
        try JSONSerialization.data(withJSONObject: tok).write(to: url)
        assertRefused(path, "tokens but the backbone's vocabulary is")
    }

    /// Rewrites the backbone file with one weight replaced by NaN, or with a config asking for a huge model.
    func rewriteBackbone(_ path: String, poison: Bool, config edit: (inout [String: Any]) -> Void = { _ in }) throws {
        let file = try SafeTensors(path: path + "/backbone.safetensors")
        var config = try JSONSerialization.jsonObject(with: Data(file.metadata["config"]!.utf8)) as! [String: Any]
        edit(&config)
        var tensors: [(String, Tensor)] = []
        for name in file.names { tensors.append((name, try file.tensor(name))) }
        if poison { tensors[tensors.count / 2].1.data[3] = .nan }
        let json = String(decoding: try JSONSerialization.data(withJSONObject: config), as: UTF8.self)
        try SafeTensors.write(tensors, to: path + "/backbone.safetensors", dtype: .F16,
                              metadata: ["config": json, "format": "diptych-backbone"])
    }

    func testNaNWeightIsRefused() throws {
        let path = try copy()
        try rewriteBackbone(path, poison: true)
        assertRefused(path, "holds NaN or Inf")
    }

    func testHugeBackboneConfigIsRefusedBeforeAllocating() throws {
        let path = try copy()
        try rewriteBackbone(path, poison: false) { $0["width"] = 1 << 20 }
        assertRefused(path, "width 1048576 is above the limit of 4096")
    }

    func testCodecAndBackboneDisagree() throws {
        let path = try copy()
        try rewriteBackbone(path, poison: false) { $0["latentChannels"] = 4 }
        assertRefused(path, "latents but the backbone reads")
    }
}
