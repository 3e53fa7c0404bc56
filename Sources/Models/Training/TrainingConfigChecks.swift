// TrainingConfigChecks.swift: the bounds a training config must keep, checked before anything is
// allocated (release builds drop preconditions, so a config asking for a batch of 10^8 or a NaN
// learning rate must be refused here with a line that says the limit).
import Core

/// A small helper: nil when `value` lies in `range`, else "name value is outside lo...hi".
func outside<T: Comparable>(_ name: String, _ value: T, _ range: ClosedRange<T>) -> String? {
    range.contains(value) ? nil : "\(name) \(value) is outside \(range.lowerBound)...\(range.upperBound)"
}

func notFinite(_ name: String, _ value: Float, _ range: ClosedRange<Float>) -> String? {
    value.isFinite && range.contains(value) ? nil : "\(name) \(value) is outside \(range.lowerBound)...\(range.upperBound)"
}

extension JointTrainingConfig {
    /// Largest batch one step may take (memory grows with it: about 1 MB of activations per example).
    public static let maxBatch = 4096
    public static let maxSteps = 10_000_000

    /// nil, or what is wrong with the config.
    public var problem: String? {
        if let p = BundleChecks.problem(of: backbone) { return "backbone: \(p)" }
        let counts: [String?] = [
            outside("batchSize", batchSize, 1...Self.maxBatch), outside("steps", steps, 1...Self.maxSteps),
            outside("warmupSteps", warmupSteps, 0...Self.maxSteps), outside("logEvery", logEvery, 1...1_000_000),
            checkpointSeconds.isFinite && checkpointSeconds >= 0 ? nil : "checkpointSeconds must be at least 0",
        ]
        let rates: [String?] = [
            notFinite("learningRate", learningRate, 0...1),
            notFinite("finalLearningRateFraction", finalLearningRateFraction, 0...1),
            notFinite("beta1", beta1, 0...0.99999), notFinite("beta2", beta2, 0...0.99999999),
            notFinite("adamEpsilon", adamEpsilon, 1e-12...1), notFinite("weightDecay", weightDecay, 0...1),
            notFinite("gradClip", gradClip, 0...1e6), notFinite("emaDecay", emaDecay, 0...1),
            notFinite("textLossWeight", textLossWeight, 0...100), batch.problem,
        ]
        return (counts + rates).compactMap { $0 }.first
    }
}

extension JointBatchConfig {
    public var problem: String? {
        let found: [String?] = [
            notFinite("batch.captionFraction", captionFraction, 0...1),
            notFinite("batch.conditionDropout", conditionDropout, 0...1),
            notFinite("batch.maskEpsilon", maskEpsilon, 0...0.5), notFinite("batch.timeMean", timeMean, -10...10),
            notFinite("batch.timeStd", timeStd, 0...10), notFinite("batch.uniformTimeFraction", uniformTimeFraction, 0...1),
        ]
        return found.compactMap { $0 }.first
    }
}

extension TrainingDataSpec {
    /// Most shapes scenes a dataset may render (20,000 is the default; each is a 32x32 image).
    public static let maxShapes = 2_000_000

    public var problem: String? {
        let found: [String?] = [
            outside("data.shapes", shapes, 0...Self.maxShapes), outside("data.imageSize", imageSize, 8...512),
            outside("data.emojiRepeat", emojiRepeat, 0...100),
            outside("data.datasets count", datasets.count, 0...16),
        ] + datasets.map { outside("data.datasets repeat of \($0.path)", $0.repeat, 1...100) }
        return found.compactMap { $0 }.first
    }
}
