// FolderImportLayoutTests.swift: `data import` reads each caption layout: kohya-ss sidecar .txt
// files (recursive, first line), Hugging Face imagefolder metadata.jsonl and metadata.csv (nested
// folders, RFC 4180 quoting), and captions in file names; the file records provenance and splits.

import Core
import Foundation
import Media
import XCTest
@testable import Data

final class FolderImportLayoutTests: XCTestCase {
    typealias F = ImportFolderFixtures
    var dir = ""
    override func setUp() { dir = F.temporaryFolder("layout") }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    func testSidecarCaptionsRecursiveFirstLine() throws {
        let src = dir + "/in"
        try F.write(F.png(F.picture(seed: 1)), src, "cat.png")
        try F.write("a cat on a mat\nsecond line is ignored", src, "cat.txt")
        try F.write(F.jpeg(F.picture(seed: 2, width: 30, height: 20)), src, "pets/dogs/dog.JPG")
        try F.write(Data([0xEF, 0xBB, 0xBF] + Array("  a   brown\tdog  ".utf8)), src, "pets/dogs/dog.txt")
        try F.write("not a caption of anything", src, "notes.md")
        let report = try F.run(src, dir + "/out.dptd")
        XCTAssertEqual(report.layout, "sidecar")
        XCTAssertEqual(report.skipped, [])
        let file = try DatasetFile(path: dir + "/out.dptd")
        XCTAssertEqual(file.count, 2)
        XCTAssertEqual(file.infos, ["cat.png", "pets/dogs/dog.JPG"])
        XCTAssertEqual(file.captions, ["a cat on a mat", "a brown dog"])
        XCTAssertEqual(file.sizes, [8])
        XCTAssertEqual(file.metadata.split, "all")
        XCTAssertEqual(file.splits, ["train", "train"])
        let p = try XCTUnwrap(file.metadata.provenance)
        XCTAssertEqual(p.layout, "sidecar")
        XCTAssertEqual(p.tool, "diptych")
        XCTAssertEqual(p.options["sizes"], "8")
        XCTAssertTrue(p.source.hasSuffix("/in"), p.source)
        XCTAssertEqual(file.attributes(0)["content_hash"]?.count, 32)
    }

    func testMetadataJSONLWithNestedFoldersAndAttributes() throws {
        let src = dir + "/in"
        try F.write(F.png(F.picture(seed: 3)), src, "train/a.png")
        try F.write(F.png(F.picture(seed: 4)), src, "train/deep/b.png")
        try F.write(F.png(F.picture(seed: 5)), src, "extra/c.png")
        try F.write("""
            {"file_name": "train/a.png", "text": "a red apple", "artist": "me", "score": 3}
            {"file_name": "train/deep/b.png", "text": "a green pear"}

            """, src, "metadata.jsonl")
        // A nested metadata file names images relative to its own folder.
        try F.write(#"{"file_name": "c.png", "text": "a blue plum"}"# + "\n", src, "extra/metadata.jsonl")
        let report = try F.run(src, dir + "/out.dptd")
        XCTAssertEqual(report.layout, "metadata")
        XCTAssertEqual(report.metadataFiles, ["extra/metadata.jsonl", "metadata.jsonl"])
        XCTAssertEqual(report.skipped, [])
        let file = try DatasetFile(path: dir + "/out.dptd")
        XCTAssertEqual(file.infos, ["extra/c.png", "train/a.png", "train/deep/b.png"])
        XCTAssertEqual(file.captions, ["a blue plum", "a red apple", "a green pear"])
        XCTAssertEqual(file.attributes(1)["artist"], "me")
        XCTAssertEqual(file.attributes(1)["score"], "3")
        XCTAssertNil(file.attributes(0)["artist"])
    }

    func testMetadataCSVWithQuotedCommasAndNewlines() throws {
        let src = dir + "/in"
        try F.write(F.png(F.picture(seed: 6)), src, "images/x.png")
        try F.write(F.png(F.picture(seed: 7)), src, "images/y, with comma.png")
        try F.write(F.png(F.picture(seed: 8)), src, "images/z.png")
        try F.write("file_name,text,source\r\n"
            + "images/x.png,\"a cat, sitting\non a mat\",web\r\n"
            + "\"images/y, with comma.png\",\"she said \"\"hi\"\"\",\r\n"
            + "images/z.png,plain caption,scan\r\n", src, "metadata.csv")
        let report = try F.run(src, dir + "/out.dptd")
        XCTAssertEqual(report.skipped, [])
        let file = try DatasetFile(path: dir + "/out.dptd")
        XCTAssertEqual(file.infos, ["images/x.png", "images/y, with comma.png", "images/z.png"])
        XCTAssertEqual(file.captions, ["a cat, sitting on a mat", "she said \"hi\"", "plain caption"])
        XCTAssertEqual(file.attributes(0)["source"], "web")
        XCTAssertNil(file.attributes(1)["source"])
    }

    func testMalformedCSVIsOneErrorNamingTheFile() throws {
        let src = dir + "/in"
        try F.write(F.png(F.picture(seed: 9)), src, "x.png")
        try F.write("file_name,text\nx.png,\"never closed\n", src, "metadata.csv")
        XCTAssertThrowsError(try F.run(src, dir + "/out.dptd")) {
            XCTAssertTrue("\($0)".contains("metadata.csv") && "\($0)".contains("never closed"), "\($0)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/out.dptd"))
        XCTAssertEqual(F.hiddenFiles(dir), [])
    }

    func testCaptionFromFileName() throws {
        let src = dir + "/in"
        try F.write(F.png(F.picture(seed: 10)), src, "red_fox-jumping.png")
        try F.write(F.png(F.picture(seed: 11)), src, "birds/blue__jay.jpeg")
        try F.write("ignored in this layout", src, "red_fox-jumping.txt")
        let report = try F.run(src, dir + "/out.dptd") { $0.layout = .filename }
        XCTAssertEqual(report.layout, "filename")
        let file = try DatasetFile(path: dir + "/out.dptd")
        XCTAssertEqual(file.captions, ["blue jay", "red fox jumping"])
    }
}
