// ArtifactTests.swift: the parameters text (AUTOMATIC1111 layout) and its JSON twin round-trip
// through a PNG; the comparison report's markdown, HTML and JSON from a metrics table; its plots;
// stale temporary files of dead processes are removed, live ones kept.
import Core
import Foundation
import Media
import XCTest
@testable import Studio

final class ArtifactTests: XCTestCase {
    let params = GenerationParameters(prompt: "a red circle above a blue square", seed: 7, sampler: "dpmpp-2m", steps: 30, cfg: 4,
                                      width: 32, height: 32, model: "default", modelHash: "0123456789")

    func testA1111TextLayout() throws {
        XCTAssertEqual(params.a1111Text, "a red circle above a blue square\n"
                       + "Steps: 30, Sampler: dpmpp-2m, CFG scale: 4, Seed: 7, Size: 32x32, Model: default, Model hash: 0123456789")
        XCTAssertEqual(try GenerationParameters.parseA1111(params.a1111Text), params)
        var odd = params
        odd.cfg = 4.5
        odd.model = "runs/a, b"
        odd.prompt = "line one\nline two"
        XCTAssertTrue(odd.a1111Text.hasSuffix("CFG scale: 4.5, Seed: 7, Size: 32x32, Model: \"runs/a, b\", Model hash: 0123456789"))
        XCTAssertEqual(try GenerationParameters.parseA1111(odd.a1111Text), odd)
        XCTAssertThrowsError(try GenerationParameters.parseA1111("just a prompt"))
    }

    func testParametersRoundTripThroughPNG() throws {
        var p = params
        p.prompt = "un cercle rouge \u{1F534}"  // not Latin-1: goes into iTXt
        let png = try PNG.encode(Image(width: 4, height: 4, fill: [1, 0, 0]), text: p.pngText)
        let chunks = try PNG.text(of: png)
        XCTAssertEqual(chunks.map(\.keyword), ["parameters", "diptych-parameters"])
        XCTAssertEqual(chunks[0].kind, .iTXt)
        XCTAssertEqual(try GenerationParameters.from(text: chunks.map { ($0.keyword, $0.text) }), p)
        // Without the JSON chunk the text one is read.
        XCTAssertEqual(try GenerationParameters.from(text: [("parameters", p.a1111Text)]), p)
        XCTAssertThrowsError(try GenerationParameters.from(text: [("Comment", "x")]))
    }

    func report() -> ComparisonReport {
        func row(_ label: String, _ steps: Int, _ ref: Bool, _ psnr: Double?, _ ssim: Double?) -> ComparisonRow {
            ComparisonRow(label: label, sampler: label.components(separatedBy: ",")[0], steps: steps, model: "m", cfg: 4, isReference: ref,
                          images: 2, nfePerImage: Double(steps * 2), secondsPerImage: 0.125, psnr: psnr, ssim: ssim, oracleExact: ref ? 1 : 0.5)
        }
        return ComparisonReport(job: "cmp", task: 2, prompts: ["a red circle", "x < y & z"], seeds: [1],
                                rows: [row("ddim, 50 steps", 50, true, nil, nil), row("ddim, 2 steps", 2, false, 21.5, 0.75),
                                       row("ddim, 8 steps", 8, false, 30.25, 0.9), row("consistency, 1 step", 1, false, 25, 0.8)],
                                grid: "grid.png", gridColumns: ["prompt 1, seed 1", "prompt 2, seed 1"])
    }

    func testComparisonReportWriters() throws {
        let r = report()
        let md = r.markdown()
        XCTAssertTrue(md.contains("| setting | NFE/image | s/image | PSNR (dB) | SSIM | oracle exact |"))
        XCTAssertTrue(md.contains("| ddim, 50 steps (reference) | 100.0 | 0.125 | - | - | 1.000 |"))
        XCTAssertTrue(md.contains("| ddim, 2 steps | 4.0 | 0.125 | 21.50 | 0.7500 | 0.500 |"))
        XCTAssertTrue(md.contains("![grid](grid.png)"))
        let html = r.html()
        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>"))
        XCTAssertTrue(html.contains("<li>x &lt; y &amp; z</li>"))
        XCTAssertTrue(html.contains("src=\"psnr.png\"") && html.contains("src=\"ssim.png\"") && html.contains("src=\"grid.png\""))
        let back = try JSONDecoder().decode(ComparisonReport.self, from: try r.json())
        XCTAssertEqual(back, r)
    }

    func testPlotsHaveOneLinePerSampler() {
        let psnr = report().plot(\.psnr, title: "PSNR")
        let empty = ComparisonReport(job: "e", task: 1, prompts: [], seeds: [], rows: [], grid: nil, gridColumns: []).plot(\.psnr, title: "PSNR")
        XCTAssertGreaterThan(psnr.width, 100)
        // The two samplers draw in two palette colors; an empty report draws neither.
        func count(_ im: Image, _ rgb: [Float]) -> Int {
            (0..<(im.width * im.height)).filter { i in (0..<3).allSatisfy { abs(im.pixels[i * im.channels + $0] - rgb[$0]) < 0.02 } }.count
        }
        for color in LinePlot.palette.prefix(2) {
            XCTAssertGreaterThan(count(psnr, color), 10)
            XCTAssertEqual(count(empty, color), 0)
        }
    }

    func testStaleTemporariesOfDeadProcessesAreRemoved() throws {
        let dir = NSTemporaryDirectory() + "stale-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir + "/a", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let dead = dir + "/a/.p000-s1.png.\(try deadPID()).tmp"
        let live = dir + "/a/.p000-s2.png.\(getppid()).tmp"
        let kept = dir + "/a/p000-s3.png"
        for f in [dead, live, kept] { _ = FileManager.default.createFile(atPath: f, contents: Data([1])) }
        XCTAssertEqual(ArtifactFiles.cleanStaleTemporaries(in: dir), [dead])
        XCTAssertFalse(FileManager.default.fileExists(atPath: dead))
        XCTAssertTrue(FileManager.default.fileExists(atPath: live))
        XCTAssertTrue(FileManager.default.fileExists(atPath: kept))
    }
}

