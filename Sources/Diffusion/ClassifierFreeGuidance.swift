// ClassifierFreeGuidance.swift: classifier-free guidance (Ho & Salimans 2022) as an ImageDenoiser
// wrapper. One batched model call of 2B rows, [conditional rows | unconditional rows], combined as
// u + w (c - u). w = 1 is the plain conditional model (one call of B rows); w = 0 the unconditional.
// eps and v are affine in x0 at fixed x_t, so guiding either prediction guides x0 the same way.

import Core
import DiffusionMath

public struct ClassifierFreeGuidance: ImageDenoiser {
    public let model: ConditionalImageDenoiser
    /// Guidance scale w.
    public var scale: Float

    public init(model: ConditionalImageDenoiser, scale: Float) {
        self.model = model
        self.scale = scale
    }

    public var prediction: ImagePrediction { model.prediction }

    public func predict(_ x: Tensor, timesteps: [Float]) throws -> Tensor {
        let b = x.shape[0], n = b == 0 ? 0 : x.count / b
        if scale == 1 {
            return try model.predict(x, timesteps: timesteps,
                                     rows: (0..<b).map { ConditionRow(example: $0, conditional: true) })
        }
        if scale == 0 {
            return try model.predict(x, timesteps: timesteps,
                                     rows: (0..<b).map { ConditionRow(example: $0, conditional: false) })
        }
        // [2B, N]: rows 0..<B conditional, rows B..<2B the same latents unconditional.
        let both = Tensor(shape: [2 * b] + x.shape.dropFirst())
        both.data.update(from: x.data, count: x.count)
        (both.data + x.count).update(from: x.data, count: x.count)
        let rows = (0..<b).map { ConditionRow(example: $0, conditional: true) }
            + (0..<b).map { ConditionRow(example: $0, conditional: false) }
        let out = try model.predict(both, timesteps: timesteps + timesteps, rows: rows)
        guard out.count == 2 * b * n else {
            throw DiptychError("the model returned \(out.shape) for input \(both.shape)")
        }
        let result = Tensor(shape: x.shape)
        let c = out.data, u = out.data + b * n, w = scale
        for i in 0..<(b * n) { result.data[i] = ConsistencyMath.guided(conditional: c[i], unconditional: u[i], scale: w) }
        return result
    }
}
