// TimestepEmbedding.swift: DiT's `TimestepEmbedder`: sinusoidal features of a scalar
// ([cos(s t f_k) | sin(s t f_k)], f_k = exp(-ln(10000) k / (F/2)), F = 256), then
// Linear(F, dim) -> SiLU -> Linear(dim, dim). Input scale s maps t in [0, 1] to DiT's 0..1000 range.
import Core
import Foundation

public final class TimestepEmbedding {
    public let frequencyDim: Int
    public let dim: Int
    public let inputScale: Float
    public let fc1: Linear
    public let fc2: Linear
    public var threads = 1 { didSet { fc1.threads = threads; fc2.threads = threads } }
    /// Saved: features [maxBatch, F], fc1 output [maxBatch, dim], SiLU output [maxBatch, dim].
    let features: Tensor
    let pre: Tensor
    let act: Tensor
    /// Gradient scratch [maxBatch, dim].
    let dact: Tensor
    private var batch = 0

    public init(_ store: ParameterStore, _ name: String, dim: Int, frequencyDim: Int = 256, inputScale: Float = 1,
                maxBatch: Int, weightStd: Float = 0.02) {
        self.frequencyDim = frequencyDim
        self.dim = dim
        self.inputScale = inputScale
        fc1 = Linear(store, "\(name).fc1", in: frequencyDim, out: dim, weightInit: .normal(std: weightStd))
        fc2 = Linear(store, "\(name).fc2", in: dim, out: dim, weightInit: .normal(std: weightStd))
        features = Tensor(shape: [maxBatch, frequencyDim])
        pre = Tensor(shape: [maxBatch, dim])
        act = Tensor(shape: [maxBatch, dim])
        dact = Tensor(shape: [maxBatch, dim])
    }

    /// The sinusoidal features of one value (Double arithmetic, as the PyTorch reference).
    /// out: [F].
    public static func sinusoid(_ t: Float, scale: Float, into out: UnsafeMutablePointer<Float>, dim F: Int) {
        let half = F / 2
        let x = Double(t) * Double(scale)
        for k in 0..<half {
            let f = Foundation.exp(-Foundation.log(10000.0) * Double(k) / Double(half))
            out[k] = Float(Foundation.cos(x * f))
            out[half + k] = Float(Foundation.sin(x * f))
        }
    }

    /// t: [B]; out: [B, dim] (written).
    public func forward(_ t: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, batch: Int) {
        self.batch = batch
        for b in 0..<batch {
            Self.sinusoid(t[b], scale: inputScale, into: features.data + b * frequencyDim, dim: frequencyDim)
        }
        fc1.forward(features.data, pre.data, rows: batch)
        Activations.silu(pre.data, act.data, batch * dim)
        fc2.forward(act.data, out, rows: batch)
    }

    /// dout: [B, dim]. Adds parameter gradients (t itself gets none).
    public func backward(_ dout: UnsafePointer<Float>) {
        fc2.backward(dout, act.data, dact.data, rows: batch)
        Activations.siluBackward(pre.data, dact.data, dact.data, batch * dim)
        fc1.backward(dact.data, features.data, nil, rows: batch)
    }
}
