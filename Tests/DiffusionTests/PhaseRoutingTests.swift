// PhaseRoutingTests.swift: phase routing of a phased consistency sampler (PCM, Wang et al. 2024):
// PhaseRoutedDenoiser sends each timestep to its phase's denoiser (also within one mixed batch), and
// TeacherWalkDenoiser makes the 4-step phased sampler walk the teacher's 50-step DDIM grid exactly
// (checked against a hand-rolled DDIM loop of 50 steps), for eps and v models.
import Core
import XCTest
@testable import Diffusion
import Models
import DiffusionMath

final class PhaseRoutingTests: XCTestCase {
    let schedule = NoiseSchedule()
    let data = GaussianData(n: 16)
    let edges = [0, 279, 519, 759]

    func constant(_ c: Float) -> ClosureDenoiser {
        ClosureDenoiser(prediction: .v) { x, _ in Tensor(shape: x.shape, values: [Float](repeating: c, count: x.count)) }
    }

    func testRoutesEachTimestepToItsPhase() throws {
        let routed = try PhaseRoutedDenoiser(routes: [constant(1), constant(2), constant(3), constant(4)], lowerEdges: edges)
        XCTAssertEqual([999, 760, 759, 520, 519, 280, 279, 1].map { routed.phase(of: Float($0)) }, [1, 1, 2, 2, 3, 3, 4, 4])
        let x = Tensor(shape: [3, 2])
        XCTAssertEqual(try routed.predict(x, timesteps: [999, 999, 999]).toArray(), [1, 1, 1, 1, 1, 1])
        XCTAssertEqual(try routed.predict(x, timesteps: [279, 999, 519]).toArray(), [4, 4, 1, 1, 3, 3])
        XCTAssertThrowsError(try PhaseRoutedDenoiser(routes: [constant(1)], lowerEdges: edges))
    }

    func testTeacherWalkMakesThePhasedSamplerWalkTheDDIMGrid() throws {
        for kind in [ImagePrediction.eps, .v] {
            let teacher = data.denoiser(schedule, kind)
            let walk = TeacherWalkDenoiser(teacher: teacher, alphasCumprod: schedule.alphasCumprod, lowerEdges: edges, stride: 20)
            var rng = BatchRNG(seeds: [3, 4])
            let noise = rng.gaussian(data.n)
            let out = try PhasedConsistencySampler(schedule: schedule).sample(model: walk, noise: noise, steps: 4,
                                                                                rng: &rng, progress: nil)
            // By hand: 49 DDIM steps 999 -> 979 -> ... -> 19, then 19 -> 0 (the last phase ends at its edge 0).
            let ts = Array(stride(from: 999, through: 19, by: -20)) + [0]
            let x = try handDDIM(teacher, x: noise.toArray().map(Double.init), rows: 2, hops: Array(zip(ts, ts.dropFirst())),
                                 schedule: schedule)
            for j in 0..<out.count { XCTAssertEqual(Double(out[j]), x[j], accuracy: 2e-3, "\(kind)") }
        }
    }
}
