// ImportedDatasetTrainingDataTests.swift: a folder imported by `diptych data import` (Data's
// FolderImporter) loads through the trainer's own data path, BackboneTrainingData (the dataset file
// slot of TrainingDataSpec, read with DatasetFile) and AutoencoderImages, with captions that fit
// the model's text rows whole.

import Core
import Data
import Foundation
import Media
import XCTest
@testable import Models

final class ImportedDatasetTrainingDataTests: XCTestCase {
    func testImportedFolderLoadsThroughTheTrainingDataPath() throws {
        let dir = NSTemporaryDirectory() + "diptych-import-train-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let tok = try Tokenizer.load(from: root.appendingPathComponent("Models/tokenizer.json").path)
        let captions = ["a red circle", "a smiling face with sunglasses", "two blue squares",
                        (0..<40).map { "word\($0)" }.joined(separator: " ")]
        try FileManager.default.createDirectory(atPath: dir + "/in/nested", withIntermediateDirectories: true)
        for (i, c) in captions.enumerated() {
            var im = Image(width: 40 + 10 * i, height: 30, fill: [Float(i) / 4, 0.5, 1 - Float(i) / 4, 1])
            im[0, 0, 3] = 0
            let stem = dir + "/in/" + (i % 2 == 0 ? "" : "nested/") + "p\(i)"
            try PNG.encode(im).write(to: URL(fileURLWithPath: stem + ".png"))
            try Data(c.utf8).write(to: URL(fileURLWithPath: stem + ".txt"))
        }
        var options = FolderImportOptions()
        options.sizes = [32, 64]
        options.valFraction = 0
        options.testFraction = 0
        let path = dir + "/mine.dptd"
        let report = try FolderImporter(options: options, tokenizer: tok).run(folder: dir + "/in", out: path)
        XCTAssertEqual(report.imported, 4)
        XCTAssertEqual(report.truncated, ["nested/p3.png"], report.lines().joined(separator: "\n"))

        var spec = TrainingDataSpec()
        spec.emoji = path
        spec.imageSize = 32
        spec.emojiRepeat = 2
        let (images, loaded) = try BackboneTrainingData.emojiExamples(spec)
        XCTAssertEqual(images.count, 8)
        XCTAssertEqual(Set(loaded), Set(try DatasetFile(path: path).captions))
        XCTAssertTrue(loaded.contains("a smiling face with sunglasses"))
        XCTAssertEqual(images[0].width, 32)
        XCTAssertEqual(images[0].channels, 3)
        // Every caption fits the model's 24-slot text row with at least one [EOS] after it.
        let config = BackboneConfig()
        for c in loaded {
            let row = BackboneTrainingData.textRow(tok.encode(c), config: config)
            XCTAssertEqual(row.count, config.textLength)
            XCTAssertEqual(tok.decode(row.map(Int.init)), c)
            XCTAssertEqual(row.last, Int32(config.eosToken))
        }
        XCTAssertEqual(try AutoencoderImages.load(path: path, size: 64).count, 4)
        spec.imageSize = 16
        XCTAssertThrowsError(try BackboneTrainingData.emojiExamples(spec))
    }
}
