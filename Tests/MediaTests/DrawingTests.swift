// DrawingTests.swift: the bitmap font, labelled grids and line plots. Checks geometry and that
// ink lands where it should; with DIPTYCH_MEDIA_PREVIEW=<folder> it also saves the pictures to
// look at.
import Core
import Foundation
import XCTest
@testable import Media

final class DrawingTests: XCTestCase {
    func preview(_ image: Image, _ name: String) throws {
        if let dir = ProcessInfo.processInfo.environment["DIPTYCH_MEDIA_PREVIEW"] {
            try PNG.write(image, to: dir + "/" + name + ".png")
        }
    }

    func testFontHasADistinctGlyphForEveryPrintableCharacter() {
        let font = BitmapFont.standard
        var seen = Set<[UInt8]>()
        for code in 33...126 {
            let rows = font.rows(Character(Unicode.Scalar(UInt8(code))))
            XCTAssertEqual(rows.count, 7)
            XCTAssertTrue(rows.allSatisfy { $0 < 32 }, "glyph \(code) wider than 5 px")
            XCTAssertTrue(rows.contains { $0 != 0 }, "glyph \(code) is empty")
            XCTAssertTrue(seen.insert(rows).inserted, "glyph \(code) repeats another")
        }
        XCTAssertEqual(font.rows(" "), [UInt8](repeating: 0, count: 7))
        XCTAssertEqual(font.rows("é"), font.rows("?"))
        XCTAssertEqual(font.width("abc"), 17)
    }

    func testWrapBreaksAtSpacesAndInsideLongWords() {
        let font = BitmapFont.standard
        XCTAssertEqual(font.wrap("a red circle left of a blue square", maxWidth: 6 * 12 - 1), ["a red circle", "left of a", "blue square"])
        XCTAssertEqual(font.wrap("abcdefghij", maxWidth: 6 * 4 - 1), ["abcd", "efgh", "ij"])
        XCTAssertEqual(font.wrap("one\ntwo", maxWidth: 100), ["one", "two"])
    }

    func testTextInkMatchesTheGlyph() {
        var img = Image(width: 12, height: 9, fill: [1, 1, 1])
        img.drawText("T", x: 1, y: 1, color: [0, 0, 0])
        // 'T' is a full top bar and a centre stem.
        for x in 1...5 { XCTAssertEqual(img[x, 1, 0], 0) }
        for y in 2...7 { XCTAssertEqual(img[3, y, 0], 0); XCTAssertEqual(img[1, y, 0], 1) }
    }

    func testGridPlacesCellsLabelsAndHeaders() throws {
        let red = Image(width: 32, height: 32, fill: [0.86, 0.16, 0.16])
        let blue = Image(width: 32, height: 32, fill: [0.16, 0.27, 0.86])
        var options = ImageGrid.Options()
        options.cellScale = 2
        let grid = ImageGrid(rows: [[.init(red, label: "a red square"), .init(blue, label: "seed 2")],
                                    [.init(blue, label: "a long label that wraps over lines"), .init(nil, label: "missing")]],
                             columnHeaders: ["DDIM 50", "LCM 4"], rowHeaders: ["p1", "p2"], title: "Samples", options: options)
        let img = grid.render()
        XCTAssertEqual(img.channels, 3)
        XCTAssertGreaterThan(img.width, 2 * 64)
        // Count pure-red pixels: exactly one 64x64 cell.
        var redCount = 0
        for i in 0..<(img.width * img.height) where abs(img.pixels[3 * i] - 0.86) < 1e-4 && abs(img.pixels[3 * i + 1] - 0.16) < 1e-4 { redCount += 1 }
        XCTAssertEqual(redCount, 64 * 64)
        let dark = img.pixels.enumerated().filter { $0.offset % 3 == 0 && $0.element < 0.01 }.count
        XCTAssertGreaterThan(dark, 100, "labels drew ink")
        try preview(img, "grid")
    }

    func testNiceTicksAndLabels() {
        XCTAssertEqual(LinePlot.ticks(0, 1, count: 6).map { ($0 * 1e9).rounded() / 1e9 }, [0, 0.2, 0.4, 0.6, 0.8, 1])
        XCTAssertEqual(LinePlot.ticks(3, 97, count: 6), [20, 40, 60, 80])
        XCTAssertEqual(LinePlot.logTicks(-1.2, 0.5).map { (pow(10, $0) * 1e6).rounded() / 1e6 }, [0.1, 0.2, 0.5, 1, 2])
        XCTAssertEqual(LinePlot.logTicks(-8, 4).count, 7)
        XCTAssertEqual(LinePlot.label(0.25), "0.25")
        XCTAssertEqual(LinePlot.label(1500), "1500")
        XCTAssertEqual(LinePlot.label(2e-4), "2e-4")
        XCTAssertEqual(LinePlot.label(3), "3")
    }

    func testPlotDrawsEverySeriesInItsColor() throws {
        let loss = LinePlot.Series(name: "train loss", ys: (0..<200).map { 2 * exp(-Double($0) / 40) + 0.1 })
        let val = LinePlot.Series(name: "val loss", points: stride(from: 0, to: 200, by: 20).map { (Double($0), 2.1 * exp(-Double($0) / 45) + 0.15) })
        var plot = LinePlot(series: [loss, val], title: "Autoencoder", xLabel: "step", yLabel: "loss", logY: true)
        plot.markers = true
        let img = plot.render()
        XCTAssertEqual([img.width, img.height, img.channels], [640, 400, 3])
        for color in LinePlot.palette.prefix(2) {
            let hits = (0..<(img.width * img.height)).filter { i in (0..<3).allSatisfy { abs(img.pixels[3 * i + $0] - color[$0]) < 0.02 } }.count
            XCTAssertGreaterThan(hits, 50)
        }
        try preview(img, "plot")
        let steps = LinePlot(series: [.init(name: "PSNR", points: [(1, 18), (2, 21), (4, 24), (8, 26), (.nan, 1)])], xLabel: "steps")
        try preview(steps.render(), "plot-steps")
        XCTAssertEqual(LinePlot(series: []).render().width, 640)
    }
}
