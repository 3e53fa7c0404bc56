// ImageSamplerTests.swift: Gaussian samplers against the analytic denoiser of GaussianData:
// convergence to the exact probability-flow ODE solution, sampled distributions, golden outputs for
// a fixed seed, batch invariance, cancellation.
import Core
import XCTest
@testable import Diffusion
import Models

final class ImageSamplerTests: XCTestCase {
    let schedule = NoiseSchedule()
    let data = GaussianData(n: 16)

    /// Max abs error of a deterministic sampler's output against the exact ODE solution from the same noise.
    func odeError(_ sampler: ImageSampler, steps: Int, kind: ImagePrediction = .eps, startVP: Bool) throws -> Double {
        var rng = BatchRNG(seeds: [3, 4])
        let noise = rng.gaussian(data.n)
        let out = try sampler.sample(model: data.denoiser(schedule, kind), noise: noise, steps: steps,
                                     rng: &rng, progress: nil)
        let exact = data.analytic.exactSolution(noise: noise, varianceExploding: !startVP)
        return (0..<out.count).map { abs(Double(out[$0]) - Double(exact[$0])) }.max()!
    }

    func testDDIMConvergesToODESolution() throws {
        let ddim = DDIMSampler(schedule: schedule, eta: 0, spacing: .linspace)
        let e10 = try odeError(ddim, steps: 10, startVP: true)
        let e50 = try odeError(ddim, steps: 50, startVP: true)
        let e250 = try odeError(ddim, steps: 250, kind: .v, startVP: true)
        XCTAssertLessThan(e50, e10)
        XCTAssertLessThan(e250, e50)
        XCTAssertLessThan(e250, 0.02)
    }

    func testEulerAndDPMConvergeAndDPMIsMoreAccurate() throws {
        let euler = EulerKarrasSampler(schedule: schedule)
        let dpm = DPMSolverPlusPlus2MSampler(schedule: schedule)
        let eulerErrors = try [5, 10, 20, 80].map { try odeError(euler, steps: $0, startVP: false) }
        let dpmErrors = try [5, 10, 20, 80].map { try odeError(dpm, steps: $0, kind: .v, startVP: false) }
        for i in 1..<4 {
            XCTAssertLessThan(eulerErrors[i], eulerErrors[i - 1])
            XCTAssertLessThan(dpmErrors[i], dpmErrors[i - 1])
        }
        for i in 0..<4 { XCTAssertLessThan(dpmErrors[i], eulerErrors[i], "steps index \(i)") }
        XCTAssertLessThan(dpmErrors[3], 0.01)
    }

    /// Runs a sampler with the analytic eps model on seeds, returning the output.
    func run(_ sampler: ImageSampler, seeds: [UInt64], steps: Int, kind: ImagePrediction = .eps) throws -> Tensor {
        var rng = BatchRNG(seeds: seeds)
        let noise = rng.gaussian(data.n)
        return try sampler.sample(model: data.denoiser(schedule, kind), noise: noise, steps: steps, rng: &rng, progress: nil)
    }

    func testDDPMIsDDIMWithEtaOne() throws {
        let a = try run(DDPMSampler(schedule: schedule), seeds: [9, 10], steps: 20)
        let b = try run(DDIMSampler(schedule: schedule, eta: 1), seeds: [9, 10], steps: 20)
        for i in 0..<a.count { XCTAssertEqual(a[i], b[i], accuracy: 1e-4) }
    }

    func testStochasticSamplersMatchTheDataDistribution() throws {
        // 64 examples x 16 coordinates: standardised samples should have mean 0 and variance 1.
        let seeds = (0..<64).map { UInt64(100 + $0) }
        for sampler in [DDPMSampler(schedule: schedule) as ImageSampler, DDIMSampler(schedule: schedule, eta: 0.5)] {
            let out = try run(sampler, seeds: seeds, steps: 50, kind: .v)
            let (mean, variance) = data.analytic.standardisedMoments(out)
            XCTAssertEqual(mean, 0, accuracy: 0.12, sampler.name)
            XCTAssertEqual(variance, 1, accuracy: 0.15, sampler.name)
        }
    }

    /// Golden outputs: the first 4 values of example 0, seed 11, 10 steps (consistency and phased: 4 steps), as
    /// printed by the independent float64 NumPy reference scripts/diffusion_reference.py (same Philox
    /// noise, same analytic model); the Swift float32 samplers agree to within 3e-7.
    func testGoldenOutputs() throws {
        let golden: [ImageSamplerKind: [Float]] = [
            .ddpm: [1.320616, -1.3154, 2.006259, -0.1094941],
            .ddim: [0.8636994, -1.044909, 1.245746, 1.078723],
            .dpmpp2m: [0.9403894, -1.054221, 1.086194, 1.306432],
            .eulerKarras: [0.852784, -1.043435, 1.267975, 1.046547],
            .consistency: [-0.01476711, -0.3876682, 1.826255, 0.7218405],
            .phased: [0.7958604, -1.036134, 1.385142, 0.8781447],
        ]
        for kind in ImageSamplerKind.allCases {
            let out = try run(kind.make(schedule: schedule), seeds: [11], steps: kind == .consistency || kind == .phased ? 4 : 10)
            let first = Array(out.toArray().prefix(4))
            guard let want = golden[kind] else { XCTFail("no golden values for \(kind.rawValue)"); continue }
            for i in 0..<4 { XCTAssertEqual(first[i], want[i], accuracy: 1e-5, kind.rawValue) }
        }
    }

    /// The phased sampler with gamma 0.4 at 2 steps (fresh noise at the phase edge) against the reference
    /// script's "phased-gamma" line.
    func testPhasedGammaGoldenOutputs() throws {
        let out = try run(PhasedConsistencySampler(schedule: schedule, gamma: 0.4), seeds: [11], steps: 2)
        let want: [Float] = [0.8725937, -0.7112923, 1.656405, 0.3764506]
        for i in 0..<4 { XCTAssertEqual(out[i], want[i], accuracy: 1e-5) }
    }

    func testBatchInvariance() throws {
        for kind in ImageSamplerKind.allCases {
            let sampler = kind.make(schedule: schedule)
            let batch = try run(sampler, seeds: [5, 7, 9], steps: 4)
            let single = try run(sampler, seeds: [7], steps: 4)
            XCTAssertEqual(Array(batch.toArray()[data.n..<(2 * data.n)]), single.toArray(), kind.rawValue)
        }
    }

    func testCancellationStopsTheLoop() throws {
        for kind in ImageSamplerKind.allCases {
            let calls = Counter()
            var rng = BatchRNG(seeds: [1])
            let noise = rng.gaussian(data.n)
            var seen: [Int] = []
            XCTAssertThrowsError(try kind.make(schedule: schedule).sample(
                model: data.denoiser(schedule, .eps, calls: calls), noise: noise, steps: 4, rng: &rng,
                progress: { step, total, x0 in
                    XCTAssertEqual(total, 4)
                    XCTAssertEqual(x0?.shape, [1, 16])
                    seen.append(step)
                    return step < 2
                })) { XCTAssertTrue($0 is CancellationError, "\($0)") }
            XCTAssertEqual(seen, [1, 2], kind.rawValue)
            XCTAssertEqual(calls.value, 2, kind.rawValue)
        }
    }

    func testBadInputThrows() {
        var rng = BatchRNG(seeds: [1, 2])
        let noise = Tensor(shape: [3, 4])
        let model = data.denoiser(schedule, .eps)
        XCTAssertThrowsError(try DDIMSampler().sample(model: model, noise: noise, steps: 4, rng: &rng, progress: nil))
        XCTAssertThrowsError(try DDIMSampler().sample(model: model, noise: Tensor(shape: [2, 4]), steps: 0, rng: &rng, progress: nil))
        XCTAssertThrowsError(try ConsistencySampler().sample(model: model, noise: Tensor(shape: [2, 4]), steps: 51,
                                                             rng: &rng, progress: nil))
    }

    func testPredictionConversions() {
        let x = Tensor(shape: [2, 1], values: [0.7, -0.2])
        let x0 = [0.3, 1.1], eps = [-0.5, 0.4]
        let alpha = [0.8, 0.6], s = [0.6, 0.8]
        let xt = Tensor(shape: [2, 1], values: [Float(alpha[0] * x0[0] + s[0] * eps[0]), Float(alpha[1] * x0[1] + s[1] * eps[1])])
        _ = x
        for kind in [ImagePrediction.eps, .v] {
            let out = Tensor(shape: [2, 1], values: (0..<2).map {
                PredictionMath.target(kind, x0: Float(x0[$0]), eps: Float(eps[$0]), alpha: alpha[$0], s: s[$0]) })
            let (gx0, geps) = PredictionMath.x0AndEps(kind, x: xt, output: out, alpha: alpha, s: s)
            for r in 0..<2 {
                XCTAssertEqual(Double(gx0[r]), x0[r], accuracy: 1e-6)
                XCTAssertEqual(Double(geps[r]), eps[r], accuracy: 1e-6)
            }
        }
    }
}
