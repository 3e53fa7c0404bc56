// Linear.swift: a fully connected layer y = x W^T + b (PyTorch's nn.Linear layout: W is [out, in]),
// forward and backward over flat buffers, llm.c style. Both directions are single sgemm calls.
import Core

public final class Linear {
    public let inFeatures: Int
    public let outFeatures: Int
    public let weight: Param   // [out, in]
    public let bias: Param?    // [out]
    public let store: ParameterStore
    public var threads = 1
    /// Partial weight gradients of the split reduction. [maxReductionBlocks - 1, out, in].
    let scratch: Tensor

    /// Registers `name.weight` (Xavier uniform unless `weightInit` says otherwise) and `name.bias` (zeros).
    public init(_ store: ParameterStore, _ name: String, in inFeatures: Int, out outFeatures: Int, bias: Bool = true,
                weightInit: ParamInit? = nil, biasInit: ParamInit = .zeros) {
        self.store = store
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        weight = store.register("\(name).weight", shape: [outFeatures, inFeatures],
                                initScheme: weightInit ?? .xavierUniform(fanIn: inFeatures, fanOut: outFeatures))
        self.bias = bias ? store.register("\(name).bias", shape: [outFeatures], initScheme: biasInit) : nil
        scratch = Tensor(shape: [Matmul.maxReductionBlocks - 1, outFeatures, inFeatures])
    }

    /// y = x W^T + b.
    /// x: [rows, in]; y: [rows, out] (written).
    public func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int) {
        var beta: Float = 0
        if let b = bias {
            let bp = store.value(b)
            for r in 0..<rows { (y + r * outFeatures).update(from: bp, count: outFeatures) }
            beta = 1
        }
        Matmul.gemm(transB: true, m: rows, n: outFeatures, k: inFeatures, a: x, lda: inFeatures,
                    b: store.value(weight), ldb: inFeatures, beta: beta, c: y, ldc: outFeatures, threads: threads)
    }

    /// dW += dy^T x, db += column sums of dy, dx = dy W (or dx += dy W when `accumulate`).
    /// dy: [rows, out]; x: [rows, in] (the forward input); dx: [rows, in] or nil (no input gradient).
    public func backward(_ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>?,
                         rows: Int, accumulate: Bool = false) {
        Matmul.gemmSplitK(transA: true, m: outFeatures, n: inFeatures, k: rows, a: dy, lda: outFeatures, b: x,
                          ldb: inFeatures, beta: 1, c: store.grad(weight), ldc: inFeatures, scratch: scratch.data,
                          threads: threads)
        if let b = bias {
            // column blocks in parallel, rows summed in order within each
            let db = store.grad(b), n = outFeatures
            Threads.parallelRanges(n, grain: 128, threads: threads) { cols in
                for r in 0..<rows { Kernels.add(db + cols.lowerBound, dy + r * n + cols.lowerBound, db + cols.lowerBound, cols.count) }
            }
        }
        if let dx {
            Matmul.gemm(m: rows, n: inFeatures, k: outFeatures, a: dy, lda: outFeatures, b: store.value(weight),
                        ldb: inFeatures, beta: accumulate ? 1 : 0, c: dx, ldc: inFeatures, threads: threads)
        }
    }
}
