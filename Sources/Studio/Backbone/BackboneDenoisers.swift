// BackboneDenoisers.swift: the dual-diffusion backbone seen by the Diffusion module's samplers.
// - BackboneImageDenoiser (ConditionalImageDenoiser): rows carry a prompt (text tokens + EOS fill) or
//   the null condition (all [PAD], ignored as attention keys), as in training's condition dropout.
// - BackboneTextDenoiser (TextDenoiser): rows carry a clean image latent at timestep 0 (captioning) or,
//   unconditionally / with no image, Gaussian noise at the last timestep (training's image dropout).
// Latents are [B, C*H*W] channel-major, the backbone's layout. The [MASK] logit is returned as a large
// negative number instead of -inf so CFG's u + w (c - u) stays finite (the samplers never pick it).
import Core
import Diffusion
import Foundation
import Models
import DiffusionMath

public final class BackboneImageDenoiser: ConditionalImageDenoiser {
    public let backbone: Backbone
    /// [P][L] prompt token rows.
    public let prompts: [[Int32]]
    /// Feed ConditionRow.guidance to the guidance embedding (distilled models only).
    public var useGuidanceEmbedding = false

    public init(backbone: Backbone, prompts: [[Int32]]) {
        self.backbone = backbone
        self.prompts = prompts
    }

    public var prediction: ImagePrediction { backbone.config.prediction }

    public func predict(_ x: Tensor, timesteps: [Float], rows: [ConditionRow]) throws -> Tensor {
        let cfg = backbone.config, r = rows.count, n = cfg.latentCount
        guard x.count == r * n, timesteps.count == r else {
            throw DiptychError("backbone denoiser: input \(x.shape) for \(r) rows of \(n) values")
        }
        let null = [Int32](repeating: Int32(cfg.padToken), count: cfg.textLength)
        var tokens: [Int32] = []
        tokens.reserveCapacity(r * cfg.textLength)
        for row in rows {
            guard row.example < prompts.count else { throw DiptychError("no prompt \(row.example)") }
            tokens += row.conditional ? prompts[row.example] : null
        }
        guard r <= backbone.maxBatch else { throw DiptychError("backbone denoiser: \(r) rows > maxBatch \(backbone.maxBatch)") }
        backbone.forward(tokens: tokens, latents: x.data, times: timesteps,
                         guidance: useGuidanceEmbedding ? rows.map(\.guidance) : nil)
        let out = Tensor(shape: [r, n])
        out.data.update(from: backbone.image.data, count: r * n)
        return out
    }
}

public final class BackboneTextDenoiser: TextDenoiser {
    public let backbone: Backbone
    /// [E][C*H*W] clean image latents per example, or nil for text without an image (infilling).
    public let images: [[Float]]?
    /// [E][C*H*W] the null image: noise at the last timestep.
    let noise: [[Float]]
    let lastTimestep: Float

    public init(backbone: Backbone, images: [[Float]]?, examples: Int, lastTimestep: Int, seed: UInt64) {
        self.backbone = backbone
        self.images = images
        self.lastTimestep = Float(lastTimestep)
        var rng = Philox(seed: seed, stream: 0x4E55_4C4C)
        let n = backbone.config.latentCount
        noise = (0..<examples).map { _ in
            var v = [Float](repeating: 0, count: n)
            rng.fillGaussian(&v, count: n)
            return v
        }
    }

    public var vocabSize: Int { backbone.config.vocabSize }
    public var maskToken: Int { backbone.config.maskToken }

    public func logits(_ tokens: [[Int]], rows: [ConditionRow]) throws -> Tensor {
        let cfg = backbone.config, r = rows.count, n = cfg.latentCount, L = cfg.textLength, V = cfg.vocabSize
        guard tokens.count == r, tokens.allSatisfy({ $0.count == L }) else {
            throw DiptychError("text denoiser: \(tokens.count) rows of length \(tokens.first?.count ?? 0), expected \(r) x \(L)")
        }
        var latents = [Float](repeating: 0, count: r * n), times = [Float](repeating: 0, count: r)
        for (i, row) in rows.enumerated() {
            if let images, row.conditional {
                for j in 0..<n { latents[i * n + j] = images[row.example][j] }
            } else {
                for j in 0..<n { latents[i * n + j] = noise[row.example][j] }
                times[i] = lastTimestep
            }
        }
        guard r <= backbone.maxBatch else { throw DiptychError("text denoiser: \(r) rows > maxBatch \(backbone.maxBatch)") }
        latents.withUnsafeBufferPointer {
            backbone.forward(tokens: tokens.flatMap { $0.map { Int32($0) } }, latents: $0.baseAddress!, times: times)
        }
        let out = Tensor(shape: [r, L, V])
        out.data.update(from: backbone.logits.data, count: r * L * V)
        for p in 0..<r * L { out.data[p * V + cfg.maskToken] = -1e9 }
        return out
    }
}
