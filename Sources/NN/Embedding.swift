// Embedding.swift: a lookup table (rows of a [vocab, dim] matrix picked by integer ids), forward and
// backward; the backward scatters gradients in row order, so repeated ids add deterministically.
import Core

public final class Embedding {
    public let vocab: Int
    public let dim: Int
    public let table: Param  // [vocab, dim]
    public let store: ParameterStore

    public init(_ store: ParameterStore, _ name: String, vocab: Int, dim: Int, initScheme: ParamInit = .normal(std: 0.02)) {
        self.store = store
        self.vocab = vocab
        self.dim = dim
        table = store.register("\(name).weight", shape: [vocab, dim], initScheme: initScheme, decay: false)
    }

    /// out[r] = table[ids[r]] (or += when `accumulate`).
    /// ids: [rows], each in 0..<vocab; out: [rows, dim].
    public func forward(_ ids: UnsafePointer<Int>, _ out: UnsafeMutablePointer<Float>, rows: Int, accumulate: Bool = false) {
        let t = store.value(table)
        for r in 0..<rows {
            precondition(ids[r] >= 0 && ids[r] < vocab, "embedding id \(ids[r]) outside 0..<\(vocab)")
            if accumulate {
                Kernels.add(out + r * dim, t + ids[r] * dim, out + r * dim, dim)
            } else {
                (out + r * dim).update(from: t + ids[r] * dim, count: dim)
            }
        }
    }

    /// dtable[ids[r]] += dout[r].
    /// ids: [rows]; dout: [rows, dim].
    public func backward(_ ids: UnsafePointer<Int>, _ dout: UnsafePointer<Float>, rows: Int) {
        let g = store.grad(table)
        for r in 0..<rows { Kernels.add(g + ids[r] * dim, dout + r * dim, g + ids[r] * dim, dim) }
    }
}
