// PhasedConsistency.swift: the arithmetic of phased consistency distillation (PCM, Wang et al. 2024,
// "Phased Consistency Model"; also multistep consistency models, Heek, Hoogeboom & Salimans 2024).
// LCM's consistency function maps every point of the trajectory to clean data, and multistep sampling
// re-noises in between. PCM cuts the trajectory into M phases and learns, within each phase, the map
// to the phase's lower edge; M deterministic steps then walk edge to edge with no fresh noise.
// - The phase edges are the timesteps of the M-step consistency sampler on LCM's DDIM grid (for 50
//   grid steps over 1000 and M = 4: upper edges 999, 759, 519, 279, lower edges 759, 519, 279, 0), so
//   the phased and the multistep sampler visit the same timesteps.
// - The student's function is the DDIM jump from t to the lower edge s of t's phase with its own
//   prediction: f(x, t) = sqrt(ab_s) x0^ + sqrt(1 - ab_s) eps^. It is the identity at t = s, which is
//   the boundary condition, so no c_skip / c_out are needed.
// - The training target: the teacher's guided DDIM step from t_{n+k} to t_n, then the target network's
//   jump from t_n to s; when t_n is the edge itself, the teacher's step is the target.

import Foundation

public enum PhasedConsistency {
    /// The `steps` timesteps of multistep consistency sampling on the DDIM grid of `originalSteps`
    /// (descending; every (originalSteps / steps)-th grid point from the top).
    public static func samplingTimesteps(steps: Int, trainSteps: Int, originalSteps: Int) -> [Int] {
        let grid = ConsistencyMath.grid(trainSteps: trainSteps, originalSteps: originalSteps)
        let skip = originalSteps / steps
        return (0..<steps).map { grid[originalSteps - 1 - $0 * skip] }
    }

    /// The lower edges of `phases` phases, ascending, starting with 0.
    public static func lowerEdges(phases: Int, trainSteps: Int, originalSteps: Int) -> [Int] {
        let upper = samplingTimesteps(steps: phases, trainSteps: trainSteps, originalSteps: originalSteps)
        return [0] + upper.dropFirst().reversed()
    }

    /// The lower edge of the phase that timestep `t` (> 0) lies in: the largest edge below t.
    public static func edge(below t: Int, edges: [Int]) -> Int {
        edges.last { $0 < t } ?? 0
    }

    /// The DDIM jump of n values from x_t (alpha-bar ab) to alpha-bar abTo with the model `output`:
    /// out = sqrt(abTo) x0^ + sqrt(1 - abTo) eps^. With `fresh` noise z (n values), eps^ becomes
    /// sqrt(1 - gamma^2) eps^ + gamma z, the stochastic edge of PhasedConsistencySampler with its gamma.
    public static func jump(_ kind: ImagePrediction, x: UnsafePointer<Float>, output: UnsafePointer<Float>,
                            out: UnsafeMutablePointer<Float>, n: Int, alphaBar: Double, alphaBarTo: Double,
                            fresh: UnsafePointer<Float>? = nil, gamma: Float = 0) {
        let a = Float(alphaBar.squareRoot()), s = Float((1 - alphaBar).squareRoot())
        let aTo = Float(alphaBarTo.squareRoot()), sTo = Float((1 - alphaBarTo).squareRoot())
        let g = fresh == nil ? 0 : gamma, keep = (1 - g * g).squareRoot()
        for j in 0..<n {
            let (x0, eps) = PredictionMath.x0Eps(kind, x: x[j], output: output[j], a: a, s: s)
            out[j] = ConsistencyMath.ddim(x0: x0, eps: keep * eps + g * (fresh?[j] ?? 0), a: aTo, s: sTo)
        }
    }

    /// d out / d output of `jump` at fixed x: sqrt(abTo) dx0/do + sqrt(1 - abTo) deps/do
    /// (v: x0 = a x - s o, eps = s x + a o; eps: x0 = (x - s o) / a, eps = o).
    public static func jumpDerivative(_ kind: ImagePrediction, alphaBar: Double, alphaBarTo: Double) -> Float {
        let a = Float(alphaBar.squareRoot()), s = Float((1 - alphaBar).squareRoot())
        let aTo = Float(alphaBarTo.squareRoot()), sTo = Float((1 - alphaBarTo).squareRoot())
        switch kind {
        case .v: return -aTo * s + sTo * a
        case .eps: return -aTo * s / a + sTo
        }
    }
}
