// BundleChecks.swift: what a model bundle must satisfy before any of it is used. A bundle is read from
// files anyone can edit, and release builds (-Ounchecked) drop every precondition, so each part is
// checked here and a mismatch is refused at load with one line naming it: sizes within bounds (so no
// config can ask for gigabytes), the tokenizer, the latent codec and the backbone config agreeing,
// sampling defaults in range, and every weight finite.
import Core
import Data
import Foundation

public enum BundleChecks {
    /// Upper bounds on architecture sizes a bundle or training config may ask for. They are far above
    /// what this CPU trains (d = 256, 6 blocks) and far below what would exhaust memory.
    public static let limits: [(name: String, value: KeyPath<BackboneConfig, Int>, max: Int)] = [
        ("width", \.width, 4096), ("depth", \.depth, 64), ("heads", \.heads, 64), ("mlpRatio", \.mlpRatio, 16),
        ("latentSize", \.latentSize, 64), ("latentChannels", \.latentChannels, 64), ("patchSize", \.patchSize, 16),
        ("textLength", \.textLength, 1024), ("vocabSize", \.vocabSize, 1 << 18), ("frequencyDim", \.frequencyDim, 4096),
    ]

    /// nil, or what is wrong with a backbone config (its own rules and the size bounds).
    public static func problem(of config: BackboneConfig) -> String? {
        for l in limits where config[keyPath: l.value] > l.max {
            return "\(l.name) \(config[keyPath: l.value]) is above the limit of \(l.max)"
        }
        if config.sequenceLength > 4096 { return "\(config.sequenceLength) tokens per example is above the limit of 4096" }
        if !config.timeScale.isFinite || !config.guidanceScale.isFinite || !(config.layerNormEps > 0 && config.layerNormEps < 1) {
            return "timeScale, guidanceScale and layerNormEps must be finite (layerNormEps in (0, 1))"
        }
        return config.validationError()
    }

    /// The tokenizer must be the one the backbone was trained with: same vocabulary size and special ids.
    public static func problem(tokenizer t: Tokenizer, config c: BackboneConfig) -> String? {
        guard let pad = t.id(ofSpecial: "[PAD]"), let mask = t.id(ofSpecial: "[MASK]"), let eos = t.id(ofSpecial: "[EOS]") else {
            return "the tokenizer lacks one of [PAD], [MASK], [EOS]"
        }
        if t.vocabularySize != c.vocabSize {
            return "the tokenizer has \(t.vocabularySize) tokens but the backbone's vocabulary is \(c.vocabSize)"
        }
        if (pad, mask, eos) != (c.padToken, c.maskToken, c.eosToken) {
            return "the tokenizer's [PAD] [MASK] [EOS] ids \(pad) \(mask) \(eos) differ from the backbone's \(c.padToken) \(c.maskToken) \(c.eosToken)"
        }
        return nil
    }

    /// The codec's latent must be the backbone's input.
    public static func problem(codec: LatentCodec, config c: BackboneConfig) -> String? {
        let size: Int
        switch codec {
        case .learned(let ae): size = ae.config.latentSize
        case .pool: size = c.latentSize
        }
        if codec.latentChannels != c.latentChannels || size != c.latentSize {
            return "the autoencoder makes \(size)x\(size)x\(codec.latentChannels) latents but the backbone reads \(c.latentSize)x\(c.latentSize)x\(c.latentChannels)"
        }
        return nil
    }

    public static func problem(of m: BundleManifest) -> String? {
        if !(1...1000).contains(m.defaultSteps) { return "defaultSteps \(m.defaultSteps) is outside 1...1000" }
        if !(m.defaultCFG.isFinite && (0...50).contains(m.defaultCFG)) { return "defaultCFG \(m.defaultCFG) is outside 0...50" }
        if !(0...16).contains(m.phases) { return "phases \(m.phases) is outside 0...16" }
        if !(m.phasedGamma.isFinite && (0...1).contains(m.phasedGamma)) { return "phasedGamma \(m.phasedGamma) is outside 0...1" }
        if let p = m.pool, !(1...16).contains(p.factor) { return "pool factor \(p.factor) is outside 1...16" }
        return nil
    }

    public static func problem(of a: AutoencoderConfig) -> String? {
        if !(4...512).contains(a.imageSize) || a.imageSize % 4 != 0 { return "autoencoder imageSize \(a.imageSize) must be a multiple of 4 in 4...512" }
        if a.widths.count != 3 || a.widths.contains(where: { !(1...1024).contains($0) }) { return "autoencoder widths must be 3 values in 1...1024" }
        for blocks in [a.encoderBlocks, a.decoderBlocks] where blocks.count != 3 || blocks.contains(where: { !(0...16).contains($0) }) {
            return "autoencoder encoderBlocks and decoderBlocks must be 3 values in 0...16"
        }
        if !(1...64).contains(a.latentChannels) { return "autoencoder latentChannels \(a.latentChannels) is outside 1...64" }
        if !(a.latentShift.isFinite && a.latentScale.isFinite && a.latentScale != 0) { return "autoencoder latentShift and latentScale must be finite, the scale nonzero" }
        return nil
    }

    /// The name of the first tensor (name, offset into the slab, element count) that holds NaN or Inf.
    public static func firstNonFinite(_ slab: Tensor, _ tensors: [(name: String, offset: Int, count: Int)]) -> String? {
        for e in tensors {
            let p = slab.data + e.offset
            for i in 0..<e.count where !p[i].isFinite { return e.name }
        }
        return nil
    }
}
