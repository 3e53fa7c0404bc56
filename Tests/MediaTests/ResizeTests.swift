// ResizeTests.swift: separable area/bilinear/nearest resampling against the direct 2-D
// definitions (written independently), plus properties: constants stay constant, a 2x area
// downscale is the mean of 2x2 blocks, transparent pixels do not bleed color.
import Core
import XCTest
@testable import Media

final class ResizeTests: XCTestCase {
    func random(_ w: Int, _ h: Int, _ c: Int, seed: UInt64) -> Image {
        var rng = Philox(seed: seed, stream: 0)
        return Image(width: w, height: h, channels: c, pixels: (0..<(w * h * c)).map { _ in rng.nextFloat() })
    }

    func testSeparableMatchesNaiveForEveryFilter() {
        let cases = [(17, 13, 5, 7), (8, 8, 32, 20), (136, 128, 32, 32), (10, 6, 10, 9), (5, 9, 11, 3)]
        for (sw, sh, dw, dh) in cases {
            for c in [1, 3, 4] {
                let img = random(sw, sh, c, seed: UInt64(sw * 100 + c))
                for filter in [Image.ResizeFilter.area, .bilinear, .nearest] {
                    let fast = img.resized(width: dw, height: dh, filter: filter)
                    let slow = img.resizedNaive(width: dw, height: dh, filter: filter)
                    let err = zip(fast.pixels, slow.pixels).map { abs($0 - $1) }.max() ?? 1
                    XCTAssertLessThan(err, 1e-4, "\(sw)x\(sh)->\(dw)x\(dh) c\(c) \(filter)")
                }
            }
        }
    }

    func testConstantsStayConstantAndHalvingAveragesBlocks() {
        let gray = Image(width: 37, height: 23, fill: [0.25, 0.5, 0.75])
        for filter in [Image.ResizeFilter.area, .bilinear] {
            for v in gray.resized(width: 11, height: 40, filter: filter).pixels.enumerated() {
                XCTAssertEqual(v.element, [0.25, 0.5, 0.75][v.offset % 3], accuracy: 1e-5)
            }
        }
        let img = random(8, 6, 1, seed: 3)
        let half = img.resized(width: 4, height: 3)
        for y in 0..<3 { for x in 0..<4 {
            let mean = (img[2 * x, 2 * y, 0] + img[2 * x + 1, 2 * y, 0] + img[2 * x, 2 * y + 1, 0] + img[2 * x + 1, 2 * y + 1, 0]) / 4
            XCTAssertEqual(half[x, y, 0], mean, accuracy: 1e-6)
        } }
    }

    func testTransparentPixelsDoNotBleedColor() {
        // Left half opaque red, right half fully transparent green.
        var img = Image(width: 4, height: 2, fill: [1, 0, 0, 1])
        for y in 0..<2 { for x in 2..<4 { img[x, y, 0] = 0; img[x, y, 1] = 1; img[x, y, 3] = 0 } }
        let small = img.resized(width: 1, height: 1)
        XCTAssertEqual(small.pixels, [1, 0, 0, 0.5])
        let flat = small.composited(onto: [1, 1, 1])
        XCTAssertEqual(flat.pixels, [1, 0.5, 0.5])
    }
}
