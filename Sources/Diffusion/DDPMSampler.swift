// DDPMSampler.swift: ancestral sampling of denoising diffusion probabilistic models (Ho, Jain,
// Abbeel 2020, eq. 6-7) over a subset of timesteps (respaced as in Nichol & Dhariwal 2021): draw
// x_prev from the posterior q(x_prev | x_t, x0^) with mean
//   sqrt(ab_prev) b / (1 - ab_t) x0^ + sqrt(1 - b) (1 - ab_prev) / (1 - ab_t) x_t,  b = 1 - ab_t / ab_prev,
// and the "fixed small" variance b (1 - ab_prev) / (1 - ab_t). The last step returns x0^.

import Core
import DiffusionMath

public struct DDPMSampler: ImageSampler, Codable, Sendable {
    public var schedule: NoiseSchedule
    public var spacing: TimestepSpacing = .trailing

    public init(schedule: NoiseSchedule = NoiseSchedule(), spacing: TimestepSpacing = .trailing) {
        self.schedule = schedule
        self.spacing = spacing
    }

    public var name: String { "ddpm" }

    public func sample(model: ImageDenoiser, noise: Tensor, steps: Int, conditioning: ImageConditioning?,
                       rng: inout BatchRNG, progress: SamplerProgress?) throws -> Tensor {
        try SamplerSupport.check(noise: noise, rng: rng, steps: steps)
        let plan = try SamplerSupport.spacedSteps(schedule, spacing, steps: steps)
        let n = noise.shape[1]
        let levels = plan.map { NoiseLevel.vp(alphaBar: $0.alphaBar) } + [.vp(alphaBar: plan.last!.alphaBarNext)]
        return try SamplerSupport.walk(levels: levels, noise: noise, conditioning: conditioning, rng: &rng, progress: progress,
                                       initial: { $0.clone() }) { i, x, rng, _ in
            let (t, ab, abPrev) = plan[i]
            let (x0, _) = try SamplerSupport.denoise(model, x: x, timestep: Double(t), alphaBar: ab)
            let beta = 1 - ab / abPrev
            let cx0 = abPrev.squareRoot() * beta / (1 - ab)
            let cx = (1 - beta).squareRoot() * (1 - abPrev) / (1 - ab)
            let std = (beta * (1 - abPrev) / (1 - ab)).squareRoot()
            if std > 0 {
                let z = rng.gaussian(n)
                return (SamplerSupport.combine(cx0, x0, cx, x, std, z), x0)
            }
            return (SamplerSupport.combine(cx0, x0, cx, x), x0)
        }
    }
}
