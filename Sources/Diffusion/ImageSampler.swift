// ImageSampler.swift: the one signature every Gaussian sampler shares, the progress/cancel hook,
// the sampler names the CLI uses, and the model evaluation the samplers have in common (one
// timestep for the whole batch, prediction converted to x0 and eps). What is known of the image
// (img2img, inpainting) is an ImageConditioning every sampler applies through SamplerSupport.walk.

import Core
import DiffusionMath

/// Called after each denoising step with (step done, 1-based; total steps; the current x0 estimate
/// [B, N] when the sampler has one). Return false to cancel: the sampler then throws CancellationError.
public typealias SamplerProgress = (_ step: Int, _ total: Int, _ previewX0: Tensor?) -> Bool

/// A Gaussian sampler: from unit-variance noise [B, N] to clean latents [B, N].
public protocol ImageSampler {
    /// CLI name ("ddim", "dpmpp-2m", ...).
    var name: String { get }
    /// noise: [B, N] standard normal initial latents (draw them from `rng`); rng: one stream per
    /// example for stochastic steps; steps: number of denoising steps of the full grid (= model calls,
    /// before CFG); conditioning: known latents, a mask of what to keep and where to start (img2img,
    /// inpainting; ImageConditioning), or nil for text-to-image.
    func sample(model: ImageDenoiser, noise: Tensor, steps: Int, conditioning: ImageConditioning?, rng: inout BatchRNG,
                progress: SamplerProgress?) throws -> Tensor
}

extension ImageSampler {
    /// Text-to-image: the whole grid from noise.
    public func sample(model: ImageDenoiser, noise: Tensor, steps: Int, rng: inout BatchRNG,
                       progress: SamplerProgress?) throws -> Tensor {
        try sample(model: model, noise: noise, steps: steps, conditioning: nil, rng: &rng, progress: progress)
    }
}

/// The samplers by CLI name.
public enum ImageSamplerKind: String, Codable, Sendable, CaseIterable {
    case ddpm
    case ddim
    case dpmpp2m = "dpmpp-2m"
    case eulerKarras = "euler-karras"
    case consistency
    case phased

    /// A sampler of this kind with default options over `schedule`.
    /// phasedGamma: the phased sampler's stochasticity at its edges (bundle.json `phasedGamma`; others ignore it).
    /// The sampler on `schedule`; the consistency samplers take the grid and scalings the student was
    /// distilled with (bundle.json `consistency`, LCM's defaults when absent).
    public func make(schedule: NoiseSchedule = NoiseSchedule(), phasedGamma: Double = 0,
                     consistency: ConsistencySettings = ConsistencySettings()) -> ImageSampler {
        switch self {
        case .ddpm: return DDPMSampler(schedule: schedule)
        case .ddim: return DDIMSampler(schedule: schedule)
        case .dpmpp2m: return DPMSolverPlusPlus2MSampler(schedule: schedule)
        case .eulerKarras: return EulerKarrasSampler(schedule: schedule)
        case .consistency:
            var sampler = ConsistencySampler(schedule: schedule, originalSteps: consistency.originalSteps,
                                             timestepScaling: consistency.timestepScaling)
            sampler.sigmaData = consistency.sigmaData
            return sampler
        case .phased:
            return PhasedConsistencySampler(schedule: schedule, originalSteps: consistency.originalSteps, gamma: phasedGamma)
        }
    }
}

/// Helpers shared by the samplers.
enum SamplerSupport {
    /// Checks the batch shape of `noise` against `rng`.
    static func check(noise: Tensor, rng: BatchRNG, steps: Int) throws {
        guard noise.shape.count == 2 else { throw DiptychError("noise must be [batch, values], got \(noise.shape)") }
        guard noise.shape[0] == rng.count else {
            throw DiptychError("noise has \(noise.shape[0]) rows but the RNG has \(rng.count) streams")
        }
        guard steps >= 1 else { throw DiptychError("steps must be at least 1, got \(steps)") }
    }

    /// The visited timesteps of a spacing with alpha-bar there and at the next visited timestep
    /// (1 after the last: the final step lands on clean data).
    static func spacedSteps(_ schedule: NoiseSchedule, _ spacing: TimestepSpacing, steps: Int) throws
        -> [(t: Int, alphaBar: Double, alphaBarNext: Double)]
    {
        let ts = try spacing.timesteps(steps: steps, trainSteps: schedule.trainSteps)
        return ts.indices.map { i in
            (ts[i], schedule.alphasCumprod[ts[i]], i + 1 < ts.count ? schedule.alphasCumprod[ts[i + 1]] : 1)
        }
    }

    /// Reports progress; throws CancellationError when the handler says stop.
    static func report(_ progress: SamplerProgress?, step: Int, total: Int, x0: Tensor?) throws {
        if let progress, !progress(step, total, x0) { throw CancellationError() }
    }

    /// Runs the model on VP latents x [B, N] at one continuous timestep t (alpha-bar ab) and returns
    /// (x0, eps).
    static func denoise(_ model: ImageDenoiser, x: Tensor, timestep t: Double, alphaBar ab: Double) throws
        -> (x0: Tensor, eps: Tensor)
    {
        let b = x.shape[0]
        let out = try model.predict(x, timesteps: [Float](repeating: Float(t), count: b))
        guard out.count == x.count else {
            throw DiptychError("the model returned \(out.shape) for input \(x.shape)")
        }
        return PredictionMath.x0AndEps(model.prediction, x: x, output: out,
                                       alpha: [Double](repeating: ab.squareRoot(), count: b),
                                       s: [Double](repeating: (1 - ab).squareRoot(), count: b))
    }

    /// Variance-exploding view: the model sees x_vp = x / sqrt(1 + sigma^2) at the timestep of sigma;
    /// returns the x0 estimate D(x; sigma).
    static func denoiseVE(_ model: ImageDenoiser, x: Tensor, sigma: Double, schedule: NoiseSchedule) throws -> Tensor {
        let scale = Float(1 / (1 + sigma * sigma).squareRoot())
        let xv = Tensor(shape: x.shape)
        for i in 0..<x.count { xv.data[i] = x.data[i] * scale }
        return try denoise(model, x: xv, timestep: schedule.timestep(sigma: sigma),
                           alphaBar: 1 / (1 + sigma * sigma)).x0
    }

    /// out = a * p + b * q (+ c * r), elementwise.
    static func combine(_ a: Double, _ p: Tensor, _ b: Double, _ q: Tensor, _ c: Double = 0, _ r: Tensor? = nil) -> Tensor {
        let out = Tensor(shape: p.shape)
        let fa = Float(a), fb = Float(b), fc = Float(c)
        if let r {
            for i in 0..<p.count { out.data[i] = fa * p.data[i] + fb * q.data[i] + fc * r.data[i] }
        } else {
            for i in 0..<p.count { out.data[i] = fa * p.data[i] + fb * q.data[i] }
        }
        return out
    }
}
