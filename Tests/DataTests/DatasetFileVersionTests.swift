// DatasetFileVersionTests.swift: version 2 dataset files (per-record splits and attributes,
// provenance in the metadata) round-trip through the streaming DatasetWriter, a real version 1
// file written by the code before version 2 still loads, and a cancelled writer leaves nothing.

import Core
import Foundation
import XCTest
@testable import Data

final class DatasetFileVersionTests: XCTestCase {
    var dir = ""
    override func setUp() { dir = ImportFolderFixtures.temporaryFolder("version") }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    func testVersion1FileStillLoads() throws {
        let bytes = V1DatasetFixture.bytes
        XCTAssertEqual(bytes.count, 1608)
        XCTAssertEqual(bytes[8], 1) // version 1 in the header
        let file = try DatasetFile(bytes: bytes, path: "v1.dptd")
        XCTAssertEqual(file.count, 3)
        XCTAssertEqual(file.sizes, [4, 8])
        XCTAssertEqual(file.metadata.corpus, "shapes")
        XCTAssertNil(file.metadata.provenance)
        XCTAssertEqual(file.splits, ["train", "train", "train"])
        XCTAssertEqual(file.splitCounts, ["train": 3])
        XCTAssertEqual(file.attributeTexts, ["", "", ""])
        for c in file.captions { XCTAssertNoThrow(try CaptionParser.parse(c), c) }
        // The same scenes as the shapes builder makes today.
        let again = ShapesDatasetBuilder(sizes: [4, 8]).records(count: 3, seed: 1, split: "train", pool: .training)
        XCTAssertEqual(file.captions, again.map(\.caption))
        XCTAssertEqual(Array(file.imageBytes(2, size: 8)), again[2].images[1])
    }

    func testVersion2RoundTripsSplitsAttributesAndProvenance() throws {
        let path = dir + "/v2.dptd"
        let prov = DatasetProvenance(command: "test", source: "/somewhere", layout: "sidecar", options: ["fit": "pad"], skipped: ["duplicate": 2])
        let meta = DatasetMetadata(corpus: "mine", split: "all", source: "test", infoFormat: "path", provenance: prov)
        let w = try DatasetWriter(path: path, metadata: meta, sizes: [2, 4])
        let splits = ["train", "val", "test", "train", ""]
        for i in 0..<5 {
            try w.append(DatasetRecord(caption: "caption \(i) ü", info: "p\(i).png",
                                       images: [[UInt8](repeating: UInt8(i), count: 12), [UInt8](repeating: UInt8(10 + i), count: 48)],
                                       split: splits[i], attributes: i == 1 ? ["artist": "someone", "year": "2024"] : [:]))
        }
        XCTAssertThrowsError(try w.append(DatasetRecord(caption: "bad", info: "", images: [[0], [0]])))
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
        try w.finish()
        XCTAssertEqual(ImportFolderFixtures.hiddenFiles(dir), [])
        let f = try DatasetFile(path: path)
        XCTAssertEqual(f.count, 5)
        XCTAssertEqual(f.splits, ["train", "val", "test", "train", "all"])
        XCTAssertEqual(f.splitNames, ["train", "val", "test", "all"])
        XCTAssertEqual(f.indices(inSplit: "train"), [0, 3])
        XCTAssertEqual(f.attributes(1), ["artist": "someone", "year": "2024"])
        XCTAssertEqual(f.attributes(0), [:])
        XCTAssertEqual(f.metadata, meta)
        XCTAssertEqual(f.captions[4], "caption 4 ü")
        XCTAssertEqual(Array(f.imageBytes(3, size: 4)), [UInt8](repeating: 13, count: 48))
        XCTAssertEqual(Array(f.imageBytes(4, size: 2)), [UInt8](repeating: 4, count: 12))
        // Corrupting any byte of the payload is caught.
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[200] ^= 0x40
        XCTAssertThrowsError(try DatasetFile(bytes: bytes, path: "x")) { XCTAssertTrue("\($0)".contains("checksum"), "\($0)") }
        // Version 3 is refused.
        bytes[200] ^= 0x40
        bytes[8] = 3
        XCTAssertThrowsError(try DatasetFile(bytes: bytes, path: "x")) { XCTAssertTrue("\($0)".contains("version 3"), "\($0)") }
    }

    func testCancelledWriterLeavesNothing() throws {
        let path = dir + "/never.dptd"
        let w = try DatasetWriter(path: path, metadata: DatasetMetadata(corpus: "c", split: "train", source: "s", infoFormat: ""), sizes: [4])
        try w.append(DatasetRecord(caption: "a", info: "", images: [[UInt8](repeating: 1, count: 48)]))
        XCTAssertEqual(ImportFolderFixtures.hiddenFiles(dir).count, 1) // the spool
        w.cancel()
        XCTAssertEqual(ImportFolderFixtures.hiddenFiles(dir), [])
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
        XCTAssertThrowsError(try w.finish())
        XCTAssertThrowsError(try DatasetWriter(path: path, metadata: w.metadata, sizes: [8, 4]))
    }

    func testShapesBuildRecordsProvenanceAndOneSplitPerFile() throws {
        let paths = try ShapesDatasetBuilder(sizes: [4]).build(dir: dir, count: 3, seed: 9) { _ in }
        let train = try DatasetFile(path: paths[0]), held = try DatasetFile(path: paths[2])
        let p = try XCTUnwrap(train.metadata.provenance)
        XCTAssertEqual(p.layout, "shapes-world")
        XCTAssertEqual(p.options["seed"], "9")
        XCTAssertEqual(p.toolVersion, DatasetProvenance.defaultToolVersion)
        XCTAssertEqual(train.splitCounts, ["train": 3])
        XCTAssertEqual(held.splitNames, ["heldout"])
        XCTAssertEqual(held.metadata.provenance?.options["pool"], "heldOut")
        XCTAssertNotNil(held.metadata.shapes)
    }
}
