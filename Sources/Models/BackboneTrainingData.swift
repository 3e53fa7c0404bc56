// BackboneTrainingData.swift: builds the joint-training set of (latent, text) pairs: shapes-world scenes
// (DESIGN.md, "The shapes world, v1") rendered and captioned by the Data module, plus any extra captioned
// images (the emoji corpus), encoded once through the frozen autoencoder and tokenised. Text rows are the
// caption's tokens, then [EOS] up to the text length (LLaDA's EOS fill, so captioning learns where to
// stop). The set can be cached to a folder and reloaded bit-exactly.
import Core
import Data
import Foundation
import Media

/// What to train on.
public struct TrainingDataSpec: Codable, Equatable, Sendable {
    /// Number of shapes scenes (training pool: no held-out color-shape pair).
    public var shapes = 20000
    /// Render size of the shapes scenes (the autoencoder's input size).
    public var imageSize = 32
    public var seed: UInt64 = 7
    /// Optional emoji dataset file (Data's DatasetFile, captions = CLDR names), repeated `emojiRepeat` times.
    public var emoji: String? = nil
    public var emojiRepeat = 1
    /// Captioned image corpora (e.g. `diptych data import` files), each repeated `repeat` times: its
    /// weight in the mix. Only their train split is read (val and test stay for evaluation).
    public var datasets: [DatasetMix] = []
    public init() {}
}

/// One corpus in the training mix: `--data PATH[:REPEAT]`.
public struct DatasetMix: Codable, Equatable, Sendable {
    public var path: String
    public var `repeat` = 1
    public init(path: String, repeat r: Int = 1) {
        self.path = path
        self.repeat = r
    }

    /// Parses "PATH" or "PATH:REPEAT" (REPEAT 1 to 100).
    public init(parsing text: String) throws {
        if let colon = text.lastIndex(of: ":"), let r = Int(text[text.index(after: colon)...]) {
            guard (1...100).contains(r) else { throw DiptychError("--data \(text): the repeat must be 1 to 100") }
            self.init(path: String(text[..<colon]), repeat: r)
        } else {
            self.init(path: text)
        }
        guard !path.isEmpty else { throw DiptychError("--data needs a dataset file") }
    }
}

public enum BackboneTrainingData {
    /// A text row [L]: tokens (truncated to L - 1), then EOS fill.
    public static func textRow(_ ids: [Int], config: BackboneConfig) -> [Int32] {
        let L = config.textLength
        var row = ids.prefix(L - 1).map { Int32($0) }
        while row.count < L { row.append(Int32(config.eosToken)) }
        return row
    }

    /// The shapes scenes of a spec (deterministic in the seed).
    public static func shapesScenes(_ spec: TrainingDataSpec) -> [ShapesScene] {
        let sampler = SceneSampler()
        var rng = Philox(seed: spec.seed, stream: 0x5348_4150)
        return (0..<spec.shapes).map { _ in sampler.sample(&rng, pool: .training) }
    }

    /// Images and captions of the emoji dataset file of a spec (repeated), at the spec's image size.
    public static func emojiExamples(_ spec: TrainingDataSpec) throws -> (images: [Image], captions: [String]) {
        guard let path = spec.emoji else { return ([], []) }
        let file = try DatasetFile(path: path)
        guard file.sizes.contains(spec.imageSize) else {
            throw DiptychError("\(path) has no \(spec.imageSize)x\(spec.imageSize) images (sizes \(file.sizes))")
        }
        var images: [Image] = [], captions: [String] = []
        for _ in 0..<max(1, spec.emojiRepeat) {
            for i in 0..<file.count {
                images.append(file.image(i, size: spec.imageSize))
                captions.append(file.captions[i])
            }
        }
        return (images, captions)
    }

    /// Images and captions of the spec's `datasets` (their train split, each repeated), at the spec's image size.
    public static func datasetExamples(_ spec: TrainingDataSpec) throws -> (images: [Image], captions: [String]) {
        var images: [Image] = [], captions: [String] = []
        for mix in spec.datasets {
            let file = try DatasetFile(path: mix.path)
            guard file.sizes.contains(spec.imageSize) else {
                throw DiptychError("\(mix.path) has no \(spec.imageSize)x\(spec.imageSize) images (sizes \(file.sizes)); import it with --sizes \(spec.imageSize)")
            }
            let train = file.indices(inSplit: "train")
            guard !train.isEmpty else { throw DiptychError("\(mix.path) has no records in its train split") }
            for _ in 0..<mix.repeat {
                for i in train {
                    images.append(file.image(i, size: spec.imageSize))
                    captions.append(file.captions[i])
                }
            }
        }
        return (images, captions)
    }

    /// Encodes images + captions into a dataset. `encode` maps a batch of images to their latents
    /// [n, latentCount] (channel-major per example); `tokenize` maps a caption to token ids.
    public static func build(images: [Image], captions: [String], config: BackboneConfig,
                             encode: ([Image]) throws -> [Float], tokenize: (String) throws -> [Int]) throws -> LatentTextDataset {
        precondition(images.count == captions.count)
        var latents: [Float] = []
        latents.reserveCapacity(images.count * config.latentCount)
        let chunk = 256
        for start in stride(from: 0, to: images.count, by: chunk) {
            let part = Array(images[start..<min(images.count, start + chunk)])
            let z = try encode(part)
            guard z.count == part.count * config.latentCount else {
                throw DiptychError("the encoder returned \(z.count / max(1, part.count)) values per image, the backbone expects \(config.latentCount)")
            }
            latents += z
        }
        var tokens: [Int32] = []
        tokens.reserveCapacity(images.count * config.textLength)
        for c in captions { tokens += textRow(try tokenize(c), config: config) }
        return LatentTextDataset(latents: latents, tokens: tokens, latentCount: config.latentCount, textLength: config.textLength)
    }

    /// Writes the dataset to `dir` (latents.f32, tokens.i32, dataset.json with the spec).
    public static func save(_ d: LatentTextDataset, key: String, to dir: String) throws {
        try AtomicFile.write(d.latents.withUnsafeBufferPointer { Data(buffer: $0) }, to: dir + "/latents.f32")
        try AtomicFile.write(d.tokens.withUnsafeBufferPointer { Data(buffer: $0) }, to: dir + "/tokens.i32")
        try AtomicFile.write(key, to: dir + "/dataset.key")
    }

    /// Loads a dataset saved with the same key, or nil.
    /// The cached dataset, or nil (rebuild) when it is missing, of another key or size, or damaged:
    /// a token outside the vocabulary or a latent that is not finite would otherwise reach the
    /// backbone's unchecked embedding lookup.
    public static func load(key: String, from dir: String, latentCount: Int, textLength: Int, vocabSize: Int) -> LatentTextDataset? {
        guard let saved = try? String(contentsOfFile: dir + "/dataset.key", encoding: .utf8), saved == key,
              let z = try? Data(contentsOf: URL(fileURLWithPath: dir + "/latents.f32")),
              let t = try? Data(contentsOf: URL(fileURLWithPath: dir + "/tokens.i32")),
              z.count % (4 * latentCount) == 0, t.count % (4 * textLength) == 0,
              z.count / latentCount == t.count / textLength else { return nil }
        let latents = z.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        let tokens = t.withUnsafeBytes { Array($0.bindMemory(to: Int32.self)) }
        guard tokens.allSatisfy({ $0 >= 0 && Int($0) < vocabSize }), latents.allSatisfy(\.isFinite) else {
            FileHandle.standardError.write(Data("the dataset cache in \(dir) is damaged (a token outside the vocabulary or a non-finite latent); rebuilding it\n".utf8))
            return nil
        }
        return LatentTextDataset(latents: latents, tokens: tokens, latentCount: latentCount, textLength: textLength)
    }
}
