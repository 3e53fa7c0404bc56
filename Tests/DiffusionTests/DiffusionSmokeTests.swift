import XCTest
@testable import Diffusion

final class DiffusionSmokeTests: XCTestCase {
    func testModuleLoads() { XCTAssertTrue(true) }
}
