// Bench.swift: `diptych bench`, sgemm throughput through our matmul API against raw cblas_sgemm, and
// one adaLN-Zero DiT block (d=256, 4 heads, batch 32) forward and forward+backward samples/s, at one
// thread and at --threads. Compare with scripts/bench_torch.py (the same block in PyTorch).
import ArgumentParser
import Core
import Foundation
import NN

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure sgemm and DiT block throughput at 1 and --threads threads.")

    @OptionGroup var common: CommonOptions

    @Flag(name: .long, help: "A short run (T=64 only, short timings).")
    var quick = false

    @Option(name: .long, help: "Seconds per measurement (default 2, or 0.5 with --quick).")
    var seconds: Double?

    func validate() throws {
        if let s = seconds, !(s > 0 && s <= 60) { throw ValidationError("--seconds must be in (0, 60]") }
    }

    func run() throws {
        let secs = seconds ?? (quick ? 0.5 : 2)
        let threadCounts = Array(Set([1, common.threads])).sorted()
        let shapes = quick ? [(2048, 768, 256), (2048, 256, 1024)]
                           : [(2048, 768, 256), (2048, 256, 256), (2048, 1024, 256), (2048, 256, 1024), (1024, 1024, 1024)]
        let tokenCounts = quick ? [64] : [64, 256]
        let coreType = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"]
        if !common.json {
            print("OpenBLAS kernel \(BLAS.coreName)" + (coreType.map { " (forced by OPENBLAS_CORETYPE=\($0))" } ?? ""))
        }
        var gemms: [GemmBenchResult] = []
        var blocks: [BlockBenchResult] = []
        for t in threadCounts {
            for (m, n, k) in shapes {
                let r = GemmBenchmark.run(m: m, n: n, k: k, threads: t, seconds: secs)
                gemms.append(r)
                if !common.json {
                    print(String(format: "sgemm %4dx%4dx%4d  threads %d  raw %6.1f  tensor %6.1f (%.3f)  split %6.1f (%.3f) GFLOP/s",
                                 m, n, k, t, r.raw, r.tensorAPI, r.tensorRatio, r.split, r.splitRatio))
                }
            }
        }
        for tokens in tokenCounts {
            for t in threadCounts {
                let r = BlockBenchmark.run(batch: 32, tokens: tokens, threads: t, seconds: secs)
                blocks.append(r)
                if !common.json {
                    print(String(format: "DiT block d=%d h=%d B=%d T=%d threads %d: forward %7.1f samples/s, forward+backward %7.1f samples/s",
                                 r.dim, r.heads, r.batch, r.tokens, r.threads, r.forwardSamplesPerSecond, r.trainSamplesPerSecond))
                }
            }
        }
        if common.json {
            struct Report: Codable {
                var gemm: [GemmBenchResult]; var block: [BlockBenchResult]; var blas: String; var coreTypeOverride: String?
            }
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            let data = try enc.encode(Report(gemm: gemms, block: blocks, blas: BLAS.coreName, coreTypeOverride: coreType))
            print(String(decoding: data, as: UTF8.self))
        }
    }
}
