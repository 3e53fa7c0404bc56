// TaskExecutor.swift: the seam between the studio and a model. The worker hands an executor batches
// of items that share a model, sampler and step count; the executor returns images or texts, and the
// studio turns them into artifacts. The real executor wraps the model bundle and the samplers; tests
// and the crash-resume checks use `FakeExecutor`. A provider loads each model once per worker.
import Core
import Foundation
import Media

/// Which model made an artifact: its name as the job gave it and a short hash of its weights.
public struct ModelIdentity: Codable, Equatable, Sendable {
    public var name: String
    /// First 10 hex digits of the SHA-256 of the weights file.
    public var hash: String
    public init(name: String, hash: String) {
        self.name = name
        self.hash = hash
    }
}

public struct GeneratedImage: Sendable {
    public var image: Image
    /// Network evaluations spent on this image (a CFG pair counts as 2).
    public var nfe: Int
    public init(image: Image, nfe: Int) {
        self.image = image
        self.nfe = nfe
    }
}

public struct GeneratedText: Sendable, Equatable {
    public var text: String
    public var nfe: Int
    public init(text: String, nfe: Int) {
        self.text = text
        self.nfe = nfe
    }
}

public protocol TaskExecutor: AnyObject {
    var identity: ModelIdentity { get }
    /// One image per request, in order. The requests of one call share sampler, steps, cfg and size;
    /// each image depends only on its own parameters (its seed gives its noise), never on the batch.
    func generate(_ requests: [GenerationParameters]) throws -> [GeneratedImage]
    /// One caption per image.
    func caption(_ images: [Image], _ parameters: [TextParameters]) throws -> [GeneratedText]
    /// Each text with its [MASK] tokens filled in.
    func fill(_ texts: [String], _ parameters: [TextParameters]) throws -> [GeneratedText]
}

/// Edits (img2img, inpainting) and fills with an image: executors that cannot do them say so.
public protocol EditingExecutor: TaskExecutor {
    /// One image per request (each has mode, strength and its input); the requests of one call share
    /// mode, sampler, steps, cfg, strength, resample and dilate.
    func edit(_ requests: [GenerationParameters], _ inputs: [EditInput]) throws -> [GeneratedImage]
    /// Each text filled with its image (nil: no image) in the sequence.
    func fill(_ texts: [String], images: [Image?], _ parameters: [TextParameters]) throws -> [GeneratedText]
}

public protocol ExecutorProvider: AnyObject {
    /// The executor for a model name; loads the model the first time and keeps it.
    func executor(for model: String) throws -> TaskExecutor
}

/// The evaluation seam (`EvalModel`) over an executor, so `eval` tasks use the same loaded model.
public struct ExecutorEvalModel: EvalModel {
    public let executor: TaskExecutor
    public let model: String
    public init(executor: TaskExecutor, model: String) {
        self.executor = executor
        self.model = model
    }

    public func generate(prompts: [String], seeds: [UInt64], sampling: EvalSampling) throws -> [Image] {
        let requests = zip(prompts, seeds).map {
            GenerationParameters(prompt: $0, seed: $1, sampler: sampling.sampler, steps: sampling.steps, cfg: Double(sampling.cfg),
                                 width: 32, height: 32, model: model, modelHash: executor.identity.hash)
        }
        return try executor.generate(requests).map(\.image)
    }

    public func caption(images: [Image], decoding: EvalCaptioning) throws -> [String] {
        let p = TextParameters(seed: 0, sampler: decoding.strategy, steps: decoding.steps, model: model, modelHash: executor.identity.hash)
        return try executor.caption(images, Array(repeating: p, count: images.count)).map(\.text)
    }
}
