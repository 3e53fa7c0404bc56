// Bench.swift: `diptych bench`. Prints the machine first (CPU model, cores, kernel, OpenBLAS's kernel
// and any OPENBLAS_CORETYPE override, whether the bf16 kernel runs), then: sgemm through our matmul
// API against raw cblas_sgemm; our bf16 GEMM against sgemm on the Linear products of a training step;
// one adaLN-Zero DiT block (d=256, 4 heads, batch 32) forward and forward+backward samples/s. Each
// thread count runs pinned to that many cores (one-thread figures on --pin-core), and every figure
// has the process's CPU time per wall second beside it. Compare with scripts/bench_torch.py.
// `--training`: samples/s of one joint training step of the backbone (default config, the shipped
// tokenizer's vocabulary, batch 64) at 1 and 2 threads, per precision; compare with
// scripts/bench_torch_training.py.
import ArgumentParser
import Core
import Foundation
import Models
import NN

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure sgemm, bf16 GEMM and DiT block throughput at 1 and --threads threads, pinned.")

    @OptionGroup var common: CommonOptions

    @Flag(name: .long, help: "A short run (T=64 only, short timings, fewer shapes).")
    var quick = false

    @Option(name: .long, help: "Seconds per measurement (default 2, or 0.5 with --quick).")
    var seconds: Double?

    @Option(name: .long, help: "Products of the model: fp32, bf16 or both (each figure is measured per precision).")
    var precision = "both"

    @Option(name: .long, help: "The core one-thread figures run on (n threads: this core and the next n-1).")
    var pinCore = 1

    @Flag(name: .long, help: "Do not pin threads to cores.")
    var noPin = false

    @Flag(name: .long, help: "Only the bf16 GEMM against sgemm on the training step's products.")
    var bf16Gemm = false

    @Flag(name: .long, help: "Time one joint training step of the backbone instead (at 1, 2 and --threads threads).")
    var training = false

    @Option(name: .long, help: "Batch size of --training (and of the bf16 GEMM section's shapes).")
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
        guard ["fp32", "bf16", "both"].contains(precision) else { throw ValidationError("--precision must be fp32, bf16 or both") }
        guard (0..<ProcessInfo.processInfo.activeProcessorCount).contains(pinCore) else {
            throw ValidationError("--pin-core must be a core of this machine (0..<\(ProcessInfo.processInfo.activeProcessorCount))")
        }
    }

    var precisions: [Precision] { precision == "both" ? [.fp32, .bf16] : [Precision(rawValue: precision)!] }

    /// Pins the process to the cores of `threads` threads (unless --no-pin); returns them.
    func pin(threads: Int) throws -> [Int] {
        if noPin { return [] }
        let cores = Affinity.cores(threads: threads, first: pinCore)
        try Affinity.pin(cores)
        return cores
    }

    func say(_ line: String) { if !common.json { print(line) } }

    func printJSON<T: Encodable>(_ value: T) throws {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        print(String(decoding: try enc.encode(value), as: UTF8.self))
    }

    func run() throws {
        let platform = CPUInfo.current
        platform.summary.forEach(say)
        say("pinning: " + (noPin ? "off" : "1 thread on core \(pinCore), n threads on \(pinCore) and the next n-1"))
        if training { return try runTraining(platform) }
        let secs = seconds ?? (quick ? 0.5 : 2)
        let threadCounts = Array(Set([1, common.threads])).sorted()
        var gemms: [GemmBenchResult] = [], bf16: [BF16GemmBenchResult] = [], blocks: [BlockBenchResult] = []
        if !bf16Gemm {
            let shapes = quick ? [(2048, 768, 256), (2048, 256, 1024)]
                               : [(2048, 768, 256), (2048, 256, 256), (2048, 1024, 256), (2048, 256, 1024), (1024, 1024, 1024)]
            for t in threadCounts {
                let cores = try pin(threads: t)
                for (m, n, k) in shapes {
                    var r = GemmBenchmark.run(m: m, n: n, k: k, threads: t, seconds: secs)
                    r.cores = cores
                    gemms.append(r)
                    say(String(format: "sgemm %4dx%4dx%4d  threads %d  raw %6.1f (cpu/wall %.2f)  tensor %6.1f (%.3f)  split %6.1f (%.3f) GFLOP/s  max rel err %.1e",
                               m, n, k, t, r.raw, r.rawCPUPerWall, r.tensorAPI, r.tensorRatio, r.split, r.splitRatio, r.maxRelativeError))
                }
            }
        }
        if precisions.contains(.bf16) || bf16Gemm {
            bf16 = try runBF16Gemm(threadCounts: threadCounts, seconds: secs)
        }
        if !bf16Gemm {
            for p in precisions {
                Matmul.precision = p
                for tokens in quick ? [64] : [64, 256] {
                    for t in threadCounts {
                        let cores = try pin(threads: t)
                        var r = BlockBenchmark.run(batch: 32, tokens: tokens, threads: t, seconds: secs)
                        r.cores = cores
                        blocks.append(r)
                        say(String(format: "DiT block d=%d h=%d B=%d T=%d threads %d %@: forward %7.1f samples/s (cpu/wall %.2f), forward+backward %7.1f samples/s (cpu/wall %.2f)",
                                   r.dim, r.heads, r.batch, r.tokens, r.threads, r.precision.rawValue, r.forwardSamplesPerSecond,
                                   r.forwardCPUPerWall, r.trainSamplesPerSecond, r.trainCPUPerWall))
                    }
                }
            }
            Matmul.precision = .fp32
        }
        if common.json {
            struct Report: Codable {
                var platform: CPUInfo; var gemm: [GemmBenchResult]; var bf16Gemm: [BF16GemmBenchResult]
                var bf16GemmOverallRatio: [String: Double]; var block: [BlockBenchResult]
                var blas: String; var coreTypeOverride: String?
            }
            var overall: [String: Double] = [:]
            for t in Set(bf16.map(\.threads)) {
                overall["threads \(t)"] = BF16Benchmark.overallRatio(bf16.filter { $0.threads == t })
                overall["threads \(t), per CPU second"] = BF16Benchmark.overallCPURatio(bf16.filter { $0.threads == t })
            }
            try printJSON(Report(platform: platform, gemm: gemms, bf16Gemm: bf16, bf16GemmOverallRatio: overall, block: blocks,
                                 blas: platform.openblasCore, coreTypeOverride: platform.openblasCoreTypeOverride))
        }
    }

    /// Our bf16 GEMM against sgemm on the Linear products of a training step of the default backbone.
    func runBF16Gemm(threadCounts: [Int], seconds: Double) throws -> [BF16GemmBenchResult] {
        let bb = BackboneConfig()
        let tokens = textLength + bb.imageTokens
        var shapes = BF16Benchmark.trainingShapes(rows: batch * tokens, textRows: batch * textLength, width: bb.width,
                                                  mlp: bb.mlpRatio * bb.width, vocab: vocab)
        if quick { shapes = shapes.filter { $0.name.hasPrefix("qkv") || $0.name.hasPrefix("fc2") } }
        var out: [BF16GemmBenchResult] = []
        for t in threadCounts {
            let cores = try pin(threads: t)
            var these: [BF16GemmBenchResult] = []
            for s in shapes {
                var r = BF16Benchmark.run(s, threads: t, seconds: seconds)
                r.cores = cores
                these.append(r)
                say(String(format: "bf16 GEMM %-14@ %@%@ %5dx%5dx%5d threads %d: sgemm %6.1f (cpu/wall %.2f, %6.1f per CPU s)  "
                           + "bf16 %6.1f (cpu/wall %.2f, %6.1f per CPU s) GFLOP/s  ratio %.2f (per CPU s %.2f)  bf16 max rel err %.1e",
                           s.name, s.transA ? "T" : "N", s.transB ? "T" : "N", s.m, s.n, s.k, t, r.sgemm, r.sgemmCPUPerWall,
                           r.sgemm / max(r.sgemmCPUPerWall, 1e-9), r.bf16, r.bf16CPUPerWall, r.bf16 / max(r.bf16CPUPerWall, 1e-9),
                           r.ratio, r.cpuRatio, r.bf16MaxRelativeError))
            }
            say(String(format: "bf16 GEMM threads %d: time-weighted ratio over these products %.2f (per CPU s %.2f)", t,
                       BF16Benchmark.overallRatio(these), BF16Benchmark.overallCPURatio(these)))
            out += these
        }
        return out
    }

    func runTraining(_ platform: CPUInfo) throws {
        var bb = BackboneConfig()
        bb.textLength = textLength
        bb.vocabSize = vocab
        let config = TrainingBenchmark.config(backbone: bb, batch: batch)
        var results: [TrainingBenchResult] = []
        for t in Array(Set([1, 2, common.threads])).sorted() {
            let cores = try pin(threads: t)
            for p in precisions {
                Matmul.precision = p
                var r = try TrainingBenchmark.run(config: config, threads: t, steps: steps)
                r.cores = cores
                results.append(r)
                say(String(format: "training step d=%d depth=%d h=%d L=%d N=%d V=%d B=%d threads %d %@ cores %@: %6.1f samples/s "
                           + "(median step %.1f ms, %.1f CPU ms = %.1f samples per CPU s; batch assembly %.1f ms; without it %6.1f samples/s; "
                           + "loss %.4f -> %.4f)",
                           r.width, r.depth, r.heads, r.textLength, r.imageTokens, r.vocabSize, r.batch, r.threads,
                           r.precision.rawValue, cores.isEmpty ? "unpinned" : cores.map(String.init).joined(separator: ","), r.samplesPerSecond,
                           r.medianStepSeconds * 1000, r.medianStepCPUSeconds * 1000, r.samplesPerCPUSecond,
                           r.medianBatchSeconds * 1000, r.computeSamplesPerSecond, r.firstLoss, r.lastLoss))
            }
        }
        Matmul.precision = .fp32
        if common.json {
            struct Report: Codable {
                var platform: CPUInfo; var training: [TrainingBenchResult]; var blas: String; var coreTypeOverride: String?
            }
            try printJSON(Report(platform: platform, training: results, blas: platform.openblasCore,
                                 coreTypeOverride: platform.openblasCoreTypeOverride))
        }
    }
}
