// AreaResizeTests.swift: area downscaling keeps means exact and handles fractional footprints.

import Media
import XCTest
@testable import Data

final class AreaResizeTests: XCTestCase {
    func testBlocksAverageAndWeightsSumToOne() {
        let img = Image(width: 4, height: 2, channels: 1, pixels: [0, 1, 2, 3, 4, 5, 6, 7])
        XCTAssertEqual(AreaResize.resize(img, width: 2, height: 1).pixels, [2.5, 4.5])
        for (n, m) in [(136, 32), (136, 64), (7, 3)] {
            for (_, w) in AreaResize.weights(from: n, to: m) { XCTAssertEqual(w.reduce(0, +), 1, accuracy: 1e-5) }
        }
        // A constant image stays constant; a non-square one is centered on a square of the fill.
        let c = Image(width: 136, height: 128, fill: [0.25, 0.5, 0.75])
        let r = AreaResize.squareResize(c, side: 32, fill: [1, 1, 1])
        XCTAssertEqual(r[16, 16, 1], 0.5, accuracy: 1e-5)
        // Output row 0 covers canvas rows 0..<4.25: four rows of white fill, a quarter row of image.
        let expected: Float = (4 * 1 + 0.25 * 0.25) / 4.25
        XCTAssertEqual(r[16, 0, 0], expected, accuracy: 1e-4)
    }
}
