// JointTrainingConfig.swift: every knob of joint dual-diffusion training (D-DiT recipe, Li et al.
// 2024): architecture, batch mix, AdamW (Loshchilov & Hutter 2019) with linear warmup and cosine decay,
// gradient clipping, EMA of the weights, the text-loss weight lambda, seed and checkpoint cadence.
// Decode with DefaultedJSON so config files list only what they change.
import Core
import NN
import Foundation

public struct JointTrainingConfig: Codable, Equatable, Sendable {
    public var backbone = BackboneConfig()
    public var batch = JointBatchConfig()
    public var batchSize = 64
    public var steps = 3000
    public var learningRate: Float = 3e-4
    public var warmupSteps = 100
    /// The cosine decays to learningRate * finalLearningRateFraction at `steps`.
    public var finalLearningRateFraction: Float = 0.1
    public var beta1: Float = 0.9
    public var beta2: Float = 0.99
    public var adamEpsilon: Float = 1e-8
    /// Decoupled weight decay on matrices (not on biases, embeddings or positions).
    public var weightDecay: Float = 0.01
    /// Global gradient-norm clip (0 = off).
    public var gradClip: Float = 1
    /// EMA decay (warmed up as min(decay, (1 + step) / (10 + step))).
    public var emaDecay: Float = 0.999
    /// lambda in L = L_img + lambda * L_text.
    public var textLossWeight: Float = 0.5
    public var seed: UInt64 = 1
    /// Seconds between checkpoints (and always at the end).
    public var checkpointSeconds: Double = 180
    /// Steps between log lines / CSV rows.
    public var logEvery = 10

    public init() {}

    /// Learning rate at `step` (0-based): linear warmup, then cosine to the final fraction.
    public func learningRate(at step: Int) -> Float {
        LRSchedule(peak: learningRate, warmupSteps: warmupSteps, totalSteps: steps,
                   minimum: learningRate * finalLearningRateFraction).rate(at: step)
    }
}

/// Where a run is: enough to resume exactly (the per-step randomness is derived from the seed and the
/// step, and the data order from the seed and the epoch).
public struct JointTrainerState: Codable, Equatable, Sendable {
    public var step = 0
    public var epoch = 0
    /// Position in the epoch's permutation.
    public var cursor = 0
    public var samplesSeen = 0
    /// Training seconds spent so far (over all sessions of the run).
    public var seconds: Double = 0
    /// The generator of the next step's batch (derived: Philox(seed).fork(step)); saved for inspection.
    public var rng = Philox(seed: 0)
    public var datasetCount = 0
    public init() {}
}

extension JointTrainerState {
    /// nil, or why a saved state cannot be this run's (a step outside the schedule, a cursor outside
    /// the dataset, negative counters).
    public func problem(steps: Int) -> String? {
        if step < 0 || step > steps { return "step \(step) is outside 0...\(steps)" }
        if epoch < 0 || cursor < 0 || cursor > datasetCount || samplesSeen < 0 { return "epoch, cursor or samplesSeen out of range" }
        if !(seconds.isFinite && seconds >= 0) { return "seconds \(seconds) is not a duration" }
        return nil
    }
}
