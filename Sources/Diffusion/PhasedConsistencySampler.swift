// PhasedConsistencySampler.swift: deterministic sampling of a phased consistency model (PCM, Wang et
// al. 2024, "Phased Consistency Model"; PhasedConsistency in Models). The M steps visit the timesteps
// of the M-step consistency sampler on LCM's 50-step DDIM grid (999, 759, 519, 279 for M = 4); at
// each one the model's x0^ and eps^ make the DDIM jump to the next (the phase's lower edge), the last
// to timestep 0, with no fresh noise in between. The model must have been distilled with M phases
// (bundle.json `phases`); other step counts are DDIM over the student and give poorer images. No CFG:
// the guidance scale goes to the guidance embedding (EmbeddedGuidance).

import Core
import Models

public struct PhasedConsistencySampler: ImageSampler, Codable, Sendable {
    public var schedule: NoiseSchedule
    /// Steps of the DDIM grid the model was distilled on (LCM: 50).
    public var originalSteps: Int = 50

    public init(schedule: NoiseSchedule = NoiseSchedule(), originalSteps: Int = 50) {
        self.schedule = schedule
        self.originalSteps = originalSteps
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

    public func sample(model: ImageDenoiser, noise: Tensor, steps: Int, rng: inout BatchRNG,
                       progress: SamplerProgress?) throws -> Tensor {
        try SamplerSupport.check(noise: noise, rng: rng, steps: steps)
        let ab = schedule.alphasCumprod
        var x = noise.clone()
        let plan = try plan(steps: steps)
        for (i, p) in plan.enumerated() {
            let (x0, eps) = try SamplerSupport.denoise(model, x: x, timestep: Double(p.t), alphaBar: ab[p.t])
            x = DDIMSampler.step(x0: x0, eps: eps, alphaBarNext: [Double](repeating: ab[p.to], count: x.shape[0]))
            try SamplerSupport.report(progress, step: i + 1, total: plan.count, x0: x0)
        }
        return x
    }
}
