// DPMSolverPlusPlus2MSampler.swift: DPM-Solver++(2M), the second-order multistep solver of the
// diffusion ODE in data-prediction form (Lu, Zhou, Bao, Chen, Li, Zhu 2022, Algorithm 2), written
// in the variance-exploding coordinates x = x_vp / alpha of Karras et al. 2022 (as k-diffusion's
// sample_dpmpp_2m). With lambda = -log(sigma), h = lambda_next - lambda, r = h_prev / h:
//   D = (1 + 1/(2r)) x0^_i - 1/(2r) x0^_{i-1}   (first step, and the step to sigma 0: D = x0^_i)
//   x_next = (sigma_next / sigma) x - expm1(-h) D.
// One model call per step.

import Core
import Foundation
import DiffusionMath

public struct DPMSolverPlusPlus2MSampler: ImageSampler, Codable, Sendable {
    public var schedule: NoiseSchedule
    public var grid: SigmaGrid = .karras(rho: 7)

    public init(schedule: NoiseSchedule = NoiseSchedule(), grid: SigmaGrid = .karras(rho: 7)) {
        self.schedule = schedule
        self.grid = grid
    }

    public var name: String { "dpmpp-2m" }

    public func sample(model: ImageDenoiser, noise: Tensor, steps: Int, conditioning: ImageConditioning?,
                       rng: inout BatchRNG, progress: SamplerProgress?) throws -> Tensor {
        try SamplerSupport.check(noise: noise, rng: rng, steps: steps)
        let sigmas = try grid.sigmas(steps: steps, schedule: schedule)
        // The x0 estimate of the step before (nil at the first step run, as at an img2img start).
        var previous: Tensor? = nil
        return try SamplerSupport.walk(levels: sigmas.map { .ve(sigma: $0) }, noise: noise, conditioning: conditioning, rng: &rng,
                                       progress: progress, initial: { SamplerSupport.combine(sigmas[0], $0, 0, $0) }) { i, x, _, last in
            let s = sigmas[i], sNext = sigmas[i + 1]
            let denoised = try SamplerSupport.denoiseVE(model, x: x, sigma: s, schedule: schedule)
            var next = denoised
            if sNext != 0 {
                let h = log(s) - log(sNext)
                var d = denoised
                if let previous, i > 0 {
                    let hLast = log(sigmas[i - 1]) - log(s)
                    let r = hLast / h
                    d = SamplerSupport.combine(1 + 1 / (2 * r), denoised, -1 / (2 * r), previous)
                }
                next = SamplerSupport.combine(sNext / s, x, -expm1(-h), d)
            }
            if last { previous = denoised }
            return (next, denoised)
        }
    }
}
