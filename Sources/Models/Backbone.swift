// Backbone.swift: Diptych's dual-diffusion transformer (D-DiT, Li et al. 2024) with forward and
// backward passes, built from NN's layers. Tokens are [text | image patches]; one stack of adaLN-Zero
// DiT blocks (Peebles & Xie 2023) conditioned on the image timestep (+ an optional guidance-scale
// embedding for distillation, LCM, Luo et al. 2023); an image head (final adaLN + linear, predicting v
// or eps) and a text head (LN + linear to vocabulary logits with the [MASK] logit at -inf: MDLM's SUBS,
// Sahoo et al. 2024). The PyTorch reference is scripts/torch_backbone.py; ModelsTests checks parity.
import Core
import NN

public final class Backbone {
    public let config: BackboneConfig
    public let maxBatch: Int
    public let parameters: BackboneParameters
    let textEmbed: Param, textPos: Param, modality: Param      // [V, d], [L, d], [2, d]
    let patchEmbed: Linear
    let tEmbed: TimestepEmbedding, gEmbed: TimestepEmbedding
    let blocks: [DiTBlock]
    let finalMod: AdaLNModulation
    let finalNorm: ModulatedLayerNorm
    let finalLinear: Linear
    let textNorm: LayerNorm
    let textHead: Linear
    let imagePositions: Tensor   // [N, d] fixed 2-D sin-cos
    let a: BackboneActivations
    /// Threads of our loops (OpenBLAS's are set by Threads.configure).
    public var threads = 1 {
        didSet {
            for b in blocks { b.threads = threads }
            for l in [patchEmbed, finalLinear, textHead] { l.threads = threads }
            tEmbed.threads = threads; gEmbed.threads = threads; finalMod.threads = threads
            finalNorm.threads = threads; textNorm.threads = threads
        }
    }

    /// Image head output of the last forward: [B, C, H, W] (first B rows valid).
    public var image: Tensor { a.image }
    /// Text logits of the last forward: [B, L, V], [MASK] column -inf.
    public var logits: Tensor { a.logits }

    /// `initialise`: draw the random initial weights (false when a checkpoint's weights follow at once).
    public init(config: BackboneConfig, maxBatch: Int = 1, seed: UInt64 = 0, initialise: Bool = true) throws {
        if let problem = config.validationError() { throw DiptychError("backbone config: \(problem)") }
        guard maxBatch >= 1 else { throw DiptychError("backbone: maxBatch must be at least 1") }
        self.config = config
        self.maxBatch = maxBatch
        let d = config.width, T = config.sequenceLength, B = maxBatch
        let s = ParameterStore()
        textEmbed = s.register("text_embed", shape: [config.vocabSize, d], initScheme: .normal(std: 0.02), decay: false)
        textPos = s.register("text_pos", shape: [config.textLength, d], initScheme: .normal(std: 0.02), decay: false)
        modality = s.register("modality", shape: [2, d], initScheme: .normal(std: 0.02), decay: false)
        patchEmbed = Linear(s, "patch_embed", in: config.patchDim, out: d)
        tEmbed = TimestepEmbedding(s, "t_embed", dim: d, frequencyDim: config.frequencyDim, inputScale: config.timeScale, maxBatch: B)
        gEmbed = TimestepEmbedding(s, "g_embed", dim: d, frequencyDim: config.frequencyDim, inputScale: config.guidanceScale, maxBatch: B)
        let bc = DiTBlockConfig(dim: d, heads: config.heads, mlpRatio: config.mlpRatio, eps: config.layerNormEps)
        blocks = (0..<config.depth).map { DiTBlock(s, "blocks.\($0)", config: bc, maxBatch: B, maxTokens: T) }
        finalMod = AdaLNModulation(s, "final_adaLN", dim: d, chunks: 2, maxBatch: B)
        finalNorm = ModulatedLayerNorm(dim: d, maxRows: B * config.imageTokens, eps: config.layerNormEps)
        finalLinear = Linear(s, "final_linear", in: d, out: config.patchDim, weightInit: .zeros)
        textNorm = LayerNorm(nil, "text_norm", dim: d, maxRows: B * config.textLength, eps: config.layerNormEps, affine: false)
        textHead = Linear(s, "text_head", in: d, out: config.vocabSize)
        s.finalize(seed: seed)
        parameters = BackboneParameters(store: s)
        if initialise { parameters.initialise(seed: seed) }
        imagePositions = BackboneTokens.imagePositions(dim: d, grid: config.gridSize)
        a = BackboneActivations(config: config, capacity: B)
    }

    /// Forward pass for `tokens` [B, L], `latents` [B, C, H, W], image `times` [B] (diffusion timesteps
    /// in [0, trainSteps - 1]; clean images use 0) and an optional guidance scale [B]. Outputs in
    /// `image` and `logits`; activations are kept for `backward`.
    public func forward(tokens: [Int32], latents: UnsafePointer<Float>, times: [Float], guidance: [Float]? = nil) {
        let cfg = config, st = parameters.store
        let B = times.count, L = cfg.textLength, N = cfg.imageTokens, T = cfg.sequenceLength, d = cfg.width
        precondition(B <= maxBatch && tokens.count == B * L, "batch \(B) > maxBatch \(maxBatch) or tokens not [B, L]")
        a.batch = B
        a.tokens = tokens
        a.hasGuidance = guidance != nil
        for b in 0..<B {
            for t in 0..<T { a.keyMask.data[b * T + t] = t < L && tokens[b * L + t] == Int32(cfg.padToken) ? 0 : 1 }
        }
        // Embeddings -> xs[0].
        let x = a.xs[0].data, emb = st.value(textEmbed), pos = st.value(textPos), mod = st.value(modality)
        for b in 0..<B {
            for l in 0..<L {
                let tok = Int(tokens[b * L + l])
                precondition((0..<cfg.vocabSize).contains(tok), "token \(tok) outside the vocabulary")
                let r = x + (b * T + l) * d, e = emb + tok * d, q = pos + l * d
                for i in 0..<d { r[i] = e[i] + q[i] + mod[i] }
            }
        }
        BackboneTokens.patchify(latents, a.patches.data, batch: B, channels: cfg.latentChannels, size: cfg.latentSize,
                                patch: cfg.patchSize)
        patchEmbed.forward(a.patches.data, a.fxin.data, rows: B * N)
        for b in 0..<B {
            for t in 0..<N {
                let r = x + (b * T + L + t) * d, e = a.fxin.data + (b * N + t) * d, q = imagePositions.data + t * d
                for i in 0..<d { r[i] = e[i] + q[i] + mod[d + i] }
            }
        }
        // Conditioning c = TimestepEmbed(t) [+ GuidanceEmbed(w)].
        times.withUnsafeBufferPointer { tEmbed.forward($0.baseAddress!, a.c.data, batch: B) }
        if let guidance {
            precondition(guidance.count == B)
            guidance.withUnsafeBufferPointer { gEmbed.forward($0.baseAddress!, a.gEmb.data, batch: B) }
            Kernels.add(a.c.data, a.gEmb.data, a.c.data, B * d)
        }
        for (i, block) in blocks.enumerated() {
            block.forward(a.xs[i].data, c: a.c.data, keyMask: a.keyMask.data, a.xs[i + 1].data, batch: B, tokens: T)
        }
        let xout = a.xs[cfg.depth].data
        // Image head: final adaLN on the image rows, linear to patches, unpatchify.
        gatherRows(xout, a.fxin.data, B: B, from: L, count: N)
        finalMod.forward(a.c.data, a.fmod.data, batch: B)
        finalNorm.forward(a.fxin.data, a.fh.data, shift: a.fmod.data, scale: a.fmod.data + d, modStride: 2 * d, batch: B, tokens: N)
        finalLinear.forward(a.fh.data, a.fout.data, rows: B * N)
        BackboneTokens.unpatchify(a.fout.data, a.image.data, batch: B, channels: cfg.latentChannels, size: cfg.latentSize,
                                  patch: cfg.patchSize)
        // Text head: LN + linear; the [MASK] logit is -inf (SUBS).
        gatherRows(xout, a.txin.data, B: B, from: 0, count: L)
        textNorm.forward(a.txin.data, a.txhat.data, rows: B * L)
        textHead.forward(a.txhat.data, a.logits.data, rows: B * L)
        for r in 0..<B * L { a.logits.data[r * cfg.vocabSize + cfg.maskToken] = -.infinity }
    }

    /// Backward pass after `forward`. dImage: [B, C, H, W] and dLogits: [B, L, V] (either may be nil =
    /// zero). Adds into the parameter gradients; writes dL/dlatents when given.
    public func backward(dImage: UnsafePointer<Float>?, dLogits: UnsafePointer<Float>?, dLatents: UnsafeMutablePointer<Float>? = nil) {
        let cfg = config, st = parameters.store
        let B = a.batch, L = cfg.textLength, N = cfg.imageTokens, T = cfg.sequenceLength, d = cfg.width
        a.dx.zero()
        a.dc.zero()
        if let dImage {
            BackboneTokens.patchify(dImage, a.dfout.data, batch: B, channels: cfg.latentChannels, size: cfg.latentSize,
                                    patch: cfg.patchSize)
            finalLinear.backward(a.dfout.data, a.fh.data, a.dsmall.data, rows: B * N)
            a.dfmod.zero()
            finalNorm.backward(a.dsmall.data, a.fxin.data, a.dsmall2.data, accumulate: false, scale: a.fmod.data + d,
                               dshift: a.dfmod.data, dscale: a.dfmod.data + d, modStride: 2 * d, batch: B, tokens: N)
            scatterRows(a.dsmall2.data, a.dx.data, B: B, to: L, count: N)
            finalMod.backward(a.dfmod.data, a.c.data, a.dc.data)
        }
        if let dLogits, packTextGradient(dLogits, rows: B * L) > 0 {
            // Only the packed rows (non-zero logit gradient) go through the head's products; the
            // others contribute exactly nothing.
            let R = a.packedRows.count, hidden = a.dsmall.data
            textHead.backward(a.packedLogits.data, a.packedHidden.data, a.packedDHidden.data, rows: R)
            hidden.update(repeating: 0, count: B * L * d)
            for (i, r) in a.packedRows.enumerated() { (hidden + r * d).update(from: a.packedDHidden.data + i * d, count: d) }
            textNorm.backward(hidden, a.txin.data, a.dsmall2.data, rows: B * L)
            scatterRows(a.dsmall2.data, a.dx.data, B: B, to: 0, count: L)
        }
        for i in stride(from: cfg.depth - 1, through: 0, by: -1) {
            blocks[i].backward(a.dx.data, a.dx.data, dc: a.dc.data)
        }
        // Embeddings.
        let dx = a.dx.data, gEmb = st.grad(textEmbed), gPos = st.grad(textPos), gMod = st.grad(modality)
        for b in 0..<B {
            for l in 0..<L {
                let r = dx + (b * T + l) * d, tok = Int(a.tokens[b * L + l])
                for i in 0..<d { gEmb[tok * d + i] += r[i]; gPos[l * d + i] += r[i]; gMod[i] += r[i] }
            }
            for t in 0..<N {
                let r = dx + (b * T + L + t) * d
                for i in 0..<d { gMod[d + i] += r[i] }
            }
        }
        gatherRows(dx, a.dsmall.data, B: B, from: L, count: N)
        patchEmbed.backward(a.dsmall.data, a.patches.data, dLatents == nil ? nil : a.dpatch.data, rows: B * N)
        if let dLatents {
            BackboneTokens.unpatchify(a.dpatch.data, dLatents, batch: B, channels: cfg.latentChannels, size: cfg.latentSize,
                                      patch: cfg.patchSize)
        }
        tEmbed.backward(a.dc.data)
        if a.hasGuidance { gEmbed.backward(a.dc.data) }
    }

    /// Packs the rows of dLogits [rows, V] that hold a non-zero, with the matching rows of the text
    /// head's input, into the packed buffers; returns how many.
    func packTextGradient(_ dLogits: UnsafePointer<Float>, rows: Int) -> Int {
        let V = config.vocabSize, d = config.width
        a.packedRows.removeAll(keepingCapacity: true)
        for r in 0..<rows where !Self.isZero(dLogits + r * V, V) {
            let i = a.packedRows.count
            (a.packedLogits.data + i * V).update(from: dLogits + r * V, count: V)
            (a.packedHidden.data + i * d).update(from: a.txhat.data + r * d, count: d)
            a.packedRows.append(r)
        }
        return a.packedRows.count
    }

    /// Whether x[0..<n] is all zeros (stops at the first non-zero).
    static func isZero(_ x: UnsafePointer<Float>, _ n: Int) -> Bool {
        var i = 0
        while i + 16 <= n {
            if any(Lanes.load(x + i) .!= 0) { return false }
            i += 16
        }
        while i < n { if x[i] != 0 { return false }; i += 1 }
        return true
    }

    /// dst[b, 0..<count, :] = src[b, from..<from+count, :] (rows of a [B, T, d] stream).
    func gatherRows(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, B: Int, from: Int, count: Int) {
        let T = config.sequenceLength, d = config.width
        for b in 0..<B { (dst + b * count * d).update(from: src + (b * T + from) * d, count: count * d) }
    }

    /// dst[b, to..<to+count, :] += src[b, 0..<count, :].
    func scatterRows(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, B: Int, to: Int, count: Int) {
        let T = config.sequenceLength, d = config.width
        for b in 0..<B {
            let s = src + b * count * d, o = dst + (b * T + to) * d
            Kernels.add(o, s, o, count * d)
        }
    }
}
