// ScheduleTests.swift: the discrete schedule (Stable Diffusion values), sigma/timestep round trips,
// timestep spacings (diffusers' values), Karras sigmas.
import XCTest
@testable import Diffusion
import DiffusionMath

final class ScheduleTests: XCTestCase {
    func testScaledLinearMatchesStableDiffusion() {
        let s = NoiseSchedule()
        XCTAssertEqual(s.alphasCumprod.count, 1000)
        XCTAssertEqual(s.alphasCumprod[0], 1 - 0.00085, accuracy: 1e-12)
        XCTAssertEqual(s.betas[999], 0.012, accuracy: 1e-12)
        // Values printed by numpy for SD's scaled_linear schedule.
        XCTAssertEqual(s.sigmaMin, 0.029167158151720367, accuracy: 1e-9)
        XCTAssertEqual(s.sigmaMax, 14.614641229333646, accuracy: 1e-9)
        XCTAssertTrue(zip(s.alphasCumprod, s.alphasCumprod.dropFirst()).allSatisfy { $0 > $1 })
    }

    func testCosineAndLinearSchedules() {
        let c = NoiseSchedule(kind: .cosine)
        XCTAssertTrue(c.betas.allSatisfy { $0 > 0 && $0 <= 0.999 })
        // alpha-bar follows cos^2((t/T + s)/(1 + s) pi/2) / cos^2(s/(1+s) pi/2) before clipping.
        let f = { (u: Double) -> Double in let v = cos((u + 0.008) / 1.008 * Double.pi / 2); return v * v }
        XCTAssertEqual(c.alphasCumprod[499], f(0.5) / f(0), accuracy: 1e-9)
        let l = NoiseSchedule(kind: .linear, betaStart: 1e-4, betaEnd: 0.02)
        XCTAssertEqual(l.betas[500], 1e-4 + (0.02 - 1e-4) * 500 / 999, accuracy: 1e-15)
    }

    func testSigmaTimestepRoundTrip() {
        let s = NoiseSchedule()
        for t in [0.0, 0.25, 17.5, 500, 998.9, 999] {
            XCTAssertEqual(s.timestep(sigma: s.sigma(at: t)), t, accuracy: 1e-9)
            XCTAssertEqual(s.logSNR(at: t), log(s.alphaBar(at: t) / (1 - s.alphaBar(at: t))), accuracy: 1e-9)
        }
        XCTAssertEqual(s.alphaBar(at: 321), s.alphasCumprod[321], accuracy: 1e-12)
        XCTAssertEqual(s.timestep(alphaBar: s.alphasCumprod[42]), 42, accuracy: 1e-9)
        XCTAssertEqual(s.timestep(logSNR: s.logSNR(at: 612.3)), 612.3, accuracy: 1e-9)
        // Interpolation is linear in log sigma.
        XCTAssertEqual(s.logSigma(at: 10.5), (s.logSigmas[10] + s.logSigmas[11]) / 2, accuracy: 1e-12)
        XCTAssertEqual(s.timestep(sigma: 1e-6), 0)
        XCTAssertEqual(s.timestep(sigma: 1e6), 999)
    }

    func testCodableRoundTrip() throws {
        let s = NoiseSchedule(kind: .cosine, trainSteps: 200)
        let back = try JSONDecoder().decode(NoiseSchedule.self, from: JSONEncoder().encode(s))
        XCTAssertEqual(back, s)
    }

    func testSpacingsMatchDiffusers() throws {
        XCTAssertEqual(try TimestepSpacing.linspace.timesteps(steps: 10, trainSteps: 1000),
                       [999, 888, 777, 666, 555, 444, 333, 222, 111, 0])
        let leading = try TimestepSpacing.leading.timesteps(steps: 50, trainSteps: 1000)
        XCTAssertEqual(Array(leading.prefix(3)), [980, 960, 940])
        XCTAssertEqual(leading.last, 0)
        XCTAssertEqual(try TimestepSpacing.leading.timesteps(steps: 50, trainSteps: 1000, offset: 1).first, 981)
        let trailing = try TimestepSpacing.trailing.timesteps(steps: 50, trainSteps: 1000)
        XCTAssertEqual(Array(trailing.prefix(3)), [999, 979, 959])
        XCTAssertEqual(trailing.last, 19)
        XCTAssertEqual(try TimestepSpacing.trailing.timesteps(steps: 3, trainSteps: 1000), [999, 666, 332])
        XCTAssertEqual(try TimestepSpacing.trailing.timesteps(steps: 1000, trainSteps: 1000), Array((0..<1000).reversed()))
        XCTAssertThrowsError(try TimestepSpacing.trailing.timesteps(steps: 0, trainSteps: 1000))
        XCTAssertThrowsError(try TimestepSpacing.linspace.timesteps(steps: 1001, trainSteps: 1000))
    }

    func testKarrasSigmas() {
        let s = NoiseSchedule()
        let k = KarrasSigmas.sigmas(count: 5, schedule: s)
        XCTAssertEqual(k.count, 6)
        XCTAssertEqual(k[0], s.sigmaMax, accuracy: 1e-9)
        XCTAssertEqual(k[4], s.sigmaMin, accuracy: 1e-12)
        XCTAssertEqual(k[5], 0)
        // Equal steps in sigma^(1/7).
        let r = k.prefix(5).map { pow($0, 1.0 / 7) }
        for i in 1..<4 { XCTAssertEqual(r[i + 1] - r[i], r[i] - r[i - 1], accuracy: 1e-12) }
        XCTAssertEqual(KarrasSigmas.sigmas(count: 1, sigmaMin: 0.1, sigmaMax: 10), [10, 0])
    }
}
