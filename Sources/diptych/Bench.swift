// Bench.swift: `diptych bench`, sgemm throughput through our matmul API against raw cblas_sgemm, and
// one adaLN-Zero DiT block (d=256, 4 heads, batch 32) forward and forward+backward samples/s, at one
// thread and at --threads. Compare with scripts/bench_torch.py (the same block in PyTorch).
// `--training`: samples/s of one joint training step of the backbone (default config, the shipped
// tokenizer's vocabulary, batch 64) at 1 and 2 threads; compare with scripts/bench_torch_training.py.
import ArgumentParser
import Core
import Foundation
import Models
import NN

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure sgemm and DiT block throughput at 1 and --threads threads.")

    @OptionGroup var common: CommonOptions

    @Flag(name: .long, help: "A short run (T=64 only, short timings).")
    var quick = false

    @Option(name: .long, help: "Seconds per measurement (default 2, or 0.5 with --quick).")
    var seconds: Double?

    @Flag(name: .long, help: "Time one joint training step of the backbone instead (at 1, 2 and --threads threads).")
    var training = false

    @Option(name: .long, help: "Batch size of --training.")
    var batch = 64

    @Option(name: .long, help: "Text length of --training (the backbone default is 24).")
    var textLength = BackboneConfig().textLength

    @Option(name: .long, help: "Vocabulary size of --training (the shipped tokenizer has 1940).")
    var vocab = 1940

    @Option(name: .long, help: "Timed steps of --training per thread count (after 2 warm-up steps).")
    var steps = 10

    func validate() throws {
        if let s = seconds, !(s > 0 && s <= 60) { throw ValidationError("--seconds must be in (0, 60]") }
        guard (1...1024).contains(batch), (1...512).contains(textLength), (8...65536).contains(vocab),
              (1...1000).contains(steps) else {
            throw ValidationError("--batch, --text-length, --vocab or --steps out of range")
        }
    }

    func run() throws {
        if training { return try runTraining() }
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
                    print(String(format: "sgemm %4dx%4dx%4d  threads %d  raw %6.1f  tensor %6.1f (%.3f)  split %6.1f (%.3f) GFLOP/s  max rel err %.1e",
                                 m, n, k, t, r.raw, r.tensorAPI, r.tensorRatio, r.split, r.splitRatio, r.maxRelativeError))
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

    func runTraining() throws {
        var bb = BackboneConfig()
        bb.textLength = textLength
        bb.vocabSize = vocab
        let config = TrainingBenchmark.config(backbone: bb, batch: batch)
        let coreType = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"]
        if !common.json {
            print("OpenBLAS kernel \(BLAS.coreName)" + (coreType.map { " (forced by OPENBLAS_CORETYPE=\($0))" } ?? ""))
        }
        var results: [TrainingBenchResult] = []
        for t in Array(Set([1, 2, common.threads])).sorted() {
            let r = try TrainingBenchmark.run(config: config, threads: t, steps: steps)
            results.append(r)
            if !common.json {
                print(String(format: "training step d=%d depth=%d h=%d L=%d N=%d V=%d B=%d threads %d: %6.1f samples/s "
                             + "(median step %.1f ms, %.1f CPU ms; batch assembly %.1f ms; without it %6.1f samples/s)",
                             r.width, r.depth, r.heads, r.textLength, r.imageTokens, r.vocabSize, r.batch, r.threads,
                             r.samplesPerSecond, r.medianStepSeconds * 1000, r.medianStepCPUSeconds * 1000,
                             r.medianBatchSeconds * 1000, r.computeSamplesPerSecond))
            }
        }
        if common.json {
            struct Report: Codable { var training: [TrainingBenchResult]; var blas: String; var coreTypeOverride: String? }
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            let data = try enc.encode(Report(training: results, blas: BLAS.coreName, coreTypeOverride: coreType))
            print(String(decoding: data, as: UTF8.self))
        }
    }
}
