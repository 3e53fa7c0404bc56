// MLP.swift: the transformer feed-forward block fc1 -> GELU (tanh form) -> fc2, hidden width
// ratio * dim (ratio 4 in DiT), forward and backward over flat buffers.
import Core

public final class MLP {
    public let dim: Int
    public let hidden: Int
    public let fc1: Linear
    public let fc2: Linear
    public var threads = 1 { didSet { fc1.threads = threads; fc2.threads = threads } }
    /// Saved activations. pre: fc1 output [maxRows, hidden]; act: GELU output [maxRows, hidden].
    public let pre: Tensor
    public let act: Tensor
    /// Gradient scratch [maxRows, hidden].
    let dact: Tensor
    private var rows = 0

    public init(_ store: ParameterStore, _ name: String, dim: Int, ratio: Int = 4, maxRows: Int) {
        self.dim = dim
        hidden = dim * ratio
        fc1 = Linear(store, "\(name).fc1", in: dim, out: hidden)
        fc2 = Linear(store, "\(name).fc2", in: hidden, out: dim)
        pre = Tensor(shape: [maxRows, hidden])
        act = Tensor(shape: [maxRows, hidden])
        dact = Tensor(shape: [maxRows, hidden])
    }

    static let grain = 8192

    /// x: [rows, dim]; y: [rows, dim] (written).
    public func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int) {
        self.rows = rows
        fc1.forward(x, pre.data, rows: rows)
        let p = pre.data, a = act.data
        Threads.parallelRanges(rows * hidden, grain: Self.grain, threads: threads) { r in
            Activations.gelu(p + r.lowerBound, a + r.lowerBound, r.count)
        }
        fc2.forward(act.data, y, rows: rows)
    }

    /// dy: [rows, dim]; x: [rows, dim] (the forward input); dx: [rows, dim] (written, or added when `accumulate`).
    public func backward(_ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
                         accumulate: Bool = false) {
        fc2.backward(dy, act.data, dact.data, rows: rows)
        let p = pre.data, d = dact.data
        Threads.parallelRanges(rows * hidden, grain: Self.grain, threads: threads) { r in
            Activations.geluBackward(p + r.lowerBound, d + r.lowerBound, d + r.lowerBound, r.count)
        }
        fc1.backward(dact.data, x, dx, rows: rows, accumulate: accumulate)
    }
}
