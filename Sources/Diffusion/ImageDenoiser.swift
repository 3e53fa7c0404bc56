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
import DiffusionMath

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
