import XCTest
@testable import Studio

final class StudioSmokeTests: XCTestCase {
    func testModuleLoads() { XCTAssertTrue(true) }
}
