// ImageDenoiser.swift: what the Gaussian samplers know of a model. A denoiser maps noisy latents
// x_t [B, N] (flat per example, VP scaling x_t = alpha x0 + s eps) and one continuous timestep per
// example (in [0, trainSteps - 1], fractional allowed) to an eps or v prediction (Salimans & Ho 2022)
// [B, N]. Conditioning (prompts, images) lives inside the model; the samplers never see it.
//
// Models that take a condition implement ConditionalImageDenoiser: each row of a call says which
// example's condition to use, whether to use it at all (the null condition of classifier-free
// guidance, Ho & Salimans 2022) and the guidance value for a guidance embedding (LCM, Luo et al. 2023).
// ClassifierFreeGuidance and EmbeddedGuidance turn such a model into an ImageDenoiser.

import Core
import Models

/// The image model as the samplers see it.
public protocol ImageDenoiser {
    /// What `predict` returns (eps or v).
    var prediction: ImagePrediction { get }
    /// x: [B, N] noisy latents; timesteps: B continuous timesteps. Returns [B, N].
    func predict(_ x: Tensor, timesteps: [Float]) throws -> Tensor
}

/// One row of a conditional model call.
public struct ConditionRow: Equatable, Sendable {
    /// Which example of the model's batch of conditions (prompt i) this row belongs to.
    public var example: Int
    /// false: use the null (dropped) condition.
    public var conditional: Bool
    /// Value for the guidance-scale embedding (0 for models without one).
    public var guidance: Float

    public init(example: Int, conditional: Bool, guidance: Float = 0) {
        self.example = example
        self.conditional = conditional
        self.guidance = guidance
    }
}

/// A model with a condition per example (the backbone implements this).
public protocol ConditionalImageDenoiser {
    var prediction: ImagePrediction { get }
    /// x: [R, N]; timesteps: R values; rows: R row descriptions. Returns [R, N].
    func predict(_ x: Tensor, timesteps: [Float], rows: [ConditionRow]) throws -> Tensor
}

/// An ImageDenoiser from a closure (tests, adapters).
public struct ClosureDenoiser: ImageDenoiser {
    public let prediction: ImagePrediction
    let body: (Tensor, [Float]) throws -> Tensor

    public init(prediction: ImagePrediction, _ body: @escaping (Tensor, [Float]) throws -> Tensor) {
        self.prediction = prediction
        self.body = body
    }

    public func predict(_ x: Tensor, timesteps: [Float]) throws -> Tensor { try body(x, timesteps) }
}

/// Conversions between a model's prediction and (x0, eps), per row, for x_t = a x0 + s eps.
public enum PredictionMath {
    /// x0 and eps from a prediction. x, output: [B, N]; alpha, s: B values (sqrt(ab), sqrt(1 - ab)).
    public static func x0AndEps(_ kind: ImagePrediction, x: Tensor, output: Tensor,
                                alpha: [Double], s: [Double]) -> (x0: Tensor, eps: Tensor) {
        precondition(x.count == output.count && x.shape.first == alpha.count && alpha.count == s.count)
        let b = alpha.count, n = b == 0 ? 0 : x.count / b
        let x0 = Tensor(shape: x.shape), eps = Tensor(shape: x.shape)
        for r in 0..<b {
            let a = Float(alpha[r]), sg = Float(s[r])
            let xr = x.data + r * n, o = output.data + r * n, x0r = x0.data + r * n, er = eps.data + r * n
            switch kind {
            case .eps:
                // x0 = (x - s eps) / a
                let inv = Float(1 / alpha[r])
                for j in 0..<n { er[j] = o[j]; x0r[j] = (xr[j] - sg * o[j]) * inv }
            case .v:
                // v = a eps - s x0  =>  x0 = a x - s v, eps = s x + a v
                for j in 0..<n { x0r[j] = a * xr[j] - sg * o[j]; er[j] = sg * xr[j] + a * o[j] }
            }
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
