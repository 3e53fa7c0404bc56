// PhiloxTests.swift: known-answer values of Philox4x32-10 (Random123's kat_vectors) and the
// determinism of our draws.
import XCTest
@testable import Core

final class PhiloxTests: XCTestCase {
    func testKnownAnswers() {
        let zero = Philox.block(counter: (0, 0, 0, 0), key: (0, 0))
        XCTAssertEqual([zero.0, zero.1, zero.2, zero.3], [0x6627_e8d5, 0xe169_c58d, 0xbc57_ac4c, 0x9b00_dbd8])
        let ones = Philox.block(counter: (.max, .max, .max, .max), key: (.max, .max))
        XCTAssertEqual([ones.0, ones.1, ones.2, ones.3], [0x408f_276d, 0x41c8_3b0e, 0xa20b_c7c6, 0x6d54_51fd])
        let pi = Philox.block(counter: (0x243f_6a88, 0x85a3_08d3, 0x1319_8a2e, 0x0370_7344),
                              key: (0xa409_3822, 0x299f_31d0))
        XCTAssertEqual([pi.0, pi.1, pi.2, pi.3], [0xd16c_fe09, 0x94fd_cceb, 0x5001_e420, 0x2412_6ea1])
    }

    func testGaussianGoldenAndMoments() {
        var g = Philox(seed: 42)
        var xs = [Float](repeating: 0, count: 100_000)
        xs.withUnsafeMutableBufferPointer { g.fillGaussian($0.baseAddress!, count: $0.count) }
        let mean = xs.reduce(0, +) / Float(xs.count)
        let variance = xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(xs.count)
        XCTAssertEqual(mean, 0, accuracy: 0.01)
        XCTAssertEqual(variance, 1, accuracy: 0.02)
        // Golden values from the independent float64 reference (scripts/diffusion_reference.py, "philox
        // golden"): Philox4x32-10 with key (42, 0), counters (i, 0, 0, 0), then Box-Muller, as float32.
        let golden: [Float] = [-0.9701898097991943, 0.19401895999908447, -1.2356207370758057, 1.9239267110824585,
                               -0.07318150997161865, 0.13913749158382416, -1.106665015220642, 0.3266829550266266]
        XCTAssertEqual(Array(xs.prefix(8)), golden)
    }

    func testStreamsDiffer() {
        var a = Philox(seed: 7), b = Philox(seed: 7).fork(1)
        XCTAssertNotEqual(a.nextUInt32(), b.nextUInt32())
    }
}
