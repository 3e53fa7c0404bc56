// DatasetFileTests.swift: dataset files round-trip and the loader rejects damaged files.

import Core
import Foundation
import XCTest
@testable import Data

final class DatasetFileTests: XCTestCase {
    var dir = ""
    override func setUp() { dir = NSTemporaryDirectory() + "diptych-ds-\(getpid())-\(UInt32.random(in: 0...UInt32.max))" }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    func testShapesSplitsRoundTrip() throws {
        let builder = ShapesDatasetBuilder(sizes: [32, 64])
        let paths = try builder.build(dir: dir, count: 40, seed: 7) { _ in }
        XCTAssertEqual(paths.map { ($0 as NSString).lastPathComponent }, ["shapes-train.dptd", "shapes-val.dptd", "shapes-heldout.dptd"])
        let train = try DatasetFile(path: paths[0])
        XCTAssertEqual(train.count, 40)
        XCTAssertEqual(train.sizes, [32, 64])
        XCTAssertEqual(train.metadata.shapes, ShapesConfig())
        let again = builder.records(count: 40, seed: 7, split: "train", pool: .training)
        XCTAssertEqual(train.captions, again.map(\.caption))
        XCTAssertEqual(train.infos, again.map(\.info))
        for i in [0, 17, 39] {
            XCTAssertEqual(Array(train.imageBytes(i, size: 64)), again[i].images[1])
            XCTAssertNoThrow(try CaptionParser.parse(train.captions[i]))
            // The oracle reads the stored 8-bit image back to the caption's scene.
            let spec = try CaptionParser.parse(train.captions[i])
            let found = ShapesOracle().read(train.image(i, size: 32)).map(\.asShapeObject)
            XCTAssertTrue(spec.matches(found, minRelationOffset: 3), train.captions[i])
        }
        var chw = [Float](repeating: 0, count: 32 * 32 * 3)
        train.copyImage(3, size: 32, layout: .chw, scale: 2, shift: -1, to: &chw)
        let bytes = Array(train.imageBytes(3, size: 32))
        XCTAssertEqual(chw[32 * 32 + 5], Float(bytes[5 * 3 + 1]) * 2 / 255 - 1, accuracy: 1e-6)
        let held = try DatasetFile(path: paths[2])
        XCTAssertEqual(held.count, 200)
        XCTAssertEqual(held.metadata.split, "heldout")
        let heldPairs = Set(ShapesConfig().heldOutPairs)
        for c in held.captions { XCTAssertTrue(try CaptionParser.parse(c).pairs.contains { heldPairs.contains($0) }, c) }
    }

    func testDamagedFilesAreRejected() throws {
        let path = dir + "/x.dptd"
        let meta = DatasetMetadata(corpus: "test", split: "train", source: "test", infoFormat: "none")
        let recs = (0..<3).map { DatasetRecord(caption: "caption \($0) é", info: "\($0)", images: [[UInt8](repeating: UInt8($0), count: 4 * 4 * 3)]) }
        try DatasetFile.write(to: path, metadata: meta, sizes: [4], records: recs)
        let ok = try DatasetFile(path: path)
        XCTAssertEqual(ok.captions, ["caption 0 é", "caption 1 é", "caption 2 é"])
        XCTAssertEqual(ok.metadata, meta)
        let good = try XCTUnwrap(FileManager.default.contents(atPath: path))
        var flipped = [UInt8](good)
        flipped[flipped.count - 5] ^= 1
        for (bytes, expect) in [([UInt8](good.prefix(good.count - 8)), "truncated"), (flipped, "checksum"),
                                ([UInt8](repeating: 0, count: 100), "header"), ([UInt8](good.prefix(30)), "header")] {
            XCTAssertThrowsError(try DatasetFile(bytes: bytes, path: "bad")) { XCTAssertTrue("\($0)".contains(expect), "\($0)") }
        }
        XCTAssertThrowsError(try DatasetFile(path: dir + "/missing.dptd"))
        XCTAssertThrowsError(try DatasetFile.write(to: path, metadata: meta, sizes: [5], records: recs))
    }
}
