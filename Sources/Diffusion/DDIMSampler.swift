// DDIMSampler.swift: denoising diffusion implicit models (Song, Meng, Ermon 2021, eq. 12).
// x0^ = (x_t - s_t eps^) / a_t;  x_prev = a_prev x0^ + sqrt(1 - ab_prev - sigma^2) eps^ + sigma z,
// sigma = eta sqrt((1 - ab_prev)/(1 - ab_t)) sqrt(1 - ab_t/ab_prev). eta = 0 is deterministic (the
// probability-flow ODE's first-order solver); eta = 1 is DDPM's ancestral sampler. The last step
// goes to alpha-bar 1 and returns the x0 estimate.

import Core
import DiffusionMath

public struct DDIMSampler: ImageSampler, Codable, Sendable {
    public var schedule: NoiseSchedule
    /// 0: deterministic; 1: as much fresh noise as DDPM.
    public var eta: Double = 0
    public var spacing: TimestepSpacing = .trailing

    public init(schedule: NoiseSchedule = NoiseSchedule(), eta: Double = 0, spacing: TimestepSpacing = .trailing) {
        self.schedule = schedule
        self.eta = eta
        self.spacing = spacing
    }

    public var name: String { "ddim" }

    /// One deterministic DDIM step per row (eta 0): sqrt(ab_next) x0 + sqrt(1 - ab_next) eps, the
    /// teacher step of latent consistency distillation. x0, eps: [B, N]; alphaBarNext: B values.
    public static func step(x0: Tensor, eps: Tensor, alphaBarNext: [Double]) -> Tensor {
        let b = alphaBarNext.count, n = b == 0 ? 0 : x0.count / b
        precondition(x0.count == eps.count && x0.count == b * n)
        let out = Tensor(shape: x0.shape)
        for r in 0..<b {
            let a = Float(alphaBarNext[r].squareRoot()), s = Float((1 - alphaBarNext[r]).squareRoot())
            for j in r * n..<(r + 1) * n { out.data[j] = ConsistencyMath.ddim(x0: x0.data[j], eps: eps.data[j], a: a, s: s) }
        }
        return out
    }

    public func sample(model: ImageDenoiser, noise: Tensor, steps: Int, conditioning: ImageConditioning?,
                       rng: inout BatchRNG, progress: SamplerProgress?) throws -> Tensor {
        try SamplerSupport.check(noise: noise, rng: rng, steps: steps)
        let plan = try SamplerSupport.spacedSteps(schedule, spacing, steps: steps)
        let n = noise.shape[1]
        let levels = plan.map { NoiseLevel.vp(alphaBar: $0.alphaBar) } + [.vp(alphaBar: plan.last!.alphaBarNext)]
        return try SamplerSupport.walk(levels: levels, noise: noise, conditioning: conditioning, rng: &rng, progress: progress,
                                       initial: { $0.clone() }) { i, x, rng, _ in
            let (t, ab, abPrev) = plan[i]
            let (x0, eps) = try SamplerSupport.denoise(model, x: x, timestep: Double(t), alphaBar: ab)
            let sigma = eta * ((1 - abPrev) / (1 - ab)).squareRoot() * (1 - ab / abPrev).squareRoot()
            let direction = max(1 - abPrev - sigma * sigma, 0).squareRoot()
            if sigma > 0 {
                let z = rng.gaussian(n)
                return (SamplerSupport.combine(abPrev.squareRoot(), x0, direction, eps, sigma, z), x0)
            }
            return (SamplerSupport.combine(abPrev.squareRoot(), x0, direction, eps), x0)
        }
    }
}
