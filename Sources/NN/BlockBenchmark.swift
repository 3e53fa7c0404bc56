// BlockBenchmark.swift: throughput of one adaLN-Zero DiT block (forward, and forward + backward)
// in samples per second with CPU/wall beside each, for `diptych bench` and for comparison with
// scripts/bench_torch.py. Its products run in Matmul.precision.
import Core

public struct BlockBenchResult: Codable, Sendable {
    public var dim: Int
    public var heads: Int
    public var batch: Int
    public var tokens: Int
    public var threads: Int
    public var forwardSamplesPerSecond: Double
    public var trainSamplesPerSecond: Double
    /// CPU seconds per wall second of the two measurements.
    public var forwardCPUPerWall: Double = 0
    public var trainCPUPerWall: Double = 0
    /// Matmul.precision during the run, and the cores it was pinned to ([] = not pinned).
    public var precision: Precision = .fp32
    public var cores: [Int] = []
}

public enum BlockBenchmark {
    /// Times forward and forward + backward of a DiTBlock at [batch, tokens, dim], no key mask,
    /// random weights (gates non-zero so every branch computes), `threads` for ours and OpenBLAS.
    public static func run(config: DiTBlockConfig = DiTBlockConfig(), batch: Int = 32, tokens: Int, threads: Int,
                           seconds: Double) -> BlockBenchResult {
        Threads.configure(threads)
        let store = ParameterStore()
        let block = DiTBlock(store, "bench", config: config, maxBatch: batch, maxTokens: tokens)
        store.finalize(seed: 1)
        var g = Philox(seed: 2)
        g.fillGaussian(store.params.data, count: store.params.count)
        Kernels.scale(store.params.data, 0.02, store.params.count)
        block.threads = threads
        let d = config.dim
        let x = Tensor(shape: [batch, tokens, d]), c = Tensor(shape: [batch, d])
        let y = Tensor(shape: [batch, tokens, d]), dy = Tensor(shape: [batch, tokens, d])
        let dx = Tensor(shape: [batch, tokens, d]), dc = Tensor(shape: [batch, d])
        g.fillGaussian(x.data, count: x.count)
        g.fillGaussian(c.data, count: c.count)
        g.fillGaussian(dy.data, count: dy.count)
        let fwd = GemmBenchmark.measure(seconds: seconds) {
            block.forward(x.data, c: c.data, keyMask: nil, y.data, batch: batch, tokens: tokens)
        }
        let train = GemmBenchmark.measure(seconds: seconds) {
            block.forward(x.data, c: c.data, keyMask: nil, y.data, batch: batch, tokens: tokens)
            block.backward(dy.data, dx.data, dc: dc.data)
        }
        return BlockBenchResult(dim: d, heads: config.heads, batch: batch, tokens: tokens, threads: threads,
                                forwardSamplesPerSecond: fwd.callsPerSecond * Double(batch),
                                trainSamplesPerSecond: train.callsPerSecond * Double(batch),
                                forwardCPUPerWall: fwd.cpuPerWall, trainCPUPerWall: train.cpuPerWall,
                                precision: Matmul.precision.effective)
    }
}
