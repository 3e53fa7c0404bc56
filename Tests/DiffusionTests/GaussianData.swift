// GaussianData.swift: an analytic test denoiser. For data x0 ~ N(mu_j, s_j^2) per coordinate, the
// exact posterior mean is E[x0 | x_t] = mu + a s^2 / (a^2 s^2 + sg^2) (x_t - a mu), and the
// probability-flow ODE in variance-exploding coordinates y = x / a has the closed-form solution
// y(sigma) = mu + (y(sigma_T) - mu) sqrt(s^2 + sigma^2) / sqrt(s^2 + sigma_T^2).
import Core
import Diffusion
import Models

struct GaussianData {
    var mu: [Double]
    var s: [Double]
    var n: Int { mu.count }

    /// n coordinates cycling through a few means and standard deviations.
    init(n: Int) {
        let mus = [0.5, -1.0, 2.0, 0.0]
        let ss = [1.0, 0.5, 1.5, 0.8]
        mu = (0..<n).map { mus[$0 % mus.count] }
        s = (0..<n).map { ss[($0 / mus.count) % ss.count] }
    }

    /// The exact eps- or v-prediction.
    func denoiser(_ schedule: NoiseSchedule, _ kind: ImagePrediction, calls: Counter? = nil) -> ClosureDenoiser {
        ClosureDenoiser(prediction: kind) { x, ts in
            calls?.value += 1
            let b = x.shape[0]
            let out = Tensor(shape: x.shape)
            for r in 0..<b {
                let ab = schedule.alphaBar(at: Double(ts[r]))
                let a = ab.squareRoot(), sg = (1 - ab).squareRoot()
                for j in 0..<n {
                    let xv = Double(x[r * n + j])
                    let x0 = mu[j] + a * s[j] * s[j] / (a * a * s[j] * s[j] + sg * sg) * (xv - a * mu[j])
                    let eps = (xv - a * x0) / sg
                    out[r * n + j] = kind == .eps ? Float(eps) : Float(a * eps - sg * x0)
                }
            }
            return out
        }
    }

    /// Where the probability-flow ODE started at VE value y at level sigmaT ends at sigma 0.
    func odeEndpoint(y: Double, sigmaT: Double, coordinate j: Int) -> Double {
        mu[j] + (y - mu[j]) * s[j] / (s[j] * s[j] + sigmaT * sigmaT).squareRoot()
    }
}

final class Counter { var value = 0 }
