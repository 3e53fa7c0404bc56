// AutoencoderTrainer.swift: trains the latent autoencoder on pixels. Loss per value, with d = y - x
// in [-1, 1] units: w * (|d| + d^2), w = 1 + inkWeight on and within one pixel of non-white pixels
// (so thin crosses, dark colors and the gaps between objects, a small share of a shapes canvas,
// are not traded for the white background). NN's AdamW (Loshchilov & Hutter 2019) with linear
// warmup and cosine decay (LRSchedule), global-norm gradient clipping, an EMA of the weights (the
// shipped weights), resumable checkpoints.
//
// Buffers (B = batch, S = image side; P = the parameter store's slab length):
//   pixels   [B, S, S, 3]      the batch in [0, 1]
//   inkMask  [B, S, S]         scratch of the loss
//   m, v     [P]               AdamW moments (in `optimizer`)
//   ema      [P]               exponential moving average of the weights (in `average`)
import Core
import Foundation
import NN

public struct AutoencoderTrainingConfig: Codable, Equatable, Sendable {
    public var steps: Int = 6000
    public var batch: Int = 32
    public var learningRate: Float = 2e-3
    public var minLearningRate: Float = 2e-5
    public var warmup: Int = 200
    public var beta1: Float = 0.9
    public var beta2: Float = 0.99
    public var weightDecay: Float = 1e-4
    public var clip: Float = 1
    public var emaDecay: Float = 0.999
    /// Extra loss weight on pixels that are not white (any channel below 0.9).
    public var inkWeight: Float = 4
    public var seed: UInt64 = 1
    public init() {}

    /// Learning rate at `step` (0-based): linear warmup, then cosine down to minLearningRate.
    public func learningRate(at step: Int) -> Float {
        LRSchedule(peak: learningRate, warmupSteps: warmup, totalSteps: steps, minimum: minLearningRate).rate(at: step)
    }
}

public final class AutoencoderTrainer {
    public let model: Autoencoder
    public var config: AutoencoderTrainingConfig
    public let source: AutoencoderImageSource
    public private(set) var step = 0
    public let threads: Int
    let optimizer: AdamW
    let average: EMA
    /// The EMA weights (same layout as model.params.params).
    public var ema: Tensor { average.shadow }
    let pixels: Tensor
    let inkMask: Tensor
    let rng: Philox

    public init(model: Autoencoder, config: AutoencoderTrainingConfig, source: AutoencoderImageSource, threads: Int) {
        self.model = model
        self.config = config
        self.source = source
        self.threads = threads
        optimizer = AdamW(store: model.params, config: AdamWConfig(beta1: config.beta1, beta2: config.beta2, eps: 1e-8,
                                                                   weightDecay: config.weightDecay))
        average = EMA(store: model.params, decay: config.emaDecay)
        pixels = Tensor(shape: [config.batch, model.config.imageSize, model.config.imageSize, 3])
        inkMask = Tensor(shape: [config.batch, model.config.imageSize, model.config.imageSize])
        rng = Philox(seed: config.seed, stream: 0xAE)
        model.prepare(batch: config.batch, threads: threads)
    }

    /// One optimisation step on the next batch; returns (loss, gradient norm before clipping).
    @discardableResult
    public func trainStep() -> (loss: Float, gradNorm: Float) {
        let n = config.batch
        source.fill(pixels.data, batch: n, step: step, rng: rng)
        let loss = lossAndGradients(pixels: pixels.data, batch: n)
        let norm = GradientClipping.clip(model.params.grads, maxNorm: config.clip)
        optimizer.update(lr: config.learningRate(at: step))
        // EMA warmup (decay (1 + t) / (10 + t) early on), so the random init fades out quickly.
        average.decay = min(config.emaDecay, Float(1 + step) / Float(10 + step))
        average.update()
        step += 1
        return (loss, norm)
    }

    /// Forward, loss and backward for pixels [n, S, S, 3]; parameter gradients land in the slab.
    public func lossAndGradients(pixels px: UnsafePointer<Float>, batch n: Int) -> Float {
        let ae = model
        ae.params.grads.zero()
        ae.encodeRaw(pixels: px, batch: n, threads: threads)
        ae.decodeRaw(latents: ae.encoder.acts[ae.encoder.last].data, batch: n, threads: threads)
        let y = ae.decoder.acts[ae.decoder.last].data, dy = ae.decoder.grads[ae.decoder.last].data
        let loss = Self.pixelLoss(output: y, target: px, grad: dy, images: n, side: ae.config.imageSize,
                                  inkWeight: config.inkWeight, inkMask: inkMask.data)
        ae.decoder.backward(batch: n, threads: threads, inputGrad: true)
        ae.encoder.grads[ae.encoder.last].data.update(from: ae.decoder.grads[0].data, count: n * ae.latentsPerImage)
        ae.encoder.backward(batch: n, threads: threads, inputGrad: false)
        return loss
    }

    /// mean over values of w * (|d| + d^2), d = y - (2x - 1); writes d loss / d y into grad.
    /// w = 1 + inkWeight within one pixel of a non-white pixel (the ink mask dilated by 3x3), so the
    /// white gaps between nearby objects weigh as much as the objects themselves.
    /// output, grad, target: [n, S, S, 3] (target in [0, 1]); inkMask: scratch of n * S * S.
    static func pixelLoss(output y: UnsafePointer<Float>, target x: UnsafePointer<Float>, grad: UnsafeMutablePointer<Float>,
                          images n: Int, side: Int, inkWeight: Float, inkMask: UnsafeMutablePointer<Float>) -> Float {
        let hw = side * side, count = n * hw * 3
        for p in 0..<(n * hw) {
            inkMask[p] = (x[3 * p] < 0.9 || x[3 * p + 1] < 0.9 || x[3 * p + 2] < 0.9) ? 1 : 0
        }
        var total: Double = 0
        let scale = 1 / Float(count)
        for b in 0..<n {
            let mask = inkMask + b * hw
            for py in 0..<side {
                for px in 0..<side {
                    var near: Float = 0
                    for yy in max(0, py - 1)...min(side - 1, py + 1) {
                        for xx in max(0, px - 1)...min(side - 1, px + 1) { near = max(near, mask[yy * side + xx]) }
                    }
                    let w = 1 + inkWeight * near
                    let p = ((b * hw) + py * side + px) * 3
                    for c in 0..<3 {
                        let d = y[p + c] - (2 * x[p + c] - 1)
                        total += Double(w * (abs(d) + d * d))
                        grad[p + c] = w * scale * ((d > 0 ? 1 : (d < 0 ? -1 : 0)) + 2 * d)
                    }
                }
            }
        }
        return Float(total / Double(count))
    }

    // MARK: checkpoints

    /// Saves weights, EMA, moments, step and configs (float32) so training can resume exactly.
    public func saveCheckpoint(_ path: String) throws {
        let entries = model.namedTensors(model.params.params)
            + [("trainer.ema", ema), ("trainer.m", optimizer.m), ("trainer.v", optimizer.v)]
        let enc = JSONEncoder()
        enc.outputFormatting = .sortedKeys
        try SafeTensors.write(entries, to: path, dtype: .F32, metadata: [
            "config": try Autoencoder.configJSON(model.config),
            "training": String(decoding: try enc.encode(config), as: UTF8.self),
            "step": String(step),
        ])
    }

    /// Restores a checkpoint written by `saveCheckpoint` (same architecture); returns its step.
    public func resume(from path: String) throws { try load(path, keepStep: true) }

    func load(_ path: String, keepStep: Bool) throws {
        let file = try SafeTensors(path: path)
        let meta = file.metadata
        guard let json = meta["config"], let cfg = try? JSONDecoder().decode(AutoencoderConfig.self, from: Data(json.utf8)),
              cfg.latentChannels == model.config.latentChannels, cfg.widths == model.config.widths,
              cfg.encoderBlocks == model.config.encoderBlocks, cfg.decoderBlocks == model.config.decoderBlocks else {
            throw DiptychError("\(path): checkpoint of another architecture")
        }
        do {
            try model.loadTensors(file, into: model.params.params)
            for (name, t) in [("trainer.ema", ema), ("trainer.m", optimizer.m), ("trainer.v", optimizer.v)] {
                try Self.loadSlab(file, name, into: t, model: model)
            }
        } catch let e as DiptychError {
            throw DiptychError("\(path): \(e.message)")
        }
        guard let saved = Int(meta["step"] ?? ""), !keepStep || (0...config.steps).contains(saved) else {
            throw DiptychError("\(path): its step \(meta["step"] ?? "(none)") is outside 0...\(config.steps)")
        }
        for (name, t) in [("weights", model.params.params), ("trainer.ema", ema), ("trainer.m", optimizer.m), ("trainer.v", optimizer.v)] {
            for i in 0..<t.count where !t.data[i].isFinite {
                throw DiptychError("\(path): \(name) holds NaN or Inf: the checkpoint is broken")
            }
        }
        step = saved
        optimizer.step = step
    }

    /// Loads a flat slab; a slab without the store's alignment padding (checkpoints written before
    /// the trainer moved to NN's ParameterStore) is spread entry by entry.
    static func loadSlab(_ file: SafeTensors, _ name: String, into slab: Tensor, model: Autoencoder) throws {
        guard let e = file.entry(name) else { throw DiptychError("safetensors: no tensor named '\(name)'") }
        if e.count == slab.count { try file.load(name, into: slab); return }
        guard e.count == model.parameterCount else {
            throw DiptychError("safetensors: slab '\(name)' has \(e.count) values, expected \(slab.count)")
        }
        let packed = try file.floats(name)
        var k = 0
        for entry in model.params.entries {
            packed.withUnsafeBufferPointer { (slab.data + entry.param.offset).update(from: $0.baseAddress! + k, count: entry.param.count) }
            k += entry.param.count
        }
    }

    /// Loads the weights of a checkpoint as the starting weights (and EMA); moments and step
    /// start fresh, for fine-tuning on other data.
    public func initialise(fromCheckpoint path: String) throws {
        try load(path, keepStep: false)
        ema.copy(from: model.params.params)
        optimizer.m.zero(); optimizer.v.zero()
        step = 0
        optimizer.step = 0
    }

    /// Measures the latent shift (mean) and scale (1 / std) of the EMA model over `count` images
    /// drawn from the source with `seed`, and stores them in the model's config.
    public func calibrateLatents(count: Int, seed: UInt64) {
        let ae = model
        let n = min(count, config.batch)
        var sum = 0.0, sumSq = 0.0, values = 0
        let r = Philox(seed: seed, stream: 0xCA1)
        var done = 0
        while done < count {
            source.fill(pixels.data, batch: n, step: done / n, rng: r)
            ae.encodeRaw(pixels: pixels.data, batch: n, threads: threads)
            let z = ae.encoder.acts[ae.encoder.last].data
            for i in 0..<(n * ae.latentsPerImage) { let x = Double(z[i]); sum += x; sumSq += x * x }
            values += n * ae.latentsPerImage
            done += n
        }
        let mean = sum / Double(values)
        let std = max(1e-6, (sumSq / Double(values) - mean * mean).squareRoot())
        ae.config.latentShift = Float(mean)
        ae.config.latentScale = Float(1 / std)
    }

    /// Swaps the model's weights with the EMA weights (call twice to swap back).
    public func swapEMA() { average.swap() }
}
