// BundleModel.swift: a loaded model bundle (Models/default by default) as a studio model: text-to-image
// through a Gaussian sampler with classifier-free guidance (Ho & Salimans 2022), captioning and text
// infilling through the LLaDA masked sampler (Nie et al. 2025), both on the one dual-diffusion backbone.
// Conforms to EvalModel, so the evaluation runs on it unchanged.
import Core
import Data
import Diffusion
import Foundation
import Media
import Models
import DiffusionMath

public final class BundleModel: EvalModel {
    public let bundle: ModelBundle
    public let schedule: NoiseSchedule
    public var threads: Int
    /// The first 10 hex digits of the backbone weights' SHA-256.
    public let modelHash: String

    /// Images per sampler batch (the backbone gets twice as many rows under CFG).
    public let chunk: Int
    /// Phase number (1 = highest noise) -> what denoises it instead of this bundle, under the phased sampler
    /// (BundleModel+PhaseRoutes). Empty: this bundle does every step.
    public var phaseRoutes: [Int: PhaseRoute] = [:]

    public init(path given: String, threads: Int = 1, chunk: Int = 16) throws {
        let path = try ModelLocator.resolve(given)
        self.chunk = max(1, chunk)
        bundle = try ModelBundle(path: path, maxBatch: 2 * max(1, chunk))
        bundle.backbone.threads = threads
        schedule = bundle.manifest.schedule
        guard ImageSamplerKind(rawValue: bundle.manifest.defaultSampler) != nil else {
            throw DiptychError("model bundle \(path): unknown defaultSampler '\(bundle.manifest.defaultSampler)'")
        }
        self.threads = threads
        modelHash = String(try SHA256.hex(file: path + "/" + bundle.manifest.backbone).prefix(10))
    }

    public var config: BackboneConfig { bundle.backbone.config }
    public var imageSize: Int { bundle.codec.imageSize }

    /// A prompt as a text row: tokens, then [EOS] fill (as in training).
    public func promptRow(_ prompt: String) -> [Int32] {
        BackboneTrainingData.textRow(bundle.tokenizer.encode(prompt), config: config)
    }

    /// Clean latents [n, C*H*W] for prompts; seeds[i] alone determines image i's noise (batches of `chunk`).
    public func generateLatents(prompts: [String], seeds: [UInt64], sampling: EvalSampling,
                                progress: SamplerProgress? = nil) throws -> Tensor {
        guard prompts.count == seeds.count else { throw DiptychError("\(prompts.count) prompts but \(seeds.count) seeds") }
        let n = config.latentCount
        let out = Tensor(shape: [prompts.count, n])
        for start in stride(from: 0, to: prompts.count, by: chunk) {
            let end = min(prompts.count, start + chunk)
            let z = try generateChunk(prompts: Array(prompts[start..<end]), seeds: Array(seeds[start..<end]),
                                      sampling: sampling, progress: progress)
            (out.data + start * n).update(from: z.data, count: (end - start) * n)
        }
        return out
    }

    /// conditioning: the chunk's known latents for img2img and inpainting (BundleModel+Editing), or nil.
    func generateChunk(prompts: [String], seeds: [UInt64], sampling: EvalSampling, progress: SamplerProgress?,
                       conditioning: ImageConditioning? = nil) throws -> Tensor {
        guard let kind = ImageSamplerKind(rawValue: sampling.sampler) else {
            throw DiptychError("unknown sampler '\(sampling.sampler)' (one of \(ImageSamplerKind.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        let denoiser = BackboneImageDenoiser(backbone: bundle.backbone, prompts: prompts.map(promptRow))
        var rng = BatchRNG(seeds: seeds)
        let noise = rng.gaussian(config.latentCount)
        let model = try routed(guided(denoiser, sampling: sampling), prompts: prompts, sampling: sampling)
        let sampler = kind.make(schedule: schedule, phasedGamma: bundle.manifest.phasedGamma,
                                consistency: bundle.manifest.consistency ?? ConsistencySettings())
        return try sampler.sample(model: model, noise: noise, steps: sampling.steps, conditioning: conditioning, rng: &rng,
                                  progress: progress)
    }

    public func generate(prompts: [String], seeds: [UInt64], sampling: EvalSampling) throws -> [Image] {
        let z = try generateLatents(prompts: prompts, seeds: seeds, sampling: sampling)
        return decode(z, count: prompts.count)
    }

    public func decode(_ z: Tensor, count: Int) -> [Image] {
        bundle.codec.decode(z.toArray(), count: count, threads: threads)
    }

    /// RGB at the model's size: alpha composited on white, gray expanded, resized by area.
    public func prepare(_ image: Image) -> Image {
        var im = image
        if im.hasAlpha { im = im.composited(onto: [Float](repeating: 1, count: im.channels - 1)) }
        if im.channels == 1 {
            im = Image(width: im.width, height: im.height, channels: 3, pixels: im.pixels.flatMap { [$0, $0, $0] })
        }
        if im.width != imageSize || im.height != imageSize { im = im.resized(width: imageSize, height: imageSize, filter: .area) }
        return im
    }

    /// Threshold decoding: 0.9 without a step count (as accurate as one token per step, in about 4
    /// calls); with a step count, a budget of that many steps at threshold 0.7 with the rest revealed at
    /// the last step (the best of the settings measured at 4 steps, Samples/distill/README.md).
    func textSampler(_ decoding: EvalCaptioning) throws -> MaskedTextSampler {
        let unmasking: TextUnmasking
        var budget: Int? = nil
        guard let strategy = CaptionStrategy(rawValue: decoding.strategy) else {
            throw DiptychError("unknown caption strategy '\(decoding.strategy)' (\(CaptionStrategy.names))")
        }
        switch strategy {
        case .lowConfidence: unmasking = .lowConfidence
        case .random: unmasking = .random
        case .threshold:
            unmasking = .threshold(decoding.steps > 0 ? 0.7 : 0.9)
            budget = decoding.steps > 0 ? decoding.steps : nil
        }
        let eos = config.eosToken
        return MaskedTextSampler(config: TextSamplerConfig(steps: decoding.steps > 0 ? decoding.steps : config.textLength,
                                                           unmasking: unmasking, eosToken: eos, fillToken: eos,
                                                           stepBudget: budget, budgetRule: .last))
    }

    /// Decoded text of a row: up to the first [EOS] or [PAD].
    public func text(of row: [Int]) -> String {
        var ids: [Int] = []
        for t in row {
            if t == config.eosToken || t == config.padToken { break }
            ids.append(t)
        }
        return bundle.tokenizer.decode(ids)
    }

    public func caption(images: [Image], decoding: EvalCaptioning) throws -> [String] {
        var out: [String] = []
        for start in stride(from: 0, to: images.count, by: chunk) {
            out += try captionChunk(Array(images[start..<min(images.count, start + chunk)]), decoding: decoding)
        }
        return out
    }

    func captionChunk(_ images: [Image], decoding: EvalCaptioning) throws -> [String] {
        guard !images.isEmpty else { return [] }
        let z = try bundle.codec.encode(images.map(prepare), threads: threads)
        let n = config.latentCount
        let latents = (0..<images.count).map { Array(z[$0 * n..<($0 + 1) * n]) }
        let model = BackboneTextDenoiser(backbone: bundle.backbone, images: latents, examples: images.count,
                                         lastTimestep: schedule.lastTimestep, seed: 0)
        let start = [[Int]](repeating: [Int](repeating: config.maskToken, count: config.textLength), count: images.count)
        var rng = BatchRNG(seeds: (0..<images.count).map { UInt64($0) })
        let out = try textSampler(decoding).sample(model: model, tokens: start, rng: &rng)
        return out.tokens.map(text(of:))
    }

    /// Fills each "[MASK]" of `text` (one token each); the rest of the text row is [EOS] fill. With an
    /// image, its clean latent (t = 0) is in the sequence, as in captioning (question answering by
    /// infilling); without, the image slot holds noise at the last timestep. Returns the completed text.
    public func fill(_ text: String, steps: Int, seed: UInt64, image: Image? = nil) throws -> String {
        let L = config.textLength
        let parts = text.components(separatedBy: "[MASK]")
        var ids: [Int] = []
        for (i, part) in parts.enumerated() {
            var segment = part
            if i + 1 < parts.count { while segment.hasSuffix(" ") { segment.removeLast() } }
            if !segment.isEmpty { ids += bundle.tokenizer.encode(segment) }
            if i + 1 < parts.count { ids.append(config.maskToken) }
        }
        guard ids.count < L else { throw DiptychError("the text is \(ids.count) tokens; the model reads at most \(L - 1)") }
        guard ids.contains(config.maskToken) else { throw DiptychError("the text has no [MASK] to fill") }
        let row = ids + [Int](repeating: config.eosToken, count: L - ids.count)
        let latents = try image.map { try bundle.codec.encode([prepare($0)], threads: threads) }.map { [$0] }
        let model = BackboneTextDenoiser(backbone: bundle.backbone, images: latents, examples: 1,
                                         lastTimestep: schedule.lastTimestep, seed: seed)
        var rng = BatchRNG(seeds: [seed])
        let sampler = MaskedTextSampler(config: TextSamplerConfig(steps: max(1, steps)))
        let out = try sampler.sample(model: model, tokens: [row], rng: &rng)
        // The given text keeps its length: decode all of it (a slot filled with [EOS] must not cut off
        // the text after it), leaving out special tokens.
        let tok = bundle.tokenizer
        return tok.decode(out.tokens[0].prefix(ids.count).filter { !tok.isSpecial($0) })
    }
}
