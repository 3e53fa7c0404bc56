// BF16Benchmark.swift: our bfloat16 GEMM against OpenBLAS sgemm on the Linear products of one
// training step of the backbone (forward A Wᵀ, input gradient dY W, weight gradient dYᵀ X), in
// GFLOP/s by wall time with CPU/wall beside it, for `diptych bench`. Each pair is interleaved a
// few times and each side keeps its best, so a noisy neighbour hurts both alike.
import Foundation

public struct BF16GemmBenchResult: Codable, Sendable {
    /// Which product: "qkv fwd", "fc1 dW", ...
    public var name: String
    public var transA: Bool
    public var transB: Bool
    public var m: Int
    public var n: Int
    public var k: Int
    public var threads: Int
    /// OpenBLAS cblas_sgemm at `threads` threads.
    public var sgemm: Double
    /// BF16GEMM (its rows split over `threads` of ours).
    public var bf16: Double
    public var sgemmCPUPerWall: Double
    public var bf16CPUPerWall: Double
    /// Largest |C - C_ref| / sum_p |a_p b_p| of the bf16 result over a few rows (float64 reference
    /// of the unrounded inputs): about 2^-8 for bf16 inputs.
    public var bf16MaxRelativeError: Double
    public var cores: [Int] = []
    public var ratio: Double { bf16 / sgemm }
    /// The ratio of GFLOP per CPU second: on a loaded machine, the figure that time-sharing disturbs least.
    public var cpuRatio: Double { (bf16 / max(bf16CPUPerWall, 1e-9)) / (sgemm / max(sgemmCPUPerWall, 1e-9)) }
    public var gflop: Double { 2 * Double(m) * Double(n) * Double(k) * 1e-9 }
}

public enum BF16Benchmark {
    public struct Shape: Sendable {
        public var name: String
        public var transA: Bool, transB: Bool
        public var m: Int, n: Int, k: Int
    }

    /// The Linear products of one training step: rows = batch x tokens, `textRows` for the text head.
    public static func trainingShapes(rows: Int, textRows: Int, width: Int, mlp: Int, vocab: Int) -> [Shape] {
        var out: [Shape] = []
        for (layer, fanIn, fanOut, r) in [("qkv", width, 3 * width, rows), ("proj", width, width, rows),
                                          ("fc1", width, mlp, rows), ("fc2", mlp, width, rows),
                                          ("text head", width, vocab, textRows)] {
            out.append(Shape(name: "\(layer) fwd", transA: false, transB: true, m: r, n: fanOut, k: fanIn))
            out.append(Shape(name: "\(layer) dX", transA: false, transB: false, m: r, n: fanIn, k: fanOut))
            out.append(Shape(name: "\(layer) dW", transA: true, transB: false, m: fanOut, n: fanIn, k: r))
        }
        return out
    }

    public static func run(_ s: Shape, threads: Int, seconds: Double) -> BF16GemmBenchResult {
        let (m, n, k) = (s.m, s.n, s.k)
        let lda = s.transA ? m : k, ldb = s.transB ? k : n
        var g = Philox(seed: 1)
        let a = Tensor(shape: [m * k]), b = Tensor(shape: [k * n]), c = Tensor(shape: [m * n])
        g.fillGaussian(a.data, count: a.count)
        g.fillGaussian(b.data, count: b.count)
        let flop = 2.0 * Double(m) * Double(n) * Double(k) * 1e-9
        Threads.configure(threads)
        var best = (sgemm: Timing(callsPerSecond: 0, cpuPerWall: 0), bf16: Timing(callsPerSecond: 0, cpuPerWall: 0))
        for _ in 0..<3 {
            let f = GemmBenchmark.measure(seconds: seconds / 3) {
                BLAS.sgemm(transA: s.transA, transB: s.transB, m: m, n: n, k: k, a: a.data, lda: lda, b: b.data,
                           ldb: ldb, c: c.data, ldc: n)
            }
            let h = GemmBenchmark.measure(seconds: seconds / 3) {
                BF16GEMM.gemm(transA: s.transA, transB: s.transB, m: m, n: n, k: k, a: a.data, lda: lda, b: b.data,
                              ldb: ldb, c: c.data, ldc: n, threads: threads)
            }
            if f.callsPerSecond > best.sgemm.callsPerSecond { best.sgemm = f }
            if h.callsPerSecond > best.bf16.callsPerSecond { best.bf16 = h }
        }
        // c holds the last bf16 result
        var worst = 0.0
        for i in Array(0..<min(4, m)) + [m - 1] {
            for j in 0..<n {
                var exact = 0.0, scale = 0.0
                for p in 0..<k {
                    let av = s.transA ? a.data[p * lda + i] : a.data[i * lda + p]
                    let bv = s.transB ? b.data[j * ldb + p] : b.data[p * ldb + j]
                    exact += Double(av) * Double(bv)
                    scale += abs(Double(av) * Double(bv))
                }
                worst = max(worst, abs(Double(c.data[i * n + j]) - exact) / max(scale, 1e-30))
            }
        }
        return BF16GemmBenchResult(name: s.name, transA: s.transA, transB: s.transB, m: m, n: n, k: k, threads: threads,
                                   sgemm: flop * best.sgemm.callsPerSecond, bf16: flop * best.bf16.callsPerSecond,
                                   sgemmCPUPerWall: best.sgemm.cpuPerWall, bf16CPUPerWall: best.bf16.cpuPerWall,
                                   bf16MaxRelativeError: worst)
    }

    /// Time-weighted ratio over a set of products: (sum of sgemm seconds) / (sum of bf16 seconds)
    /// for one call of each, i.e. the speed-up of a step's worth of these products.
    public static func overallRatio(_ results: [BF16GemmBenchResult]) -> Double {
        let f = results.reduce(0) { $0 + $1.gflop / $1.sgemm }, h = results.reduce(0) { $0 + $1.gflop / $1.bf16 }
        return h > 0 ? f / h : 0
    }

    /// The same over GFLOP per CPU second (what time-sharing with other processes disturbs least).
    public static func overallCPURatio(_ results: [BF16GemmBenchResult]) -> Double {
        let f = results.reduce(0) { $0 + $1.gflop * $1.sgemmCPUPerWall / $1.sgemm }
        let h = results.reduce(0) { $0 + $1.gflop * $1.bf16CPUPerWall / $1.bf16 }
        return h > 0 ? f / h : 0
    }
}
