// TokenizerTests.swift: the byte-level BPE tokenizer: exact round trip for any UTF-8 (property tests
// on random strings of every UTF-8 length class), deterministic training, special ids, files.

import Core
import Foundation
import XCTest
@testable import Data

final class TokenizerTests: XCTestCase {
    static let corpus: [String] = {
        let shapes = CaptionCorpus.allShapesCaptions()
        let emoji = (try? CaptionCorpus.emojiNames()) ?? []
        return Array(shapes.prefix(3000)) + Array(emoji.prefix(800))
    }()

    func trained(_ vocab: Int = 700) throws -> Tokenizer {
        try TokenizerTrainer.train(texts: Self.corpus, vocabularySize: vocab)
    }

    /// A random Unicode scalar from one of the UTF-8 length classes (1, 2, 3 or 4 bytes).
    func randomScalar(_ rng: inout Philox) -> Unicode.Scalar {
        while true {
            let v: UInt32
            switch rng.nextInt(below: 5) {
            case 0: v = UInt32(rng.nextInt(below: 0x80))
            case 1: v = 0x80 + UInt32(rng.nextInt(below: 0x800 - 0x80))
            case 2: v = 0x800 + UInt32(rng.nextInt(below: 0x10000 - 0x800))
            case 3: v = 0x10000 + UInt32(rng.nextInt(below: 0x110000 - 0x10000))
            default: v = [0x20, 0x61, 0x65, 0x3A, 0x200D, 0x1F3FD, 0xFE0F][rng.nextInt(below: 7)]
            }
            if let s = Unicode.Scalar(v) { return s }
        }
    }

    func testRoundTripOfRandomUTF8() throws {
        let tok = try trained()
        var rng = Philox(seed: 9)
        for n in 0..<600 {
            let length = n < 40 ? n : rng.nextInt(below: 80)
            var s = String.UnicodeScalarView()
            for _ in 0..<length { s.append(randomScalar(&rng)) }
            let text = String(s)
            let ids = tok.encode(text)
            XCTAssertTrue(ids.allSatisfy { $0 >= tok.byteOffset && $0 < tok.vocabularySize })
            XCTAssertEqual(tok.decode(ids), text)
            XCTAssertEqual(tok.bytes(ids), Array(text.utf8))
        }
    }

    func testRoundTripOfCorpusAndOddText() throws {
        let tok = try trained()
        let odd = ["", " ", "   ", "a  b", " leading", "trailing ", "\n\t\r", "[MASK] [PAD]", "naïve café ☕",
                   "flag: Côte d’Ivoire", "👩🏽‍🚀", "unknownwordxyzzy", "ÿ\u{0}\u{7F}\u{FFFF}\u{10FFFF}", "1234567890"]
        for text in odd + Self.corpus {
            XCTAssertEqual(tok.decode(tok.encode(text)), text)
        }
        // Literal special names in the text are plain bytes, never special ids.
        XCTAssertFalse(tok.encode("[MASK]").contains(where: tok.isSpecial))
    }

    func testMergesCompressCaptions() throws {
        let tok = try trained()
        XCTAssertEqual(tok.vocabularySize, 700)
        let text = "a red circle left of a blue square"
        XCTAssertLessThanOrEqual(tok.encode(text).count, 10)
        XCTAssertEqual(tok.decode(tok.encode(text)), text)
    }

    func testSpecialIdsAndFixedLength() throws {
        let tok = try trained(400)
        XCTAssertEqual([tok.padId, tok.maskId, tok.eosId, tok.bosId], [0, 1, 2, 3])
        let ids = tok.encode("two red circles", length: 12)
        XCTAssertEqual(ids.count, 12)
        let n = tok.encode("two red circles").count
        XCTAssertEqual(ids[n], tok.eosId)
        XCTAssertTrue(ids[(n + 1)...].allSatisfy { $0 == tok.padId })
        XCTAssertEqual(tok.decode(ids), "two red circles")
        XCTAssertEqual(tok.encode("two red circles", length: 2).count, 2)
        XCTAssertEqual(tok.decode([tok.maskId, -5, 99999]), "")
    }

    func testTrainingIsDeterministicAndFilesRoundTrip() throws {
        let a = try trained(500), b = try trained(500)
        XCTAssertEqual(a.merges, b.merges)
        let path = NSTemporaryDirectory() + "diptych-tok-\(getpid()).json"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try a.save(to: path)
        let c = try Tokenizer.load(from: path)
        XCTAssertEqual(c, a)
        XCTAssertEqual(c.encode("a large purple diamond"), a.encode("a large purple diamond"))
        try AtomicFile.write("{\"format\": \"x\"}", to: path)
        XCTAssertThrowsError(try Tokenizer.load(from: path))
        try AtomicFile.write("{\"format\":\"diptych-byte-bpe\",\"version\":1,\"specials\":[\"[PAD]\"],\"merges\":[[5,900]]}", to: path)
        XCTAssertThrowsError(try Tokenizer.load(from: path))
        XCTAssertThrowsError(try Tokenizer.load(from: path + ".missing"))
    }

    /// The shipped Models/tokenizer.json: loads, has 1k to 4k ids, and round-trips every caption.
    func testShippedTokenizer() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let tok = try Tokenizer.load(from: root.appendingPathComponent("Models/tokenizer.json").path)
        XCTAssertTrue((1000...4096).contains(tok.vocabularySize), "\(tok.vocabularySize)")
        for text in Self.corpus { XCTAssertEqual(tok.decode(tok.encode(text)), text) }
        XCTAssertLessThanOrEqual(tok.encode("a red circle left of a blue square").count, 8)
    }

    func testChunksCoverTheInput() {
        for text in ["", "a", "  ", "a red  circle ", "flag: Côte d’Ivoire", "x1y22 :: z"] {
            let b = Array(text.utf8)
            let chunks = ByteChunker.chunks(b)
            XCTAssertEqual(chunks.flatMap { Array(b[$0]) }, b)
            XCTAssertTrue(chunks.allSatisfy { !$0.isEmpty })
        }
    }
}
