// ImageConditioning.swift: what is known of the image when a Gaussian sampler runs, so img2img and
// inpainting are modes of the same samplers, not copies of their loops.
// - Where to start (SDEdit, Meng et al. 2021, "SDEdit: guided image synthesis and editing with
//   stochastic differential equations"): with strength S and N steps the sampler runs the last
//   floor(N S) steps of its N-step grid (diffusers' img2img `get_timesteps`), starting from the clean
//   latents noised to the level of the first step run. S = 1 runs the whole grid from the sampler's own
//   initial noise (the image is then only used through the known region); S = 0 returns the latents.
// - What to keep (RePaint, Lugmayr et al. 2022, "RePaint: inpainting using denoising diffusion
//   probabilistic models", Algorithm 1): after every step the known region of the state is replaced by
//   the clean latents noised to the level reached (fresh noise from the row's own RNG stream); with
//   `resample` U > 1 every step is run U times, jumping back by one step in between
//   (x_t = sqrt(ab_t / ab_next) x_next + sqrt(1 - ab_t / ab_next) z, RePaint's jump length 1).
//   Rows with nothing known draw no extra noise; resampling repeats the steps of the whole batch, so
//   only rows that share their settings are batched together (the studio keys edit batches by mode,
//   strength and resample).
// The samplers describe their grid as noise levels (variance preserving: alpha-bar; variance
// exploding: sigma, x = x_vp / alpha) and hand their per-step update to `SamplerSupport.walk`.

import Core
import DiffusionMath

/// A noise level of a sampler's state: x = sqrt(ab) x0 + sqrt(1 - ab) eps (vp) or x = x0 + sigma eps (ve).
public enum NoiseLevel: Equatable, Sendable {
    case vp(alphaBar: Double)
    case ve(sigma: Double)

    /// (scale of x0, scale of eps) in this level's coordinates.
    var coefficients: (Double, Double) {
        switch self {
        case .vp(let ab): return (ab.squareRoot(), max(0, 1 - ab).squareRoot())
        case .ve(let s): return (1, s)
        }
    }
}

/// The clean latents an image sampler is given, which part of them to keep, and where to start.
public struct ImageConditioning: Sendable {
    /// [B, N] clean latents (the encoded input images, in the denoiser's latent space).
    public var latents: Tensor
    /// [B, N] 1 where the latent is known (kept), 0 where it is regenerated; nil keeps nothing after the
    /// start (img2img).
    public var known: Tensor?
    /// In [0, 1]: the share of the grid's steps that is run (1: from pure noise; 0: nothing).
    public var strength: Double
    /// Times each step is run when there is a known region (RePaint's U; 1: no resampling).
    public var resample: Int

    public init(latents: Tensor, known: Tensor? = nil, strength: Double = 1, resample: Int = 1) {
        self.latents = latents
        self.known = known
        self.strength = strength
        self.resample = resample
    }

    /// Limits shared by the CLI and the job reader.
    public static let resampleLimit = 1...20

    /// Index of the first step run out of `steps` (diffusers: steps - min(floor(steps S), steps)).
    public func firstStep(steps: Int) -> Int {
        steps - min(steps, Int((Double(steps) * strength + 1e-9).rounded(.down)))
    }

    /// Checks shapes and ranges against the sampler's initial noise.
    func check(noise: Tensor) throws {
        guard latents.shape == noise.shape else {
            throw DiptychError("the known latents are \(latents.shape) but the noise is \(noise.shape)")
        }
        if let known, known.shape != noise.shape {
            throw DiptychError("the latent mask is \(known.shape) but the noise is \(noise.shape)")
        }
        guard strength >= 0 && strength <= 1 else { throw DiptychError("strength must be in [0, 1], got \(strength)") }
        guard Self.resampleLimit.contains(resample) else {
            throw DiptychError("resample must be between \(Self.resampleLimit.lowerBound) and \(Self.resampleLimit.upperBound), got \(resample)")
        }
    }

    /// The clean latents at `level` with noise `eps` [B, N].
    func noised(at level: NoiseLevel, eps: Tensor) -> Tensor {
        let (a, s) = level.coefficients
        return SamplerSupport.combine(a, latents, s, eps)
    }

    /// x with its known region replaced by the clean latents at `level` with noise `eps`.
    func replaceKnown(_ x: Tensor, at level: NoiseLevel, eps: Tensor) -> Tensor {
        guard let known else { return x }
        let (a, s) = level.coefficients
        let fa = Float(a), fs = Float(s)
        let out = x.clone()
        for j in 0..<x.count where known.data[j] > 0.5 { out.data[j] = fa * latents.data[j] + fs * eps.data[j] }
        return out
    }

    /// Rows [B] with at least one known value (the others are img2img rows: nothing is replaced).
    func knownRows() -> [Bool] {
        guard let known else { return [Bool](repeating: false, count: latents.shape.first ?? 0) }
        let b = known.shape[0], n = b == 0 ? 0 : known.count / b
        return (0..<b).map { r in (0..<n).contains { known.data[r * n + $0] > 0.5 } }
    }

    /// [B, n] standard normals for the rows in `rows` from their own streams, zeros elsewhere, so a row
    /// with nothing known draws nothing (it stays the text-to-image or img2img sample of its seed).
    static func gaussian(_ rng: inout BatchRNG, rows: [Bool], n: Int) -> Tensor {
        let t = Tensor(shape: [rows.count, n])
        for r in rows.indices where rows[r] { rng.generators[r].fillGaussian(t.data + r * n, count: n) }
        return t
    }

    /// Forward diffusion from `lower` noise back up to `higher` (RePaint's jump back), with noise z.
    static func renoise(_ x: Tensor, from lower: NoiseLevel, to higher: NoiseLevel, z: Tensor) throws -> Tensor {
        switch (lower, higher) {
        case (.vp(let abLow), .vp(let abHigh)):
            let ratio = abLow > 0 ? min(1, abHigh / abLow) : 1
            return SamplerSupport.combine(ratio.squareRoot(), x, (1 - ratio).squareRoot(), z)
        case (.ve(let sLow), .ve(let sHigh)):
            return SamplerSupport.combine(1, x, max(0, sHigh * sHigh - sLow * sLow).squareRoot(), z)
        default:
            throw DiptychError("a sampler mixes variance-preserving and variance-exploding noise levels")
        }
    }
}

extension SamplerSupport {
    /// One sampler step: from the state at level i (step index i) to the state at level i + 1, and the
    /// x0 estimate for progress. `last` is false for the extra runs of a resampled step, so multistep
    /// solvers update their history only once per step.
    typealias Step = (_ i: Int, _ x: Tensor, _ rng: inout BatchRNG, _ last: Bool) throws -> (x: Tensor, x0: Tensor?)

    /// Runs a sampler's steps over `levels` (steps + 1 levels: before each step, then the end) under
    /// an optional conditioning. `initial` maps the unit noise to the sampler's own starting state.
    static func walk(levels: [NoiseLevel], noise: Tensor, conditioning: ImageConditioning?, rng: inout BatchRNG,
                     progress: SamplerProgress?, initial: (Tensor) -> Tensor, step: Step) throws -> Tensor {
        let steps = levels.count - 1
        guard let c = conditioning else {
            var x = initial(noise)
            for i in 0..<steps {
                let (next, x0) = try step(i, x, &rng, true)
                x = next
                try report(progress, step: i + 1, total: steps, x0: x0)
            }
            return x
        }
        try c.check(noise: noise)
        let first = c.firstStep(steps: steps)
        if first == steps { return c.latents.clone() }
        var x = first == 0 ? c.replaceKnown(initial(noise), at: levels[0], eps: noise) : c.noised(at: levels[first], eps: noise)
        let rows = c.knownRows(), anyKnown = rows.contains(true)
        let repeats = anyKnown ? c.resample : 1
        let n = noise.shape[1]
        for i in first..<steps {
            var x0: Tensor? = nil
            for u in 0..<repeats {
                var (next, estimate) = try step(i, x, &rng, u == repeats - 1)
                x0 = estimate
                if anyKnown { next = c.replaceKnown(next, at: levels[i + 1], eps: ImageConditioning.gaussian(&rng, rows: rows, n: n)) }
                x = u == repeats - 1 ? next
                    : try ImageConditioning.renoise(next, from: levels[i + 1], to: levels[i], z: ImageConditioning.gaussian(&rng, rows: rows, n: n))
            }
            try report(progress, step: i - first + 1, total: steps - first, x0: x0)
        }
        return x
    }
}
