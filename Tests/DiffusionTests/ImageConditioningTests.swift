// ImageConditioningTests.swift: img2img and inpainting as modes of every image sampler (SDEdit start,
// RePaint known region and resampling) against the analytic Gaussian denoiser: strength 0 returns the
// known latents, strength 1 is text-to-image from the same noise, a partial strength runs the tail of
// the grid, the known region ends exactly on the known latents, resampling costs U calls per step.
import Core
import XCTest
@testable import Diffusion
import Models
import DiffusionMath

final class ImageConditioningTests: XCTestCase {
    let schedule = NoiseSchedule()
    let data = GaussianData(n: 16)

    func steps(_ kind: ImageSamplerKind) -> Int { kind == .consistency || kind == .phased ? 4 : 10 }

    /// Known latents [2, 16] (not from the data distribution, so a change is visible).
    func latents() -> Tensor {
        Tensor(shape: [2, 16], values: (0..<32).map { Float(($0 % 7)) * 0.3 - 0.9 })
    }

    func sample(_ kind: ImageSamplerKind, _ conditioning: ImageConditioning?, calls: Counter? = nil, steps: Int? = nil) throws -> Tensor {
        var rng = BatchRNG(seeds: [11, 12])
        let noise = rng.gaussian(data.n)
        return try kind.make(schedule: schedule).sample(model: data.denoiser(schedule, .eps, calls: calls), noise: noise,
                                                        steps: steps ?? self.steps(kind), conditioning: conditioning, rng: &rng,
                                                        progress: nil)
    }

    func testStrengthZeroReturnsTheKnownLatentsWithoutModelCalls() throws {
        for kind in ImageSamplerKind.allCases {
            let calls = Counter()
            let out = try sample(kind, ImageConditioning(latents: latents(), strength: 0), calls: calls)
            XCTAssertEqual(out.toArray(), latents().toArray(), "\(kind)")
            XCTAssertEqual(calls.value, 0, "\(kind)")
        }
    }

    func testStrengthOneIsTextToImageFromTheSameSeed() throws {
        for kind in ImageSamplerKind.allCases {
            let t2i = try sample(kind, nil)
            let full = try sample(kind, ImageConditioning(latents: latents(), strength: 1))
            XCTAssertEqual(full.toArray(), t2i.toArray(), "\(kind)")
            // An all-unknown mask is text-to-image too.
            let masked = try sample(kind, ImageConditioning(latents: latents(), known: Tensor(shape: [2, 16]), strength: 1))
            XCTAssertEqual(masked.toArray(), t2i.toArray(), "\(kind)")
        }
    }

    func testPartialStrengthRunsTheTailOfTheGridFromTheNoisedLatents() throws {
        // DDIM, 10 trailing steps, strength 0.5: the last 5 hops of the grid from sqrt(ab) z0 + sqrt(1 - ab) eps.
        let calls = Counter()
        let out = try sample(.ddim, ImageConditioning(latents: latents(), strength: 0.5), calls: calls)
        XCTAssertEqual(calls.value, 5)
        let ts = try TimestepSpacing.trailing.timesteps(steps: 10, trainSteps: schedule.trainSteps)
        var rng = BatchRNG(seeds: [11, 12])
        let noise = rng.gaussian(data.n).toArray().map(Double.init)
        let ab = schedule.alphasCumprod[ts[5]]
        let z0 = latents().toArray().map(Double.init)
        let a = ab.squareRoot(), sd = (1 - ab).squareRoot()
        var start = [Double](repeating: 0, count: z0.count)
        for j in z0.indices { start[j] = a * z0[j] + sd * noise[j] }
        var hops: [(Int, Int)] = []
        for k in 5..<9 { hops.append((ts[k], ts[k + 1])) }
        // handDDIM reads ab[to]; the last hop goes to alpha-bar 1, which has no index: done by hand below.
        var x = try handDDIM(data.denoiser(schedule, .eps), x: start, rows: 2, hops: hops, schedule: schedule)
        let tLast = ts[9], abL = schedule.alphasCumprod[tLast]
        let o = try data.denoiser(schedule, .eps).predict(Tensor(shape: [2, 16], values: x.map(Float.init)),
                                                          timesteps: [Float(tLast), Float(tLast)]).toArray().map(Double.init)
        let sL = (1 - abL).squareRoot(), aL = abL.squareRoot()
        for j in x.indices { x[j] = (x[j] - sL * o[j]) / aL }
        for i in 0..<x.count { XCTAssertEqual(Double(out[i]), x[i], accuracy: 1e-4) }
        // Less strength stays closer to the known latents.
        func distance(_ s: Double) throws -> Double {
            let o = try sample(.ddim, ImageConditioning(latents: latents(), strength: s)).toArray()
            return zip(o, latents().toArray()).map { Double(($0 - $1) * ($0 - $1)) }.reduce(0, +)
        }
        XCTAssertLessThan(try distance(0.2), try distance(0.9))
    }

    func testKnownRegionEndsOnTheKnownLatentsAndTheRestIsGenerated() throws {
        let known = Tensor(shape: [2, 16], values: (0..<32).map { $0 % 16 < 8 ? 1 : 0 })
        for kind in [ImageSamplerKind.ddim, .ddpm, .dpmpp2m, .eulerKarras, .consistency] {
            let out = try sample(kind, ImageConditioning(latents: latents(), known: known, strength: 1))
            for i in 0..<32 where known[i] == 1 { XCTAssertEqual(out[i], latents()[i], accuracy: 1e-6, "\(kind) \(i)") }
            // The unknown half is generated: finite and not the known latents.
            XCTAssertTrue(out.toArray().allSatisfy(\.isFinite), "\(kind)")
            XCTAssertTrue((0..<32).contains { known[$0] == 0 && abs(out[$0] - latents()[$0]) > 1e-3 }, "\(kind)")
        }
    }

    func testResamplingRunsEachStepUTimes() throws {
        let known = Tensor(shape: [2, 16], values: (0..<32).map { $0 % 2 == 0 ? 1 : 0 })
        let once = Counter(), thrice = Counter()
        let a = try sample(.ddim, ImageConditioning(latents: latents(), known: known, strength: 1, resample: 1), calls: once)
        let b = try sample(.ddim, ImageConditioning(latents: latents(), known: known, strength: 1, resample: 3), calls: thrice)
        XCTAssertEqual(once.value, 10)
        XCTAssertEqual(thrice.value, 30)
        XCTAssertNotEqual(a.toArray(), b.toArray())
        for i in 0..<32 where known[i] == 1 { XCTAssertEqual(b[i], latents()[i], accuracy: 1e-6) }
        // Without a known region resampling is a no-op (img2img).
        let c = Counter()
        _ = try sample(.ddim, ImageConditioning(latents: latents(), strength: 0.5, resample: 3), calls: c)
        XCTAssertEqual(c.value, 5)
    }

    func testBadConditioningThrows() throws {
        XCTAssertThrowsError(try sample(.ddim, ImageConditioning(latents: latents(), strength: 1.5)))
        XCTAssertThrowsError(try sample(.ddim, ImageConditioning(latents: Tensor(shape: [2, 8]), strength: 0.5)))
        XCTAssertThrowsError(try sample(.ddim, ImageConditioning(latents: latents(), known: Tensor(shape: [1, 16]))))
        XCTAssertThrowsError(try sample(.ddim, ImageConditioning(latents: latents(), resample: 0)))
    }

    func testFirstStepFollowsDiffusers() {
        let c = { (s: Double) in ImageConditioning(latents: Tensor(shape: [0, 0]), strength: s) }
        XCTAssertEqual(c(1).firstStep(steps: 30), 0)
        XCTAssertEqual(c(0.5).firstStep(steps: 30), 15)
        XCTAssertEqual(c(0.7).firstStep(steps: 10), 3)   // floor(7.0) despite 0.7 * 10 = 6.999...
        XCTAssertEqual(c(0.01).firstStep(steps: 30), 30)
        XCTAssertEqual(c(0).firstStep(steps: 30), 30)
    }
}
