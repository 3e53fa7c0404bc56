// ConsistencySampler.swift: multistep consistency sampling (Song, Dhariwal, Chen, Sutskever 2023,
// Algorithm 1) as done by latent consistency models (Luo et al. 2023, LCM): at each timestep t
// predict x0^ from the model output, apply the boundary scalings with the timestep scaled by 10,
//   c_skip = sd^2 / ((10 t)^2 + sd^2),  c_out = 10 t / sqrt((10 t)^2 + sd^2),  sd = 0.5,
//   denoised = c_skip x_t + c_out x0^,
// then re-noise to the next timestep: x = sqrt(ab_next) denoised + sqrt(1 - ab_next) z. The
// timesteps come from the 50-step DDIM grid of LCM's skipping-step distillation (19, 39, ..., 999),
// taking every (50 / steps)-th from the top. No CFG: wrap a guidance-distilled model in
// EmbeddedGuidance (or call sample(conditionalModel:guidanceScale:...)).

import Core
import DiffusionMath

public struct ConsistencySampler: ImageSampler, Codable, Sendable {
    public var schedule: NoiseSchedule
    /// Steps of the DDIM grid the model was distilled on (LCM: 50).
    public var originalSteps: Int = 50
    /// Multiplier of the timestep in the boundary scalings (LCM: 10).
    public var timestepScaling: Double = 10
    /// sigma_data of the boundary scalings.
    public var sigmaData: Double = 0.5

    public init(schedule: NoiseSchedule = NoiseSchedule(), originalSteps: Int = 50, timestepScaling: Double = 10) {
        self.schedule = schedule
        self.originalSteps = originalSteps
        self.timestepScaling = timestepScaling
    }

    public var name: String { "consistency" }

    /// The timesteps visited for `steps` steps (descending).
    public func timesteps(steps: Int) throws -> [Int] {
        guard originalSteps >= 1 && originalSteps <= schedule.trainSteps else {
            throw DiptychError("originalSteps must be between 1 and \(schedule.trainSteps)")
        }
        guard steps >= 1 && steps <= originalSteps else {
            throw DiptychError("consistency sampling takes 1 to \(originalSteps) steps, got \(steps)")
        }
        return PhasedConsistency.samplingTimesteps(steps: steps, trainSteps: schedule.trainSteps, originalSteps: originalSteps)
    }

    /// (c_skip, c_out) at timestep t, with the settings the model was distilled with (ConsistencyMath).
    public func boundaryScalings(timestep t: Double) -> (skip: Double, out: Double) {
        ConsistencyMath.boundaryScalings(timestep: t, sigmaData: sigmaData, timestepScaling: timestepScaling)
    }

    public func sample(model: ImageDenoiser, noise: Tensor, steps: Int, conditioning: ImageConditioning?,
                       rng: inout BatchRNG, progress: SamplerProgress?) throws -> Tensor {
        try SamplerSupport.check(noise: noise, rng: rng, steps: steps)
        let ts = try timesteps(steps: steps)
        let n = noise.shape[1]
        let levels = ts.map { NoiseLevel.vp(alphaBar: schedule.alphasCumprod[$0]) } + [.vp(alphaBar: 1)]
        return try SamplerSupport.walk(levels: levels, noise: noise, conditioning: conditioning, rng: &rng, progress: progress,
                                       initial: { $0.clone() }) { i, x, rng, _ in
            let t = ts[i], ab = schedule.alphasCumprod[t]
            let (x0, _) = try SamplerSupport.denoise(model, x: x, timestep: Double(t), alphaBar: ab)
            let (cSkip, cOut) = boundaryScalings(timestep: Double(t))
            let denoised = SamplerSupport.combine(cSkip, x, cOut, x0)
            guard i + 1 < ts.count else { return (denoised, denoised) }
            let abNext = schedule.alphasCumprod[ts[i + 1]]
            let z = rng.gaussian(n)
            return (SamplerSupport.combine(abNext.squareRoot(), denoised, (1 - abNext).squareRoot(), z), denoised)
        }
    }

    /// Samples a guidance-distilled conditional model with the guidance scale fed as an embedding.
    public func sample(conditionalModel: ConditionalImageDenoiser, guidanceScale: Float, noise: Tensor,
                       steps: Int, rng: inout BatchRNG, progress: SamplerProgress?) throws -> Tensor {
        try sample(model: EmbeddedGuidance(model: conditionalModel, scale: guidanceScale), noise: noise,
                   steps: steps, rng: &rng, progress: progress)
    }
}
