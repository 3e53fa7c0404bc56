// SelfAttention.swift: multi-head self-attention as in DiT/timm: a qkv projection, masked
// scaled dot-product attention (Attention.swift) and an output projection. Forward and backward
// over flat buffers; activations preallocated for maxBatch x maxTokens rows.
import Core

public final class SelfAttention {
    public let dim: Int
    public let qkv: Linear
    public let core: Attention
    public let proj: Linear
    public var threads = 1 { didSet { core.threads = threads; qkv.threads = threads; proj.threads = threads } }
    /// Saved activations. qkvOut: [maxRows, 3*dim]; attended: [maxRows, dim].
    public let qkvOut: Tensor
    public let attended: Tensor
    /// Gradient scratch. dqkv: [maxRows, 3*dim]; dattended: [maxRows, dim].
    let dqkv: Tensor
    let dattended: Tensor
    private var batch = 0, tokens = 0

    public init(_ store: ParameterStore, _ name: String, dim: Int, heads: Int, maxBatch: Int, maxTokens: Int) {
        self.dim = dim
        qkv = Linear(store, "\(name).qkv", in: dim, out: 3 * dim)
        core = Attention(dim: dim, heads: heads, maxBatch: maxBatch, maxTokens: maxTokens)
        proj = Linear(store, "\(name).proj", in: dim, out: dim)
        let rows = maxBatch * maxTokens
        qkvOut = Tensor(shape: [rows, 3 * dim])
        attended = Tensor(shape: [rows, dim])
        dqkv = Tensor(shape: [rows, 3 * dim])
        dattended = Tensor(shape: [rows, dim])
    }

    /// x: [B, T, dim]; y: [B, T, dim] (written); keyMask: [B, T] (1 = real token, 0 = padding) or nil.
    public func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, keyMask: UnsafePointer<Float>?,
                        batch: Int, tokens: Int) {
        self.batch = batch
        self.tokens = tokens
        let rows = batch * tokens
        qkv.forward(x, qkvOut.data, rows: rows)
        core.forward(qkvOut.data, attended.data, keyMask: keyMask, batch: batch, tokens: tokens)
        proj.forward(attended.data, y, rows: rows)
    }

    /// dy: [B, T, dim]; x: [B, T, dim] (the forward input); dx: [B, T, dim] (written, or added when `accumulate`).
    public func backward(_ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
                         accumulate: Bool = false) {
        let rows = batch * tokens
        proj.backward(dy, attended.data, dattended.data, rows: rows)
        core.backward(dattended.data, qkvOut.data, dqkv.data, batch: batch, tokens: tokens)
        qkv.backward(dqkv.data, x, dx, rows: rows, accumulate: accumulate)
    }
}
