// ModelExecutor.swift: the real executor: a model bundle (Models/<name>/, see ModelBundle) behind
// `BundleModel`, which runs the samplers of the Diffusion module. Images: one batched sampling run
// per claim (every image's noise comes from its own seed). Captions: one batched masked-diffusion
// run. Fills: one text at a time (each has its own length and seed).
import Core
import Diffusion
import Foundation
import Media
import Models

public final class ModelExecutor: EditingExecutor {
    public let model: BundleModel
    public let identity: ModelIdentity
    /// Called after every denoising step of `generate` and `edit` (the server's progress and interrupt: return
    /// false to cancel the batch, which then fails with CancellationError). Nil: no reports.
    public var progress: SamplerProgress?

    /// `name` is a folder under `modelsRoot` ("default" -> Models/default) or a path to a bundle folder.
    public init(name: String, modelsRoot: String = "Models", threads: Int) throws {
        model = try BundleModel(path: try ModelExecutor.path(of: name, modelsRoot: modelsRoot), threads: threads)
        identity = ModelIdentity(name: name, hash: model.modelHash)
    }

    /// The bundle folder of a job's model name: a path that exists, else the name under the models
    /// folder (ModelLocator: ./Models, $DIPTYCH_MODELS, the checkout's, an installed one).
    static func path(of name: String, modelsRoot: String) throws -> String {
        if FileManager.default.fileExists(atPath: name + "/bundle.json") || name.contains("/") { return try ModelLocator.resolve(name) }
        if FileManager.default.fileExists(atPath: modelsRoot + "/" + name) { return modelsRoot + "/" + name }
        return try ModelLocator.resolve(modelsRoot == "Models" ? "Models/" + name : modelsRoot + "/" + name)
    }

    /// The first 10 hex digits of the SHA-256 of the bundle's backbone weights (BundleModel's modelHash).
    public static func weightsHash(name: String, modelsRoot: String) throws -> String {
        let folder = try path(of: name, modelsRoot: modelsRoot)
        guard let data = FileManager.default.contents(atPath: folder + "/bundle.json") else {
            throw DiptychError("no model bundle \(name) at \(folder) (missing bundle.json)")
        }
        let manifest = try DefaultedJSON.decode(BundleManifest.self, from: data, defaults: BundleManifest(), what: folder + "/bundle.json")
        return String(try SHA256.hex(file: folder + "/" + manifest.backbone).prefix(10))
    }

    /// Network evaluations per image: one per step, two with classifier-free guidance (scale not 1).
    static func nfe(steps: Int, cfg: Double) -> Int { steps * (cfg == 1 ? 1 : 2) }

    public func generate(_ requests: [GenerationParameters]) throws -> [GeneratedImage] {
        guard let first = requests.first else { return [] }
        for p in requests {
            guard p.width == model.imageSize, p.height == model.imageSize else {
                throw DiptychError("model \(identity.name) paints \(model.imageSize)x\(model.imageSize) images, not \(p.width)x\(p.height)")
            }
            guard p.sampler == first.sampler, p.steps == first.steps, p.cfg == first.cfg else {
                throw DiptychError("one batch must share sampler, steps and cfg")
            }
        }
        let sampling = EvalSampling(sampler: first.sampler, steps: first.steps, cfg: Float(first.cfg))
        let z = try model.generateLatents(prompts: requests.map(\.prompt), seeds: requests.map(\.seed), sampling: sampling,
                                          progress: progress)
        let images = model.decode(z, count: requests.count)
        return images.map { GeneratedImage(image: $0, nfe: ModelExecutor.nfe(steps: first.steps, cfg: first.cfg)) }
    }

    public func caption(_ images: [Image], _ parameters: [TextParameters]) throws -> [GeneratedText] {
        guard let first = parameters.first else { return [] }
        let texts = try model.caption(images: images, decoding: EvalCaptioning(steps: first.steps, strategy: first.sampler))
        return texts.map { GeneratedText(text: $0, nfe: first.steps) }
    }

    public func edit(_ requests: [GenerationParameters], _ inputs: [EditInput]) throws -> [GeneratedImage] {
        guard let first = requests.first else { return [] }
        for p in requests {
            guard p.width == model.imageSize, p.height == model.imageSize else {
                throw DiptychError("model \(identity.name) paints \(model.imageSize)x\(model.imageSize) images, not \(p.width)x\(p.height)")
            }
            guard p.mode == first.mode, p.sampler == first.sampler, p.steps == first.steps, p.cfg == first.cfg,
                  p.strength == first.strength, p.resample == first.resample, p.dilate == first.dilate else {
                throw DiptychError("one edit batch must share mode, sampler, steps, cfg, strength, resample and dilate")
            }
        }
        let settings = EditSettings(strength: first.strength ?? 1, resample: first.resample ?? 1, dilate: first.dilate ?? 0)
        let sampling = EvalSampling(sampler: first.sampler, steps: first.steps, cfg: Float(first.cfg))
        let result = try model.edit(prompts: requests.map(\.prompt), seeds: requests.map(\.seed), inputs: inputs,
                                    sampling: sampling, settings: settings, progress: progress)
        let calls = settings.steps(of: first.steps, masked: first.mode == "inpaint")
        return result.images.map { GeneratedImage(image: $0, nfe: ModelExecutor.nfe(steps: calls, cfg: first.cfg)) }
    }

    public func fill(_ texts: [String], images: [Image?], _ parameters: [TextParameters]) throws -> [GeneratedText] {
        try zip(texts, zip(images, parameters)).map { text, pair in
            GeneratedText(text: try model.fill(text, steps: pair.1.steps, seed: pair.1.seed, image: pair.0), nfe: pair.1.steps)
        }
    }

    public func fill(_ texts: [String], _ parameters: [TextParameters]) throws -> [GeneratedText] {
        try zip(texts, parameters).map { text, p in
            GeneratedText(text: try model.fill(text, steps: p.steps, seed: p.seed), nfe: p.steps)
        }
    }
}
