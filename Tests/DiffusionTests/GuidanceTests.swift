// GuidanceTests.swift: classifier-free guidance batches conditional and unconditional rows in one
// call and combines u + w (c - u); embedded guidance passes the scale in every row; the consistency
// sampler's timesteps and boundary scalings.
import Core
import XCTest
@testable import Diffusion
import Models
import DiffusionMath

/// A conditional fake: output = x * 10 + example (conditional) or x * 10 - 100 (unconditional),
/// plus the guidance value; records every call's rows.
final class FakeConditional: ConditionalImageDenoiser {
    var prediction: ImagePrediction { .eps }
    var calls: [[ConditionRow]] = []
    var timesteps: [[Float]] = []

    func predict(_ x: Tensor, timesteps ts: [Float], rows: [ConditionRow]) throws -> Tensor {
        calls.append(rows)
        timesteps.append(ts)
        let n = x.count / rows.count
        let out = Tensor(shape: x.shape)
        for (r, row) in rows.enumerated() {
            for j in 0..<n {
                out[r * n + j] = x[r * n + j] * 10 + (row.conditional ? Float(row.example) : -100) + row.guidance
            }
        }
        return out
    }
}

final class GuidanceTests: XCTestCase {
    func testCFGOneBatchedCallAndCombination() throws {
        let fake = FakeConditional()
        let x = Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        let w: Float = 4
        let out = try ClassifierFreeGuidance(model: fake, scale: w).predict(x, timesteps: [10, 20])
        XCTAssertEqual(fake.calls.count, 1)
        XCTAssertEqual(fake.calls[0], [ConditionRow(example: 0, conditional: true), ConditionRow(example: 1, conditional: true),
                                       ConditionRow(example: 0, conditional: false), ConditionRow(example: 1, conditional: false)])
        XCTAssertEqual(fake.timesteps[0], [10, 20, 10, 20])
        for r in 0..<2 {
            for j in 0..<3 {
                let c = x[r * 3 + j] * 10 + Float(r), u = x[r * 3 + j] * 10 - 100
                XCTAssertEqual(out[r * 3 + j], u + w * (c - u), accuracy: 1e-3)
            }
        }
        // w = 1 is the conditional model alone, in B rows.
        let plain = try ClassifierFreeGuidance(model: fake, scale: 1).predict(x, timesteps: [10, 20])
        XCTAssertEqual(fake.calls.last?.count, 2)
        XCTAssertEqual(plain[4], 5 * 10 + 1)
    }

    func testEmbeddedGuidancePassesTheScale() throws {
        let fake = FakeConditional()
        let out = try EmbeddedGuidance(model: fake, scale: 7.5).predict(Tensor(shape: [1, 2], values: [1, 1]), timesteps: [3])
        XCTAssertEqual(fake.calls, [[ConditionRow(example: 0, conditional: true, guidance: 7.5)]])
        XCTAssertEqual(out[0], 10 + 0 + 7.5)
    }

    func testConsistencyTimestepsAndScalings() throws {
        let c = ConsistencySampler()
        XCTAssertEqual(try c.timesteps(steps: 1), [999])
        XCTAssertEqual(try c.timesteps(steps: 2), [999, 499])
        XCTAssertEqual(try c.timesteps(steps: 4), [999, 759, 519, 279])
        XCTAssertEqual(try c.timesteps(steps: 8), [999, 879, 759, 639, 519, 399, 279, 159])
        let zero = c.boundaryScalings(timestep: 0)
        XCTAssertEqual(zero.skip, 1)
        XCTAssertEqual(zero.out, 0)
        let t = c.boundaryScalings(timestep: 0.05)  // 10 t = 0.5: c_skip = 0.25 / 0.5, c_out = 0.5 / sqrt(0.5)
        XCTAssertEqual(t.skip, 0.5, accuracy: 1e-12)
        XCTAssertEqual(t.out, 0.5 / 0.5.squareRoot(), accuracy: 1e-12)
    }

    func testConsistencyOneStepIsTheScaledX0Prediction() throws {
        let schedule = NoiseSchedule()
        let data = GaussianData(n: 8)
        var rng = BatchRNG(seeds: [2])
        let noise = rng.gaussian(8)
        let out = try ConsistencySampler().sample(model: data.denoiser(schedule, .v), noise: noise, steps: 1,
                                                  rng: &rng, progress: nil)
        let ab = schedule.alphasCumprod[999], a = ab.squareRoot(), sg = (1 - ab).squareRoot()
        let (cSkip, cOut) = ConsistencySampler().boundaryScalings(timestep: 999)
        for j in 0..<8 {
            let xv = Double(noise[j])
            let x0 = data.mu[j] + a * data.s[j] * data.s[j] / (a * a * data.s[j] * data.s[j] + sg * sg) * (xv - a * data.mu[j])
            XCTAssertEqual(Double(out[j]), cSkip * xv + cOut * x0, accuracy: 1e-4)
        }
    }
}

final class SamplerOptionTests: XCTestCase {
    func testConsistencyFeedsTheGuidanceScaleToEveryCall() throws {
        let fake = FakeConditional()
        var rng = BatchRNG(seeds: [1, 2])
        let noise = rng.gaussian(3)
        _ = try ConsistencySampler().sample(conditionalModel: fake, guidanceScale: 6, noise: noise, steps: 2,
                                            rng: &rng, progress: nil)
        XCTAssertEqual(fake.calls.count, 2)
        XCTAssertTrue(fake.calls.allSatisfy { $0 == [ConditionRow(example: 0, conditional: true, guidance: 6),
                                                       ConditionRow(example: 1, conditional: true, guidance: 6)] })
        XCTAssertEqual(fake.timesteps.map { $0[0] }, [999, 499])
    }

    func testSpacedSigmaGridAlsoConverges() throws {
        let schedule = NoiseSchedule()
        let data = GaussianData(n: 8)
        func error(_ steps: Int) throws -> Double {
            var rng = BatchRNG(seeds: [4])
            let noise = rng.gaussian(8)
            let out = try DPMSolverPlusPlus2MSampler(schedule: schedule, grid: .spaced(.linspace))
                .sample(model: data.denoiser(schedule, .eps), noise: noise, steps: steps, rng: &rng, progress: nil)
            return (0..<8).map { abs(Double(out[$0]) - data.odeEndpoint(y: Double(noise[$0]) * schedule.sigmaMax,
                                                                         sigmaT: schedule.sigmaMax, coordinate: $0)) }.max()!
        }
        // Measured: 0.31, 0.038, 0.0034 at 10, 40, 160 steps (second order).
        XCTAssertLessThan(try error(40), try error(10))
        XCTAssertLessThan(try error(160), try error(40) / 4)
        XCTAssertLessThan(try error(160), 0.01)
        XCTAssertEqual(try SigmaGrid.spaced(.linspace).sigmas(steps: 2, schedule: schedule),
                       [schedule.sigmaMax, schedule.sigmaMin, 0])
    }

    func testVPCoefficientsAndDDIMStep() {
        let s = NoiseSchedule()
        let c = s.coefficients(at: 250)
        XCTAssertEqual(c.alpha * c.alpha, s.alphasCumprod[250], accuracy: 1e-12)
        XCTAssertEqual(c.alpha * c.alpha + c.s * c.s, 1, accuracy: 1e-12)
        let f = s.vpFunction(250)
        XCTAssertEqual(Double(f.alpha), c.alpha, accuracy: 1e-6)
        let x = DDIMSampler.step(x0: Tensor(shape: [2, 1], values: [1, 2]), eps: Tensor(shape: [2, 1], values: [3, 4]),
                                 alphaBarNext: [0.64, 1])
        XCTAssertEqual(x.toArray(), [0.8 * 1 + 0.6 * 3, 2])
    }
}
