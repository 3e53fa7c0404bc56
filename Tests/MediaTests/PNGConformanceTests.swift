// PNGConformanceTests.swift: PngSuite (Willem van Schaik) through the PNG decoder. Every valid
// file must decode to the samples an independent decoder (pypng plus the spec's expansion rules)
// gives; every corrupt file must be rejected with one line, never a crash.
import Core
import XCTest
@testable import Media

final class PNGConformanceTests: XCTestCase {
    struct Reference: Decodable {
        let width, height, channels: Int
        let sum, weighted: Double
        /// FNV-1a 64 of every sample as round(v * 65535), little-endian UInt16 (scripts/make_media_fixtures.py).
        let samples16_fnv1a64: String
    }

    func testValidPngSuiteFilesDecodeToReferenceSamples() throws {
        let refs = try JSONDecoder().decode([String: Reference].self, from: FixtureFiles.data("pngsuite/reference.json"))
        let files = try FixtureFiles.list("pngsuite", ext: "png")
        XCTAssertEqual(files.count, refs.count)
        XCTAssertGreaterThanOrEqual(files.count, 50)
        for file in files {
            let name = String(file.dropLast(4))
            let image = try PNG.decode(FixtureFiles.data("pngsuite/" + file))
            guard let ref = refs[name] else { XCTFail("no reference for \(name)"); continue }
            XCTAssertEqual(image.width, ref.width, name)
            XCTAssertEqual(image.height, ref.height, name)
            XCTAssertEqual(image.channels, ref.channels, name)
            var sum = 0.0, weighted = 0.0
            for (i, v) in image.pixels.enumerated() {
                sum += Double(v)
                weighted += Double(v) * Double(i % 251 + 1)
            }
            XCTAssertEqual(sum, ref.sum, accuracy: 1e-6 * max(1, ref.sum), name)
            XCTAssertEqual(weighted, ref.weighted, accuracy: 1e-6 * max(1, ref.weighted), name)
            // Sample for sample: every value must be exactly the reference's k / (2^depth - 1).
            var q = Data(capacity: image.pixels.count * 2)
            for v in image.pixels {
                let k = UInt16((Double(v) * 65535).rounded())
                XCTAssertLessThan(abs(Double(v) * 65535 - Double(k)), 1e-2, "\(name): a sample between levels")
                q.append(UInt8(k & 0xff)); q.append(UInt8(k >> 8))
            }
            XCTAssertEqual(String(CheckpointFolder.fnv1a64(q), radix: 16), ref.samples16_fnv1a64, "\(name): samples differ")
        }
    }

    func testInterlacedFilesEqualTheirNonInterlacedTwins() throws {
        let files = try FixtureFiles.list("pngsuite", ext: "png").filter { $0.hasPrefix("basi") }
        XCTAssertFalse(files.isEmpty)
        for file in files {
            let twin = "basn" + file.dropFirst(4)
            let a = try PNG.decode(FixtureFiles.data("pngsuite/" + file))
            let b = try PNG.decode(FixtureFiles.data("pngsuite/" + twin))
            XCTAssertEqual(a, b, "\(file) vs \(twin)")
            XCTAssertTrue(try PNG.info(FixtureFiles.data("pngsuite/" + file)).interlaced)
        }
    }

    func testCorruptFilesAreRejectedWithOneLine() throws {
        let files = try FixtureFiles.list("pngsuite-corrupt", ext: "png")
        XCTAssertGreaterThanOrEqual(files.count, 14)
        for file in files {
            let data = try FixtureFiles.data("pngsuite-corrupt/" + file)
            XCTAssertThrowsError(try ImageFile.decode(data), file) { error in
                let message = (error as? DiptychError)?.message ?? ""
                XCTAssertFalse(message.isEmpty, file)
                XCTAssertFalse(message.contains("\n"), file)
            }
        }
    }

    func testSignatureErrorsSayNotAPNG() throws {
        for file in ["xs1n0g01", "xs2n0g01", "xs4n0g01", "xs7n0g01", "xcrn0g04", "xlfn0g04"] {
            XCTAssertThrowsError(try PNG.decode(FixtureFiles.data("pngsuite-corrupt/\(file).png"))) { error in
                XCTAssertEqual((error as? DiptychError)?.message, "not a PNG file", file)
            }
        }
        XCTAssertThrowsError(try PNG.decode(FixtureFiles.data("pngsuite-corrupt/xhdn0g08.png"))) { error in
            XCTAssertEqual((error as? DiptychError)?.message, "PNG: IHDR: CRC error")
        }
    }

    func testEveryTruncationOfAValidFileIsRejected() throws {
        for file in ["basn0g01", "basi6a08", "basn6a16", "basn3p04"] {
            let data = try FixtureFiles.data("pngsuite/\(file).png")
            for cut in stride(from: 0, to: data.count - 1, by: 3) {
                XCTAssertThrowsError(try PNG.decode(data.prefix(cut)), "\(file) cut at \(cut)")
            }
        }
    }

    func testRandomByteDamageNeverCrashes() throws {
        var rng = Philox(seed: 23, stream: 0)
        for file in ["basn6a16", "basi0g16", "tbrn2c08", "basn3p02"] {
            let data = try FixtureFiles.data("pngsuite/\(file).png")
            for _ in 0..<60 {
                var bad = data
                for _ in 0..<3 { bad[8 + rng.nextInt(below: bad.count - 8)] = UInt8(truncatingIfNeeded: rng.nextUInt32()) }
                _ = try? PNG.decodeWithText(bad)  // an image or an error, never a crash
            }
        }
    }

    func testBitDepthsAndColorTypesAreReported() throws {
        let info = try PNG.info(FixtureFiles.data("pngsuite/basn3p04.png"))
        XCTAssertEqual(info.colorType, "palette")
        XCTAssertEqual(info.bitDepth, 4)
        XCTAssertEqual(info.channels, 3)
        let info16 = try PNG.info(FixtureFiles.data("pngsuite/basn6a16.png"))
        XCTAssertEqual(info16.colorType, "RGBA")
        XCTAssertEqual(info16.bitDepth, 16)
        XCTAssertEqual(info16.channels, 4)
    }
}
