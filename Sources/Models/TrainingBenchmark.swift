// TrainingBenchmark.swift: samples/s of one joint training step of the dual-diffusion backbone
// (JointTrainer.step: batch assembly, forward, image MSE + masked CE, backward, global-norm clipping,
// AdamW, EMA) on synthetic data, for `diptych bench --training`. The peer figure is
// scripts/bench_torch_training.py (the same step in PyTorch, without the EMA and the batch assembly;
// the assembly is timed on its own here so both figures can be compared). The step's Linear products
// run in Matmul.precision (fp32, or bf16 inputs with FP32 accumulation and FP32 master weights).
import Core
import Foundation

public struct TrainingBenchResult: Codable, Sendable {
    public var width: Int
    public var depth: Int
    public var heads: Int
    public var textLength: Int
    public var imageTokens: Int
    public var vocabSize: Int
    public var batch: Int
    public var threads: Int
    public var steps: Int
    /// Median seconds of a whole JointTrainer.step.
    public var medianStepSeconds: Double
    /// Median seconds of the batch assembly alone (JointBatchBuilder.build).
    public var medianBatchSeconds: Double
    /// Median CPU seconds (all threads of the process) of a whole step: on a loaded machine the
    /// one-thread figure batch / medianStepCPUSeconds is the stable one.
    public var medianStepCPUSeconds: Double
    /// batch / medianStepSeconds.
    public var samplesPerSecond: Double
    /// batch / (medianStepSeconds - medianBatchSeconds): the part PyTorch's script times.
    public var computeSamplesPerSecond: Double
    /// batch / medianStepCPUSeconds.
    public var samplesPerCPUSecond: Double = 0
    /// Losses of the first and the last step (same seed, data and initial weights in every run, so
    /// fp32 and bf16 runs can be compared).
    public var firstLoss: Float = 0
    public var lastLoss: Float = 0
    /// Matmul.precision during the run, and the cores it was pinned to ([] = not pinned).
    public var precision: Precision = .fp32
    public var cores: [Int] = []
}

public enum TrainingBenchmark {
    /// A training config of the given backbone and batch size (the shipped run's optimizer settings).
    public static func config(backbone: BackboneConfig, batch: Int) -> JointTrainingConfig {
        var c = JointTrainingConfig()
        c.backbone = backbone
        c.batchSize = batch
        return c
    }

    /// Random latents and caption rows (lengths 4 to 15 then EOS), `count` examples.
    public static func syntheticData(_ bb: BackboneConfig, count: Int, seed: UInt64 = 3) -> LatentTextDataset {
        var rng = Philox(seed: seed)
        var z = [Float](repeating: 0, count: count * bb.latentCount)
        rng.fillGaussian(&z, count: z.count)
        var tokens: [Int32] = []
        tokens.reserveCapacity(count * bb.textLength)
        for _ in 0..<count {
            let n = 4 + rng.nextInt(below: 12)
            let caption = (0..<n).map { _ in 4 + rng.nextInt(below: bb.vocabSize - 4) }
            tokens += BackboneTrainingData.textRow(caption, config: bb)
        }
        return LatentTextDataset(latents: z, tokens: tokens, latentCount: bb.latentCount, textLength: bb.textLength)
    }

    /// The cosine schedule's alpha, sigma at timestep t of 1000.
    public static let schedule: @Sendable (Float) -> (alpha: Float, sigma: Float) = { t in
        let ab = Foundation.cos(Double(t) / 999 * Double.pi / 2)
        return (Float(ab), Float((1 - ab * ab).squareRoot()))
    }

    /// Times `steps` training steps after `warmup` ones at `threads` threads (ours and OpenBLAS's).
    public static func run(config: JointTrainingConfig, threads: Int, steps: Int, warmup: Int = 2) throws -> TrainingBenchResult {
        Threads.configure(threads)
        let bb = config.backbone
        let data = syntheticData(bb, count: max(4 * config.batchSize, 64))
        let trainer = try JointTrainer(config: config, dataset: data, trainSteps: 1000, schedule: schedule)
        trainer.threads = threads
        var stepTimes: [Double] = [], batchTimes: [Double] = [], cpuTimes: [Double] = []
        var rng = Philox(seed: 11)
        let rows = Array(0..<config.batchSize)
        var losses: [Float] = []
        for i in 0..<(warmup + steps) {
            let c0 = GemmBenchmark.cpuNow(), t0 = GemmBenchmark.now()
            losses.append(trainer.step().loss)
            let t1 = GemmBenchmark.now(), c1 = GemmBenchmark.cpuNow()
            _ = trainer.builder.build(data, indices: rows, rng: &rng)
            let t2 = GemmBenchmark.now()
            if i >= warmup { stepTimes.append(t1 - t0); batchTimes.append(t2 - t1); cpuTimes.append(c1 - c0) }
        }
        let step = median(stepTimes), build = median(batchTimes), B = Double(config.batchSize)
        return TrainingBenchResult(width: bb.width, depth: bb.depth, heads: bb.heads, textLength: bb.textLength,
                                   imageTokens: bb.imageTokens, vocabSize: bb.vocabSize, batch: config.batchSize,
                                   threads: threads, steps: steps, medianStepSeconds: step, medianBatchSeconds: build,
                                   medianStepCPUSeconds: median(cpuTimes),
                                   samplesPerSecond: B / step, computeSamplesPerSecond: B / max(step - build, 1e-9),
                                   samplesPerCPUSecond: B / max(median(cpuTimes), 1e-9),
                                   firstLoss: losses.first ?? 0, lastLoss: losses.last ?? 0,
                                   precision: Matmul.precision.effective)
    }

    static func median(_ x: [Double]) -> Double {
        let s = x.sorted()
        return s.isEmpty ? 0 : s[s.count / 2]
    }
}
