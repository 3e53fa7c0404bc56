// LayerNorm.swift: layer normalization over the last dimension (Ba et al. 2016), with or without
// affine weight/bias (DiT's blocks use none, eps 1e-6), forward and backward over flat buffers.
// Rows are processed in fixed chunks over threads; the affine gradients are reduced column-wise in
// fixed row order, so results do not depend on the thread count.
import Core

public final class LayerNorm {
    public let dim: Int
    public let eps: Float
    public let weight: Param?  // [dim]
    public let bias: Param?    // [dim]
    public let store: ParameterStore?
    public var threads = 1
    /// Saved by the forward: per-row mean and 1/std. [maxRows] each.
    public let mean: Tensor
    public let rstd: Tensor

    /// `affine: false` registers nothing (store may be nil).
    public init(_ store: ParameterStore?, _ name: String, dim: Int, maxRows: Int, eps: Float = 1e-5, affine: Bool = true) {
        precondition(!affine || store != nil, "affine LayerNorm \(name) needs a store")
        self.store = store
        self.dim = dim
        self.eps = eps
        if affine, let store {
            weight = store.register("\(name).weight", shape: [dim], initScheme: .ones)
            bias = store.register("\(name).bias", shape: [dim], initScheme: .zeros)
        } else {
            weight = nil
            bias = nil
        }
        mean = Tensor(shape: [maxRows])
        rstd = Tensor(shape: [maxRows])
    }

    static let grain = 32

    /// x, y: [rows, dim]; y may alias x.
    public func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int) {
        precondition(rows <= mean.count, "LayerNorm: \(rows) rows > \(mean.count)")
        let w = weight.flatMap { p in store?.value(p) }, b = bias.flatMap { p in store?.value(p) }
        let n = dim
        Threads.parallelRanges(rows, grain: Self.grain, threads: threads) { r in
            LayerNormKernel.forward(x + r.lowerBound * n, y + r.lowerBound * n, mean: self.mean.data + r.lowerBound,
                                    rstd: self.rstd.data + r.lowerBound, weight: w, bias: b, rows: r.count, n, eps: self.eps)
        }
    }

    /// dx = d LN / dx (written, or added when `accumulate`); affine gradients added to the store.
    /// dy, x, dx: [rows, dim]; dx may alias dy only when not accumulating.
    public func backward(_ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
                         rows: Int, accumulate: Bool = false) {
        let w = weight.flatMap { p in store?.value(p) }
        let n = dim
        if let wp = weight, let bp = bias, let store {
            // affine gradients first (dx may overwrite dy): columns split, rows in order
            let dw = store.grad(wp), db = store.grad(bp)
            for r in 0..<rows {
                let m = mean[r], s = rstd[r]
                let xr = x + r * n, dr = dy + r * n
                for i in 0..<n {
                    dw[i] += dr[i] * ((xr[i] - m) * s)
                    db[i] += dr[i]
                }
            }
        }
        Threads.parallelRanges(rows, grain: Self.grain, threads: threads) { r in
            let o = r.lowerBound * n
            LayerNormKernel.backward(dy + o, x + o, mean: self.mean.data + r.lowerBound, rstd: self.rstd.data + r.lowerBound,
                                     weight: w, dx: dx + o, accumulate: accumulate, dweight: nil, dbias: nil,
                                     rows: r.count, n)
        }
    }
}
