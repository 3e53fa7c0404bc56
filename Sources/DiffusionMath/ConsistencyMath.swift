// ConsistencyMath.swift: the arithmetic of latent consistency distillation and sampling (LCM, Luo et al. 2023, "Latent
// Consistency Models", Algorithm 1 and Sec. 4.2-4.3; consistency models, Song et al. 2023), kept apart
// from the trainer so each piece has its own test:
// - the skipping-step grid: a DDIM grid of `originalSteps` timesteps over the schedule (t = c*i - 1,
//   i = 1...N; LCM: 50 steps over 1000, k = 20) and the pair (t_{n+k}, t_n = max(t_{n+k} - k, 0));
// - the boundary scalings with the timestep scaled by 10 (LCM):
//   c_skip = sd^2 / ((10 t)^2 + sd^2), c_out = 10 t / sqrt((10 t)^2 + sd^2), sd = 0.5, so that
//   f(x, t_min = 0) = x exactly (the consistency boundary condition);
// - x0 from the model output (v or eps) and the consistency function f = c_skip x + c_out x0;
// - the teacher step: DDIM (eta 0) with classifier-free guidance u + w (c - u) on the prediction,
//   from t_{n+k} to t_n: x_prev = sqrt(ab_n) x0^ + sqrt(1 - ab_n) eps^ (the "augmented PF-ODE" solver);
// - the pseudo-Huber distance of the LCM reference training script, elementwise and averaged:
//   d(a, b) = mean(sqrt((a - b)^2 + c^2) - c), and its gradient (a - b) / sqrt((a - b)^2 + c^2) / n.
// The distiller (Models) and the consistency samplers (Diffusion) both use this file, so the grid and
// the scalings a student was distilled with are the ones it is sampled with. x0 / eps conversions are
// PredictionMath's; the DDIM step and the guidance combination are below, one copy each.

import Foundation

public enum ConsistencyMath {
    /// The DDIM grid t_i = i * (trainSteps / originalSteps) - 1, i = 1...originalSteps (ascending).
    public static func grid(trainSteps: Int, originalSteps: Int) -> [Int] {
        let c = trainSteps / originalSteps
        return (1...originalSteps).map { $0 * c - 1 }
    }

    /// The skipping step k (timesteps between neighbouring grid points).
    public static func skip(trainSteps: Int, originalSteps: Int) -> Int { trainSteps / originalSteps }

    /// (t_{n+k}, t_n) for grid index `index`: t_n = max(t_{n+k} - k, 0).
    public static func pair(index: Int, trainSteps: Int, originalSteps: Int) -> (start: Int, end: Int) {
        let k = skip(trainSteps: trainSteps, originalSteps: originalSteps)
        let start = (index + 1) * k - 1
        return (start, max(start - k, 0))
    }

    /// (c_skip, c_out) at timestep t.
    public static func boundaryScalings(timestep t: Double, sigmaData: Double = 0.5, timestepScaling: Double = 10)
        -> (skip: Double, out: Double)
    {
        let st = t * timestepScaling, sd2 = sigmaData * sigmaData
        return (sd2 / (st * st + sd2), st / (st * st + sd2).squareRoot())
    }

    /// The consistency function of n values: out = c_skip x + c_out x0(x, output).
    public static func consistency(_ kind: ImagePrediction, x: UnsafePointer<Float>, output: UnsafePointer<Float>,
                                   out: UnsafeMutablePointer<Float>, n: Int, alphaBar: Double, timestep: Double,
                                   sigmaData: Double = 0.5, timestepScaling: Double = 10) {
        let (cs, co) = boundaryScalings(timestep: timestep, sigmaData: sigmaData, timestepScaling: timestepScaling)
        let a = Float(alphaBar.squareRoot()), s = Float((1 - alphaBar).squareRoot())
        for j in 0..<n {
            let x0 = PredictionMath.x0Eps(kind, x: x[j], output: output[j], a: a, s: s).x0
            out[j] = Float(cs) * x[j] + Float(co) * x0
        }
    }

    /// The teacher's guided DDIM step of n values: prediction p = u + w (c - u), then
    /// x_prev = sqrt(abPrev) x0^ + sqrt(1 - abPrev) eps^.
    public static func guidedDDIMStep(_ kind: ImagePrediction, x: UnsafePointer<Float>, conditional c: UnsafePointer<Float>,
                                      unconditional u: UnsafePointer<Float>, guidance w: Float, alphaBar: Double,
                                      alphaBarPrev: Double, out: UnsafeMutablePointer<Float>, n: Int) {
        let a = Float(alphaBar.squareRoot()), s = Float((1 - alphaBar).squareRoot())
        let ap = Float(alphaBarPrev.squareRoot()), sp = Float((1 - alphaBarPrev).squareRoot())
        for j in 0..<n {
            let p = guided(conditional: c[j], unconditional: u[j], scale: w)
            let (x0, eps) = PredictionMath.x0Eps(kind, x: x[j], output: p, a: a, s: s)
            out[j] = ddim(x0: x0, eps: eps, a: ap, s: sp)
        }
    }

    /// Classifier-free guidance (Ho & Salimans 2022): u + w (c - u) on the model's prediction.
    @inline(__always)
    public static func guided(conditional c: Float, unconditional u: Float, scale w: Float) -> Float { u + w * (c - u) }

    /// The deterministic DDIM step (Song et al. 2021, eta 0) to the timestep with a = sqrt(ab), s = sqrt(1 - ab):
    /// x = a x0^ + s eps^.
    @inline(__always)
    public static func ddim(x0: Float, eps: Float, a: Float, s: Float) -> Float { a * x0 + s * eps }

    /// Mean pseudo-Huber distance over n values; writes d loss / d prediction (scaled by `gradScale`).
    public static func pseudoHuber(prediction p: UnsafePointer<Float>, target t: UnsafePointer<Float>, n: Int, c: Float,
                                   grad: UnsafeMutablePointer<Float>?, gradScale: Float = 1) -> Float {
        var sum: Double = 0
        let inv = gradScale / Float(n)
        for j in 0..<n {
            let d = p[j] - t[j]
            let r = (d * d + c * c).squareRoot()
            sum += Double(r - c)
            grad?[j] = d / r * inv
        }
        return Float(sum / Double(n))
    }
}
