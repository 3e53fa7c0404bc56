// DefaultedJSONTests.swift: configs merge over defaults, refuse unknown keys with the nearest valid
// one, and explain type errors by key path; every config shipped in Models/ and Samples/ still loads.
import Core
import Foundation
@testable import Models
import XCTest

final class DefaultedJSONTests: XCTestCase {
    struct Inner: Codable, Equatable { var learningRate: Float = 1; var steps = 3 }
    struct Outer: Codable, Equatable { var train = Inner(); var name = "x"; var pool: Inner? = nil }

    func decode(_ json: String) throws -> Outer {
        try DefaultedJSON.decode(Outer.self, from: Data(json.utf8), defaults: Outer())
    }

    func testMissingKeysKeepDefaults() throws {
        XCTAssertEqual(try decode(#"{"train": {"steps": 9}}"#), Outer(train: Inner(learningRate: 1, steps: 9)))
    }

    func testUnknownKeyNamesNearest() {
        XCTAssertThrowsError(try decode(#"{"train": {"lerningRate": 2}}"#)) { e in
            XCTAssertEqual("\(e)", "config: unknown key 'train.lerningRate' (did you mean 'train.learningRate'?)")
        }
        XCTAssertThrowsError(try decode(#"{"zzzzzzzzzz": 2}"#)) { e in
            XCTAssertEqual("\(e)", "config: unknown key 'zzzzzzzzzz'")
        }
    }

    func testOptionalKeysAreKnownWhenSet() throws {
        XCTAssertEqual(try decode(#"{"pool": {"steps": 1, "learningRate": 2}}"#).pool, Inner(learningRate: 2, steps: 1))
        XCTAssertNil(try decode(#"{"pool": null}"#).pool)
    }

    func testTypeErrorNamesThePath() {
        XCTAssertThrowsError(try decode(#"{"train": {"steps": "many"}}"#)) { e in
            XCTAssertEqual("\(e)", "config: 'train.steps' should be an integer")
        }
        XCTAssertThrowsError(try decode("[1]")) { e in XCTAssertEqual("\(e)", "config must be a JSON object") }
        XCTAssertThrowsError(try decode("{")) { e in XCTAssertEqual("\(e)", "config is not valid JSON") }
    }

    func testEditDistance() {
        XCTAssertEqual(DefaultedJSON.editDistance("kitten", "sitting"), 3)
        XCTAssertEqual(DefaultedJSON.editDistance("", "abc"), 3)
        XCTAssertEqual(DefaultedJSON.editDistance("abc", "abc"), 0)
        XCTAssertEqual(DefaultedJSON.editDistance("guidanceMni", "guidanceMin"), 1)
        XCTAssertEqual(DefaultedJSON.editDistance("guidanceMni", "guidanceMax"), 2)
    }

    /// Every bundle.json and backbone config shipped still decodes under the strict rules.
    func testShippedBundleManifestsDecode() throws {
        let models = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Models").standardized.path
        var seen = 0
        for name in try FileManager.default.contentsOfDirectory(atPath: models).sorted() {
            let path = models + "/" + name + "/bundle.json"
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            XCTAssertNoThrow(try DefaultedJSON.decode(BundleManifest.self, from: data, defaults: BundleManifest()), path)
            seen += 1
        }
        XCTAssertGreaterThanOrEqual(seen, 4)
    }
}
