// CheckpointFolderTests.swift: a checkpoint folder is replaced whole: every crash point of a write
// leaves the old or the new checkpoint readable, a torn or edited file is refused, and folders written
// before manifests still read.
import Core
import Foundation
import XCTest

final class CheckpointFolderTests: XCTestCase {
    var dir = ""
    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "ckpt-\(getpid())-\(UUID().uuidString.prefix(6))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    func files(_ step: Int) -> [(String, Data)] {
        [("weights.f32", Data(repeating: UInt8(step), count: 1000)), ("state.json", Data("{\"step\": \(step)}".utf8))]
    }

    func step(at path: String) throws -> String {
        String(decoding: try CheckpointFolder.read(path, names: ["weights.f32", "state.json"])["state.json"]!, as: UTF8.self)
    }

    func testWriteReplacesWholeAndReads() throws {
        let c = dir + "/checkpoint"
        try CheckpointFolder.write(files(1), to: c)
        try CheckpointFolder.write(files(2), to: c)
        XCTAssertEqual(try step(at: c), "{\"step\": 2}")
        XCTAssertFalse(FileManager.default.fileExists(atPath: c + ".new"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: c + ".old"))
    }

    func testCrashBetweenTheRenamesRecovers() throws {
        let c = dir + "/checkpoint"
        try CheckpointFolder.write(files(1), to: c)
        try CheckpointFolder.write(files(2), to: dir + "/staged")
        // The old one moved aside, the new one complete but not yet renamed into place.
        XCTAssertEqual(rename(c, c + ".old"), 0)
        XCTAssertEqual(rename(dir + "/staged", c + ".new"), 0)
        XCTAssertTrue(CheckpointFolder.exists(c))
        XCTAssertEqual(try step(at: c), "{\"step\": 2}")
    }

    func testCrashWhileWritingTheNewOneKeepsTheOld() throws {
        let c = dir + "/checkpoint"
        try CheckpointFolder.write(files(1), to: c)
        try FileManager.default.createDirectory(atPath: c + ".new", withIntermediateDirectories: true)
        try Data(repeating: 9, count: 10).write(to: URL(fileURLWithPath: c + ".new/weights.f32"))   // no manifest yet
        XCTAssertEqual(try step(at: c), "{\"step\": 1}")
        // Only the old one left (moved aside, the new one lost): it comes back.
        try FileManager.default.removeItem(atPath: c + ".new")
        XCTAssertEqual(rename(c, c + ".old"), 0)
        XCTAssertTrue(CheckpointFolder.exists(c))
        XCTAssertEqual(try step(at: c), "{\"step\": 1}")
    }

    func testTornOrEditedFileIsRefused() throws {
        let c = dir + "/checkpoint"
        try CheckpointFolder.write(files(3), to: c)
        try Data(repeating: 3, count: 999).write(to: URL(fileURLWithPath: c + "/weights.f32"))
        XCTAssertThrowsError(try step(at: c)) { XCTAssertTrue("\($0)".contains("weights.f32 does not match its manifest"), "\($0)") }
        try CheckpointFolder.write(files(3), to: c)
        var edited = Data(repeating: 3, count: 1000)
        edited[500] = 4
        try edited.write(to: URL(fileURLWithPath: c + "/weights.f32"))
        XCTAssertThrowsError(try step(at: c))
    }

    func testFolderWithoutManifestStillReads() throws {
        let c = dir + "/legacy"
        try FileManager.default.createDirectory(atPath: c, withIntermediateDirectories: true)
        for (name, data) in files(7) { try data.write(to: URL(fileURLWithPath: c + "/" + name)) }
        XCTAssertTrue(CheckpointFolder.exists(c))
        XCTAssertEqual(try step(at: c), "{\"step\": 7}")
    }

    func testChecksumKnownValues() {
        // FNV-1a 64 reference values (Fowler/Noll/Vo test suite): "" and "a".
        XCTAssertEqual(CheckpointFolder.fnv1a64(Data()), 0xcbf2_9ce4_8422_2325)
        XCTAssertEqual(CheckpointFolder.fnv1a64(Data("a".utf8)), 0xaf63_dc4c_8601_ec8c)
    }
}
