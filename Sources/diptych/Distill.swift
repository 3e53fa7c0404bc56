// Distill.swift: `diptych distill [train] --teacher Models/default --run runs/lcm`: latent consistency
// distillation (LCM, Luo et al. 2023) of a model bundle into a few-step student (Models' LCMDistiller).
// Builds (or reloads) the latent dataset in the run folder with the teacher's codec and tokenizer,
// resumes from the run's checkpoint, logs loss.csv + loss.png and a progress line with samples/s and
// ETA on stderr, checkpoints every few minutes and at the end, and exports the student as a bundle
// (run/model) that `diptych generate --sampler consistency` reads. With "phases": M in the config the
// distillation is phased (PCM, Wang et al. 2024) and the student samples with `--sampler phased --steps M`.
// `--init-student` starts the student from another bundle (a second stage, for example teacher-walk
// targets after plain PCM); `--until` stops at a step without changing the learning-rate schedule.
// `diptych distill compare` measures it.
import ArgumentParser
import Core
import Data
import Diffusion
import Foundation
import Media
import Models
import Studio
import DiffusionMath

struct Distill: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Few-step models: latent consistency distillation and the few-step comparison.",
        subcommands: [DistillTrain.self, DistillCompare.self], defaultSubcommand: DistillTrain.self)
}

struct DistillTrain: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "train",
                                                    abstract: "Distil a model bundle into a consistency model (LCM).")

    @OptionGroup var common: ThreadsOnly
    @Option(help: "Teacher model bundle.")
    var teacher = "Models/default"
    @Option(help: "Distillation config (JSON: {\"distill\": {...}, \"data\": {...}}; fields not given keep their defaults).")
    var config: String?
    @Option(name: .customLong("run"), help: "Run folder: dataset cache, checkpoint, loss.csv, loss.png, model/ (the student bundle; its sampling EMA when on, with the raw student in model-online/).")
    var runDir = "runs/lcm"
    @Option(help: "Start the student from this bundle's backbone (for example an earlier student) instead of the teacher's; a run that resumes from its checkpoint ignores it.")
    var initStudent: String?
    @Option(help: "Override the number of steps.")
    var steps: Int?
    @Option(help: "Stop (with a checkpoint and an export) at this step, keeping the config's learning-rate schedule.")
    var until: Int?
    @Option(help: "Stop (with a checkpoint) after this many minutes of wall time.")
    var maxMinutes: Double?

    func validate() throws {
        if let until, until < 1 { throw ValidationError("--until must be a step of at least 1") }
        if let steps, !(1...10_000_000).contains(steps) { throw ValidationError("--steps must be between 1 and 10000000") }
        if let maxMinutes, !(maxMinutes.isFinite && maxMinutes > 0) { throw ValidationError("--max-minutes must be a positive number") }
    }

    func run() throws {
        let threads = Threads.configure(common.threads)
        var file = DistillFile()
        if let config { file = try DistillFile.load(config) }
        if let steps { file.distill.steps = steps }
        if let p = file.data.problem { throw DiptychError("\(config ?? "distillation config"): \(p)") }
        let teacherModel = try BundleModel(path: teacher, threads: threads, chunk: 1)
        let bundle = teacherModel.bundle, bb = bundle.backbone.config
        file.data.imageSize = bundle.codec.imageSize
        try AtomicFile.write(DefaultedJSON.encode(file), to: runDir + "/distill.json")
        let dataset = try distillDataset(file.data, bundle: bundle, teacherHash: teacherModel.modelHash, threads: threads)

        let ckpt = runDir + "/checkpoint"
        let resuming = CheckpointFolder.exists(ckpt)
        // The student's starting weights: the teacher's or --init-student's, grown to studentDepth when deeper.
        // A resumed run takes its student from the checkpoint (the start only needs the right size then).
        var initial: Tensor?, startConfig = bb
        var studentConfig = bb
        if file.distill.studentDepth > 0 { studentConfig.depth = file.distill.studentDepth }
        if let initStudent, !resuming {
            let start = try BundleModel(path: initStudent, threads: threads, chunk: 1).bundle.backbone
            var shape = start.config
            shape.depth = bb.depth
            guard shape == bb else { throw DiptychError("\(initStudent): its backbone config differs from the teacher's beyond its depth") }
            initial = start.parameters.values
            startConfig = start.config
            log("student starts from \(initStudent)")
        }
        if startConfig.depth != studentConfig.depth {
            let from = initial ?? bundle.backbone.parameters.values
            initial = try StudentGrowth.deepen(from, config: startConfig, to: studentConfig.depth)
            if !resuming { log("student grown from \(startConfig.depth) to \(studentConfig.depth) blocks (StudentGrowth)") }
        }
        let distiller = try LCMDistiller(config: file.distill, backbone: bb, teacherWeights: bundle.backbone.parameters.values,
                                         dataset: dataset, alphasCumprod: teacherModel.schedule.alphasCumprod, initialStudent: initial)
        distiller.threads = threads
        if resuming {
            try distiller.loadCheckpoint(from: ckpt, teacherHash: teacherModel.modelHash)
            log("resumed at step \(distiller.state.step)")
        }
        let method = file.distill.phases > 0
            ? "phased consistency (PCM), \(file.distill.phases) phases" + (file.distill.teacherTargets ? ", teacher-walk targets" : "")
            : "latent consistency (LCM)"
        log(String(format: "distill: %@; teacher %@ (%@), %d parameters, batch %d (+%d captions), w in [%g, %g], k = %d, Huber c %.2e, threads %d",
                   method, teacher, teacherModel.modelHash, distiller.student.parameters.parameterCount, file.distill.batchSize,
                   file.distill.captionBatch, file.distill.guidanceMin, file.distill.guidanceMax,
                   ConsistencyMath.skip(trainSteps: teacherModel.schedule.trainSteps, originalSteps: file.distill.originalSteps),
                   distiller.huberC, threads))
        let total = file.distill.steps, last = min(total, until ?? total)
        let loop = try TrainingRunLoop(options: TrainingRunOptions(
            lastStep: last, totalSteps: total, samplesPerStep: file.distill.batchSize, logEvery: file.distill.logEvery,
            checkpointSeconds: file.distill.checkpointSeconds, maxMinutes: maxMinutes, csvPath: runDir + "/loss.csv",
            columns: ["loss", "caption_loss", "grad_norm"]))
        var latest: LCMStepResult?
        loop.describe = { step, v, lr, rate, eta in
            let adversarial = distiller.discriminator == nil || latest == nil ? ""
                : String(format: " D %.3f G %.3f", latest!.discriminatorLoss, latest!.generatorLoss)   // this step's
            let matching = distiller.fakeScore == nil || latest == nil ? ""
                : String(format: " DMD gap %.4f fake %.4f", latest!.distributionGap, latest!.fakeScoreLoss)   // this step's
            return String(format: "step %d/%d consistency %.5f caption %.4f%@ |g| %.3f lr %.2e  %.2f samples/s  ETA %@",
                          step, total, v[0], v[1], adversarial + matching, v[2], lr, rate, eta)
        }
        var csvText = ""
        loop.afterLog = { csvText = $0 }
        let export = {
            try exportStudent(distiller.exportWeights, distiller, teacher: bundle, config: file.distill,
                              to: runDir + "/model")
            if distiller.samplingEMA.count > 0 {  // the raw student beside its EMA, so the two can be compared
                try exportStudent(distiller.student.parameters.values, distiller, teacher: bundle,
                                  config: file.distill, to: runDir + "/model-online")
            }
            if !csvText.isEmpty { try AtomicFile.write(PNG.encode(lossPlot(csvText)), to: runDir + "/loss.png") }
        }
        let signals = StopSignal(notice: "stopping after this step with a checkpoint (press Ctrl-C again to quit now)")
        let outcome = try loop.run(currentStep: { distiller.state.step }, step: {
            let t0 = Date()
            let r = distiller.step()
            distiller.addSeconds(Date().timeIntervalSince(t0))
            latest = r
            return TrainingStepFigures(values: [Double(r.loss), Double(r.captionLoss), Double(r.gradNorm)],
                                       learningRate: Double(r.learningRate))
        }, checkpoint: {
            try distiller.saveCheckpoint(to: ckpt, teacherHash: teacherModel.modelHash)
            try export()
        }, progress: { _ in !signals.flag.isSet })
        guard outcome == .finished else { return }
        log(String(format: "done: step %d, %.0f s of distillation; student bundle in %@/model", distiller.state.step,
                   distiller.state.seconds, runDir))
    }

    /// Shapes scenes + optional emoji, encoded by the teacher's codec, tokenised by its tokenizer; cached.
    func distillDataset(_ spec: TrainingDataSpec, bundle: ModelBundle, teacherHash: String, threads: Int) throws -> LatentTextDataset {
        let bb = bundle.backbone.config
        let key = String(decoding: try DefaultedJSON.encode([String(decoding: try DefaultedJSON.encode(spec), as: UTF8.self),
                                                             teacherHash, "\(bb.textLength)"]), as: UTF8.self)
        if let cached = BackboneTrainingData.load(key: key, from: runDir + "/data", latentCount: bb.latentCount,
                                                  textLength: bb.textLength, vocabSize: bb.vocabSize) {
            log("dataset: \(cached.count) examples from \(runDir)/data")
            return cached
        }
        let t0 = Date()
        let scenes = BackboneTrainingData.shapesScenes(spec)
        let renderer = ShapesRenderer()
        var images = scenes.map { renderer.render($0.objects, size: spec.imageSize) }
        var captions = scenes.map(\.caption)
        let emoji = try BackboneTrainingData.emojiExamples(spec)
        images += emoji.images
        captions += emoji.captions
        let imported = try BackboneTrainingData.datasetExamples(spec)
        images += imported.images
        captions += imported.captions
        let codec = bundle.codec, tok = bundle.tokenizer
        let d = try BackboneTrainingData.build(images: images, captions: captions, config: bb,
                                               encode: { try codec.encode($0, threads: threads) }, tokenize: { tok.encode($0) })
        try BackboneTrainingData.save(d, key: key, to: runDir + "/data")
        log(String(format: "dataset: %d examples (%d shapes, %d emoji, %d from --data) built in %.1f s", d.count, scenes.count, emoji.images.count,
                   Date().timeIntervalSince(t0)))
        return d
    }
}

/// The student as a bundle: the teacher's codec, tokenizer and schedule, `weights` (the student's or its
/// sampling EMA, laid out like the student's parameters; stored as float16), consistency sampling by
/// default with the guidance embedding on.
func exportStudent(_ weights: Tensor, _ d: LCMDistiller, teacher: ModelBundle, config: LCMDistillConfig, to dir: String) throws {
    var manifest = teacher.manifest
    manifest.name = config.phases > 0 ? "pcm" : "lcm"
    manifest.backbone = "backbone.safetensors"
    manifest.tokenizer = "tokenizer.json"
    manifest.defaultSampler = config.phases > 0 ? "phased" : "consistency"
    manifest.defaultSteps = config.phases > 0 ? config.phases : 4
    manifest.phases = config.phases
    manifest.defaultCFG = min(max(teacher.manifest.defaultCFG, config.guidanceMin), config.guidanceMax)
    manifest.guidanceEmbedding = true
    manifest.consistency = ConsistencySettings(originalSteps: config.originalSteps, sigmaData: config.sigmaData,
                                               timestepScaling: config.timestepScaling)
    if manifest.autoencoder != "pool" {
        let src = teacher.path + "/" + teacher.manifest.autoencoder
        for name in try FileManager.default.contentsOfDirectory(atPath: src) {
            try AtomicFile.write(try Data(contentsOf: URL(fileURLWithPath: src + "/" + name)), to: dir + "/autoencoder/" + name)
        }
        manifest.autoencoder = "autoencoder"
    }
    try AtomicFile.write(try Data(contentsOf: URL(fileURLWithPath: teacher.path + "/" + teacher.manifest.tokenizer)),
                         to: dir + "/tokenizer.json")
    try ModelBundle.writeBackbone(weights, parameters: d.student.parameters, config: d.studentBackbone,
                                  to: dir + "/backbone.safetensors", half: true)
    try AtomicFile.write(DefaultedJSON.encode(manifest), to: dir + "/bundle.json")
}

/// loss.png from loss.csv (consistency loss, log scale).
func lossPlot(_ csv: String) -> Image {
    var points: [(x: Double, y: Double)] = []
    for line in csv.split(separator: "\n").dropFirst() {
        let f = line.split(separator: ",")
        if f.count >= 2, let s = Double(f[0]), let l = Double(f[1]), l > 0 { points.append((s, l)) }
    }
    var plot = Media.LinePlot(series: [Media.LinePlot.Series(name: "consistency loss (pseudo-Huber)", points: points)])
    plot.title = "LCM distillation"
    plot.xLabel = "step"
    plot.yLabel = "loss"
    plot.logY = true
    return plot.render()
}
