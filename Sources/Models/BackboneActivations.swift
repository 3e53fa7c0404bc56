// BackboneActivations.swift: the backbone's own buffers (the NN layers keep theirs), allocated once for
// maxBatch (llm.c style). B = batch, T = L + N tokens ([text | image]), d = width, P = patch dim,
// V = vocabulary.
import Core

final class BackboneActivations {
    let capacity: Int
    let xs: [Tensor]        // depth + 1 x [B, T, d] residual stream entering each block, then the output
    let keyMask: Tensor     // [B, T] 1 = real key, 0 = [PAD]
    let patches: Tensor     // [B, N, P] patchified input latents
    let c: Tensor           // [B, d] conditioning (timestep [+ guidance] embedding)
    let gEmb: Tensor        // [B, d] guidance embedding
    let fmod: Tensor        // [B, 2d] final shift, scale
    let fxin: Tensor        // [B, N, d] image rows of the last stream (also the patch embedding scratch)
    let fh: Tensor          // [B, N, d] modulated LN of fxin
    let fout: Tensor        // [B, N, P] image head output per patch
    let txin: Tensor        // [B, L, d] text rows of the last stream
    let txhat: Tensor       // [B, L, d] LN of txin
    let image: Tensor       // [B, C, H, W] image head output (v or eps)
    let logits: Tensor      // [B, L, V] text logits, [MASK] column = -inf
    var tokens: [Int32] = []    // [B, L] input tokens of the last forward
    var hasGuidance = false
    var batch = 0

    // Backward scratch.
    let dx: Tensor          // [B, T, d] gradient of the residual stream
    let dc: Tensor          // [B, d] gradient of the conditioning
    let dfmod: Tensor       // [B, 2d]
    let dfout: Tensor       // [B, N, P]
    let dpatch: Tensor      // [B, N, P]
    let dsmall: Tensor      // [B, max(N, L), d]
    let dsmall2: Tensor     // [B, max(N, L), d]
    // Text-head backward over the rows with a non-zero logit gradient only (masked caption positions):
    // R <= B*L packed rows.
    let packedLogits: Tensor    // [R, V] dLogits rows
    let packedHidden: Tensor    // [R, d] txhat rows
    let packedDHidden: Tensor   // [R, d] their input gradient
    var packedRows: [Int] = []  // [R] row index r = b*L + l of each packed row

    init(config cfg: BackboneConfig, capacity B: Int) {
        let d = cfg.width, T = cfg.sequenceLength, N = cfg.imageTokens, L = cfg.textLength, P = cfg.patchDim
        let S = max(N, L)
        capacity = B
        xs = (0...cfg.depth).map { _ in Tensor(shape: [B, T, d]) }
        keyMask = Tensor(shape: [B, T]); patches = Tensor(shape: [B, N, P])
        c = Tensor(shape: [B, d]); gEmb = Tensor(shape: [B, d]); fmod = Tensor(shape: [B, 2 * d])
        fxin = Tensor(shape: [B, N, d]); fh = Tensor(shape: [B, N, d]); fout = Tensor(shape: [B, N, P])
        txin = Tensor(shape: [B, L, d]); txhat = Tensor(shape: [B, L, d])
        image = Tensor(shape: [B, cfg.latentChannels, cfg.latentSize, cfg.latentSize])
        logits = Tensor(shape: [B, L, cfg.vocabSize])
        dx = Tensor(shape: [B, T, d]); dc = Tensor(shape: [B, d]); dfmod = Tensor(shape: [B, 2 * d])
        dfout = Tensor(shape: [B, N, P]); dpatch = Tensor(shape: [B, N, P])
        dsmall = Tensor(shape: [B, S, d]); dsmall2 = Tensor(shape: [B, S, d])
        packedLogits = Tensor(shape: [B * L, cfg.vocabSize])
        packedHidden = Tensor(shape: [B * L, d]); packedDHidden = Tensor(shape: [B * L, d])
        packedRows.reserveCapacity(B * L)
    }
}
