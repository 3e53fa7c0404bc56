// TeacherWalkDenoiser.swift: the teacher's guided DDIM walk (Song et al. 2021) dressed as a phased
// consistency model's prediction. Called at timestep t, it walks the teacher along the distillation grid
// (steps of `stride` timesteps: 20 for LCM's 50-step grid) from t down to the phase's lower edge, then
// returns the eps or v for which the phased sampler's DDIM jump from t to that edge lands exactly where the
// walk did. It is the exact target of teacher-walk distillation (LCMDistiller+TeacherWalk), so the phased
// sampler over a PhaseRoutedDenoiser with this on some phases measures how much the student loses there.

import Core
import DiffusionMath

public struct TeacherWalkDenoiser: ImageDenoiser {
    /// The teacher, guided (ClassifierFreeGuidance).
    public let teacher: ImageDenoiser
    public let alphasCumprod: [Double]
    /// Lower phase edges, ascending from 0.
    public let lowerEdges: [Int]
    /// Timesteps per teacher step.
    public let stride: Int

    public init(teacher: ImageDenoiser, alphasCumprod: [Double], lowerEdges: [Int], stride: Int) {
        self.teacher = teacher
        self.alphasCumprod = alphasCumprod
        self.lowerEdges = lowerEdges
        self.stride = max(1, stride)
    }

    public var prediction: ImagePrediction { teacher.prediction }

    public func predict(_ x: Tensor, timesteps: [Float]) throws -> Tensor {
        let b = timesteps.count, n = b == 0 ? 0 : x.count / b
        let out = Tensor(shape: x.shape), ab = alphasCumprod
        for t0 in Set(timesteps.map { Int($0.rounded()) }).sorted() {
            guard ab.indices.contains(t0) else { throw DiptychError("timestep \(t0) is outside the schedule") }
            let rows = timesteps.indices.filter { Int(timesteps[$0].rounded()) == t0 }
            let edge = lowerEdges.last { $0 < t0 } ?? 0
            let start = Tensor(shape: [rows.count, n])
            for (i, r) in rows.enumerated() { (start.data + i * n).update(from: x.data + r * n, count: n) }
            var cur = start.clone(), t = t0
            while t > edge {
                let next = max(t - stride, edge)
                let (x0, eps) = try SamplerSupport.denoise(teacher, x: cur, timestep: Double(t), alphaBar: ab[t])
                cur = DDIMSampler.step(x0: x0, eps: eps, alphaBarNext: [Double](repeating: ab[next], count: rows.count))
                t = next
            }
            // The jump x' = a' x0 + s' eps is affine in the prediction p: x' = A x + K p. Solve for p.
            let a = ab[t0].squareRoot(), s = (1 - ab[t0]).squareRoot()
            let a2 = ab[edge].squareRoot(), s2 = (1 - ab[edge]).squareRoot()
            let (A, K): (Double, Double)
            switch prediction {
            case .v: (A, K) = (a2 * a + s2 * s, s2 * a - a2 * s)      // x0 = a x - s v, eps = s x + a v
            case .eps: (A, K) = (a2 / a, s2 - a2 * s / a)              // x0 = (x - s eps) / a
            }
            guard abs(K) > 1e-12 else { throw DiptychError("the teacher walk from \(t0) to \(edge) is not a jump") }
            for (i, r) in rows.enumerated() {
                for j in 0..<n {
                    out.data[r * n + j] = Float((Double(cur.data[i * n + j]) - A * Double(start.data[i * n + j])) / K)
                }
            }
        }
        return out
    }
}
