// SHA256Tests.swift: the NIST example vectors of FIPS 180-4 (csrc.nist.gov "Examples with
// Intermediate Values", SHA-256) and streaming in uneven pieces.
import Foundation
import XCTest
@testable import Studio

final class SHA256Tests: XCTestCase {
    func testNISTVectors() {
        XCTAssertEqual(SHA256.hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(SHA256.hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"),
                       "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
        XCTAssertEqual(SHA256.hex(Data(repeating: UInt8(ascii: "a"), count: 1_000_000)),
                       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Lengths around the 55/56/64-byte padding boundaries, fed in uneven pieces, agree with one shot
    /// and with the byte-sequence path.
    func testStreamingMatchesOneShot() {
        for n in [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000] {
            let bytes = (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            let whole = SHA256.hash(Data(bytes))
            var pieces = SHA256()
            var i = 0, step = 1
            while i < n {
                let j = min(n, i + step)
                pieces.update(Data(bytes[i..<j]))
                i = j
                step = step * 3 % 17 + 1
            }
            XCTAssertEqual(pieces.finalize(), whole, "length \(n)")
            var seq = SHA256()
            seq.update(bytes)
            XCTAssertEqual(seq.finalize(), whole, "length \(n), byte sequence")
        }
    }

    func testFileHash() throws {
        let path = NSTemporaryDirectory() + "sha256-\(getpid()).bin"
        try Data("abc".utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        XCTAssertEqual(try SHA256.hex(file: path), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertThrowsError(try SHA256.hex(file: path + ".missing"))
    }
}
