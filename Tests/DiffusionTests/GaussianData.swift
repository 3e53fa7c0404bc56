// GaussianData.swift: test access to the library's AnalyticGaussianDenoiser (exact eps/v predictions
// for Gaussian data, closed-form probability-flow ODE solution), with an optional call counter.
import Core
import Diffusion
import Models

struct GaussianData {
    let analytic: AnalyticGaussianDenoiser
    var mu: [Double] { analytic.mu }
    var s: [Double] { analytic.s }
    var n: Int { analytic.count }

    init(n: Int) { analytic = AnalyticGaussianDenoiser(n: n) }

    /// The exact eps- or v-prediction under `schedule`.
    func denoiser(_ schedule: NoiseSchedule, _ kind: ImagePrediction, calls: Counter? = nil) -> ClosureDenoiser {
        var model = analytic
        model.schedule = schedule
        model.prediction = kind
        return ClosureDenoiser(prediction: kind) { x, ts in
            calls?.value += 1
            return try model.predict(x, timesteps: ts)
        }
    }

    func odeEndpoint(y: Double, sigmaT: Double, coordinate j: Int) -> Double {
        analytic.odeEndpoint(y: y, sigmaT: sigmaT, coordinate: j)
    }
}

final class Counter { var value = 0 }
