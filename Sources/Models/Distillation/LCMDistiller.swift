// LCMDistiller.swift: latent consistency distillation of the dual-diffusion backbone (LCM, Luo et al.
// 2023, Algorithm 1: latent consistency distillation with the augmented PF-ODE; consistency models,
// Song et al. 2023). Three networks of one architecture:
//   teacher  the trained backbone, frozen, inference only;
//   student  initialised from the teacher (or grown deeper from it: studentDepth), trained; its
//            guidance-embedding slot (g_embed, zero-init in the teacher, so the student starts as the
//            teacher's conditional model) receives w;
//   target   the EMA of the student (decay 0.95), inference only;
//   ema      optionally a slower EMA of the student (samplingEMADecay), the weights exported for sampling.
// One step: per example draw grid index n, guidance w ~ U[w_min, w_max] and noise z; x = x_{t_{n+k}};
// teacher: DDIM from t_{n+k} to t_n with CFG at w (conditional and unconditional rows in one batch);
// loss = pseudo-Huber(f_student(x, t_{n+k}, w), f_target(x^_{t_n}, t_n, w)), with f = c_skip x + c_out x0^;
// backward through the student only. Optionally a small joint caption loss (masked CE on captioning
// examples, D-DiT/MDLM) keeps the text path from drifting, and the text head can be frozen.
// With config.phases > 0 the consistency function is phased (PCM, Wang et al. 2024; PhasedConsistency):
// the student maps x_{t_{n+k}} to its phase's lower edge, and the target is the target network's jump there;
// with config.teacherTargets the target is instead the teacher's guided DDIM walk to the edge, and with
// config.rolloutFraction some inputs are the student's own phased samples (LCMDistiller+TeacherWalk).
// The student (and its target and EMA) may start from other weights than the teacher's (initialStudent).
// Checkpoints hold student, target, Adam moments and the state: a resumed run equals an uninterrupted one.
import Core
import Foundation
import NN

public struct LCMStepResult: Sendable {
    public var loss: Float
    public var captionLoss: Float
    public var gradNorm: Float
    public var learningRate: Float
    /// The adversarial term's losses this step (0 when off or when fewer than 2 rows end at t = 0).
    public var discriminatorLoss: Float = 0
    public var generatorLoss: Float = 0
    /// The distribution matching term's mean |x0_fake - x0_real| and its fake score's loss (0 when off).
    public var distributionGap: Float = 0
    public var fakeScoreLoss: Float = 0
}

public final class LCMDistiller {
    public let config: LCMDistillConfig
    public let backbone: BackboneConfig
    /// The student's (and target's) architecture: the teacher's, with depth = config.studentDepth when set.
    public let studentBackbone: BackboneConfig
    public let teacher: Backbone
    public let student: Backbone
    public let target: Backbone
    public let dataset: LatentTextDataset
    public let optimizer: AdamW
    /// The sampling EMA of the student's weights (empty when samplingEMADecay is 0).
    public let samplingEMA: Tensor
    /// alpha-bar at every integer timestep of the teacher's schedule.
    public let alphasCumprod: [Double]
    /// The pseudo-Huber constant in use (huberC, scaled by the latent std when configured).
    public let huberC: Float
    /// Lower phase edges, ascending from 0 (phased distillation; [0] under LCM, unused).
    let phaseEdges: [Int]
    public private(set) var state = LCMDistillState()
    let captionBuilder: JointBatchBuilder
    var permutation: [Int] = []
    let dImage: Tensor      // [B, n] gradient of the student's image output
    let dLogits: Tensor     // [Bc, L, V] gradient of the caption logits
    let textHead: [BackboneParameters.Entry]
    /// PCM's adversarial term (config.adversarialWeight > 0), else nil.
    public let discriminator: LatentDiscriminator?
    /// The distribution matching term's fake score (config.distributionMatchingWeight > 0), else nil.
    public let fakeScore: FakeScore?
    /// The adversarial losses of the last training step.
    var adversarialLosses: (d: Float, g: Float) = (0, 0)
    public var threads = 1 {
        didSet {
            for m in [teacher, student, target] { m.threads = threads }
            optimizer.threads = threads
            discriminator?.threads = threads
            fakeScore?.threads = threads
        }
    }

    /// teacherWeights: a slab laid out like `Backbone(config: backbone).parameters.values`; initialStudent: one
    /// laid out like the student's (`studentBackbone`). The student, its target and its sampling EMA start from
    /// initialStudent when given, else from the teacher (which needs studentDepth 0 or the teacher's depth).
    public init(config: LCMDistillConfig, backbone: BackboneConfig, teacherWeights: Tensor, dataset: LatentTextDataset,
                alphasCumprod: [Double], initialStudent: Tensor? = nil) throws {
        if let problem = config.validationError(trainSteps: alphasCumprod.count) { throw DiptychError("distill config: \(problem)") }
        guard dataset.count > 0 else { throw DiptychError("the distillation set is empty") }
        guard dataset.latentCount == backbone.latentCount && dataset.textLength == backbone.textLength else {
            throw DiptychError("the dataset does not match the teacher's latent size or text length")
        }
        self.config = config
        self.backbone = backbone
        self.dataset = dataset
        self.alphasCumprod = alphasCumprod
        phaseEdges = config.phases > 0
            ? PhasedConsistency.lowerEdges(phases: config.phases, trainSteps: alphasCumprod.count, originalSteps: config.originalSteps)
            : [0]
        var sb = backbone
        if config.studentDepth > 0 { sb.depth = config.studentDepth }
        studentBackbone = sb
        guard initialStudent != nil || sb.depth == backbone.depth else {
            throw DiptychError("a student of depth \(sb.depth) needs initial weights of that depth (StudentGrowth.deepen)")
        }
        let B = config.batchSize
        teacher = try Backbone(config: backbone, maxBatch: 2 * B)
        student = try Backbone(config: sb, maxBatch: max(B, config.captionBatch))
        target = try Backbone(config: sb, maxBatch: B)
        let start = initialStudent ?? teacherWeights
        for (m, w) in [(teacher, teacherWeights), (student, start), (target, start)] {
            guard m.parameters.values.count == w.count else {
                throw DiptychError("\(w === teacherWeights ? "teacher" : "initial student") weights (\(w.count) values) do not match the backbone config")
            }
            m.parameters.values.data.update(from: w.data, count: w.count)
        }
        optimizer = AdamW(store: student.parameters.store,
                          config: AdamWConfig(beta1: config.beta1, beta2: config.beta2, eps: config.adamEpsilon,
                                              weightDecay: config.weightDecay))
        var latentStd: Float = 1
        if config.huberScaleByLatentStd {
            var s = 0.0, q = 0.0
            for v in dataset.latents { s += Double(v); q += Double(v) * Double(v) }
            let m = s / Double(dataset.latents.count)
            latentStd = Float(max(q / Double(dataset.latents.count) - m * m, 1e-12).squareRoot())
        }
        huberC = config.huberC * latentStd
        var cb = JointBatchConfig()
        cb.captionFraction = 1
        captionBuilder = JointBatchBuilder(config: cb, backbone: backbone, trainSteps: alphasCumprod.count, schedule: { t in
            let ab = alphasCumprod[min(max(Int(t.rounded()), 0), alphasCumprod.count - 1)]
            return (Float(ab.squareRoot()), Float((1 - ab).squareRoot()))
        })
        dImage = Tensor(shape: [B, backbone.latentCount])
        dLogits = Tensor(shape: [max(1, config.captionBatch), backbone.textLength, backbone.vocabSize])
        samplingEMA = Tensor(shape: [config.samplingEMADecay > 0 ? start.count : 0])
        samplingEMA.data.update(from: start.data, count: samplingEMA.count)
        textHead = student.parameters.entries.filter { $0.name.hasPrefix("text_head.") }
        discriminator = config.adversarialWeight > 0
            ? LatentDiscriminator(channels: 2 * backbone.latentChannels, size: backbone.latentSize, width: config.discriminatorWidth,
                                  maxBatch: B, seed: config.seed)
            : nil
        fakeScore = config.distributionMatchingWeight > 0
            ? try FakeScore(config: backbone, weights: teacherWeights, alphasCumprod: alphasCumprod, maxBatch: B)
            : nil
        state.datasetCount = dataset.count
        permutation = JointTrainer.permutation(count: dataset.count, seed: config.seed, epoch: 0)
    }

    func nextRows(_ count: Int) -> [Int] {
        var epoch = state.epoch, cursor = state.cursor
        defer { state.epoch = epoch; state.cursor = cursor }
        return JointTrainer.nextRows(count, permutation: &permutation, epoch: &epoch, cursor: &cursor,
                              datasetCount: dataset.count, seed: config.seed)
    }

    /// The noisy inputs of one step: per example grid index, guidance and x_{t_{n+k}}.
    struct Pairs {
        var tokens: [Int32]     // [B, L] prompts (the clean captions)
        var x: [Float]          // [B, n] x_{t_{n+k}}
        var start: [Float]      // [B] t_{n+k}
        var end: [Float]        // [B] t_n
        var guidance: [Float]   // [B] w
        var edge: [Float]       // [B] the phase's lower edge s (phased distillation; 0 under LCM)
    }

    /// The phase (1 = the highest-noise one, where sampling starts) of grid index `index`.
    func phase(ofIndex index: Int) -> Int {
        let s = LCMMath.pair(index: index, trainSteps: alphasCumprod.count, originalSteps: config.originalSteps).start
        return config.phases - phaseEdges.firstIndex(of: PhasedConsistency.edge(below: s, edges: phaseEdges))!
    }

    /// A grid index: uniform (over config.phaseSubset's phases when set), or with probability edgeFraction
    /// one of the sampler's timesteps (a phase's upper edge).
    func drawIndex(rng: inout Philox) -> Int {
        var index = rng.nextInt(below: config.originalSteps)
        while !config.phaseSubset.isEmpty && !config.phaseSubset.contains(phase(ofIndex: index)) {
            index = rng.nextInt(below: config.originalSteps)
        }
        if config.edgeFraction > 0 && rng.nextFloat() < config.edgeFraction {   // one of the sampler's timesteps
            let p = config.phaseSubset.isEmpty ? rng.nextInt(below: config.phases) + 1
                : config.phaseSubset[rng.nextInt(below: config.phaseSubset.count)]
            index = (config.originalSteps - 1) - (config.originalSteps / config.phases) * (p - 1)
        }
        return index
    }

    func draw(rows: [Int], rng: inout Philox) -> Pairs {
        let B = rows.count, n = backbone.latentCount, L = backbone.textLength, T = alphasCumprod.count
        var p = Pairs(tokens: [], x: [Float](repeating: 0, count: B * n), start: [], end: [], guidance: [], edge: [])
        var z = [Float](repeating: 0, count: n)
        for (b, row) in rows.enumerated() {
            let index = drawIndex(rng: &rng)
            let (s, e) = LCMMath.pair(index: index, trainSteps: T, originalSteps: config.originalSteps)
            let edge = PhasedConsistency.edge(below: s, edges: phaseEdges)   // 0 under LCM
            p.start.append(Float(s)); p.end.append(Float(max(e, edge))); p.edge.append(Float(edge))
            p.guidance.append(config.guidanceMin + (config.guidanceMax - config.guidanceMin) * rng.nextFloat())
            rng.fillGaussian(&z, count: n)
            let a = Float(alphasCumprod[s].squareRoot()), sg = Float((1 - alphasCumprod[s]).squareRoot())
            for j in 0..<n { p.x[b * n + j] = a * dataset.latents[row * n + j] + sg * z[j] }
            p.tokens += dataset.tokens[row * L..<(row + 1) * L]
        }
        return p
    }

    /// The LCM target of a batch: teacher's guided DDIM step x^_{t_n}, then the target network's f there.
    /// Returns (x^_{t_n} [B, n], f_target [B, n]).
    func consistencyTarget(_ p: Pairs) -> (xPrev: [Float], target: [Float]) {
        let B = p.start.count, n = backbone.latentCount, L = backbone.textLength, kind = backbone.prediction
        let null = [Int32](repeating: Int32(backbone.padToken), count: B * L)
        let both = p.x + p.x
        both.withUnsafeBufferPointer {
            teacher.forward(tokens: p.tokens + null, latents: $0.baseAddress!, times: p.start + p.start)
        }
        var xPrev = [Float](repeating: 0, count: B * n)
        let out = teacher.image.data
        p.x.withUnsafeBufferPointer { x in
            xPrev.withUnsafeMutableBufferPointer { xp in
                for b in 0..<B {
                    LCMMath.guidedDDIMStep(kind, x: x.baseAddress! + b * n, conditional: out + b * n,
                                           unconditional: out + (B + b) * n, guidance: p.guidance[b],
                                           alphaBar: alphasCumprod[Int(p.start[b])], alphaBarPrev: alphasCumprod[Int(p.end[b])],
                                           out: xp.baseAddress! + b * n, n: n)
                }
            }
        }
        var f = [Float](repeating: 0, count: B * n)
        xPrev.withUnsafeBufferPointer { xp in
            target.forward(tokens: p.tokens, latents: xp.baseAddress!, times: p.end, guidance: p.guidance)
            f.withUnsafeMutableBufferPointer { fp in
                for b in 0..<B {
                    let t = Int(p.end[b])
                    if config.phases > 0 {
                        // PCM: the target network's jump from t_n to the phase edge; at the edge, the teacher's step.
                        let s = Int(p.edge[b])
                        PhasedConsistency.jump(kind, x: xp.baseAddress! + b * n, output: target.image.data + b * n,
                                               out: fp.baseAddress! + b * n, n: n, alphaBar: alphasCumprod[t],
                                               alphaBarTo: alphasCumprod[s])
                        if t == s { (fp.baseAddress! + b * n).update(from: xp.baseAddress! + b * n, count: n) }
                    } else {
                        LCMMath.consistency(kind, x: xp.baseAddress! + b * n, output: target.image.data + b * n,
                                            out: fp.baseAddress! + b * n, n: n, alphaBar: alphasCumprod[t], timestep: Double(t),
                                            sigmaData: config.sigmaData, timestepScaling: config.timestepScaling)
                    }
                }
            }
        }
        return (xPrev, f)
    }

    /// Student forward, consistency loss and its gradient in dImage (plus, when `adversarial`, the
    /// adversarial term's, with a discriminator update). Returns the consistency loss.
    func studentLoss(_ p: Pairs, target f: [Float], adversarial: Bool = false) -> Float {
        let B = p.start.count, n = backbone.latentCount, kind = backbone.prediction
        p.x.withUnsafeBufferPointer {
            student.forward(tokens: p.tokens, latents: $0.baseAddress!, times: p.start, guidance: p.guidance)
        }
        var fs = [Float](repeating: 0, count: B * n)
        p.x.withUnsafeBufferPointer { x in
            fs.withUnsafeMutableBufferPointer { fp in
                for b in 0..<B {
                    let t = Int(p.start[b])
                    if config.phases > 0 {
                        PhasedConsistency.jump(kind, x: x.baseAddress! + b * n, output: student.image.data + b * n,
                                               out: fp.baseAddress! + b * n, n: n, alphaBar: alphasCumprod[t],
                                               alphaBarTo: alphasCumprod[Int(p.edge[b])])
                    } else {
                        LCMMath.consistency(kind, x: x.baseAddress! + b * n, output: student.image.data + b * n,
                                            out: fp.baseAddress! + b * n, n: n, alphaBar: alphasCumprod[t], timestep: Double(t),
                                            sigmaData: config.sigmaData, timestepScaling: config.timestepScaling)
                    }
                }
            }
        }
        let loss = LCMMath.pseudoHuber(prediction: fs, target: f, n: B * n, c: huberC, grad: dImage.data)
        if adversarial { adversarialLosses = adversarialTerm(student: fs, target: f, inputs: p.x, edges: p.edge) }
        // df/doutput: c_out * dx0/doutput per row (LCM), or the jump's derivative (PCM).
        for b in 0..<B {
            let t = Double(p.start[b]), ab = alphasCumprod[Int(p.start[b])]
            let k: Float
            if config.phases > 0 {
                k = PhasedConsistency.jumpDerivative(kind, alphaBar: ab, alphaBarTo: alphasCumprod[Int(p.edge[b])])
            } else {
                let co = LCMMath.boundaryScalings(timestep: t, sigmaData: config.sigmaData, timestepScaling: config.timestepScaling).out
                k = Float(co) * LCMMath.x0Derivative(kind, a: Float(ab.squareRoot()), s: Float((1 - ab).squareRoot()))
            }
            for j in 0..<n { dImage.data[b * n + j] *= k }
        }
        return loss
    }

    /// The joint caption loss on `rows` (forward + backward into the student's gradients).
    func captionLoss(rows: [Int], rng: inout Philox) -> Float {
        let bb = backbone
        let batch = captionBuilder.build(dataset, indices: rows, rng: &rng)
        batch.latents.withUnsafeBufferPointer {
            student.forward(tokens: batch.tokens, latents: $0.baseAddress!, times: batch.times)
        }
        let loss = BackboneLoss.maskedCrossEntropy(
            logits: student.logits.data, tokens: batch.tokens, targets: batch.targets, pMask: batch.pMask,
            examples: batch.captionExamples, length: bb.textLength, vocab: bb.vocabSize, maskToken: bb.maskToken,
            grad: dLogits.data)
        let w = config.captionLossWeight
        for i in 0..<rows.count * bb.textLength * bb.vocabSize { dLogits.data[i] *= w }
        student.backward(dImage: nil, dLogits: dLogits.data)
        return loss
    }

    /// One distillation step.
    @discardableResult
    public func step() -> LCMStepResult {
        var rng = Philox(seed: config.seed, stream: 0x4C43_4D44).fork(UInt64(state.step))
        let rows = nextRows(config.batchSize)
        var pairs = draw(rows: rows, rng: &rng)
        if config.rolloutFraction > 0 {
            let (marked, noise, fresh) = rolloutRows(pairs, rng: &rng)
            rollOut(&pairs, rows: marked, noise: noise, fresh: fresh)
        }
        let f = config.teacherTargets ? teacherWalk(pairs) : consistencyTarget(pairs).target
        student.parameters.zeroGrads()
        let loss = studentLoss(pairs, target: f, adversarial: discriminator != nil)
        if let d = discriminator { state.discriminatorSteps = d.optimizer.step }
        var matching: (gap: Float, fake: Float) = (0, 0)
        if let fs = fakeScore {
            matching = distributionMatchingTerm(pairs, rng: &rng)
            state.fakeScoreSteps = fs.optimizer.step
        }
        student.backward(dImage: dImage.data, dLogits: nil)
        var captionLoss: Float = 0
        if config.captionBatch > 0 {
            captionLoss = self.captionLoss(rows: Array(rows.prefix(config.captionBatch)) + nextRows(max(0, config.captionBatch - rows.count)),
                                           rng: &rng)
        }
        if config.freezeTextHead {
            for e in textHead { student.parameters.g(e.name).update(repeating: 0, count: e.count) }
        }
        let grads = student.parameters.grads
        let norm = config.gradClip > 0 ? GradientClipping.clip(grads, maxNorm: config.gradClip, threads: threads)
            : GradientClipping.globalNorm(grads, threads: threads)
        let lr = config.learningRate(at: state.step)
        optimizer.update(lr: lr)
        updateTarget()
        state.step += 1
        state.samplesSeen += config.batchSize
        return LCMStepResult(loss: loss, captionLoss: captionLoss, gradNorm: norm, learningRate: lr,
                             discriminatorLoss: adversarialLosses.d, generatorLoss: adversarialLosses.g,
                             distributionGap: matching.gap, fakeScoreLoss: matching.fake)
    }

    /// Adds wall time spent in `step` to the run's total.
    public func addSeconds(_ s: Double) { state.seconds += s }

    /// target = decay * target + (1 - decay) * student; the same for the sampling EMA, when on.
    func updateTarget() {
        let d = config.targetDecay, t = target.parameters.values.data, s = student.parameters.values.data
        for i in 0..<target.parameters.values.count { t[i] = d * t[i] + (1 - d) * s[i] }
        let e = config.samplingEMADecay, m = samplingEMA.data
        for i in 0..<samplingEMA.count { m[i] = e * m[i] + (1 - e) * s[i] }
    }

    /// The weights to sample from: the sampling EMA when on, else the student.
    public var exportWeights: Tensor { samplingEMA.count > 0 ? samplingEMA : student.parameters.values }

    /// The held-out mean consistency loss of a fixed batch (no update; for the log).
    public func evaluate(rows: [Int], seed: UInt64) -> Float {
        var rng = Philox(seed: seed, stream: 0x4556_414C)
        let pairs = draw(rows: rows, rng: &rng)
        return studentLoss(pairs, target: config.teacherTargets ? teacherWalk(pairs) : consistencyTarget(pairs).target)
    }

    // MARK: checkpoints

    /// The slabs of a checkpoint, by file stem.
    var checkpointSlabs: [(String, Tensor)] {
        var slabs = [("student", student.parameters.values), ("target", target.parameters.values),
                     ("adam_m", optimizer.m), ("adam_v", optimizer.v)]
        if samplingEMA.count > 0 { slabs.append(("ema", samplingEMA)) }
        if let d = discriminator { slabs += [("disc", d.params.params), ("disc_m", d.optimizer.m), ("disc_v", d.optimizer.v)] }
        if let f = fakeScore { slabs += [("fake", f.network.parameters.values), ("fake_m", f.optimizer.m), ("fake_v", f.optimizer.v)] }
        return slabs
    }

    /// Writes the checkpoint folder as a whole (CheckpointFolder).
    public func saveCheckpoint(to dir: String, teacherHash: String) throws {
        state.teacher = teacherHash
        try CheckpointFolder.write(checkpointSlabs.map { ($0.0 + ".f32", JointTrainer.bytes($0.1)) }
                                   + [("config.json", try DefaultedJSON.encode(config)), ("state.json", try DefaultedJSON.encode(state))],
                                   to: dir)
    }

    /// Restores a checkpoint of the same config, dataset and teacher; refuses a torn, edited or non-finite one.
    public func loadCheckpoint(from dir: String, teacherHash: String) throws {
        let slabs = checkpointSlabs
        let files = try CheckpointFolder.read(dir, names: ["state.json"] + slabs.map { $0.0 + ".f32" })
        let saved = try DefaultedJSON.decode(LCMDistillState.self, from: files["state.json"]!, defaults: LCMDistillState(),
                                             what: dir + "/state.json")
        guard saved.datasetCount == dataset.count else {
            throw DiptychError("checkpoint was distilled on \(saved.datasetCount) examples, the dataset has \(dataset.count)")
        }
        guard saved.teacher == teacherHash else {
            throw DiptychError("checkpoint was distilled from teacher \(saved.teacher), not \(teacherHash); use a new run folder")
        }
        guard (0...config.steps).contains(saved.step) else { throw DiptychError("\(dir)/state.json: step \(saved.step) is outside 0...\(config.steps)") }
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
        discriminator?.optimizer.step = saved.discriminatorSteps
        fakeScore?.optimizer.step = saved.fakeScoreSteps
        permutation = JointTrainer.permutation(count: dataset.count, seed: config.seed, epoch: state.epoch)
    }
}
