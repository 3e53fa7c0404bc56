import XCTest
@testable import Media

final class MediaSmokeTests: XCTestCase {
    func testModuleLoads() { XCTAssertTrue(true) }
}
