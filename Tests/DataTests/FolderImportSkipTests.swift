// FolderImportSkipTests.swift: bad input never crashes an import and never leaves a partial file:
// every skip reason with its file, long captions truncated at a word boundary or skipped,
// --strict, and a failure at the very end that leaves no temporary file behind.

import Core
import Foundation
import Media
import XCTest
@testable import Data

final class FolderImportSkipTests: XCTestCase {
    typealias F = ImportFolderFixtures
    var dir = ""
    override func setUp() { dir = F.temporaryFolder("skip") }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    static let longCaption = (0..<40).map { "word\($0)" }.joined(separator: " ")

    /// A sidecar folder with one input for every skip reason, plus two good images.
    func brokenFolder() throws -> String {
        let src = dir + "/in"
        func image(_ name: String, seed: UInt64, caption: String?) throws {
            try F.write(F.png(F.picture(seed: seed)), src, name + ".png")
            if let caption { try F.write(caption, src, name + ".txt") }
        }
        try image("good1", seed: 1, caption: "a good picture")
        try image("good2", seed: 2, caption: "another good picture")
        var noise = Philox(seed: 5, stream: 0)
        try F.write(Data((0..<300).map { _ in UInt8(truncatingIfNeeded: noise.nextUInt32()) }), src, "corrupt.png")
        try F.write("corrupt", src, "corrupt.txt")
        let whole = try F.png(F.picture(seed: 3, width: 40, height: 40))
        try F.write(whole.prefix(whole.count / 2), src, "sub/truncated.png")
        try F.write("half a picture", src, "sub/truncated.txt")
        try F.write(Data(), src, "empty-file.jpg")
        try F.write("nothing", src, "empty-file.txt")
        try image("nocaption", seed: 4, caption: nil)
        try image("emptycaption", seed: 6, caption: " \n\t\n")
        try image("good1_copy", seed: 1, caption: "the same pixels again")
        try F.write(F.png(F.picture(seed: 7)), src, "latin1.png")
        try F.write(Data([0x63, 0x61, 0x66, 0xE9]), src, "latin1.txt") // "café" in Latin-1
        try image("long", seed: 8, caption: Self.longCaption)
        try F.write(Data([0x52, 0x49, 0x46, 0x46]), src, "anim.webp")
        return src
    }

    func testEverySkipReasonIsListedWithItsFile() throws {
        let src = try brokenFolder()
        let report = try F.run(src, dir + "/out.dptd") { $0.longCaptions = .skip }
        let got = Dictionary(report.skipped.map { ($0.file, $0.reason) }, uniquingKeysWith: { a, _ in a })
        XCTAssertEqual(got, [
            "corrupt.png": .corrupt, "sub/truncated.png": .corrupt, "empty-file.jpg": .corrupt,
            "nocaption.png": .missingCaption, "emptycaption.png": .emptyCaption, "good1_copy.png": .duplicate,
            "latin1.png": .notUTF8, "long.png": .longCaption, "anim.webp": .unsupported,
        ])
        XCTAssertEqual(report.skipped.count, 9)
        XCTAssertTrue(report.skipped.first { $0.file == "good1_copy.png" }!.detail.contains("good1.png"))
        XCTAssertEqual(report.imported, 2)
        let file = try DatasetFile(path: dir + "/out.dptd")
        XCTAssertEqual(file.captions, ["a good picture", "another good picture"])
        XCTAssertEqual(file.metadata.provenance?.skipped["corrupt"], 3)
        let text = report.lines().joined(separator: "\n")
        for s in report.skipped { XCTAssertTrue(text.contains(s.file), s.file) }
    }

    func testLongCaptionsTruncateAtAWordBoundary() throws {
        let src = dir + "/in"
        try F.write(F.png(F.picture(seed: 1)), src, "long.png")
        try F.write(Self.longCaption, src, "long.txt")
        let tok = try F.tokenizer()
        XCTAssertGreaterThan(tok.encode(Self.longCaption).count, 23)
        let report = try F.run(src, dir + "/out.dptd")
        XCTAssertEqual(report.truncated, ["long.png"])
        XCTAssertEqual(report.skipped, [])
        let caption = try DatasetFile(path: dir + "/out.dptd").captions[0]
        XCTAssertTrue(Self.longCaption.hasPrefix(caption + " "), caption)
        XCTAssertLessThanOrEqual(tok.encode(caption).count, 23)
        // One more word would not fit: the cut is the longest that does.
        let words = caption.split(separator: " ").count
        let oneMore = Self.longCaption.split(separator: " ").prefix(words + 1).joined(separator: " ")
        XCTAssertGreaterThan(tok.encode(oneMore).count, 23)
        // A single word longer than the budget cannot be cut at a word boundary.
        XCTAssertNil(CaptionText.truncated(String(repeating: "qz", count: 40), maxTokens: 23) { tok.encode($0).count })
        XCTAssertEqual(CaptionText.truncated("tag one, tag two, tag three", maxTokens: 4) { $0.split(separator: " ").count }, "tag one, tag two")
    }

    func testStrictFailsAndWritesNothing() throws {
        let src = try brokenFolder()
        let report = try F.run(src, dir + "/out.dptd") { $0.strict = true }
        XCTAssertNil(report.output)
        XCTAssertEqual(report.imported, 3) // the long caption is truncated, not skipped
        XCTAssertEqual(report.skipped.count, 8)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/out.dptd"))
        XCTAssertEqual(F.hiddenFiles(dir), [])
        // Without the bad inputs, strict mode writes the file.
        let clean = dir + "/clean"
        try F.write(F.png(F.picture(seed: 1)), clean, "a.png")
        try F.write("fine", clean, "a.txt")
        XCTAssertNotNil(try F.run(clean, dir + "/ok.dptd") { $0.strict = true }.output)
    }

    func testNothingImportableWritesNothing() throws {
        let src = dir + "/in"
        try F.write(F.png(F.picture(seed: 1)), src, "a.png")
        let report = try F.run(src, dir + "/out.dptd")
        XCTAssertNil(report.output)
        XCTAssertEqual(report.skipped.map(\.reason), [.missingCaption])
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/out.dptd"))
        XCTAssertEqual(F.hiddenFiles(dir), [])
    }

    func testFailureAtTheEndLeavesNoPartialFile() throws {
        let src = dir + "/in"
        for i in 0..<3 {
            try F.write(F.png(F.picture(seed: UInt64(i))), src, "p\(i).png")
            try F.write("picture \(i)", src, "p\(i).txt")
        }
        // The output name is taken by a non-empty folder: the final rename fails.
        let out = dir + "/out/taken.dptd"
        try F.write("x", out, "keep.txt")
        XCTAssertThrowsError(try F.run(src, out)) { XCTAssertTrue("\($0)".contains("taken.dptd"), "\($0)") }
        XCTAssertEqual(F.hiddenFiles(dir + "/out"), [])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out), ["keep.txt"])
        XCTAssertThrowsError(try F.run(dir + "/missing", dir + "/x.dptd")) { XCTAssertTrue("\($0)".contains("missing"), "\($0)") }
    }

    func testMetadataRowsThatCannotBeUsed() throws {
        let src = dir + "/in"
        try F.write(F.png(F.picture(seed: 1)), src, "a.png")
        try F.write(F.png(F.picture(seed: 2)), src, "b.png")
        try F.write("""
            {"file_name": "a.png", "text": "fine"}
            not json
            {"file_name": "gone.png", "text": "no such image"}
            {"file_name": "a.png", "text": "listed twice"}
            {"file_name": "../outside.png", "text": "climbs out"}
            {"text": "no file name"}
            """, src, "metadata.jsonl")
        let report = try F.run(src, dir + "/out.dptd")
        let got = Dictionary(report.skipped.map { ($0.file, $0.reason) }, uniquingKeysWith: { a, _ in a })
        XCTAssertEqual(got, ["metadata.jsonl line 2": .badMetadata, "metadata.jsonl line 3": .missingImage,
                             "metadata.jsonl line 4": .badMetadata, "metadata.jsonl line 5": .badMetadata,
                             "metadata.jsonl line 6": .badMetadata, "b.png": .missingCaption])
        XCTAssertEqual(try DatasetFile(path: dir + "/out.dptd").captions, ["fine"])
    }
}
