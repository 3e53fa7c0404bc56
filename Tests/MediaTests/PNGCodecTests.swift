// PNGCodecTests.swift: PNG encode/decode round trips, text chunks (tEXt for Latin-1, iTXt
// otherwise) and the size guard that runs before any allocation.
import Core
import Foundation
import XCTest
@testable import Media

final class PNGCodecTests: XCTestCase {
    func gradient(_ w: Int, _ h: Int, channels: Int) -> Image {
        var px = [Float](repeating: 0, count: w * h * channels)
        for y in 0..<h { for x in 0..<w { for c in 0..<channels {
            px[(y * w + x) * channels + c] = Float((x * 37 + y * 11 + c * 70) % 256) / 255
        } } }
        return Image(width: w, height: h, channels: channels, pixels: px)
    }

    func testEightBitRoundTripIsExactForEveryChannelCount() throws {
        for channels in 1...4 {
            let image = gradient(13, 7, channels: channels)
            let back = try PNG.decode(PNG.encode(image))
            XCTAssertEqual(back, image, "channels \(channels)")
        }
    }

    func testSixteenBitRoundTripKeepsSixteenBits() throws {
        var image = gradient(5, 3, channels: 3)
        image.pixels[0] = 12345 / 65535
        let data = try PNG.encode(image, bitDepth: 16)
        XCTAssertEqual(try PNG.info(data).bitDepth, 16)
        let back = try PNG.decode(data)
        for (a, b) in zip(back.pixels, image.pixels) { XCTAssertEqual(a, b, accuracy: 0.5 / 65535) }
    }

    func testOutOfRangeValuesAreClampedAndRounded() throws {
        let image = Image(width: 4, height: 1, channels: 1, pixels: [-0.5, 1.7, .nan, 0.5])
        let back = try PNG.decode(PNG.encode(image))
        XCTAssertEqual(back.pixels, [0, 1, 0, 128 / 255])
    }

    func testTextChunksRoundTripLatin1AsTEXtAndOtherAsITXt() throws {
        let params = "a red circle\nSteps: 30, Sampler: dpmpp-2m, CFG scale: 4, Seed: 7, Size: 32x32"
        let text = [("parameters", params), ("Comment", "café à la crème"), ("prompt", "一只红色的猫 🐱"),
                    ("json", #"{"seed": 7}"#)]
        let data = try PNG.encode(gradient(4, 4, channels: 3), text: text)
        let chunks = try PNG.text(of: data)
        XCTAssertEqual(chunks.map(\.keyword), ["parameters", "Comment", "prompt", "json"])
        XCTAssertEqual(chunks.map(\.text), text.map(\.1))
        XCTAssertEqual(chunks.map(\.kind), [.tEXt, .tEXt, .iTXt, .tEXt])
        // The Latin-1 chunk is stored as Latin-1 bytes, not UTF-8.
        XCTAssertNotNil(data.range(of: Data([0x63, 0x61, 0x66, 0xE9])))  // "caf\u{E9}"
        XCTAssertNotNil(data.range(of: Data("iTXt".utf8)))
    }

    func testReadsEveryTextChunkKindFromAnIndependentlyWrittenFile() throws {
        let chunks = try PNG.text(of: FixtureFiles.data("text-chunks.png"))
        XCTAssertEqual(chunks.map(\.keyword), ["parameters", "Comment", "Description", "Title", "json", "Software"])
        XCTAssertEqual(chunks.map(\.kind), [.tEXt, .tEXt, .zTXt, .iTXt, .iTXt, .tEXt])
        XCTAssertEqual(chunks[1].text, "café crème")
        XCTAssertEqual(chunks[2].text, Array(repeating: "long text", count: 20).joined(separator: " "))
        XCTAssertEqual(chunks[3], PNGText(keyword: "Title", text: "赤い円", kind: .iTXt, language: "ja", translatedKeyword: "題"))
        XCTAssertEqual(chunks[4].text, #"{"prompt": "über 🐱"}"#)
        XCTAssertEqual(chunks[5].text, "after IDAT")
        let (image, _) = try PNG.decodeWithText(FixtureFiles.data("text-chunks.png"))
        XCTAssertEqual(image.pixels, [1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0])
    }

    func testInvalidKeywordsAndNulAreRejected() {
        let image = gradient(2, 2, channels: 1)
        for key in ["", " lead", "trail ", "two  spaces", String(repeating: "k", count: 80), "ключ"] {
            XCTAssertThrowsError(try PNG.encode(image, text: [(key, "v")]), key)
        }
        XCTAssertThrowsError(try PNG.encode(image, text: [("k", "a\u{0}b")]))
    }

    func testAbsurdDimensionsAreRejectedBeforeAllocation() throws {
        for (w, h) in [(100_000, 100_000), (16385, 1), (1, 20000), (16384, 16384)] {
            let data = pngHeader(width: UInt32(w), height: UInt32(h))
            XCTAssertThrowsError(try PNG.decode(data)) { error in
                XCTAssertEqual((error as? DiptychError)?.message, "image too large: \(w)x\(h)")
            }
        }
        let small = pngHeader(width: 64, height: 64)
        XCTAssertThrowsError(try PNG.decode(small, maxPixels: 1000)) { error in
            XCTAssertEqual((error as? DiptychError)?.message, "image too large: 64x64")
        }
    }

    func testImageFileSniffsFormatAndRejectsOthers() throws {
        let png = try PNG.encode(gradient(3, 2, channels: 4))
        XCTAssertEqual(ImageFile.format(of: png), .png)
        XCTAssertEqual(try ImageFile.decode(png).channels, 4)
        XCTAssertThrowsError(try ImageFile.decode(Data("GIF89a".utf8))) { error in
            XCTAssertEqual((error as? DiptychError)?.message, "not a PNG or JPEG file")
        }
        XCTAssertThrowsError(try ImageFile.decode(Data()))
    }

    func testWriteAndReadAFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("diptych-media-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let image = gradient(6, 5, channels: 3)
        let path = dir.appendingPathComponent("a.png").path
        try ImageFile.write(image, to: path, text: [("parameters", "x")])
        XCTAssertEqual(try ImageFile.read(path: path), image)
        XCTAssertThrowsError(try ImageFile.read(path: dir.appendingPathComponent("missing.png").path))
    }

    /// Signature, a valid IHDR (correct CRC) for an 8-bit gray image, and nothing after it.
    func pngHeader(width: UInt32, height: UInt32) -> Data {
        var ihdr = Data("IHDR".utf8)
        for v in [width, height] { ihdr.append(contentsOf: withUnsafeBytes(of: v.bigEndian, Array.init)) }
        ihdr.append(contentsOf: [8, 0, 0, 0, 0])
        var data = Data(PNG.signature)
        data.append(contentsOf: withUnsafeBytes(of: UInt32(13).bigEndian, Array.init))
        data.append(ihdr)
        data.append(contentsOf: withUnsafeBytes(of: crc32(ihdr).bigEndian, Array.init))
        return data
    }

    func crc32(_ bytes: Data) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            c ^= UInt32(b)
            for _ in 0..<8 { c = (c & 1) != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        }
        return c ^ 0xFFFF_FFFF
    }
}
