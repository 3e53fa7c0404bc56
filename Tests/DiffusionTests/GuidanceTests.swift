// GuidanceTests.swift: classifier-free guidance batches conditional and unconditional rows in one
// call and combines u + w (c - u); embedded guidance passes the scale in every row; the consistency
// sampler's timesteps and boundary scalings.
import Core
import XCTest
@testable import Diffusion
import Models

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
