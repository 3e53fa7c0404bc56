// DatasetStatisticsTests.swift: the figures of `data info` on a tiny imported corpus: split
// counts, caption length histograms in tokens and characters, captions over the text length,
// and tokenizer coverage (bytes left as byte tokens).

import Core
import Foundation
import XCTest
@testable import Data

final class DatasetStatisticsTests: XCTestCase {
    typealias F = ImportFolderFixtures

    func testInfoFiguresOnATinyCorpus() throws {
        let dir = F.temporaryFolder("stats")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let tok = try F.tokenizer()
        // Preconditions on the shipped tokenizer that the expected figures rest on.
        XCTAssertEqual(tok.encode("red").count, 1)
        let zhe = tok.encode("жж")
        XCTAssertEqual(zhe.count, 4)
        XCTAssertTrue(zhe.allSatisfy { $0 >= tok.byteOffset && $0 < tok.firstMergeId })
        let long = (0..<30).map { _ in "red" }.joined(separator: " ")
        let captions = ["red", "жж", long]
        for (i, c) in captions.enumerated() {
            try F.write(F.png(F.picture(seed: UInt64(i))), dir + "/in", "p\(i).png")
            try F.write(c, dir + "/in", "p\(i).txt")
        }
        _ = try F.run(dir + "/in", dir + "/tiny.dptd") { $0.textLength = 64 }
        let stats = DatasetStatistics(try DatasetFile(path: dir + "/tiny.dptd"), tokenizer: tok, textLength: 24)
        XCTAssertEqual(stats.records, 3)
        XCTAssertEqual(stats.splits, ["train": 3])
        XCTAssertEqual(stats.sizes, [8])
        let longTokens = tok.encode(long).count
        XCTAssertEqual(stats.tokens.min, 1)
        XCTAssertEqual(stats.tokens.max, longTokens)
        XCTAssertEqual(stats.tokens.median, 4)
        XCTAssertEqual(stats.tokens.bins.first, .init(from: 1, to: 4, count: 2))
        XCTAssertEqual(stats.tokens.bins.map(\.count).reduce(0, +), 3)
        XCTAssertEqual(stats.characters.min, 2)
        XCTAssertEqual(stats.characters.max, long.count)
        XCTAssertEqual(stats.characters.bins.first, .init(from: 1, to: 16, count: 2))
        XCTAssertEqual(stats.overLength, 1)
        XCTAssertEqual(stats.coverage.captionBytes, 3 + 4 + long.utf8.count)
        // "жж" is 4 bytes no merge covers; every "red" is one merge; the spaces join " red".
        let spaceBytes = tok.encode(long).filter { $0 < tok.firstMergeId }.count
        XCTAssertEqual(stats.coverage.byteTokenBytes, 4 + spaceBytes)
        XCTAssertEqual(stats.coverage.topFallbacks["<d0>"], 2)
        XCTAssertEqual(stats.coverage.topFallbacks["<b6>"], 2)
        let text = stats.lines().joined(separator: "\n")
        XCTAssertTrue(text.contains("splits: train 3"), text)
        XCTAssertTrue(text.contains("layout sidecar"), text)
    }
}
