// TrainingRunLoop.swift: the one run loop of every trainer (backbone training, distillation, the
// autoencoder): step until the last step, average the step's figures over a log window, append them
// to loss.csv (written whole, atomically), print a progress line with samples/s and ETA, checkpoint on
// a timer or every K steps, stop with a checkpoint at a time limit or when the progress handler asks,
// and refuse to go on (or to checkpoint) once the loss is not finite. The CLI commands give it their
// trainer as closures and print what it returns.
import Core
import Foundation

/// How a run ended.
public enum TrainingRunOutcome: Equatable, Sendable {
    /// The last step was reached (final checkpoint and export written).
    case finished
    /// The wall-time limit was reached (checkpoint and export written).
    case timeLimit
    /// The progress handler returned false (checkpoint and export written).
    case cancelled
}

/// What the progress handler sees after each step.
public struct TrainingProgress: Sendable {
    public var step: Int
    public var lastStep: Int
    public var samplesPerSecond: Double
    public var secondsLeft: Double
}

public struct TrainingRunOptions: Sendable {
    /// The step to stop at (the schedule's total, or an earlier --until).
    public var lastStep: Int
    /// The total in progress lines (the schedule's length).
    public var totalSteps: Int
    public var samplesPerStep: Int
    /// Steps per log window (a CSV row and a progress line); at least 1.
    public var logEvery: Int
    /// Checkpoint when this many seconds passed since the last one (nil: only by steps and at the end).
    public var checkpointSeconds: Double?
    /// Checkpoint every this many steps (nil: only by time and at the end).
    public var checkpointEvery: Int?
    /// Stop with a checkpoint after this many minutes of wall time.
    public var maxMinutes: Double?
    public var csvPath: String
    /// CSV columns after "step": the step's figures, then lr and samples_per_s.
    public var columns: [String]

    public init(lastStep: Int, totalSteps: Int, samplesPerStep: Int, logEvery: Int, checkpointSeconds: Double?,
                checkpointEvery: Int? = nil, maxMinutes: Double?, csvPath: String, columns: [String]) {
        self.lastStep = lastStep
        self.totalSteps = totalSteps
        self.samplesPerStep = samplesPerStep
        self.logEvery = logEvery
        self.checkpointSeconds = checkpointSeconds
        self.checkpointEvery = checkpointEvery
        self.maxMinutes = maxMinutes
        self.csvPath = csvPath
        self.columns = columns
    }

    /// nil, or what is wrong with the options (each bound says its limit).
    public var problem: String? {
        if lastStep < 1 || totalSteps < 1 { return "the run needs at least 1 step" }
        if logEvery < 1 { return "logEvery must be at least 1" }
        if let e = checkpointEvery, e < 1 { return "checkpointEvery must be at least 1" }
        if let s = checkpointSeconds, !(s.isFinite && s >= 0) { return "checkpointSeconds must be a number of at least 0" }
        if let m = maxMinutes, !(m.isFinite && m > 0) { return "maxMinutes must be a positive number" }
        if samplesPerStep < 1 { return "the batch must hold at least 1 sample" }
        return nil
    }
}

/// One step's figures: `values` in the order of `columns` (the first is the loss), and the learning rate.
public struct TrainingStepFigures: Sendable {
    public var values: [Double]
    public var learningRate: Double
    public init(values: [Double], learningRate: Double) {
        self.values = values
        self.learningRate = learningRate
    }
}

public final class TrainingRunLoop {
    public let options: TrainingRunOptions
    /// Where progress lines and notes go (stderr in the CLI).
    public var log: (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
    /// The progress line for a window: (step, averaged values, learning rate, samples/s, ETA text).
    public var describe: (Int, [Double], Double, Double, String) -> String
    /// Called after each CSV write with the whole CSV text (plots).
    public var afterLog: (String) throws -> Void = { _ in }

    public init(options: TrainingRunOptions) throws {
        if let p = options.problem { throw DiptychError(p) }
        self.options = options
        describe = { step, values, lr, rate, eta in
            String(format: "step %d/%d loss %.5f lr %.2e  %.1f samples/s  ETA %@", step, options.totalSteps,
                   values.first ?? .nan, lr, rate, eta)
        }
    }

    /// Runs from `currentStep()` to the last step. `step` runs one optimisation step; `checkpoint` saves
    /// the whole resumable state and exports the model; `progress` may return false to stop.
    public func run(currentStep: () -> Int, step: () throws -> TrainingStepFigures, checkpoint: () throws -> Void,
                    progress: (TrainingProgress) -> Bool = { _ in true }) throws -> TrainingRunOutcome {
        let o = options
        let header = (["step"] + o.columns + ["lr", "samples_per_s"]).joined(separator: ",") + "\n"
        var csv = LossLog.resumed(path: o.csvPath, header: header, step: currentStep())
        let start = Date()
        var lastCheckpoint = Date(), windowStart = Date(), windowSamples = 0
        var sums = [Double](repeating: 0, count: o.columns.count), n = 0
        var rate = 0.0
        while currentStep() < o.lastStep {
            let figures = try step()
            let s = currentStep()
            guard figures.values.count == o.columns.count else {
                throw DiptychError("step \(s): \(figures.values.count) figures for \(o.columns.count) columns")
            }
            if let loss = figures.values.first, !loss.isFinite {
                throw DiptychError("step \(s): the loss is \(loss) (diverged, or started from broken weights); stopped "
                                   + "without a checkpoint, so the last one written is kept")
            }
            for i in sums.indices { sums[i] += figures.values[i] }
            n += 1
            windowSamples += o.samplesPerStep
            if s % o.logEvery == 0 || s == o.lastStep {
                rate = Double(windowSamples) / max(Date().timeIntervalSince(windowStart), 1e-9)
                let mean = sums.map { $0 / Double(n) }
                let eta = Double(o.lastStep - s) * Double(o.samplesPerStep) / max(rate, 1e-9)
                csv += "\(s)," + mean.map { String(format: "%.6g", $0) }.joined(separator: ",")
                    + String(format: ",%.4e,%.2f\n", figures.learningRate, rate)
                try AtomicFile.write(csv, to: o.csvPath)
                try afterLog(csv)
                log(describe(s, mean, figures.learningRate, rate, Self.duration(eta)))
                sums = sums.map { _ in 0 }
                n = 0
                windowStart = Date()
                windowSamples = 0
            }
            let timeUp = o.maxMinutes.map { Date().timeIntervalSince(start) > $0 * 60 } ?? false
            let go = progress(TrainingProgress(step: s, lastStep: o.lastStep, samplesPerSecond: rate,
                                               secondsLeft: Double(o.lastStep - s) * Double(o.samplesPerStep) / max(rate, 1e-9)))
            let dueByTime = o.checkpointSeconds.map { Date().timeIntervalSince(lastCheckpoint) > $0 } ?? false
            let dueBySteps = o.checkpointEvery.map { s % $0 == 0 } ?? false
            if s < o.lastStep && (dueByTime || dueBySteps || timeUp || !go) {
                try checkpoint()
                lastCheckpoint = Date()
                log("checkpoint at step \(s)")
            }
            if timeUp { log("time limit reached at step \(s)"); return .timeLimit }
            if !go { log("stopped at step \(s)"); return .cancelled }
        }
        try checkpoint()
        return .finished
    }

    /// 1h02m or 3m05s.
    public static func duration(_ s: Double) -> String {
        guard s.isFinite, s >= 0 else { return "?" }
        let t = Int(min(s, 1e9).rounded())
        return t >= 3600 ? String(format: "%dh%02dm", t / 3600, t % 3600 / 60) : String(format: "%dm%02ds", t / 60, t % 60)
    }
}
