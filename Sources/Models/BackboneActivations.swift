// BackboneActivations.swift: every buffer one forward/backward pass of the backbone needs, allocated
// once for a batch capacity (llm.c style). Shapes are given per buffer; B = batch, T = L + N tokens
// ([text | image]), d = width, H = heads, P = patch dim, F = frequency dim, V = vocabulary.
import Core

/// Saved activations of one DiT block.
final class BlockActivations {
    let xin: Tensor     // [B, T, d] residual stream entering the block
    let mod: Tensor     // [B, 6d] shift_a, scale_a, gate_a, shift_m, scale_m, gate_m
    let xhat1: Tensor   // [B, T, d] LN(xin)
    let rstd1: Tensor   // [B, T]
    let h1: Tensor      // [B, T, d] modulated LN(xin)
    let qkv: Tensor     // [B, T, 3d]
    let probs: Tensor   // [B, H, T, T] attention probabilities
    let att: Tensor     // [B, T, d] attention output before the projection
    let o: Tensor       // [B, T, d] projected attention
    let x2: Tensor      // [B, T, d] residual after attention
    let xhat2: Tensor   // [B, T, d]
    let rstd2: Tensor   // [B, T]
    let h2: Tensor      // [B, T, d]
    let u: Tensor       // [B, T, 4d] fc1 output (pre-GELU)
    let gel: Tensor     // [B, T, 4d] GELU(u)
    let m: Tensor       // [B, T, d] fc2 output

    init(B: Int, T: Int, d: Int, H: Int, hidden: Int) {
        xin = Tensor(shape: [B, T, d]); mod = Tensor(shape: [B, 6 * d])
        xhat1 = Tensor(shape: [B, T, d]); rstd1 = Tensor(shape: [B, T]); h1 = Tensor(shape: [B, T, d])
        qkv = Tensor(shape: [B, T, 3 * d]); probs = Tensor(shape: [B, H, T, T])
        att = Tensor(shape: [B, T, d]); o = Tensor(shape: [B, T, d]); x2 = Tensor(shape: [B, T, d])
        xhat2 = Tensor(shape: [B, T, d]); rstd2 = Tensor(shape: [B, T]); h2 = Tensor(shape: [B, T, d])
        u = Tensor(shape: [B, T, hidden]); gel = Tensor(shape: [B, T, hidden]); m = Tensor(shape: [B, T, d])
    }
}

public final class BackboneActivations {
    public let capacity: Int
    let blocks: [BlockActivations]
    let patches: Tensor     // [B, N, P] patchified input latents
    let tFreq: Tensor       // [B, F] timestep features
    let tH: Tensor          // [B, d] t_embed.fc1 output
    let tS: Tensor          // [B, d] SiLU(tH)
    let gFreq: Tensor       // [B, F] guidance features
    let gH: Tensor          // [B, d]
    let gS: Tensor          // [B, d]
    let c: Tensor           // [B, d] conditioning
    let cS: Tensor          // [B, d] SiLU(c)
    let xout: Tensor        // [B, T, d] residual stream after the last block
    let fmod: Tensor        // [B, 2d] final shift, scale
    let fxin: Tensor        // [B, N, d] image rows of xout
    let fxhat: Tensor       // [B, N, d]
    let frstd: Tensor       // [B, N]
    let fh: Tensor          // [B, N, d] modulated
    let fout: Tensor        // [B, N, P] image head output per patch
    let txin: Tensor        // [B, L, d] text rows of xout
    let txhat: Tensor       // [B, L, d]
    let trstd: Tensor       // [B, L]
    /// [B, C, H, W] image head output (v or eps).
    public let image: Tensor
    /// [B, L, V] text logits, [MASK] column = -inf.
    public let logits: Tensor
    var keyValid: [Bool] = []   // [B, T]
    var tokens: [Int32] = []    // [B, L] input tokens of the last forward
    var hasGuidance = false
    var batch = 0

    // Backward scratch.
    let dx: Tensor          // [B, T, d] gradient of the residual stream
    let dh: Tensor          // [B, T, d]
    let dxhat: Tensor       // [B, T, d]
    let datt: Tensor        // [B, T, d]
    let dqkv: Tensor        // [B, T, 3d]
    let dU: Tensor          // [B, T, 4d]
    let dmod: Tensor        // [B, 6d]
    let dcS: Tensor         // [B, d] gradient of SiLU(c)
    let dc: Tensor          // [B, d]
    let dEmb: Tensor        // [B, d] scratch for the scalar embeddings
    let dfout: Tensor       // [B, N, P]
    let dpatch: Tensor      // [B, N, P]
    let dsmall: Tensor      // [B, max(N, L), d] scratch for the heads
    let attScratch: Tensor  // [T, T]

    public init(config cfg: BackboneConfig, capacity B: Int) {
        let d = cfg.width, T = cfg.sequenceLength, N = cfg.imageTokens, L = cfg.textLength
        let P = cfg.patchDim, F = cfg.frequencyDim
        capacity = B
        blocks = (0..<cfg.depth).map { _ in BlockActivations(B: B, T: T, d: d, H: cfg.heads, hidden: cfg.hidden) }
        patches = Tensor(shape: [B, N, P])
        tFreq = Tensor(shape: [B, F]); tH = Tensor(shape: [B, d]); tS = Tensor(shape: [B, d])
        gFreq = Tensor(shape: [B, F]); gH = Tensor(shape: [B, d]); gS = Tensor(shape: [B, d])
        c = Tensor(shape: [B, d]); cS = Tensor(shape: [B, d])
        xout = Tensor(shape: [B, T, d]); fmod = Tensor(shape: [B, 2 * d])
        fxin = Tensor(shape: [B, N, d]); fxhat = Tensor(shape: [B, N, d]); frstd = Tensor(shape: [B, N])
        fh = Tensor(shape: [B, N, d]); fout = Tensor(shape: [B, N, P])
        txin = Tensor(shape: [B, L, d]); txhat = Tensor(shape: [B, L, d]); trstd = Tensor(shape: [B, L])
        image = Tensor(shape: [B, cfg.latentChannels, cfg.latentSize, cfg.latentSize])
        logits = Tensor(shape: [B, L, cfg.vocabSize])
        dx = Tensor(shape: [B, T, d]); dh = Tensor(shape: [B, T, d]); dxhat = Tensor(shape: [B, T, d])
        datt = Tensor(shape: [B, T, d]); dqkv = Tensor(shape: [B, T, 3 * d]); dU = Tensor(shape: [B, T, cfg.hidden])
        dmod = Tensor(shape: [B, 6 * d]); dcS = Tensor(shape: [B, d]); dc = Tensor(shape: [B, d]); dEmb = Tensor(shape: [B, d])
        dfout = Tensor(shape: [B, N, P]); dpatch = Tensor(shape: [B, N, P])
        dsmall = Tensor(shape: [B, max(N, L), d]); attScratch = Tensor(shape: [T, T])
    }
}
