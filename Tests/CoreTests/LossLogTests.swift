// LossLogTests.swift: loss.csv across a resume keeps the rows up to the checkpoint's step only.
import Core
import Foundation
import XCTest

final class LossLogTests: XCTestCase {
    func testResumeDropsRowsPastTheCheckpoint() throws {
        let path = NSTemporaryDirectory() + "losslog-\(UUID().uuidString).csv"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let header = "step,loss\n"
        try (header + "50,0.9\n100,0.8\n150,0.7\n200,0.6\n").write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertEqual(LossLog.resumed(path: path, header: header, step: 150), "step,loss\n50,0.9\n100,0.8\n150,0.7\n")
        XCTAssertEqual(LossLog.resumed(path: path, header: header, step: 120), "step,loss\n50,0.9\n100,0.8\n")
        XCTAssertEqual(LossLog.resumed(path: path, header: header, step: 0), header)
        XCTAssertEqual(LossLog.resumed(path: path + ".missing", header: header, step: 150), header)
        try "".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertEqual(LossLog.resumed(path: path, header: header, step: 150), header)
    }
}
