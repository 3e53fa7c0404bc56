// JointTrainer.swift: the joint training loop of the dual-diffusion backbone (D-DiT recipe, Li et al.
// 2024): every step builds one mixed batch (JointBatch), runs forward, L = L_img + lambda * L_text,
// backward, global-norm clipping, AdamW (Loshchilov & Hutter 2019) with warmup + cosine, and an EMA of
// the weights. Checkpoints hold weights, both Adam moments, the EMA, the step, the data position and the
// RNG, so a resumed run continues exactly as an uninterrupted one would.
import Core
import Foundation
import NN

public struct JointStepResult: Sendable {
    public var loss: Float
    public var imageLoss: Float
    public var textLoss: Float
    public var gradNorm: Float
    public var learningRate: Float
}

public final class JointTrainer {
    public let config: JointTrainingConfig
    public let model: Backbone
    public let dataset: LatentTextDataset
    public let builder: JointBatchBuilder
    public private(set) var state = JointTrainerState()
    public let optimizer: AdamW
    public let averaged: EMA
    /// The EMA weights, laid out like the parameter slab.
    public var ema: Tensor { averaged.shadow }
    let dImage: Tensor
    let dLogits: Tensor
    var permutation: [Int] = []
    /// Threads of our loops (and the layers').
    public var threads = 1 { didSet { model.threads = threads; optimizer.threads = threads; averaged.threads = threads } }

    public init(config: JointTrainingConfig, dataset: LatentTextDataset, trainSteps: Int,
                schedule: @escaping @Sendable (Float) -> (alpha: Float, sigma: Float)) throws {
        guard dataset.count > 0 else { throw DiptychError("the training set is empty") }
        self.config = config
        self.dataset = dataset
        model = try Backbone(config: config.backbone, maxBatch: config.batchSize, seed: config.seed)
        builder = JointBatchBuilder(config: config.batch, backbone: config.backbone, trainSteps: trainSteps, schedule: schedule)
        optimizer = AdamW(store: model.parameters.store,
                          config: AdamWConfig(beta1: config.beta1, beta2: config.beta2, eps: config.adamEpsilon,
                                              weightDecay: config.weightDecay))
        averaged = EMA(store: model.parameters.store, decay: config.emaDecay)
        dImage = Tensor(shape: [config.batchSize, config.backbone.latentCount])
        dLogits = Tensor(shape: [config.batchSize, config.backbone.textLength, config.backbone.vocabSize])
        state.datasetCount = dataset.count
        state.rng = Philox(seed: config.seed).fork(0)
        permutation = Self.permutation(count: dataset.count, seed: config.seed, epoch: 0)
    }

    /// The data order of an epoch: a Fisher-Yates shuffle from (seed, epoch).
    static func permutation(count: Int, seed: UInt64, epoch: Int) -> [Int] {
        var rng = Philox(seed: seed, stream: 0x5045_524D).fork(UInt64(epoch))
        var p = Array(0..<count)
        for i in stride(from: count - 1, to: 0, by: -1) { p.swapAt(i, rng.nextInt(below: i + 1)) }
        return p
    }

    func nextRows() -> [Int] {
        var epoch = state.epoch, cursor = state.cursor
        defer { state.epoch = epoch; state.cursor = cursor }
        return Self.nextRows(config.batchSize, permutation: &permutation, epoch: &epoch, cursor: &cursor,
                      datasetCount: dataset.count, seed: config.seed)
    }

    /// The next `count` rows of the data order: the epoch's permutation from `cursor`, moving on to the
    /// next epoch's permutation when it runs out (shared with LCMDistiller, whose state holds the same pair).
    static func nextRows(_ count: Int, permutation: inout [Int], epoch: inout Int, cursor: inout Int,
                         datasetCount: Int, seed: UInt64) -> [Int] {
        var rows: [Int] = []
        while rows.count < count {
            if cursor >= permutation.count {
                epoch += 1
                cursor = 0
                permutation = Self.permutation(count: datasetCount, seed: seed, epoch: epoch)
            }
            rows.append(permutation[cursor])
            cursor += 1
        }
        return rows
    }

    /// One optimisation step.
    @discardableResult
    public func step() -> JointStepResult {
        let cfg = config, bb = cfg.backbone
        let started = DispatchTime.now().uptimeNanoseconds
        var rng = state.rng
        let batch = builder.build(dataset, indices: nextRows(), rng: &rng)
        let B = batch.times.count
        batch.latents.withUnsafeBufferPointer {
            model.forward(tokens: batch.tokens, latents: $0.baseAddress!, times: batch.times)
        }
        let imageLoss = batch.imageTargets.withUnsafeBufferPointer {
            BackboneLoss.imageMSE(prediction: model.image.data, target: $0.baseAddress!, weights: batch.imageWeights,
                                  perExample: bb.latentCount, grad: dImage.data)
        }
        let textLoss = BackboneLoss.maskedCrossEntropy(
            logits: model.logits.data, tokens: batch.tokens, targets: batch.targets, pMask: batch.pMask,
            examples: batch.captionExamples, length: bb.textLength, vocab: bb.vocabSize, maskToken: bb.maskToken,
            grad: dLogits.data)
        let lambda = cfg.textLossWeight
        for i in 0..<B * bb.textLength * bb.vocabSize { dLogits.data[i] *= lambda }
        model.parameters.zeroGrads()
        model.backward(dImage: dImage.data, dLogits: dLogits.data)
        let norm = cfg.gradClip > 0 ? GradientClipping.clip(model.parameters.grads, maxNorm: cfg.gradClip, threads: threads)
            : GradientClipping.globalNorm(model.parameters.grads, threads: threads)
        let lr = cfg.learningRate(at: state.step)
        optimizer.update(lr: lr)
        let s = Float(state.step)
        averaged.decay = min(cfg.emaDecay, (1 + s) / (10 + s))
        averaged.update()
        state.step += 1
        state.samplesSeen += B
        state.rng = Philox(seed: cfg.seed).fork(UInt64(state.step))
        state.seconds += Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        return JointStepResult(loss: imageLoss + lambda * textLoss, imageLoss: imageLoss, textLoss: textLoss,
                               gradNorm: norm, learningRate: lr)
    }

    // MARK: checkpoints

    /// Writes the checkpoint folder `dir` as a whole (CheckpointFolder): state.json, config.json and the
    /// four slabs (weights, Adam m and v, EMA) as raw float32.
    public func saveCheckpoint(to dir: String) throws {
        try CheckpointFolder.write([
            ("weights.f32", Self.bytes(model.parameters.values)), ("adam_m.f32", Self.bytes(optimizer.m)),
            ("adam_v.f32", Self.bytes(optimizer.v)), ("ema.f32", Self.bytes(ema)),
            ("config.json", try DefaultedJSON.encode(config)), ("state.json", try DefaultedJSON.encode(state)),
        ], to: dir)
    }

    /// Restores a checkpoint written by `saveCheckpoint` for the same config and dataset; refuses a torn,
    /// edited or non-finite one.
    public func loadCheckpoint(from dir: String) throws {
        let slabs = [("weights", model.parameters.values), ("adam_m", optimizer.m), ("adam_v", optimizer.v), ("ema", ema)]
        let files = try CheckpointFolder.read(dir, names: ["state.json"] + slabs.map { $0.0 + ".f32" })
        let saved = try DefaultedJSON.decode(JointTrainerState.self, from: files["state.json"]!, defaults: JointTrainerState(),
                                             what: dir + "/state.json")
        guard saved.datasetCount == dataset.count else {
            throw DiptychError("checkpoint was trained on \(saved.datasetCount) examples, the dataset has \(dataset.count)")
        }
        if let p = saved.problem(steps: config.steps) { throw DiptychError("\(dir)/state.json: \(p)") }
        for (name, t) in slabs {
            let data = files[name + ".f32"]!
            guard data.count == t.count * 4 else { throw DiptychError("\(dir)/\(name).f32 does not match the model size") }
            data.withUnsafeBytes { t.data.update(from: $0.bindMemory(to: Float.self).baseAddress!, count: t.count) }
            for i in 0..<t.count where !t.data[i].isFinite {
                throw DiptychError("\(dir)/\(name).f32 holds NaN or Inf: the checkpoint is broken; start a new run folder")
            }
        }
        state = saved
        optimizer.step = saved.step
        permutation = Self.permutation(count: dataset.count, seed: config.seed, epoch: state.epoch)
    }

    /// Starts a new run from existing weights (a shipped bundle's backbone, laid out like
    /// `model.parameters.values`): the weights and the EMA both take them, Adam's moments stay zero.
    /// Not a resume: the data order, step count and learning-rate schedule start afresh.
    public func initialize(weights: Tensor) throws {
        guard state.step == 0 else { throw DiptychError("initialize(weights:) is for a run at step 0") }
        guard weights.count == model.parameters.values.count else {
            throw DiptychError("initial weights (\(weights.count) values) do not match the backbone config")
        }
        model.parameters.values.data.update(from: weights.data, count: weights.count)
        ema.data.update(from: weights.data, count: weights.count)
    }

    static func bytes(_ t: Tensor) -> Data { Data(bytes: t.data, count: t.count * 4) }
}
