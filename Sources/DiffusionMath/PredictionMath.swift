// PredictionMath.swift: the one home of the conversions between an image model's prediction (eps or
// v, ImagePrediction) and (x0, eps) for x_t = a x0 + s eps, a = sqrt(alpha-bar), s = sqrt(1 - alpha-bar)
// (DDPM, Ho et al. 2020; v-prediction, Salimans & Ho 2022). The samplers (Diffusion) convert whole
// tensors, the distiller (Models) single values; both go through x0Eps.
import Core

/// Conversions between a model's prediction and (x0, eps), per row, for x_t = a x0 + s eps.
public enum PredictionMath {
    /// x0 and eps from one value's model output at x_t = a x0 + s eps (a = sqrt(ab), s = sqrt(1 - ab)).
    @inline(__always)
    public static func x0Eps(_ kind: ImagePrediction, x: Float, output o: Float, a: Float, s: Float)
        -> (x0: Float, eps: Float)
    {
        switch kind {
        case .v: return (a * x - s * o, s * x + a * o)   // v = a eps - s x0
        case .eps: return ((x - s * o) / a, o)
        }
    }

    /// d x0 / d output at fixed x: -s for v, -s / a for eps (for backward passes through x0Eps).
    public static func x0Derivative(_ kind: ImagePrediction, a: Float, s: Float) -> Float {
        kind == .v ? -s : -s / a
    }

    /// x0 and eps from a prediction. x, output: [B, N]; alpha, s: B values (sqrt(ab), sqrt(1 - ab)).
    public static func x0AndEps(_ kind: ImagePrediction, x: Tensor, output: Tensor,
                                alpha: [Double], s: [Double]) -> (x0: Tensor, eps: Tensor) {
        precondition(x.count == output.count && x.shape.first == alpha.count && alpha.count == s.count)
        let b = alpha.count, n = b == 0 ? 0 : x.count / b
        let x0 = Tensor(shape: x.shape), eps = Tensor(shape: x.shape)
        for r in 0..<b {
            let a = Float(alpha[r]), sg = Float(s[r])
            let xr = x.data + r * n, o = output.data + r * n, x0r = x0.data + r * n, er = eps.data + r * n
            for j in 0..<n { (x0r[j], er[j]) = x0Eps(kind, x: xr[j], output: o[j], a: a, s: sg) }
        }
        return (x0, eps)
    }

    /// The prediction a perfect model would make for given x0 and eps (inverse of x0AndEps).
    public static func target(_ kind: ImagePrediction, x0: Float, eps: Float, alpha: Double, s: Double) -> Float {
        switch kind {
        case .eps: return eps
        case .v: return Float(alpha) * eps - Float(s) * x0
        }
    }
}
