// AnalyticGaussianDenoiser.swift: the exact denoiser of Gaussian data, a model-free yardstick for
// samplers. For x0 ~ N(mu_j, s_j^2) per coordinate and x_t = a x0 + g eps (a = sqrt(ab),
// g = sqrt(1 - ab)), the posterior mean is E[x0 | x_t] = mu + a s^2 / (a^2 s^2 + g^2) (x_t - a mu),
// and the probability-flow ODE (Song et al. 2021) in variance-exploding coordinates y = x / a has the
// closed-form solution y(sigma) = mu + (y(sigma_T) - mu) sqrt(s^2 + sigma^2) / sqrt(s^2 + sigma_T^2),
// so a deterministic sampler's error against the exact answer can be measured.

import Core
import DiffusionMath

public struct AnalyticGaussianDenoiser: ImageDenoiser, Sendable {
    public var schedule: NoiseSchedule
    public var prediction: ImagePrediction
    /// Mean and standard deviation of each coordinate [N].
    public var mu: [Double]
    public var s: [Double]

    public init(schedule: NoiseSchedule, prediction: ImagePrediction, mu: [Double], s: [Double]) {
        precondition(mu.count == s.count)
        self.schedule = schedule
        self.prediction = prediction
        self.mu = mu
        self.s = s
    }

    /// n coordinates cycling through means (0.5, -1, 2, 0) and deviations (1, 0.5, 1.5, 0.8).
    public init(schedule: NoiseSchedule = NoiseSchedule(), prediction: ImagePrediction = .eps, n: Int) {
        let mus = [0.5, -1.0, 2.0, 0.0], ss = [1.0, 0.5, 1.5, 0.8]
        self.init(schedule: schedule, prediction: prediction,
                  mu: (0..<n).map { mus[$0 % 4] }, s: (0..<n).map { ss[($0 / 4) % 4] })
    }

    public var count: Int { mu.count }

    /// E[x0 | x_t = x] for one coordinate at alpha-bar ab.
    public func posteriorMean(_ x: Double, alphaBar ab: Double, coordinate j: Int) -> Double {
        let a = ab.squareRoot(), g2 = 1 - ab, v = s[j] * s[j]
        return mu[j] + a * v / (a * a * v + g2) * (x - a * mu[j])
    }

    public func predict(_ x: Tensor, timesteps: [Float]) throws -> Tensor {
        let n = count
        guard x.count == timesteps.count * n else {
            throw DiptychError("analytic denoiser of \(n) values got \(x.shape) with \(timesteps.count) timesteps")
        }
        let out = Tensor(shape: x.shape)
        for r in 0..<timesteps.count {
            let ab = schedule.alphaBar(at: Double(timesteps[r]))
            let a = ab.squareRoot(), g = (1 - ab).squareRoot()
            for j in 0..<n {
                let xv = Double(x[r * n + j])
                let x0 = posteriorMean(xv, alphaBar: ab, coordinate: j)
                out[r * n + j] = PredictionMath.target(prediction, x0: Float(x0), eps: Float((xv - a * x0) / g), alpha: a, s: g)
            }
        }
        return out
    }

    /// Where the probability-flow ODE from VE value y at level sigmaT ends at sigma 0.
    public func odeEndpoint(y: Double, sigmaT: Double, coordinate j: Int) -> Double {
        mu[j] + (y - mu[j]) * s[j] / (s[j] * s[j] + sigmaT * sigmaT).squareRoot()
    }

    /// The exact ODE endpoints [B, N] for a sampler started from unit noise [B, N]: VP samplers
    /// (DDPM/DDIM grids starting at the last timestep) take x_T = noise, VE samplers (Euler,
    /// DPM-Solver++) take y = sigma_max noise.
    public func exactSolution(noise: Tensor, varianceExploding: Bool) -> Tensor {
        let sigmaT = schedule.sigmaMax, n = count
        let out = Tensor(shape: noise.shape)
        for i in 0..<noise.count {
            let z = Double(noise[i])
            let y = varianceExploding ? z * sigmaT : z * (1 + sigmaT * sigmaT).squareRoot()
            out[i] = Float(odeEndpoint(y: y, sigmaT: sigmaT, coordinate: i % n))
        }
        return out
    }

    /// Mean and variance of the standardised values (x - mu) / s of samples [B, N]: 0 and 1 when
    /// the samples follow the data distribution.
    public func standardisedMoments(_ samples: Tensor) -> (mean: Double, variance: Double) {
        let n = count
        let z = (0..<samples.count).map { (Double(samples[$0]) - mu[$0 % n]) / s[$0 % n] }
        let mean = z.reduce(0, +) / Double(max(z.count, 1))
        return (mean, z.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(max(z.count, 1)))
    }
}
