// AdaLNModulation.swift: DiT's adaLN-Zero modulation (Peebles & Xie 2023, `adaLN_modulation` =
// SiLU then Linear(dim, chunks*dim)), zero-initialized so every block starts as the identity.
// The output row of sample b is [chunk 0 | chunk 1 | ...], for a DiT block chunks = 6:
// shift_attn, scale_attn, gate_attn, shift_mlp, scale_mlp, gate_mlp; for the final layer 2: shift, scale.
import Core

public final class AdaLNModulation {
    public let dim: Int
    public let chunks: Int
    public let linear: Linear
    public var threads = 1 { didSet { linear.threads = threads } }
    /// Saved SiLU(c). [maxBatch, dim].
    let activated: Tensor
    /// Gradient scratch [maxBatch, dim].
    let dactivated: Tensor
    private var batch = 0

    public init(_ store: ParameterStore, _ name: String, dim: Int, chunks: Int, maxBatch: Int, zeroInit: Bool = true) {
        self.dim = dim
        self.chunks = chunks
        linear = Linear(store, name, in: dim, out: chunks * dim, weightInit: zeroInit ? .zeros : nil)
        activated = Tensor(shape: [maxBatch, dim])
        dactivated = Tensor(shape: [maxBatch, dim])
    }

    /// c: [B, dim]; out: [B, chunks*dim] (written).
    public func forward(_ c: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, batch: Int) {
        self.batch = batch
        Activations.silu(c, activated.data, batch * dim)
        linear.forward(activated.data, out, rows: batch)
    }

    /// dout: [B, chunks*dim]; c: [B, dim] (the forward input); dc: [B, dim] (added to).
    public func backward(_ dout: UnsafePointer<Float>, _ c: UnsafePointer<Float>, _ dc: UnsafeMutablePointer<Float>) {
        linear.backward(dout, activated.data, dactivated.data, rows: batch)
        Activations.siluBackward(c, dactivated.data, dactivated.data, batch * dim)
        Kernels.add(dc, dactivated.data, dc, batch * dim)
    }
}
