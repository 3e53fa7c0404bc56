// PhasedSamplerTests.swift: the phased consistency sampler (PCM, Wang et al. 2024): its plan visits
// the multistep consistency sampler's timesteps and jumps edge to edge down to 0, and each step is a
// deterministic DDIM jump with the model's x0 and eps (checked against a hand-rolled loop).
import Core
import XCTest
@testable import Diffusion
import Models

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
}
