// TrainAutoencoder.swift: `diptych train autoencoder`, trains the latent autoencoder on shapes scenes
// rendered on the fly mixed with emoji images, writes resumable checkpoints, a loss CSV and the
// final EMA model (float16 safetensors + config.json) with calibrated latent statistics.
import ArgumentParser
import Core
import Data
import Foundation
import Media
import Models

struct TrainAutoencoder: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "autoencoder",
        abstract: "Train the latent autoencoder (shapes renders + emoji images).")

    @OptionGroup var common: CommonOptions

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
    @Flag(help: "Resume from <out>/checkpoint.safetensors.")
    var resume = false
    @Option(help: "Start from the weights of this checkpoint with a fresh optimiser and schedule (fine-tuning).")
    var initFrom: String?

    func validate() throws {
        guard (4...8).contains(latentChannels) else { throw ValidationError("--latent-channels must be 4 to 8") }
        guard steps > 0, batch > 0 else { throw ValidationError("--steps and --batch must be positive") }
        guard ["shapes", "shapes+emoji"].contains(data) else { throw ValidationError("--data must be 'shapes' or 'shapes+emoji'") }
        guard parsedWidths?.count == 3 else { throw ValidationError("--widths needs three positive numbers") }
    }

    var parsedWidths: [Int]? {
        let w = widths.split(separator: ",").compactMap { Int($0) }
        return w.count == 3 && w.allSatisfy { $0 > 0 } ? w : nil
    }

    func run() throws {
        hintIfAVX2KernelForced()
        // Our loops split the batch over threads; OpenBLAS runs single-threaded inside them.
        let threads = max(1, common.threads)
        BLAS.setThreads(1)
        var images: [Image] = []
        if data.contains("emoji") {
            guard let emoji else { throw ValidationError("--data shapes+emoji needs --emoji <emoji-train.dptd>") }
            images = try AutoencoderImages.load(path: emoji, size: 32)
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
        var csv = "step,loss,grad_norm,lr,seconds\n"
        if let initFrom, !resume {
            try trainer.initialise(fromCheckpoint: initFrom)
            log("initialised from the weights of \(initFrom)")
        }
        if resume {
            try trainer.resume(from: ckpt)
            csv = LossLog.resumed(path: csvPath, header: csv, step: trainer.step)
            log("resumed at step \(trainer.step)")
        }
        log("autoencoder: \(model.parameterCount) parameters, latent \(cfg.latentShape), \(model.encoder.macsPerSample + model.decoder.macsPerSample) MACs/image forward")
        log("data: shapes renders" + (images.isEmpty ? "" : " + \(images.count) emoji images (fraction \(emojiFraction))") + "; threads \(threads), batch \(batch)")
        let start = Date()
        let firstStep = trainer.step
        var window: (loss: Double, n: Int) = (0, 0)
        while trainer.step < steps {
            let (loss, norm) = trainer.trainStep()
            let s = trainer.step
            let elapsed = Date().timeIntervalSince(start)
            csv += "\(s),\(loss),\(norm),\(tc.learningRate(at: s - 1)),\(String(format: "%.1f", elapsed))\n"
            window.loss += Double(loss); window.n += 1
            if s % logEvery == 0 || s == steps {
                let rate = Double((s - firstStep) * batch) / max(elapsed, 1e-9)
                let eta = Double((steps - s) * batch) / max(rate, 1e-9)
                log(String(format: "step %d/%d  loss %.4f  lr %.2e  %.1f samples/s  ETA %@", s, steps,
                           window.loss / Double(window.n), tc.learningRate(at: s - 1), rate, Self.duration(eta)))
                window = (0, 0)
            }
            if s % checkpointEvery == 0 || s == steps {
                try trainer.saveCheckpoint(ckpt)
                try AtomicFile.write(csv, to: csvPath)
            }
        }
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
