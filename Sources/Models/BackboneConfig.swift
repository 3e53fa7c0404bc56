// BackboneConfig.swift: the architecture of Diptych's dual-diffusion backbone as a plain Codable
// struct. One bidirectional transformer over [text tokens | image patch tokens] (D-DiT, Li et al.
// 2024), DiT blocks with adaLN-Zero conditioning (Peebles & Xie 2023), an image head predicting
// v (Salimans & Ho 2022) and a text head giving vocabulary logits with MDLM's SUBS rule (Sahoo et
// al. 2024). scripts/torch_backbone.py implements exactly this architecture in PyTorch.
//
// Why v-prediction: the layout of an image is decided at high noise, where eps-prediction is
// ill-conditioned (x0 = (x_t - sigma*eps)/alpha divides by alpha -> 0, so small eps errors blow up
// into the image). v = alpha*eps - sigma*x0 stays well scaled at both ends, and the sampler can
// recover both eps and x0 from it without dividing by a vanishing alpha.

import DiffusionMath

/// Architecture hyperparameters of the backbone. Sizes are fixed at construction; the vocabulary
/// and the special token ids come from the tokenizer saved beside the model.
public struct BackboneConfig: Codable, Equatable, Sendable {
    /// Model width (channels of every token).
    public var width: Int = 256
    /// Number of DiT blocks.
    public var depth: Int = 6
    /// Attention heads (width must be a multiple).
    public var heads: Int = 4
    /// MLP hidden width = mlpRatio * width.
    public var mlpRatio: Int = 4

    /// Latent grid (height = width) and channels produced by the autoencoder.
    public var latentSize: Int = 8
    public var latentChannels: Int = 4
    /// Patch side: (latentSize / patchSize)^2 image tokens of patchSize^2 * latentChannels values.
    public var patchSize: Int = 2

    /// Text positions (the caption and its EOS/PAD fill).
    public var textLength: Int = 24
    /// Vocabulary size of the tokenizer, special tokens included.
    public var vocabSize: Int = 1024
    /// Special token ids (from the tokenizer).
    public var padToken: Int = 0
    public var maskToken: Int = 1
    public var eosToken: Int = 2

    /// Width of the sinusoidal features of the timestep and guidance embeddings.
    public var frequencyDim: Int = 256
    /// The image timestep (the diffusion schedule's, in [0, trainSteps - 1], fractional allowed)
    /// enters the sinusoid as t * timeScale (1 = DiT's convention for 1000-step schedules).
    public var timeScale: Float = 1
    /// The guidance scale w enters the sinusoid as w * guidanceScale.
    public var guidanceScale: Float = 100
    /// LayerNorm epsilon (no affine parameters, as in DiT).
    public var layerNormEps: Float = 1e-6
    public var prediction: ImagePrediction = .v

    public init() {}

    public init(width: Int, depth: Int, heads: Int, mlpRatio: Int = 4, latentSize: Int, latentChannels: Int,
                patchSize: Int, textLength: Int, vocabSize: Int, padToken: Int = 0, maskToken: Int = 1,
                eosToken: Int = 2, frequencyDim: Int = 256, prediction: ImagePrediction = .v) {
        self.width = width
        self.depth = depth
        self.heads = heads
        self.mlpRatio = mlpRatio
        self.latentSize = latentSize
        self.latentChannels = latentChannels
        self.patchSize = patchSize
        self.textLength = textLength
        self.vocabSize = vocabSize
        self.padToken = padToken
        self.maskToken = maskToken
        self.eosToken = eosToken
        self.frequencyDim = frequencyDim
        self.prediction = prediction
    }

    /// Patches per side.
    public var gridSize: Int { latentSize / patchSize }
    /// Image tokens per example.
    public var imageTokens: Int { gridSize * gridSize }
    /// Values in one patch (input and output of the image head).
    public var patchDim: Int { patchSize * patchSize * latentChannels }
    /// Total sequence length [text | image].
    public var sequenceLength: Int { textLength + imageTokens }
    /// Values in one latent.
    public var latentCount: Int { latentChannels * latentSize * latentSize }
    public var headDim: Int { width / heads }
    public var hidden: Int { width * mlpRatio }

    /// Throws a DiptychError-style message for an inconsistent configuration.
    public func validationError() -> String? {
        if width <= 0 || depth <= 0 || heads <= 0 || mlpRatio <= 0 { return "sizes must be positive" }
        if width % heads != 0 { return "width \(width) is not a multiple of heads \(heads)" }
        if width % 4 != 0 { return "width must be a multiple of 4 (2-D sin-cos positions)" }
        if patchSize <= 0 || latentSize % patchSize != 0 { return "latentSize must be a multiple of patchSize" }
        if frequencyDim % 2 != 0 { return "frequencyDim must be even" }
        if textLength <= 0 || vocabSize <= 3 { return "textLength and vocabSize too small" }
        for (name, id) in [("pad", padToken), ("mask", maskToken), ("eos", eosToken)] where !(0..<vocabSize).contains(id) {
            return "\(name) token \(id) outside the vocabulary"
        }
        return nil
    }
}
