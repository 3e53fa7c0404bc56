// Backbone.swift: Diptych's dual-diffusion transformer (D-DiT, Li et al. 2024) with forward and
// backward passes. Tokens are [text | image patches]; one stack of adaLN-Zero DiT blocks (Peebles & Xie
// 2023) conditioned on the image timestep (+ an optional guidance-scale embedding for distillation,
// LCM, Luo et al. 2023); an image head (final adaLN + linear, predicting v or eps) and a text head
// (LN + linear to vocabulary logits with the [MASK] logit at -inf: MDLM's SUBS, Sahoo et al. 2024).
// The PyTorch reference is scripts/torch_backbone.py; ModelsTests checks parity with its fixture.
import Core

public final class Backbone {
    public let config: BackboneConfig
    public let parameters: BackboneParameters
    /// [N, d] fixed 2-D sin-cos positions of the image patches.
    let imagePositions: Tensor

    public init(config: BackboneConfig) throws {
        if let problem = config.validationError() { throw DiptychError("backbone config: \(problem)") }
        self.config = config
        parameters = BackboneParameters(config: config)
        imagePositions = BackboneTokens.imagePositions(dim: config.width, grid: config.gridSize)
    }

    /// Forward pass for `tokens` [B, L], `latents` [B, C, H, W], image `times` [B] (diffusion timesteps
    /// in [0, trainSteps - 1]; clean images use 0) and an optional guidance scale [B]. Outputs land in a.image and a.logits; activations stay in `a`.
    public func forward(tokens: [Int32], latents: UnsafePointer<Float>, times: [Float], guidance: [Float]? = nil,
                        activations a: BackboneActivations) {
        let cfg = config, p = parameters
        let B = times.count, L = cfg.textLength, N = cfg.imageTokens, T = cfg.sequenceLength, d = cfg.width
        let P = cfg.patchDim, F = cfg.frequencyDim
        precondition(B <= a.capacity && tokens.count == B * L, "batch \(B) does not fit the activations")
        a.batch = B
        a.tokens = tokens
        a.hasGuidance = guidance != nil
        a.keyValid = [Bool](repeating: true, count: B * T)
        for b in 0..<B { for l in 0..<L { a.keyValid[b * T + l] = tokens[b * L + l] != Int32(cfg.padToken) } }

        // Embeddings -> blocks[0].xin.
        let x = a.blocks[0].xin.data, emb = p.w("text_embed"), pos = p.w("text_pos"), modality = p.w("modality")
        for b in 0..<B {
            for l in 0..<L {
                let tok = Int(tokens[b * L + l])
                precondition((0..<cfg.vocabSize).contains(tok), "token \(tok) outside the vocabulary")
                let r = x + (b * T + l) * d, e = emb + tok * d, q = pos + l * d
                for i in 0..<d { r[i] = e[i] + q[i] + modality[i] }
            }
        }
        BackboneTokens.patchify(latents, a.patches.data, batch: B, channels: cfg.latentChannels, size: cfg.latentSize,
                                patch: cfg.patchSize)
        BK.linear(a.patches.data, p.w("patch_embed.weight"), p.w("patch_embed.bias"), a.fxin.data, n: B * N, inp: P, out: d)
        for b in 0..<B {
            for t in 0..<N {
                let r = x + (b * T + L + t) * d, e = a.fxin.data + (b * N + t) * d, q = imagePositions.data + t * d
                for i in 0..<d { r[i] = e[i] + q[i] + modality[d + i] }
            }
        }

        // Conditioning c = TimestepEmbed(t) [+ GuidanceEmbed(w)].
        func scalarEmbed(_ name: String, _ values: [Float], scale: Float, freq: Tensor, h: Tensor, s: Tensor, accumulate: Bool) {
            BackboneTokens.frequencyFeatures(values, scale: scale, dim: F, into: freq.data)
            BK.linear(freq.data, p.w(name + ".fc1.weight"), p.w(name + ".fc1.bias"), h.data, n: B, inp: F, out: d)
            BK.silu(h.data, s.data, count: B * d)
            if accumulate {
                BK.linear(s.data, p.w(name + ".fc2.weight"), p.w(name + ".fc2.bias"), a.dEmb.data, n: B, inp: d, out: d)
                BK.add(a.dEmb.data, into: a.c.data, count: B * d)
            } else {
                BK.linear(s.data, p.w(name + ".fc2.weight"), p.w(name + ".fc2.bias"), a.c.data, n: B, inp: d, out: d)
            }
        }
        scalarEmbed("t_embed", times, scale: cfg.timeScale, freq: a.tFreq, h: a.tH, s: a.tS, accumulate: false)
        if let guidance {
            precondition(guidance.count == B)
            scalarEmbed("g_embed", guidance, scale: cfg.guidanceScale, freq: a.gFreq, h: a.gH, s: a.gS, accumulate: true)
        }
        BK.silu(a.c.data, a.cS.data, count: B * d)

        for i in 0..<cfg.depth {
            BackboneBlock.forward(i, p, cfg, a, out: i + 1 < cfg.depth ? a.blocks[i + 1].xin.data : a.xout.data)
        }

        // Image head: final adaLN on the image rows, linear to patches, unpatchify.
        gatherRows(a.xout.data, a.fxin.data, B: B, from: L, count: N)
        BK.layerNorm(a.fxin.data, a.fxhat.data, a.frstd.data, n: B * N, d: d, eps: cfg.layerNormEps)
        BK.linear(a.cS.data, p.w("final_adaLN.weight"), p.w("final_adaLN.bias"), a.fmod.data, n: B, inp: d, out: 2 * d)
        BackboneBlock.modulate(a.fxhat.data, a.fh.data, shift: a.fmod.data, scale: a.fmod.data + d, modStride: 2 * d,
                               B: B, T: N, d: d)
        BK.linear(a.fh.data, p.w("final_linear.weight"), p.w("final_linear.bias"), a.fout.data, n: B * N, inp: d, out: P)
        BackboneTokens.unpatchify(a.fout.data, a.image.data, batch: B, channels: cfg.latentChannels, size: cfg.latentSize,
                                  patch: cfg.patchSize)

        // Text head: LN + linear; the [MASK] logit is -inf (SUBS).
        gatherRows(a.xout.data, a.txin.data, B: B, from: 0, count: L)
        BK.layerNorm(a.txin.data, a.txhat.data, a.trstd.data, n: B * L, d: d, eps: cfg.layerNormEps)
        BK.linear(a.txhat.data, p.w("text_head.weight"), p.w("text_head.bias"), a.logits.data, n: B * L, inp: d,
                  out: cfg.vocabSize)
        for r in 0..<B * L { a.logits.data[r * cfg.vocabSize + cfg.maskToken] = -.infinity }
    }

    /// Backward pass after `forward` with the same activations. dImage: [B, C, H, W] and dLogits:
    /// [B, L, V] (either may be nil = zero). Accumulates into parameters.grads; writes dL/dlatents if given.
    public func backward(dImage: UnsafePointer<Float>?, dLogits: UnsafePointer<Float>?, activations a: BackboneActivations,
                         dLatents: UnsafeMutablePointer<Float>? = nil) {
        let cfg = config, p = parameters
        let B = a.batch, L = cfg.textLength, N = cfg.imageTokens, T = cfg.sequenceLength, d = cfg.width
        let P = cfg.patchDim, F = cfg.frequencyDim
        a.dx.zero()
        a.dcS.zero()
        if let dImage {
            BackboneTokens.patchify(dImage, a.dfout.data, batch: B, channels: cfg.latentChannels, size: cfg.latentSize,
                                    patch: cfg.patchSize)
            BK.linearBackward(a.dfout.data, a.fh.data, p.w("final_linear.weight"), dx: a.dsmall.data,
                              dw: p.g("final_linear.weight"), db: p.g("final_linear.bias"), n: B * N, inp: d, out: P)
            BackboneBlock.modulateBackward(a.dsmall.data, a.fxhat.data, scale: a.fmod.data + d, dxhat: a.dxhat.data,
                                           dshift: a.dmod.data, dscale: a.dmod.data + d, modStride: 2 * d, B: B, T: N, d: d)
            BK.layerNormBackward(a.dxhat.data, a.fxhat.data, a.frstd.data, a.dh.data, n: B * N, d: d, accumulate: false)
            scatterRows(a.dh.data, a.dx.data, B: B, to: L, count: N)
            BK.linearBackward(a.dmod.data, a.cS.data, p.w("final_adaLN.weight"), dx: a.dcS.data,
                              dw: p.g("final_adaLN.weight"), db: p.g("final_adaLN.bias"), n: B, inp: d, out: 2 * d,
                              accumulateDx: true)
        }
        if let dLogits {
            BK.linearBackward(dLogits, a.txhat.data, p.w("text_head.weight"), dx: a.dsmall.data, dw: p.g("text_head.weight"),
                              db: p.g("text_head.bias"), n: B * L, inp: d, out: cfg.vocabSize)
            BK.layerNormBackward(a.dsmall.data, a.txhat.data, a.trstd.data, a.dh.data, n: B * L, d: d, accumulate: false)
            scatterRows(a.dh.data, a.dx.data, B: B, to: 0, count: L)
        }
        for i in stride(from: cfg.depth - 1, through: 0, by: -1) { BackboneBlock.backward(i, p, cfg, a) }

        // Embeddings.
        let dx = a.dx.data, gEmb = p.g("text_embed"), gPos = p.g("text_pos"), gMod = p.g("modality")
        for b in 0..<B {
            for l in 0..<L {
                let r = dx + (b * T + l) * d
                let tok = Int(a.tokens[b * L + l])
                for i in 0..<d { gEmb[tok * d + i] += r[i]; gPos[l * d + i] += r[i]; gMod[i] += r[i] }
            }
            for t in 0..<N {
                let r = dx + (b * T + L + t) * d
                for i in 0..<d { gMod[d + i] += r[i] }
            }
        }
        gatherRows(dx, a.dsmall.data, B: B, from: L, count: N)
        BK.linearBackward(a.dsmall.data, a.patches.data, p.w("patch_embed.weight"), dx: dLatents == nil ? nil : a.dpatch.data,
                          dw: p.g("patch_embed.weight"), db: p.g("patch_embed.bias"), n: B * N, inp: P, out: d)
        if let dLatents {
            BackboneTokens.unpatchify(a.dpatch.data, dLatents, batch: B, channels: cfg.latentChannels, size: cfg.latentSize,
                                      patch: cfg.patchSize)
        }

        // Conditioning: c = t_embed(t) [+ g_embed(w)], cS = SiLU(c).
        BK.siluBackward(a.dcS.data, a.c.data, a.dc.data, count: B * d, accumulate: false)
        func scalarBackward(_ name: String, freq: Tensor, h: Tensor, s: Tensor) {
            BK.linearBackward(a.dc.data, s.data, p.w(name + ".fc2.weight"), dx: a.dEmb.data, dw: p.g(name + ".fc2.weight"),
                              db: p.g(name + ".fc2.bias"), n: B, inp: d, out: d)
            BK.siluBackward(a.dEmb.data, h.data, a.dEmb.data, count: B * d, accumulate: false)
            BK.linearBackward(a.dEmb.data, freq.data, p.w(name + ".fc1.weight"), dx: nil, dw: p.g(name + ".fc1.weight"),
                              db: p.g(name + ".fc1.bias"), n: B, inp: F, out: d)
        }
        scalarBackward("t_embed", freq: a.tFreq, h: a.tH, s: a.tS)
        if a.hasGuidance { scalarBackward("g_embed", freq: a.gFreq, h: a.gH, s: a.gS) }
    }

    /// dst[b, 0..<count, :] = src[b, from..<from+count, :] (src rows of a [B, T, d] stream).
    func gatherRows(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, B: Int, from: Int, count: Int) {
        let T = config.sequenceLength, d = config.width
        for b in 0..<B { (dst + b * count * d).update(from: src + (b * T + from) * d, count: count * d) }
    }

    /// dst[b, to..<to+count, :] += src[b, 0..<count, :].
    func scatterRows(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, B: Int, to: Int, count: Int) {
        let T = config.sequenceLength, d = config.width
        for b in 0..<B { BK.add(src + b * count * d, into: dst + (b * T + to) * d, count: count * d) }
    }
}
