// JPEGTests.swift: real JPEG files (Go's test images: baseline, progressive, every subsampling
// libjpeg supports, gray, RGB, Adobe CMYK) decode to pictures close to an independent decoder's
// output (Go's image/jpeg, stored as PNG); truncated files are rejected and never crash.
import Core
import Foundation
import XCTest
@testable import Media

final class JPEGTests: XCTestCase {
    func load(_ name: String) throws -> Image { try ImageFile.decode(FixtureFiles.data("jpeg/" + name)) }

    /// Mean and max absolute difference of two images of the same shape.
    func difference(_ a: Image, _ b: Image) -> (mean: Float, max: Float) {
        XCTAssertEqual([a.width, a.height, a.channels], [b.width, b.height, b.channels])
        guard a.pixels.count == b.pixels.count, !a.pixels.isEmpty else { return (1, 1) }
        var sum: Float = 0, mx: Float = 0
        for (x, y) in zip(a.pixels, b.pixels) { sum += abs(x - y); mx = max(mx, abs(x - y)) }
        return (sum / Float(a.pixels.count), mx)
    }

    func testDecodesMatchGoDecoderOutput() throws {
        let pairs = [("video-001.jpeg", "video-001.png"), ("video-001.rgb.jpeg", "video-001.rgb.png"),
                     ("video-001.cmyk.jpeg", "video-001.cmyk.png"), ("video-001.221212.jpeg", "video-001.221212.png"),
                     ("video-005.gray.jpeg", "video-005.gray.png"),
                     ("video-001.progressive.truncated.jpeg", "video-001.progressive.truncated.png")]
        for (jpeg, png) in pairs {
            let ours = try load(jpeg)
            var reference = try load(png)
            if reference.channels == 4 { reference = reference.converted(toChannels: 3) }
            if ours.channels == 1 && reference.channels != 1 { reference = reference.converted(toChannels: 1) }
            // Go upsamples chroma by replication, libjpeg-turbo by a triangle filter: edges differ.
            XCTAssertLessThan(difference(ours, reference).mean, 5 / 255, jpeg)
        }
    }

    func testSubsamplingsAndProgressiveFilesShowTheSamePicture() throws {
        let reference = try load("video-001.png").converted(toChannels: 3)
        let files = try FixtureFiles.list("jpeg", ext: "jpeg").filter { $0.hasPrefix("video-001.") && !$0.contains("truncated") && !$0.contains("cmyk") }
        XCTAssertGreaterThanOrEqual(files.count, 12)
        for file in files {
            let image = try load(file)
            XCTAssertEqual(image.channels, 3, file)
            XCTAssertLessThan(difference(image, reference).mean, 8 / 255, file)
        }
        // The progressive file holds the same coefficients as the baseline one.
        let d = difference(try load("video-001.progressive.jpeg"), try load("video-001.jpeg"))
        XCTAssertLessThan(d.max, 2 / 255)
    }

    func testInfoReportsProgressiveGrayAndCMYK() throws {
        let progressive = try JPEG.info(FixtureFiles.data("jpeg/video-001.progressive.jpeg"))
        XCTAssertTrue(progressive.progressive)
        XCTAssertEqual(progressive.colorType, "YCbCr")
        XCTAssertFalse(try JPEG.info(FixtureFiles.data("jpeg/video-001.jpeg")).progressive)
        let gray = try JPEG.info(FixtureFiles.data("jpeg/video-005.gray.q50.progressive.jpeg"))
        XCTAssertEqual([gray.channels, gray.bitDepth], [1, 8])
        XCTAssertEqual(gray.colorType, "gray")
        XCTAssertEqual(try JPEG.info(FixtureFiles.data("jpeg/video-001.cmyk.jpeg")).colorType, "CMYK")
        XCTAssertEqual(try JPEG.info(FixtureFiles.data("jpeg/video-001.rgb.jpeg")).colorType, "RGB")
    }

    func testTruncatedFilesAreRejectedNeverCrash() throws {
        let data = try FixtureFiles.data("jpeg/video-001.q50.444.jpeg")
        XCTAssertThrowsError(try JPEG.decode(data.prefix(data.count / 2))) { error in
            XCTAssertEqual((error as? DiptychError)?.message, "JPEG: Premature end of JPEG file")
        }
        for file in ["video-001.q50.420.jpeg", "video-001.q50.420.progressive.jpeg", "video-005.gray.q50.progressive.jpeg"] {
            let data = try FixtureFiles.data("jpeg/" + file)
            for cut in stride(from: 0, to: data.count - 2, by: 97) {
                XCTAssertThrowsError(try ImageFile.decode(data.prefix(cut)), "\(file) cut at \(cut)")
            }
        }
    }

    func testCorruptedBytesNeverCrash() throws {
        let data = try FixtureFiles.data("jpeg/video-001.q50.444.jpeg")
        var rng = Philox(seed: 11, stream: 0)
        for _ in 0..<40 {
            var bad = data
            for _ in 0..<4 { bad[rng.nextInt(below: bad.count)] = UInt8(truncatingIfNeeded: rng.nextUInt32()) }
            _ = try? ImageFile.decode(bad)  // either an image or an error, never a crash
        }
    }

    func testEncodeRoundTripGrayRGBAndProgressive() throws {
        let picture = try load("video-001.png").converted(toChannels: 3)
        let q95 = try JPEG.decode(JPEG.encode(picture, quality: 95, subsampling: .s444))
        XCTAssertLessThan(difference(q95, picture).mean, 2 / 255)
        let progressive = try JPEG.encode(picture, quality: 80, progressive: true)
        XCTAssertTrue(try JPEG.info(progressive).progressive)
        XCTAssertLessThan(difference(try JPEG.decode(progressive), picture).mean, 6 / 255)
        let gray = picture.converted(toChannels: 1)
        let grayBack = try JPEG.decode(JPEG.encode(gray, quality: 90))
        XCTAssertEqual(grayBack.channels, 1)
        XCTAssertLessThan(difference(grayBack, gray).mean, 3 / 255)
        XCTAssertThrowsError(try JPEG.encode(picture.converted(toChannels: 4)))
    }

    func testAbsurdDimensionsAreRejectedBeforeAllocation() throws {
        // A baseline JPEG header (SOI, SOF0 for 20000x20000 gray) with no data after it.
        var data = Data([0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x0B, 0x08])
        data.append(contentsOf: [0x4E, 0x20, 0x4E, 0x20, 0x01, 0x01, 0x11, 0x00])
        data.append(contentsOf: [0xFF, 0xDA])
        XCTAssertThrowsError(try JPEG.decode(data))
        let big = try JPEG.encode(Image(width: 300, height: 200, fill: [0.5]), quality: 50)
        XCTAssertThrowsError(try JPEG.decode(big, maxPixels: 1000)) { error in
            XCTAssertEqual((error as? DiptychError)?.message, "image too large: 300x200")
        }
    }
}
