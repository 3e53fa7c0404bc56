// DiTBlock.swift: the adaLN-Zero transformer block of DiT (Peebles & Xie, "Scalable Diffusion Models
// with Transformers", 2023; facebookresearch/DiT models.py `DiTBlock`):
//   shift_a, scale_a, gate_a, shift_m, scale_m, gate_m = Linear(SiLU(c))
//   x1  = x  + gate_a * Attn(LN(x)  * (1 + scale_a) + shift_a)
//   out = x1 + gate_m * MLP(LN(x1) * (1 + scale_m) + shift_m)
// LN without affine (eps 1e-6), bidirectional attention with a key padding mask, MLP GELU-tanh.
// Forward and backward side by side; every activation preallocated for maxBatch x maxTokens.
import Core

public struct DiTBlockConfig: Codable, Equatable, Sendable {
    public var dim: Int = 256
    public var heads: Int = 4
    public var mlpRatio: Int = 4
    public var eps: Float = 1e-6
    public init(dim: Int = 256, heads: Int = 4, mlpRatio: Int = 4, eps: Float = 1e-6) {
        self.dim = dim; self.heads = heads; self.mlpRatio = mlpRatio; self.eps = eps
    }
}

public final class DiTBlock {
    public let config: DiTBlockConfig
    public let maxBatch: Int
    public let maxTokens: Int
    public let modulation: AdaLNModulation
    public let norm1: ModulatedLayerNorm
    public let attention: SelfAttention
    public let norm2: ModulatedLayerNorm
    public let mlp: MLP
    /// Our loop threads (OpenBLAS threads are set separately, by Threads.configure).
    public var threads = 1 {
        didSet { modulation.threads = threads; norm1.threads = threads; norm2.threads = threads; attention.threads = threads; mlp.threads = threads }
    }

    // Saved activations.
    let mod: Tensor        // [maxBatch, 6*dim]
    let attnIn: Tensor     // [maxRows, dim]  modulated LN(x)
    let attnOut: Tensor    // [maxRows, dim]
    let x1: Tensor         // [maxRows, dim]
    let mlpIn: Tensor      // [maxRows, dim]  modulated LN(x1)
    let mlpOut: Tensor     // [maxRows, dim]
    // Gradient scratch.
    let dmod: Tensor       // [maxBatch, 6*dim]
    let dx1: Tensor        // [maxRows, dim]
    let dbranch: Tensor    // [maxRows, dim]
    let dbranchIn: Tensor  // [maxRows, dim]

    private var input: UnsafePointer<Float>?
    private var cond: UnsafePointer<Float>?
    private var batch = 0, tokens = 0

    public init(_ store: ParameterStore, _ name: String, config: DiTBlockConfig, maxBatch: Int, maxTokens: Int) {
        self.config = config
        self.maxBatch = maxBatch
        self.maxTokens = maxTokens
        let d = config.dim, rows = maxBatch * maxTokens
        modulation = AdaLNModulation(store, "\(name).adaLN", dim: d, chunks: 6, maxBatch: maxBatch)
        norm1 = ModulatedLayerNorm(dim: d, maxRows: rows, eps: config.eps)
        attention = SelfAttention(store, "\(name).attn", dim: d, heads: config.heads, maxBatch: maxBatch, maxTokens: maxTokens)
        norm2 = ModulatedLayerNorm(dim: d, maxRows: rows, eps: config.eps)
        mlp = MLP(store, "\(name).mlp", dim: d, ratio: config.mlpRatio, maxRows: rows)
        mod = Tensor(shape: [maxBatch, 6 * d])
        dmod = Tensor(shape: [maxBatch, 6 * d])
        attnIn = Tensor(shape: [rows, d])
        attnOut = Tensor(shape: [rows, d])
        x1 = Tensor(shape: [rows, d])
        mlpIn = Tensor(shape: [rows, d])
        mlpOut = Tensor(shape: [rows, d])
        dx1 = Tensor(shape: [rows, d])
        dbranch = Tensor(shape: [rows, d])
        dbranchIn = Tensor(shape: [rows, d])
    }

    /// x: [B, T, dim]; c: [B, dim] (conditioning, SiLU applied inside); keyMask: [B, T] (1 = real
    /// token, 0 = padding) or nil; out: [B, T, dim] (written; must not alias x).
    /// x, c and keyMask must stay valid until `backward`.
    public func forward(_ x: UnsafePointer<Float>, c: UnsafePointer<Float>, keyMask: UnsafePointer<Float>?,
                        _ out: UnsafeMutablePointer<Float>, batch: Int, tokens: Int) {
        precondition(batch <= maxBatch && tokens <= maxTokens, "DiTBlock: [\(batch), \(tokens)] > [\(maxBatch), \(maxTokens)]")
        input = x
        cond = c
        self.batch = batch
        self.tokens = tokens
        let d = config.dim, s = 6 * d, m = mod.data, rows = batch * tokens
        modulation.forward(c, m, batch: batch)
        norm1.forward(x, attnIn.data, shift: m, scale: m + d, modStride: s, batch: batch, tokens: tokens)
        attention.forward(attnIn.data, attnOut.data, keyMask: keyMask, batch: batch, tokens: tokens)
        GatedResidual.forward(x, attnOut.data, gate: m + 2 * d, x1.data, modStride: s, batch: batch, tokens: tokens,
                              dim: d, threads: threads)
        norm2.forward(x1.data, mlpIn.data, shift: m + 3 * d, scale: m + 4 * d, modStride: s, batch: batch, tokens: tokens)
        mlp.forward(mlpIn.data, mlpOut.data, rows: rows)
        GatedResidual.forward(x1.data, mlpOut.data, gate: m + 5 * d, out, modStride: s, batch: batch, tokens: tokens,
                              dim: d, threads: threads)
    }

    /// dout: [B, T, dim]; dx: [B, T, dim] (written; may alias dout); dc: [B, dim] (added to).
    /// Parameter gradients are added to the store's grads.
    public func backward(_ dout: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, dc: UnsafeMutablePointer<Float>) {
        guard let x = input, let c = cond else { preconditionFailure("DiTBlock.backward before forward") }
        let d = config.dim, s = 6 * d, m = mod.data, dm = dmod.data, rows = batch * tokens
        let B = batch, T = tokens
        dmod.zero()
        // out = x1 + gate_m * mlpOut
        dx1.data.update(from: dout, count: rows * d)
        GatedResidual.backward(dout, mlpOut.data, gate: m + 5 * d, dbranch.data, dgate: dm + 5 * d, modStride: s,
                               batch: B, tokens: T, dim: d, threads: threads)
        mlp.backward(dbranch.data, mlpIn.data, dbranchIn.data)
        norm2.backward(dbranchIn.data, x1.data, dx1.data, accumulate: true, scale: m + 4 * d, dshift: dm + 3 * d,
                       dscale: dm + 4 * d, modStride: s, batch: B, tokens: T)
        // x1 = x + gate_a * attnOut
        GatedResidual.backward(dx1.data, attnOut.data, gate: m + 2 * d, dbranch.data, dgate: dm + 2 * d, modStride: s,
                               batch: B, tokens: T, dim: d, threads: threads)
        attention.backward(dbranch.data, attnIn.data, dbranchIn.data)
        dx.update(from: dx1.data, count: rows * d)
        norm1.backward(dbranchIn.data, x, dx, accumulate: true, scale: m + d, dshift: dm, dscale: dm + d,
                       modStride: s, batch: B, tokens: T)
        modulation.backward(dm, c, dc)
    }
}
