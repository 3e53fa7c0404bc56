// GaussianData.swift: test access to the library's AnalyticGaussianDenoiser (exact eps/v predictions
// for Gaussian data, closed-form probability-flow ODE solution), with an optional call counter.
import Core
import Diffusion
import Models
import DiffusionMath

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

/// A hand-rolled deterministic DDIM walk in Double: x <- sqrt(ab_to) x0 + sqrt(1 - ab_to) eps for each
/// (t, to) in `hops`, with x0 and eps from `model`'s eps or v prediction. x: [B * n] values.
func handDDIM(_ model: ImageDenoiser, x start: [Double], rows: Int, hops: [(Int, Int)], schedule: NoiseSchedule) throws -> [Double] {
    let ab = schedule.alphasCumprod, kind = model.prediction, n = start.count / rows
    var x = start
    for (t, to) in hops {
        let o = try model.predict(Tensor(shape: [rows, n], values: x.map(Float.init)),
                                  timesteps: [Float](repeating: Float(t), count: rows)).toArray().map(Double.init)
        let a = ab[t].squareRoot(), s = (1 - ab[t]).squareRoot()
        x = x.indices.map { j in
            let (x0, eps) = kind == .v ? (a * x[j] - s * o[j], s * x[j] + a * o[j]) : ((x[j] - s * o[j]) / a, o[j])
            return ab[to].squareRoot() * x0 + (1 - ab[to]).squareRoot() * eps
        }
    }
    return x
}

final class Counter { var value = 0 }
