// TextDenoiser.swift: what the masked-diffusion text samplers know of a model: a bidirectional
// network giving logits [R, L, V] for token sequences that contain the mask id (absorbing-state
// diffusion: MDLM, Sahoo et al. 2024; LLaDA, Nie et al. 2025). No timestep input: the mask ratio is
// implicit. Each row says which example's condition (e.g. the image being captioned) to use and
// whether to drop it (classifier-free guidance).

import Core

public protocol TextDenoiser {
    var vocabSize: Int { get }
    /// The [MASK] token id (its logit is never chosen: MDLM's SUBS).
    var maskToken: Int { get }
    /// tokens: R sequences of one length L; rows: R row descriptions. Returns logits [R, L, V].
    func logits(_ tokens: [[Int]], rows: [ConditionRow]) throws -> Tensor
}

/// A TextDenoiser from a closure (tests, adapters).
public struct ClosureTextDenoiser: TextDenoiser {
    public let vocabSize: Int
    public let maskToken: Int
    let body: ([[Int]], [ConditionRow]) throws -> Tensor

    public init(vocabSize: Int, maskToken: Int, _ body: @escaping ([[Int]], [ConditionRow]) throws -> Tensor) {
        self.vocabSize = vocabSize
        self.maskToken = maskToken
        self.body = body
    }

    public func logits(_ tokens: [[Int]], rows: [ConditionRow]) throws -> Tensor { try body(tokens, rows) }
}
