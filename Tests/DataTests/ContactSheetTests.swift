// ContactSheetTests.swift: the pixel font draws what it should and sheets have the expected layout.

import Media
import XCTest
@testable import Data

final class ContactSheetTests: XCTestCase {
    func testFontAndWrapping() {
        var img = Image(width: 12, height: 7, fill: [1, 1, 1])
        PixelFont.draw("I-", into: &img, x: 0, y: 0, color: [0, 0, 0])
        // 'I' top row is .###. ; '-' is a bar on row 3 starting at x = 6.
        XCTAssertEqual((0..<5).map { img[$0, 0, 0] }, [1, 0, 0, 0, 1])
        XCTAssertEqual((6..<11).map { img[$0, 3, 0] }, [0, 0, 0, 0, 0])
        XCTAssertEqual(img[6, 2, 0], 1)
        XCTAssertEqual(PixelFont.ascii("flag: Côte d’Ivoire ☕"), "flag: Cote d'Ivoire ?")
        XCTAssertEqual(PixelFont.wrap("man dancing: medium skin tone", width: 14, maxLines: 3), ["man dancing:", "medium skin", "tone"])
        XCTAssertEqual(PixelFont.wrap("a b c d e f g h", width: 3, maxLines: 2), ["a b", "..."])
    }

    func testSheetLayout() {
        let imgs = (0..<10).map { Image(width: 32, height: 32, fill: [Float($0) / 10, 0, 0]) }
        var cs = ContactSheet()
        cs.columns = 4
        let sheet = cs.make(images: imgs, labels: imgs.indices.map { "image \($0)" })
        XCTAssertEqual(sheet.channels, 3)
        XCTAssertEqual(sheet[8 + 50, 8 + 50, 0], 0)      // first image's middle
        XCTAssertGreaterThan(sheet.width, 4 * 96)
        XCTAssertGreaterThan(sheet.height, 3 * 96)
    }
}
