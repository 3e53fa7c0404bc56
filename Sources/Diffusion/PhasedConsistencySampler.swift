// PhasedConsistencySampler.swift: sampling of a phased consistency model (PCM, Wang et al. 2024, "Phased
// Consistency Model"; PhasedConsistency in Models). The M steps visit the timesteps of the M-step
// consistency sampler on LCM's 50-step DDIM grid (999, 759, 519, 279 for M = 4); at each one the model's
// x0^ and eps^ make the DDIM jump to the next (the phase's lower edge), the last to timestep 0. The model
// must have been distilled with M phases (bundle.json `phases`); other step counts are DDIM over the
// student and give poorer images. No CFG: the guidance scale goes to the guidance embedding
// (EmbeddedGuidance).
// With gamma 0 the sampler is deterministic. With gamma > 0 it is stochastic at the phase edges, as in
// CTM's gamma-sampling (Kim et al. 2023, "Consistency Trajectory Models") and TCD's strategic stochastic
// sampling (Zheng et al. 2024): the jump to an edge above 0 uses eps' = sqrt(1 - gamma^2) eps^ + gamma z
// with fresh noise z from the image's own RNG stream, which keeps x at the edge's noise level but washes
// out part of the error the student's jumps carry forward (bundle.json `phasedGamma`).

import Core
import DiffusionMath

public struct PhasedConsistencySampler: ImageSampler, Codable, Sendable {
    public var schedule: NoiseSchedule
    /// Steps of the DDIM grid the model was distilled on (LCM: 50).
    public var originalSteps: Int = 50
    /// Share of fresh noise in the eps of each jump to an edge above 0 (0 = deterministic, 1 = all fresh).
    public var gamma: Double = 0

    public init(schedule: NoiseSchedule = NoiseSchedule(), originalSteps: Int = 50, gamma: Double = 0) {
        self.schedule = schedule
        self.originalSteps = originalSteps
        self.gamma = gamma
    }

    public var name: String { "phased" }

    /// (timestep, the edge it jumps to) for `steps` steps, descending.
    public func plan(steps: Int) throws -> [(t: Int, to: Int)] {
        guard steps >= 1 && steps <= originalSteps else {
            throw DiptychError("phased consistency sampling takes 1 to \(originalSteps) steps, got \(steps)")
        }
        let ts = PhasedConsistency.samplingTimesteps(steps: steps, trainSteps: schedule.trainSteps, originalSteps: originalSteps)
        return ts.indices.map { (ts[$0], $0 + 1 < ts.count ? ts[$0 + 1] : 0) }
    }

    public func sample(model: ImageDenoiser, noise: Tensor, steps: Int, conditioning: ImageConditioning?,
                       rng: inout BatchRNG, progress: SamplerProgress?) throws -> Tensor {
        try SamplerSupport.check(noise: noise, rng: rng, steps: steps)
        guard (0...1).contains(gamma) else { throw DiptychError("the phased sampler's gamma must be in [0, 1], got \(gamma)") }
        let ab = schedule.alphasCumprod
        let plan = try plan(steps: steps)
        let levels = plan.map { NoiseLevel.vp(alphaBar: ab[$0.t]) } + [.vp(alphaBar: ab[plan.last!.to])]
        return try SamplerSupport.walk(levels: levels, noise: noise, conditioning: conditioning, rng: &rng, progress: progress,
                                       initial: { $0.clone() }) { i, x, rng, _ in
            let p = plan[i]
            let (x0, eps) = try SamplerSupport.denoise(model, x: x, timestep: Double(p.t), alphaBar: ab[p.t])
            if gamma > 0 && p.to > 0 {
                let z = rng.gaussian(x.count / max(1, x.shape[0]))
                let keep = Float((1 - gamma * gamma).squareRoot()), fresh = Float(gamma)
                for j in 0..<eps.count { eps.data[j] = keep * eps.data[j] + fresh * z.data[j] }
            }
            return (DDIMSampler.step(x0: x0, eps: eps, alphaBarNext: [Double](repeating: ab[p.to], count: x.shape[0])), x0)
        }
    }
}
