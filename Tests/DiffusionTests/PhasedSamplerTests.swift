// PhasedSamplerTests.swift: the phased consistency sampler (PCM, Wang et al. 2024): its plan visits
// the multistep consistency sampler's timesteps and jumps edge to edge down to 0, and each step is a
// deterministic DDIM jump with the model's x0 and eps (checked against a hand-rolled loop).
// With gamma the jumps to edges above 0 mix fresh noise into eps (checked by hand for 2 steps).
import Core
import XCTest
@testable import Diffusion
import Models
import DiffusionMath

final class PhasedSamplerTests: XCTestCase {
    let schedule = NoiseSchedule()
    let data = GaussianData(n: 16)

    func testPlanFollowsTheConsistencyGrid() throws {
        let p = PhasedConsistencySampler(schedule: schedule)
        XCTAssertEqual(try p.plan(steps: 4).map(\.t), try ConsistencySampler(schedule: schedule).timesteps(steps: 4))
        XCTAssertEqual(try p.plan(steps: 4).map(\.to), [759, 519, 279, 0])
        XCTAssertEqual(try p.plan(steps: 1).map(\.to), [0])
        XCTAssertThrowsError(try p.plan(steps: 51))
        XCTAssertEqual(PhasedConsistency.lowerEdges(phases: 4, trainSteps: 1000, originalSteps: 50), [0, 279, 519, 759])
    }

    /// The settings a student was distilled with (bundle.json `consistency`) reach the samplers.
    func testConsistencySettingsReachTheSamplers() throws {
        let settings = ConsistencySettings(originalSteps: 10, sigmaData: 0.25, timestepScaling: 5)
        let phased = try XCTUnwrap(ImageSamplerKind.phased.make(schedule: schedule, consistency: settings) as? PhasedConsistencySampler)
        XCTAssertEqual(phased.originalSteps, 10)
        XCTAssertEqual(try phased.plan(steps: 4).map(\.t), [999, 799, 599, 399])
        let lcm = try XCTUnwrap(ImageSamplerKind.consistency.make(schedule: schedule, consistency: settings) as? ConsistencySampler)
        XCTAssertEqual(lcm.originalSteps, 10)
        XCTAssertEqual(lcm.boundaryScalings(timestep: 10).skip, 0.0625 / (2500 + 0.0625), accuracy: 1e-12)
        XCTAssertNotNil(ConsistencySettings(originalSteps: 30).problem(trainSteps: 1000))
        XCTAssertNil(settings.problem(trainSteps: 1000))
    }

    func testStepsAreDeterministicDDIMJumps() throws {
        for kind in [ImagePrediction.eps, .v] {
            let model = data.denoiser(schedule, kind)
            var rng = BatchRNG(seeds: [3, 4])
            let noise = rng.gaussian(data.n)
            let out = try PhasedConsistencySampler(schedule: schedule).sample(model: model, noise: noise, steps: 4,
                                                                                rng: &rng, progress: nil)
            // By hand: x <- sqrt(ab_to) x0 + sqrt(1 - ab_to) eps at 999 -> 759 -> 519 -> 279 -> 0.
            let x = try handDDIM(model, x: noise.toArray().map(Double.init), rows: 2,
                                 hops: [(999, 759), (759, 519), (519, 279), (279, 0)], schedule: schedule)
            for j in 0..<out.count { XCTAssertEqual(Double(out[j]), x[j], accuracy: 1e-4, "\(kind)") }
            // No fresh noise: another RNG stream gives the same images.
            var other = BatchRNG(seeds: [8, 9])
            let again = try PhasedConsistencySampler(schedule: schedule).sample(model: model, noise: noise, steps: 4,
                                                                                  rng: &other, progress: nil)
            XCTAssertEqual(again.toArray(), out.toArray())
        }
    }

    /// gamma > 0: the first jump's eps is sqrt(1 - gamma^2) eps^ + gamma z, z the RNG's next draw; the
    /// last jump (to 0) adds nothing; seeds reproduce the images; gamma 0 is the deterministic sampler.
    func testGammaMixesFreshNoiseIntoTheJumps() throws {
        let model = data.denoiser(schedule, .v)
        let gamma = 0.4
        var rng = BatchRNG(seeds: [3, 4])
        let noise = rng.gaussian(data.n)
        var afterNoise = rng   // the sampler's draws come next
        let sampler = PhasedConsistencySampler(schedule: schedule, gamma: gamma)
        let out = try sampler.sample(model: model, noise: noise, steps: 2, rng: &rng, progress: nil)
        // By hand for 2 steps (999 -> 499 -> 0): the first jump mixes in z, the second is plain DDIM.
        let ab = schedule.alphasCumprod
        let z = afterNoise.gaussian(data.n).toArray().map(Double.init)
        let o = try model.predict(noise, timesteps: [999, 999]).toArray().map(Double.init)
        let x0 = noise.toArray().indices.map { ab[999].squareRoot() * Double(noise[$0]) - (1 - ab[999]).squareRoot() * o[$0] }
        let eps = noise.toArray().indices.map { (1 - ab[999]).squareRoot() * Double(noise[$0]) + ab[999].squareRoot() * o[$0] }
        let mid = x0.indices.map { ab[499].squareRoot() * x0[$0] + (1 - ab[499]).squareRoot()
            * ((1 - gamma * gamma).squareRoot() * eps[$0] + gamma * z[$0]) }
        let x = try handDDIM(model, x: mid, rows: 2, hops: [(499, 0)], schedule: schedule)
        for j in 0..<out.count { XCTAssertEqual(Double(out[j]), x[j], accuracy: 1e-4) }
        var same = BatchRNG(seeds: [3, 4])
        _ = same.gaussian(data.n)
        XCTAssertEqual(try sampler.sample(model: model, noise: noise, steps: 2, rng: &same, progress: nil).toArray(), out.toArray())
        var plain = BatchRNG(seeds: [3, 4])
        _ = plain.gaussian(data.n)
        let deterministic = try PhasedConsistencySampler(schedule: schedule).sample(model: model, noise: noise, steps: 2,
                                                                                    rng: &plain, progress: nil)
        XCTAssertNotEqual(deterministic.toArray(), out.toArray())
        var bad = BatchRNG(seeds: [3, 4])
        XCTAssertThrowsError(try PhasedConsistencySampler(schedule: schedule, gamma: 1.5).sample(model: model, noise: noise, steps: 2,
                                                                                                 rng: &bad, progress: nil))
    }
}
