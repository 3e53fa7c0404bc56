// GemmBenchmark.swift: measures sgemm throughput three ways at one shape: a raw cblas_sgemm call,
// the tensor API (Matmul.matmul) and the thread-count independent split (Matmul.gemm), so the
// overhead of our layers over OpenBLAS is a printed number. Used by `diptych bench`. Also the
// timing helpers of every benchmark: wall time (monotonic) and the process's CPU time beside it.
import CBLAS
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One measurement: calls per wall second, and the process's CPU seconds per wall second meanwhile
/// (about 1 per busy thread; below that the machine took the core away, above it spinning helpers).
public struct Timing: Codable, Sendable {
    public var callsPerSecond: Double
    public var cpuPerWall: Double
}

public struct GemmBenchResult: Codable, Sendable {
    public var m: Int
    public var n: Int
    public var k: Int
    public var threads: Int
    /// GFLOP/s of a raw cblas_sgemm call (OpenBLAS at `threads` threads).
    public var raw: Double
    /// GFLOP/s through Matmul.matmul on tensors.
    public var tensorAPI: Double
    /// GFLOP/s through Matmul.gemm (fixed row blocks on our threads, OpenBLAS at one thread).
    public var split: Double
    /// Largest |C - C_ref| / sum_k |A_ik B_jk| over the first rows, C_ref accumulated in float64: about
    /// 1e-7 for float32 arithmetic, about 1e-3 if a kernel rounded its inputs to bfloat16.
    public var maxRelativeError: Double
    /// CPU seconds per wall second of the raw calls.
    public var rawCPUPerWall: Double = 0
    /// The cores the measurement was pinned to ([] = not pinned).
    public var cores: [Int] = []
    public var tensorRatio: Double { tensorAPI / raw }
    public var splitRatio: Double { split / raw }
}

public enum GemmBenchmark {
    /// Seconds since an arbitrary origin (monotonic).
    public static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) * 1e-9 }

    /// CPU seconds used by the whole process (all its threads) so far: CLOCK_PROCESS_CPUTIME_ID.
    public static func cpuNow() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    /// Runs `body` until `seconds` have passed (after one warm-up call); calls per second and CPU/wall.
    public static func measure(seconds: Double, _ body: () -> Void) -> Timing {
        body()
        var calls = 0
        let start = now(), cpu0 = cpuNow()
        var elapsed = 0.0
        repeat {
            body()
            calls += 1
            elapsed = now() - start
        } while elapsed < seconds
        return Timing(callsPerSecond: Double(calls) / elapsed, cpuPerWall: (cpuNow() - cpu0) / elapsed)
    }

    /// Runs `body` until `seconds` have passed (after one warm-up call); returns calls per second.
    public static func rate(seconds: Double, _ body: () -> Void) -> Double { measure(seconds: seconds, body).callsPerSecond }

    /// C[m, n] = A[m, k] B[n, k]^T (the layout of a Linear forward), measured three ways.
    public static func run(m: Int, n: Int, k: Int, threads: Int, seconds: Double) -> GemmBenchResult {
        var g = Philox(seed: 1)
        let a = Tensor(shape: [m, k]), b = Tensor(shape: [n, k]), c = Tensor(shape: [m, n])
        g.fillGaussian(a.data, count: a.count)
        g.fillGaussian(b.data, count: b.count)
        let flop = 2.0 * Double(m) * Double(n) * Double(k) * 1e-9
        Threads.configure(threads)
        // Interleave the three a few times and keep each one's best, so a noisy neighbour hurts all alike.
        var raw = 0.0, api = 0.0, split = 0.0, rawCPU = 0.0
        for _ in 0..<3 {
            let r = measure(seconds: seconds / 3) {
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, blasint(m), blasint(n), blasint(k), 1, a.data,
                            blasint(k), b.data, blasint(k), 0, c.data, blasint(n))
            }
            if flop * r.callsPerSecond > raw { raw = flop * r.callsPerSecond; rawCPU = r.cpuPerWall }
            api = max(api, flop * rate(seconds: seconds / 3) { Matmul.matmul(a, b, into: c, transB: true) })
            split = max(split, flop * rate(seconds: seconds / 3) {
                Matmul.gemm(transB: true, m: m, n: n, k: k, a: a.data, lda: k, b: b.data, ldb: k, c: c.data, ldc: n,
                            threads: threads)
            })
        }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, blasint(m), blasint(n), blasint(k), 1, a.data,
                    blasint(k), b.data, blasint(k), 0, c.data, blasint(n))
        return GemmBenchResult(m: m, n: n, k: k, threads: threads, raw: raw, tensorAPI: api, split: split,
                               maxRelativeError: maxRelativeError(a: a, b: b, c: c, m: m, n: n, k: k, rows: 8),
                               rawCPUPerWall: rawCPU)
    }

    /// The accuracy check of `run`: C = A B^T against a float64 reference on the first `rows` rows.
    public static func maxRelativeError(a: Tensor, b: Tensor, c: Tensor, m: Int, n: Int, k: Int, rows: Int) -> Double {
        var worst = 0.0
        for i in 0..<min(rows, m) {
            for j in 0..<n {
                var exact = 0.0, scale = 0.0
                for p in 0..<k {
                    let prod = Double(a.data[i * k + p]) * Double(b.data[j * k + p])
                    exact += prod
                    scale += abs(prod)
                }
                worst = max(worst, abs(Double(c.data[i * n + j]) - exact) / max(scale, 1e-30))
            }
        }
        return worst
    }
}
