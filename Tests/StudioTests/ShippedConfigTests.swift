// ShippedConfigTests.swift: every training and distillation config in Models/ and Samples/ decodes
// under the strict rules (no unknown keys, bounds kept), and a typo in one is refused with the
// nearest valid key, so the configs the model cards cite can be run as written.
import Core
import Foundation
import Models
import Studio
import XCTest

final class ShippedConfigTests: TemporaryFolderTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized.path

    func files(_ folder: String, named: (String) -> Bool) throws -> [String] {
        try FileManager.default.subpathsOfDirectory(atPath: Self.root + "/" + folder).filter(named).sorted()
            .map { Self.root + "/" + folder + "/" + $0 }
    }

    func testEveryDistillConfigLoads() throws {
        let paths = try files("Samples/distill") { $0.hasSuffix(".json") } + files("Models") { $0.hasSuffix("distill.json") }
        XCTAssertGreaterThanOrEqual(paths.count, 10)
        for p in paths {
            XCTAssertNoThrow(try DistillFile.load(p), p)
            let file = try DistillFile.load(p)
            XCTAssertNil(file.distill.validationError(trainSteps: 1000), p)
        }
    }

    func testEveryTrainingConfigLoads() throws {
        let paths = try files("Models") { $0.hasSuffix("train.json") }
        XCTAssertGreaterThanOrEqual(paths.count, 1)
        for p in paths { XCTAssertNoThrow(try TrainBackboneFile.load(p), p) }
    }

    func testTypoAndBoundsAreRefused() throws {
        let cases: [(String, String)] = [
            (#"{"train": {"learningrate": 1e-4}}"#, "unknown key 'train.learningrate' (did you mean 'train.learningRate'?)"),
            (#"{"train": {"batchSize": 100000000}}"#, "batchSize 100000000 is outside 1...4096"),
            (#"{"train": {"logEvery": 0}}"#, "logEvery 0 is outside 1...1000000"),
            (#"{"train": {"backbone": {"width": 1000000}}}"#, "width 1000000 is above the limit of 4096"),
            (#"{"data": {"shapes": 1000000000}}"#, "data.shapes 1000000000 is outside 0...2000000"),
            (#"{"train": {"steps": "many"}}"#, "'train.steps' should be an integer"),
            (#"{"schedule": {"kind": "linear", "betaStart": 0, "betaEnd": 0.5}}"#, "must lie in (0, 1)"),
        ]
        for (i, (json, message)) in cases.enumerated() {
            let path = dir + "/c\(i).json"
            try json.write(toFile: path, atomically: true, encoding: .utf8)
            XCTAssertThrowsError(try TrainBackboneFile.load(path), json) { e in
                XCTAssertTrue("\(e)".contains(message), "'\(e)' lacks '\(message)'")
            }
        }
        try #"{"distill": {"guidanceMax": 2, "guidanceMni": 1}}"#.write(toFile: dir + "/d.json", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try DistillFile.load(dir + "/d.json")) { e in
            XCTAssertTrue("\(e)".contains("did you mean 'distill.guidanceMin'"), "\(e)")
        }
    }
}
