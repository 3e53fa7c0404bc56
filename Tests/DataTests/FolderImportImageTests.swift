// FolderImportImageTests.swift: what import does to pictures: splits by content hash that do not
// depend on names or file order, centre crop versus pad, alpha composited onto the background,
// modes (gray, palette, 16-bit) and several sizes.

import Core
import Foundation
import Media
import XCTest
@testable import Data

final class FolderImportImageTests: XCTestCase {
    typealias F = ImportFolderFixtures
    var dir = ""
    override func setUp() { dir = F.temporaryFolder("image") }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    func testSplitsComeFromContentNotNamesOrOrder() throws {
        let n = 60
        // The same pictures under two naming schemes that sort in opposite orders.
        for (folder, name) in [("a", { (i: Int) in String(format: "img%03d", i) }), ("b", { (i: Int) in String(format: "z%03d", n - i) })] {
            for i in 0..<n {
                try F.write(F.png(F.picture(seed: UInt64(100 + i))), dir + "/" + folder, name(i) + ".png")
                try F.write("picture number \(i)", dir + "/" + folder, name(i) + ".txt")
            }
        }
        var splitsByHash: [[String: String]] = []
        for folder in ["a", "b"] {
            let report = try F.run(dir + "/" + folder, dir + "/\(folder).dptd") { $0.valFraction = 0.25; $0.testFraction = 0.25 }
            let file = try DatasetFile(path: dir + "/\(folder).dptd")
            XCTAssertEqual(report.splits.values.reduce(0, +), n)
            XCTAssertEqual(file.splitCounts, report.splits)
            var m: [String: String] = [:]
            for i in 0..<file.count { m[file.attributes(i)["content_hash"]!] = file.splits[i] }
            splitsByHash.append(m)
            // With 60 images and 25% each, every split is used (expected 15 each).
            for s in ["train", "val", "test"] { XCTAssertGreaterThan(report.splits[s] ?? 0, 5, s) }
        }
        XCTAssertEqual(splitsByHash[0].count, n)
        XCTAssertEqual(splitsByHash[0], splitsByHash[1])
        // The split is a function of the hash and the fractions only.
        let h = ContentHash(F.picture(seed: 100))
        XCTAssertEqual(FolderImporter.split(of: h, val: 0, test: 0), "train")
        XCTAssertEqual(FolderImporter.split(of: h, val: 1, test: 0), "val")
        XCTAssertEqual(FolderImporter.split(of: h, val: 0, test: 1), "test")
    }

    /// A 60x20 strip: left third red, middle green, right third blue.
    func strip() -> Image {
        var im = Image(width: 60, height: 20, fill: [0, 0, 0])
        for y in 0..<20 {
            for x in 0..<60 {
                let c = x / 20
                im[x, y, c] = 1
            }
        }
        return im
    }

    func pixel(_ file: DatasetFile, _ i: Int, size: Int, _ x: Int, _ y: Int) -> [UInt8] {
        let b = Array(file.imageBytes(i, size: size))
        return Array(b[((y * size + x) * 3)..<((y * size + x) * 3 + 3)])
    }

    func testCropKeepsTheCentreAndPadKeepsEverything() throws {
        let src = dir + "/in"
        try F.write(F.png(strip()), src, "strip.png")
        try F.write("a strip", src, "strip.txt")
        _ = try F.run(src, dir + "/crop.dptd") { $0.sizes = [6]; $0.fit = .crop }
        _ = try F.run(src, dir + "/pad.dptd") { $0.sizes = [6]; $0.fit = .pad; $0.background = "#808080" }
        let crop = try DatasetFile(path: dir + "/crop.dptd"), pad = try DatasetFile(path: dir + "/pad.dptd")
        for y in 0..<6 { for x in 0..<6 { XCTAssertEqual(pixel(crop, 0, size: 6, x, y), [0, 255, 0]) } }
        // 60x60 canvas, the strip in rows 20..<40 -> output rows 2 and 3; the rest is the background.
        for x in 0..<6 {
            XCTAssertEqual(pixel(pad, 0, size: 6, x, 0), [128, 128, 128])
            XCTAssertEqual(pixel(pad, 0, size: 6, x, 5), [128, 128, 128])
        }
        XCTAssertEqual(pixel(pad, 0, size: 6, 0, 2), [255, 0, 0])
        XCTAssertEqual(pixel(pad, 0, size: 6, 2, 3), [0, 255, 0])
        XCTAssertEqual(pixel(pad, 0, size: 6, 5, 3), [0, 0, 255])
    }

    func testAlphaIsCompositedOntoTheBackground() throws {
        // RGBA: left half transparent (its color must not show), right half opaque red; and a
        // 16-bit gray + alpha picture at half opacity.
        var rgba = Image(width: 8, height: 8, fill: [0, 0, 1, 0])
        for y in 0..<8 { for x in 4..<8 { rgba[x, y, 0] = 1; rgba[x, y, 2] = 0; rgba[x, y, 3] = 1 } }
        let grayAlpha = Image(width: 8, height: 8, fill: [0, 0.5])
        let src = dir + "/in"
        try F.write(F.png(rgba), src, "rgba.png")
        try F.write("half red", src, "rgba.txt")
        try F.write(F.png(grayAlpha, bitDepth: 16), src, "ga16.png")
        try F.write("half black", src, "ga16.txt")
        for (bg, rgb) in [("#00ff00", [UInt8](arrayLiteral: 0, 255, 0)), ("black", [0, 0, 0]), ("white", [255, 255, 255])] {
            let out = dir + "/\(bg.dropFirst()).dptd"
            _ = try F.run(src, out) { $0.sizes = [8]; $0.background = bg }
            let file = try DatasetFile(path: out)
            let r = try XCTUnwrap(file.infos.firstIndex(of: "rgba.png")), g = try XCTUnwrap(file.infos.firstIndex(of: "ga16.png"))
            XCTAssertEqual(pixel(file, r, size: 8, 0, 0), rgb, bg)
            XCTAssertEqual(pixel(file, r, size: 8, 7, 7), [255, 0, 0], bg)
            let half = rgb.map { UInt8((Double($0) * 0.5).rounded()) }
            for (a, b) in zip(pixel(file, g, size: 8, 3, 3), half) { XCTAssertLessThanOrEqual(abs(Int(a) - Int(b)), 1, bg) }
        }
    }

    func testModesAndSeveralSizes() throws {
        let src = dir + "/in"
        let pictures: [(String, Data)] = [
            ("gray.png", try F.png(F.picture(seed: 1, width: 33, height: 17, channels: 1))),
            ("gray16.png", try F.png(F.picture(seed: 2, width: 5, height: 50, channels: 1), bitDepth: 16)),
            ("rgb16.png", try F.png(F.picture(seed: 3, width: 64, height: 64), bitDepth: 16)),
            ("photo.jpg", try F.jpeg(F.picture(seed: 4, width: 100, height: 75))),
        ]
        for (name, data) in pictures {
            try F.write(data, src, name)
            try F.write("a picture", src, (name as NSString).deletingPathExtension + ".txt")
        }
        let report = try F.run(src, dir + "/out.dptd") { $0.sizes = [16, 4] }
        XCTAssertEqual(report.skipped, [])
        let file = try DatasetFile(path: dir + "/out.dptd")
        XCTAssertEqual(file.sizes, [4, 16])
        XCTAssertEqual(file.count, 4)
        XCTAssertEqual(file.imageBytes(3, size: 16).count, 16 * 16 * 3)
        // A gray source stays gray in RGB.
        let g = try XCTUnwrap(file.infos.firstIndex(of: "gray.png"))
        let px = pixel(file, g, size: 16, 5, 5)
        XCTAssertEqual(px[0], px[1])
        XCTAssertEqual(px[1], px[2])
    }

    func testBackgroundColours() {
        XCTAssertEqual(ImageFitter.parseColor("white"), [1, 1, 1])
        XCTAssertEqual(ImageFitter.parseColor("Black"), [0, 0, 0])
        XCTAssertEqual(ImageFitter.parseColor("#ff0080"), [1, 0, Float(128) / 255])
        for bad in ["#ff008", "ff0080", "#gg0000", "#+f0000", "red", ""] { XCTAssertNil(ImageFitter.parseColor(bad), bad) }
    }
}

extension FolderImportImageTests {
    /// The one-pass flatten equals Media's composite, crop and pad steps done one after another.
    func testOnePassFlattenMatchesMediaCompositing() {
        let bg: [Float] = [0.2, 0.6, 1]
        for (w, h, c) in [(7, 4, 4), (3, 9, 2), (5, 5, 3), (6, 2, 1)] {
            var im = ImportFolderFixtures.picture(seed: UInt64(w * h), width: w, height: h, channels: c)
            if c == 2 || c == 4 { for i in 0..<(w * h) { im.pixels[i * c + c - 1] = Float(i % 5) / 4 } }
            let flat = im.composited(onto: bg).converted(toChannels: 3)
            let padded = flat.centeredOnSquare(fill: bg)
            XCTAssertEqual(ImageFitter(fit: .pad, background: bg).flattenedSquare(im), padded, "\(w)x\(h)x\(c)")
            let side = min(w, h)
            var crop = Image(width: side, height: side, fill: [0, 0, 0])
            for y in 0..<side { for x in 0..<side { for k in 0..<3 { crop[x, y, k] = flat[(w - side) / 2 + x, (h - side) / 2 + y, k] } } }
            XCTAssertEqual(ImageFitter(fit: .crop, background: bg).flattenedSquare(im), crop, "\(w)x\(h)x\(c)")
        }
    }
}

extension FolderImportImageTests {
    /// Real files from MediaTests' fixtures (PngSuite, Go's JPEG and corrupt PNG test files; see
    /// Tests/MediaTests/Fixtures/README.md): palette with tRNS, 1-bit gray, interlaced, 16-bit
    /// RGBA, CMYK and progressive JPEG import; the corrupt ones are skipped as corrupt.
    func testRealPNGSuiteAndJPEGFilesImportOrSkip() throws {
        let fixtures = ImportFolderFixtures.repoRoot.appendingPathComponent("Tests/MediaTests/Fixtures").path
        let good = ["pngsuite/basn3p08-trns.png", "pngsuite/basn0g01.png", "pngsuite/basi0g16.png", "pngsuite/basn6a16.png",
                    "pngsuite/basn4a08.png", "jpeg/video-001.cmyk.jpeg", "jpeg/video-001.progressive.jpeg", "jpeg/video-005.gray.jpeg"]
        let bad = ["pngsuite-corrupt/xcrn0g04.png", "pngsuite-corrupt/xd3n2c08.png", "pngsuite-corrupt/go-invalid-trunc.png",
                   "pngsuite-corrupt/go-invalid-crc32.png", "pngsuite-corrupt/xhdn0g08.png"]
        let src = dir + "/in"
        for (i, f) in (good + bad).enumerated() {
            let name = (f as NSString).lastPathComponent
            try ImportFolderFixtures.write(try Data(contentsOf: URL(fileURLWithPath: fixtures + "/" + f)), src, name)
            try ImportFolderFixtures.write("fixture number \(i)", src, (name as NSString).deletingPathExtension + ".txt")
        }
        let report = try ImportFolderFixtures.run(src, dir + "/out.dptd") { $0.sizes = [16] }
        XCTAssertEqual(report.imported, good.count, report.lines().joined(separator: "\n"))
        XCTAssertEqual(Set(report.skipped.map(\.file)), Set(bad.map { ($0 as NSString).lastPathComponent }))
        XCTAssertTrue(report.skipped.allSatisfy { $0.reason == .corrupt })
        let file = try DatasetFile(path: dir + "/out.dptd")
        XCTAssertEqual(Set(file.infos), Set(good.map { ($0 as NSString).lastPathComponent }))
    }
}
