// SquareCanvasTests.swift: centering on a square canvas, then area resizing (the emoji import path).
import XCTest
@testable import Media

final class SquareCanvasTests: XCTestCase {
    func testCenteredThenAreaResized() {
        let c = Image(width: 136, height: 128, fill: [0.25, 0.5, 0.75])
        let square = c.centeredOnSquare(fill: [1, 1, 1])
        XCTAssertEqual(square.width, 136)
        XCTAssertEqual(square.height, 136)
        XCTAssertEqual(square[0, 3, 0], 1)      // fill above the picture (4 rows of it)
        XCTAssertEqual(square[0, 4, 0], 0.25)   // first row of the picture
        let r = square.resized(width: 32, height: 32, filter: .area)
        XCTAssertEqual(r[16, 16, 1], 0.5, accuracy: 1e-5)
        // Output row 0 covers canvas rows 0..<4.25: four rows of white fill, a quarter row of image.
        XCTAssertEqual(r[16, 0, 0], (4 * 1 + 0.25 * 0.25) / 4.25, accuracy: 1e-4)
    }
}
