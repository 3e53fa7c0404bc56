// TrainBackbone.swift: `diptych train backbone --config FILE [--run DIR]`: joint dual-diffusion training
// of the backbone (text-to-image + captioning in every batch; D-DiT recipe). Builds (or reloads) the
// latent dataset in the run folder, resumes from the run's checkpoint when there is one, logs a loss CSV
// and a progress line with samples/s and ETA on stderr, and checkpoints every few minutes and at the end.
import ArgumentParser
import Core
import Diffusion
import Data
import Foundation
import Media
import Models
import Studio

struct TrainBackbone: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "backbone",
                                                    abstract: "Train the dual-diffusion backbone (joint text-to-image and captioning).")

    @OptionGroup var common: ThreadsOnly
    @Option(name: .long, help: "Training config (JSON; fields not given keep their defaults).")
    var config: String?
    @Option(name: .customLong("run"), help: "Run folder: dataset cache, checkpoint, loss.csv, model/ (the EMA bundle).")
    var runDir = "runs/backbone"
    @Option(name: .long, help: "Override the number of steps.")
    var steps: Int?
    @Option(name: .long, help: "Stop (with a checkpoint) after this many minutes of wall time.")
    var maxMinutes: Double?
    @Option(help: "Start a new run (no checkpoint yet) from this bundle's backbone weights, e.g. Models/default; the run's config must match its architecture and latent codec.")
    var initFrom: String?
    @Option(name: .customLong("data"), help: "A captioned image corpus (`diptych data import` file) to add to the mix, as PATH or PATH:REPEAT (its train split, repeated REPEAT times; repeatable).")
    var datasets: [String] = []
    @Option(help: "Arithmetic of the Linear layers' products: fp32, or bf16 (inputs rounded to bfloat16, FP32 accumulation, FP32 weights and optimizer state; float32 on a CPU without AVX512-BF16).")
    var precision: Precision = .fp32

    func validate() throws {
        if let steps, !(1...JointTrainingConfig.maxSteps).contains(steps) {
            throw ValidationError("--steps must be between 1 and \(JointTrainingConfig.maxSteps)")
        }
        if let maxMinutes, !(maxMinutes.isFinite && maxMinutes > 0) { throw ValidationError("--max-minutes must be a positive number") }
        guard !runDir.isEmpty else { throw ValidationError("--run is empty") }
    }

    func run() throws {
        let threads = Threads.configure(common.threads)
        Matmul.precision = precision
        if Matmul.precision != .fp32 {
            FileHandle.standardError.write(Data("matmul precision \(Matmul.precision.effective.rawValue)\n".utf8))
        }
        var file = TrainBackboneFile()
        if let config { file = try TrainBackboneFile.load(config) }
        if let steps { file.train.steps = steps }
        file.data.datasets += try datasets.map(DatasetMix.init(parsing:))
        if let p = file.train.problem ?? file.data.problem { throw DiptychError("\(config ?? "training config"): \(p)") }

        let tokenizer = try Tokenizer.load(from: ModelLocator.resolve(file.tokenizer))
        file.train.backbone.vocabSize = tokenizer.vocabularySize
        file.train.backbone.padToken = tokenizer.padId
        file.train.backbone.maskToken = tokenizer.maskId
        file.train.backbone.eosToken = tokenizer.eosId
        let fromCheckpoint = file.autoencoder.hasSuffix(".safetensors")
        var codec: LatentCodec = file.autoencoder == "pool" ? .pool(PoolAutoencoder())
            : .learned(fromCheckpoint ? try Autoencoder.load(checkpoint: file.autoencoder, ema: true)
                                      : try Autoencoder.load(from: file.autoencoder))
        file.train.backbone.latentChannels = codec.latentChannels
        file.train.backbone.latentSize = codec.imageSize / 4
        file.data.imageSize = codec.imageSize
        let bb = file.train.backbone
        try AtomicFile.write(DefaultedJSON.encode(file), to: runDir + "/train.json")

        // Dataset (cached in the run folder; the key covers everything it depends on).
        let key = String(decoding: try DefaultedJSON.encode(
            [String(decoding: try DefaultedJSON.encode(file.data), as: UTF8.self), file.autoencoder,
             "\(bb.textLength)", file.tokenizer, "\(tokenizer.vocabularySize)"]), as: UTF8.self)
        let dataset: LatentTextDataset
        if let cached = BackboneTrainingData.load(key: key, from: runDir + "/data", latentCount: bb.latentCount, textLength: bb.textLength, vocabSize: bb.vocabSize) {
            dataset = cached
            if case .pool = codec, let saved = FileManager.default.contents(atPath: runDir + "/data/pool.json") {
                codec = .pool(try JSONDecoder().decode(PoolAutoencoder.self, from: saved))
            }
            if case .learned(let ae) = codec, fromCheckpoint, let saved = FileManager.default.contents(atPath: runDir + "/data/autoencoder.json") {
                ae.config = try JSONDecoder().decode(AutoencoderConfig.self, from: saved)
            }
            log("dataset: \(dataset.count) examples from \(runDir)/data")
        } else {
            let t0 = Date()
            let scenes = BackboneTrainingData.shapesScenes(file.data)
            let renderer = ShapesRenderer()
            var images = scenes.map { renderer.render($0.objects, size: file.data.imageSize) }
            var captions = scenes.map(\.caption)
            let emoji = try BackboneTrainingData.emojiExamples(file.data)
            images += emoji.images
            captions += emoji.captions
            let imported = try BackboneTrainingData.datasetExamples(file.data)
            images += imported.images
            captions += imported.captions
            if case .pool(var p) = codec {
                p.fit(Array(images.prefix(2000)))
                codec = .pool(p)
                try AtomicFile.write(DefaultedJSON.encode(p), to: runDir + "/data/pool.json")
            }
            if case .learned(let ae) = codec, fromCheckpoint {
                try calibrate(ae, on: Array(images.prefix(4000)), threads: threads)
                try AtomicFile.write(DefaultedJSON.encode(ae.config), to: runDir + "/data/autoencoder.json")
            }
            let c = codec
            dataset = try BackboneTrainingData.build(images: images, captions: captions, config: bb,
                                                     encode: { try c.encode($0, threads: threads) }, tokenize: { tokenizer.encode($0) })
            try BackboneTrainingData.save(dataset, key: key, to: runDir + "/data")
            log(String(format: "dataset: %d examples (%d shapes, %d emoji, %d from --data) built in %.1f s", dataset.count, scenes.count,
                       emoji.images.count, imported.images.count, Date().timeIntervalSince(t0)))
        }
        var moments = (sum: 0.0, sq: 0.0)
        for v in dataset.latents { moments.sum += Double(v); moments.sq += Double(v * v) }
        let n = Double(dataset.latents.count), mean = moments.sum / n
        log(String(format: "latents: mean %.3f, std %.3f", mean, (moments.sq / n - mean * mean).squareRoot()))

        let schedule = file.schedule
        let trainer = try JointTrainer(config: file.train, dataset: dataset, trainSteps: schedule.trainSteps,
                                       schedule: { t in
                                           let c = schedule.coefficients(at: Double(t))
                                           return (Float(c.alpha), Float(c.s))
                                       })
        let export = { try exportBundle(trainer: trainer, file: file, codec: codec, to: runDir + "/model") }
        trainer.threads = threads
        let ckpt = runDir + "/checkpoint"
        if CheckpointFolder.exists(ckpt) {
            try trainer.loadCheckpoint(from: ckpt)
            log("resumed at step \(trainer.state.step)")
        } else if let initFrom {
            let start = try ModelBundle(path: initFrom, maxBatch: 1)
            guard start.backbone.config == file.train.backbone else {
                throw DiptychError("\(initFrom): its backbone config differs from the run's (\(file.train.backbone.width) wide, depth \(file.train.backbone.depth))")
            }
            try trainer.initialize(weights: start.backbone.parameters.values)
            log("initialized from \(initFrom)")
        }
        log("backbone: \(trainer.model.parameters.parameterCount) parameters, batch \(file.train.batchSize), threads \(common.threads)")

        let t = file.train
        let loop = try TrainingRunLoop(options: TrainingRunOptions(
            lastStep: t.steps, totalSteps: t.steps, samplesPerStep: t.batchSize, logEvery: t.logEvery,
            checkpointSeconds: t.checkpointSeconds, maxMinutes: maxMinutes, csvPath: runDir + "/loss.csv",
            columns: ["loss", "image_loss", "text_loss", "grad_norm"]))
        loop.describe = { step, v, lr, rate, eta in
            String(format: "step %d/%d loss %.4f (img %.4f, text %.4f) |g| %.3f lr %.2e  %.1f samples/s  ETA %@",
                   step, t.steps, v[0], v[1], v[2], v[3], lr, rate, eta)
        }
        var logs = 0
        loop.afterLog = { csv in
            logs += 1
            if logs % 10 == 0 || trainer.state.step == t.steps { try writeLossPlot(csv, to: runDir + "/loss.png") }
        }
        let signals = StopSignal(notice: "stopping after this step with a checkpoint (press Ctrl-C again to quit now)")
        let outcome = try loop.run(currentStep: { trainer.state.step }, step: {
            let r = trainer.step()
            return TrainingStepFigures(values: [Double(r.loss), Double(r.imageLoss), Double(r.textLoss), Double(r.gradNorm)],
                                       learningRate: Double(r.learningRate))
        }, checkpoint: {
            try trainer.saveCheckpoint(to: ckpt)
            try export()
        }, progress: { _ in !signals.flag.isSet })
        guard outcome == .finished else { return }
        log("done: step \(trainer.state.step), checkpoint in \(ckpt)")
    }
}

func log(_ s: String) { FileHandle.standardError.write(Data((s + "\n").utf8)) }

func formatDuration(_ s: Double) -> String {
    guard s.isFinite else { return "?" }
    let t = Int(s)
    return t >= 3600 ? String(format: "%dh%02dm", t / 3600, t / 60 % 60) : String(format: "%dm%02ds", t / 60, t % 60)
}

/// Sets the autoencoder's latent shift and scale so its latents have zero mean and unit variance over
/// `images` (a training checkpoint's statistics are not calibrated yet).
func calibrate(_ ae: Autoencoder, on images: [Image], threads: Int) throws {
    let z = try ae.encode(images, threads: threads)
    var s = 0.0, s2 = 0.0
    for i in 0..<z.count { let v = Double(z.data[i]); s += v; s2 += v * v }
    let mean = s / Double(z.count), std = max(1e-6, (s2 / Double(z.count) - mean * mean).squareRoot())
    ae.config.latentShift += Float(mean) / ae.config.latentScale
    ae.config.latentScale /= Float(std)
    log(String(format: "autoencoder calibrated on %d images: shift %.4f, scale %.4f", images.count,
               ae.config.latentShift, ae.config.latentScale))
}

/// loss.png from loss.csv: total, image and text losses against the step (log scale).
func writeLossPlot(_ csv: String, to path: String) throws {
    var series: [[(x: Double, y: Double)]] = [[], [], []]
    for line in csv.split(separator: "\n").dropFirst() {
        let f = line.split(separator: ",").compactMap { Double($0) }
        guard f.count >= 4 else { continue }
        for k in 0..<3 where f[k + 1] > 0 { series[k].append((f[0], f[k + 1])) }
    }
    guard series[0].count >= 2 else { return }
    let plot = LinePlot(series: [LinePlot.Series(name: "loss", points: series[0]),
                                 LinePlot.Series(name: "image (v-MSE)", points: series[1]),
                                 LinePlot.Series(name: "text (masked CE)", points: series[2])],
                        title: "joint training", xLabel: "step", yLabel: "loss", logY: true)
    try AtomicFile.write(PNG.encode(plot.render()), to: path)
}

/// Writes the EMA weights as a float16 model bundle (backbone, autoencoder, tokenizer, bundle.json).
func exportBundle(trainer: JointTrainer, file: TrainBackboneFile, codec: LatentCodec, to dir: String) throws {
    var manifest = BundleManifest()
    manifest.schedule = file.schedule
    switch codec {
    case .learned(let ae):
        try ae.save(to: dir + "/autoencoder", half: true)
    case .pool(let p):
        manifest.autoencoder = "pool"
        manifest.pool = p
    }
    try AtomicFile.write(try FileInput.read(ModelLocator.resolve(file.tokenizer)), to: dir + "/tokenizer.json")
    try ModelBundle.writeBackbone(trainer.ema, parameters: trainer.model.parameters, config: trainer.config.backbone,
                                  to: dir + "/" + manifest.backbone, half: true)
    try AtomicFile.write(DefaultedJSON.encode(manifest), to: dir + "/bundle.json")
}
