// TrainAutoencoder.swift: `diptych train autoencoder`, trains the latent autoencoder on shapes scenes
// rendered on the fly mixed with emoji images, writes resumable checkpoints, a loss CSV and the
// final EMA model (float16 safetensors + config.json) with calibrated latent statistics.
import ArgumentParser
import Core
import Data
import Foundation
import Media
import Models
import Studio

struct TrainAutoencoder: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "autoencoder",
        abstract: "Train the latent autoencoder (shapes renders + emoji images).")

    @OptionGroup var common: ThreadsOnly

    @Option(help: "Training data: 'shapes' or 'shapes+emoji'.")
    var data = "shapes+emoji"
    @Option(help: "Emoji dataset file (train split, from `diptych data build emoji`); needed when --data includes emoji.")
    var emoji: String?
    @Option(help: "Share of emoji images in a batch when emoji are used.")
    var emojiFraction: Float = 0.5
    @Option(help: "Optimisation steps.")
    var steps = 6000
    @Option(help: "Images per step.")
    var batch = 32
    @Option(help: "Peak learning rate.")
    var lr: Float = 2e-3
    @Option(help: "Latent channels (4 to 8).")
    var latentChannels = 8
    @Option(help: "Channels at full, half and quarter resolution, comma separated.")
    var widths = "32,64,64"
    @Option(help: "Extra loss weight on non-white pixels.")
    var inkWeight: Float = 4
    @Option(help: "Random seed (weights and data stream).")
    var seed: UInt64 = 1
    @Option(help: "Output folder (checkpoint.safetensors, loss.csv, model/).")
    var out = "Outputs/autoencoder"
    @Option(help: "Steps between checkpoints.")
    var checkpointEvery = 250
    @Option(help: "Steps between progress lines.")
    var logEvery = 25
    @Option(help: "Stop (with a checkpoint) after this many minutes of wall time; --resume continues.")
    var maxMinutes: Double?
    @Flag(help: "Resume from <out>/checkpoint.safetensors.")
    var resume = false
    @Option(help: "Start from the weights of this checkpoint with a fresh optimiser and schedule (fine-tuning).")
    var initFrom: String?

    func validate() throws {
        guard (4...8).contains(latentChannels) else { throw ValidationError("--latent-channels must be 4 to 8") }
        guard (1...10_000_000).contains(steps) else { throw ValidationError("--steps must be between 1 and 10000000") }
        guard (1...1024).contains(batch) else { throw ValidationError("--batch must be between 1 and 1024") }
        guard ["shapes", "shapes+emoji"].contains(data) else { throw ValidationError("--data must be 'shapes' or 'shapes+emoji'") }
        guard parsedWidths?.count == 3 else { throw ValidationError("--widths needs three numbers between 1 and 512") }
        guard emojiFraction.isFinite, (0...1).contains(emojiFraction) else { throw ValidationError("--emoji-fraction must be between 0 and 1") }
        guard lr.isFinite, lr > 0, lr <= 1 else { throw ValidationError("--lr must be a number in (0, 1]") }
        guard inkWeight.isFinite, (0...1000).contains(inkWeight) else { throw ValidationError("--ink-weight must be between 0 and 1000") }
        guard logEvery >= 1, checkpointEvery >= 1 else { throw ValidationError("--log-every and --checkpoint-every must be at least 1") }
        guard !out.isEmpty else { throw ValidationError("--out is empty") }
        if let maxMinutes, !(maxMinutes.isFinite && maxMinutes > 0) { throw ValidationError("--max-minutes must be a positive number") }
        if data.contains("emoji") && emoji == nil { throw ValidationError("--data shapes+emoji needs --emoji <emoji-train.dptd>") }
    }

    var parsedWidths: [Int]? {
        let w = widths.split(separator: ",").compactMap { Int($0) }
        return w.count == 3 && w.allSatisfy { (1...512).contains($0) } ? w : nil
    }

    func run() throws {
        // Our loops split the batch over threads; OpenBLAS runs single-threaded inside them.
        let threads = max(1, common.threads)
        BLAS.setThreads(1)
        var images: [Image] = []
        if data.contains("emoji") {
            images = try AutoencoderImages.load(path: emoji!, size: 32)
        }
        var cfg = AutoencoderConfig()
        cfg.latentChannels = latentChannels
        cfg.widths = parsedWidths!
        var tc = AutoencoderTrainingConfig()
        tc.steps = steps; tc.batch = batch; tc.learningRate = lr; tc.inkWeight = inkWeight; tc.seed = seed
        let model = Autoencoder(config: cfg, seed: seed)
        let source = AutoencoderImageSource(size: cfg.imageSize, images: images, imageFraction: emojiFraction)
        let trainer = AutoencoderTrainer(model: model, config: tc, source: source, threads: threads)
        let ckpt = out + "/checkpoint.safetensors", csvPath = out + "/loss.csv"
        if let initFrom, !resume {
            try trainer.initialise(fromCheckpoint: initFrom)
            log("initialised from the weights of \(initFrom)")
        }
        if resume {
            try trainer.resume(from: ckpt)
            log("resumed at step \(trainer.step)")
        }
        log("autoencoder: \(model.parameterCount) parameters, latent \(cfg.latentShape), \(model.encoder.macsPerSample + model.decoder.macsPerSample) MACs/image forward")
        log("data: shapes renders" + (images.isEmpty ? "" : " + \(images.count) emoji images (fraction \(emojiFraction))") + "; threads \(threads), batch \(batch)")
        let start = Date()
        let loop = try TrainingRunLoop(options: TrainingRunOptions(
            lastStep: steps, totalSteps: steps, samplesPerStep: batch, logEvery: logEvery, checkpointSeconds: nil,
            checkpointEvery: checkpointEvery, maxMinutes: maxMinutes, csvPath: csvPath, columns: ["loss", "grad_norm"]))
        let signals = StopSignal(notice: "stopping after this step with a checkpoint (press Ctrl-C again to quit now)")
        let outcome = try loop.run(currentStep: { trainer.step }, step: {
            let lr = tc.learningRate(at: trainer.step)
            let (loss, norm) = trainer.trainStep()
            return TrainingStepFigures(values: [Double(loss), Double(norm)], learningRate: Double(lr))
        }, checkpoint: { try trainer.saveCheckpoint(ckpt) }, progress: { _ in !signals.flag.isSet })
        guard outcome == .finished else { return }
        trainer.swapEMA()
        trainer.calibrateLatents(count: 1024, seed: seed &+ 77)
        try model.save(to: out + "/model", half: true)
        trainer.swapEMA()
        let seconds = Date().timeIntervalSince(start)
        log(String(format: "done in %@; latent shift %.4f scale %.4f; model in %@/model", Self.duration(seconds),
                   model.config.latentShift, model.config.latentScale, out))
        print(out + "/model")
    }

    static func duration(_ s: Double) -> String {
        let t = Int(s.rounded())
        return t >= 3600 ? String(format: "%dh%02dm", t / 3600, t % 3600 / 60) : String(format: "%dm%02ds", t / 60, t % 60)
    }

    func log(_ s: String) { FileHandle.standardError.write(Data((s + "\n").utf8)) }
}
