// TrainBackbone.swift: `diptych train backbone --config FILE [--run DIR]`: joint dual-diffusion training
// of the backbone (text-to-image + captioning in every batch; D-DiT recipe). Builds (or reloads) the
// latent dataset in the run folder, resumes from the run's checkpoint when there is one, logs a loss CSV
// and a progress line with samples/s and ETA on stderr, and checkpoints every few minutes and at the end.
import ArgumentParser
import Core
import Data
import Foundation
import Media
import Models

/// The file given to --config. Every field is optional (DefaultedJSON).
struct TrainBackboneFile: Codable {
    var train = JointTrainingConfig()
    var data = TrainingDataSpec()
    /// "pool": the stand-in average-pool autoencoder.
    var autoencoder = "pool"
}

struct TrainBackbone: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "backbone",
                                                    abstract: "Train the dual-diffusion backbone (joint text-to-image and captioning).")

    @OptionGroup var common: CommonOptions
    @Option(name: .long, help: "Training config (JSON; fields not given keep their defaults).")
    var config: String?
    @Option(name: .customLong("run"), help: "Run folder: dataset cache, checkpoint, loss.csv.")
    var runDir = "runs/backbone"
    @Option(name: .long, help: "Override the number of steps.")
    var steps: Int?
    @Option(name: .long, help: "Stop (with a checkpoint) after this many minutes of wall time.")
    var maxMinutes: Double?

    func run() throws {
        Threads.configure(common.threads)
        var file = TrainBackboneFile()
        if let config {
            guard let data = FileManager.default.contents(atPath: config) else { throw DiptychError("cannot read \(config)") }
            file = try DefaultedJSON.decode(TrainBackboneFile.self, from: data, defaults: TrainBackboneFile())
        }
        if let steps { file.train.steps = steps }
        guard file.autoencoder == "pool" else { throw DiptychError("unknown autoencoder \(file.autoencoder)") }

        let tokenizer = WordTokenizer()
        file.train.backbone.vocabSize = tokenizer.vocabSize
        file.train.backbone.padToken = 0; file.train.backbone.maskToken = 1; file.train.backbone.eosToken = 2
        file.train.backbone.latentChannels = 3
        file.train.backbone.latentSize = file.data.imageSize / 4
        let bb = file.train.backbone
        try AtomicFile.write(DefaultedJSON.encode(file), to: runDir + "/train.json")

        // Dataset (cached in the run folder).
        let scenes = BackboneTrainingData.shapesScenes(file.data)
        let renderer = ShapesRenderer()
        var ae = PoolAutoencoder()
        let key = String(decoding: try DefaultedJSON.encode([try DefaultedJSON.encode(file.data).base64EncodedString(),
                                                              file.autoencoder, "\(bb.textLength)", "words"]), as: UTF8.self)
        let dataset: LatentTextDataset
        if let cached = BackboneTrainingData.load(key: key, from: runDir + "/data", latentCount: bb.latentCount, textLength: bb.textLength) {
            dataset = cached
            log("dataset: \(dataset.count) examples from \(runDir)/data")
        } else {
            let t0 = Date()
            let images = scenes.map { renderer.render($0.objects, size: file.data.imageSize) }
            ae.fit(Array(images.prefix(2000)))
            dataset = try BackboneTrainingData.build(images: images, captions: scenes.map(\.caption), config: bb,
                                                     encode: { $0.flatMap { ae.encode($0) } }, tokenize: { tokenizer.encode($0) })
            try BackboneTrainingData.save(dataset, key: key, to: runDir + "/data")
            try AtomicFile.write(DefaultedJSON.encode(ae), to: runDir + "/data/autoencoder.json")
            log(String(format: "dataset: %d examples built in %.1f s", dataset.count, Date().timeIntervalSince(t0)))
        }

        let schedule = StandInSchedule()
        let trainer = try JointTrainer(config: file.train, dataset: dataset, trainSteps: schedule.trainSteps,
                                       schedule: { schedule.alphaSigma($0) })
        let ckpt = runDir + "/checkpoint"
        if FileManager.default.fileExists(atPath: ckpt + "/state.json") {
            try trainer.loadCheckpoint(from: ckpt)
            log("resumed at step \(trainer.state.step)")
        }
        log("backbone: \(trainer.model.parameters.parameterCount) parameters, batch \(file.train.batchSize), threads \(common.threads)")

        var csv = (try? String(contentsOfFile: runDir + "/loss.csv", encoding: .utf8)) ?? "step,loss,image_loss,text_loss,grad_norm,lr,samples_per_s\n"
        if trainer.state.step == 0 { csv = "step,loss,image_loss,text_loss,grad_norm,lr,samples_per_s\n" }
        let start = Date()
        var lastCheckpoint = Date(), windowStart = Date(), windowSamples = 0
        var acc = (loss: 0.0, img: 0.0, txt: 0.0, norm: 0.0, n: 0)
        while trainer.state.step < file.train.steps {
            let stepStart = Date()
            let r = trainer.step()
            windowSamples += file.train.batchSize
            acc.loss += Double(r.loss); acc.img += Double(r.imageLoss); acc.txt += Double(r.textLoss)
            acc.norm += Double(r.gradNorm); acc.n += 1
            let step = trainer.state.step
            if step % file.train.logEvery == 0 || step == file.train.steps {
                let rate = Double(windowSamples) / Date().timeIntervalSince(windowStart)
                let n = Double(acc.n)
                let eta = Double(file.train.steps - step) * Double(file.train.batchSize) / rate
                csv += String(format: "%d,%.5f,%.5f,%.5f,%.4f,%.3e,%.1f\n", step, acc.loss / n, acc.img / n, acc.txt / n,
                              acc.norm / n, r.learningRate, rate)
                try AtomicFile.write(csv, to: runDir + "/loss.csv")
                log(String(format: "step %d/%d loss %.4f (img %.4f, text %.4f) |g| %.3f lr %.2e  %.1f samples/s  ETA %@",
                           step, file.train.steps, acc.loss / n, acc.img / n, acc.txt / n, acc.norm / n, r.learningRate,
                           rate, formatDuration(eta)))
                acc = (0, 0, 0, 0, 0)
                windowStart = Date(); windowSamples = 0
            }
            _ = stepStart
            let timeUp = maxMinutes.map { Date().timeIntervalSince(start) > $0 * 60 } ?? false
            if Date().timeIntervalSince(lastCheckpoint) > file.train.checkpointSeconds || timeUp {
                try trainer.saveCheckpoint(to: ckpt)
                lastCheckpoint = Date()
                log("checkpoint at step \(step)")
            }
            if timeUp { log("time limit reached"); return }
        }
        try trainer.saveCheckpoint(to: ckpt)
        log("done: step \(trainer.state.step), checkpoint in \(ckpt)")
    }
}

func log(_ s: String) { FileHandle.standardError.write(Data((s + "\n").utf8)) }

func formatDuration(_ s: Double) -> String {
    guard s.isFinite else { return "?" }
    let t = Int(s)
    return t >= 3600 ? String(format: "%dh%02dm", t / 3600, t / 60 % 60) : String(format: "%dm%02ds", t / 60, t % 60)
}

/// Stable Diffusion's scaled-linear schedule (1000 steps, betas 0.00085..0.012), alpha-bar interpolated
/// linearly between integer timesteps. Stand-in until Diffusion's NoiseSchedule is wired in.
struct StandInSchedule {
    let trainSteps = 1000
    let alphaBar: [Double]
    init() {
        var ab: [Double] = [], prod = 1.0
        for i in 0..<1000 {
            let b = (0.00085.squareRoot() + (0.012.squareRoot() - 0.00085.squareRoot()) * Double(i) / 999)
            prod *= 1 - b * b
            ab.append(prod)
        }
        alphaBar = ab
    }
    func alphaSigma(_ t: Float) -> (alpha: Float, sigma: Float) {
        let x = min(max(Double(t), 0), 999), i = min(Int(x), 998), f = x - Double(i)
        let ab = alphaBar[i] * (1 - f) + alphaBar[i + 1] * f
        return (Float(ab.squareRoot()), Float((1 - ab).squareRoot()))
    }
}
