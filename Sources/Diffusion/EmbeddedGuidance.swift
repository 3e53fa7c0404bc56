// EmbeddedGuidance.swift: guidance as a model input instead of two passes. A guidance-distilled
// model (LCM, Luo et al. 2023: the teacher's CFG scale w is fed as an embedding) is called once with
// every row conditional and the scale in the row's guidance slot.

import Core
import DiffusionMath

public struct EmbeddedGuidance: ImageDenoiser {
    public let model: ConditionalImageDenoiser
    /// The guidance value fed to the model's embedding.
    public var scale: Float

    public init(model: ConditionalImageDenoiser, scale: Float) {
        self.model = model
        self.scale = scale
    }

    public var prediction: ImagePrediction { model.prediction }

    public func predict(_ x: Tensor, timesteps: [Float]) throws -> Tensor {
        let b = x.shape[0]
        return try model.predict(x, timesteps: timesteps,
                                 rows: (0..<b).map { ConditionRow(example: $0, conditional: true, guidance: scale) })
    }
}
