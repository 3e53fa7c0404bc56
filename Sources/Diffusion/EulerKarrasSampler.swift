// EulerKarrasSampler.swift: Euler's method on the probability-flow ODE dx/dsigma = (x - D(x; sigma))
// / sigma in variance-exploding coordinates, over Karras et al. 2022 noise levels (their Algorithm 1
// without the Heun correction; k-diffusion's sample_euler). One model call per step.

import Core
import DiffusionMath

public struct EulerKarrasSampler: ImageSampler, Codable, Sendable {
    public var schedule: NoiseSchedule
    public var grid: SigmaGrid = .karras(rho: 7)

    public init(schedule: NoiseSchedule = NoiseSchedule(), grid: SigmaGrid = .karras(rho: 7)) {
        self.schedule = schedule
        self.grid = grid
    }

    public var name: String { "euler-karras" }

    public func sample(model: ImageDenoiser, noise: Tensor, steps: Int, conditioning: ImageConditioning?,
                       rng: inout BatchRNG, progress: SamplerProgress?) throws -> Tensor {
        try SamplerSupport.check(noise: noise, rng: rng, steps: steps)
        let sigmas = try grid.sigmas(steps: steps, schedule: schedule)
        return try SamplerSupport.walk(levels: sigmas.map { .ve(sigma: $0) }, noise: noise, conditioning: conditioning, rng: &rng,
                                       progress: progress, initial: { SamplerSupport.combine(sigmas[0], $0, 0, $0) }) { i, x, _, _ in
            let s = sigmas[i], sNext = sigmas[i + 1]
            let denoised = try SamplerSupport.denoiseVE(model, x: x, sigma: s, schedule: schedule)
            // x + (x - D)/s * (sNext - s) = (sNext/s) x + (1 - sNext/s) D
            return (SamplerSupport.combine(sNext / s, x, 1 - sNext / s, denoised), denoised)
        }
    }
}
