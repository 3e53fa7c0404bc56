// CaptionEval.swift: caption exact match and token F1. Shapes: a caption is exact when it parses
// (shapes grammar of DESIGN.md) to a spec that the true scene satisfies, so any true description
// counts, not only the reference wording. Emoji: exact means the CLDR name itself.

import Core
import Data
import Media

public struct CaptionResult: Codable, Sendable {
    /// For example "shapes, new scenes" or "emoji, held-out skin tones".
    public var set: String
    public var decoding: EvalCaptioning
    public var images: Int
    public var exactMatch: Double
    public var tokenF1: Double
    /// A few (prediction, reference) pairs for the report.
    public var examples: [[String]]
}

public struct CaptionEval: Sendable {
    public var batchSize: Int = 64
    public var exampleCount: Int = 6
    public init() {}

    /// Captions `images` and compares with `references`; `isExact(prediction, index)` decides exactness.
    public func run(set: String, model: EvalModel, images: [Image], references: [String], decoding: EvalCaptioning,
                    isExact: (String, Int) -> Bool, progress: (Int, Int) -> Void = { _, _ in }) throws -> CaptionResult {
        precondition(images.count == references.count)
        var exact = 0
        var f1 = 0.0
        var examples: [[String]] = []
        var start = 0
        while start < images.count {
            let end = min(start + batchSize, images.count)
            let captions = try model.caption(images: Array(images[start..<end]), decoding: decoding)
            for (k, caption) in captions.enumerated() {
                let i = start + k
                if isExact(caption, i) { exact += 1 }
                f1 += TokenF1.score(predicted: caption, reference: references[i])
                if examples.count < exampleCount { examples.append([caption, references[i]]) }
            }
            start = end
            progress(start, images.count)
        }
        let n = Double(max(images.count, 1))
        return CaptionResult(set: set, decoding: decoding, images: images.count, exactMatch: Double(exact) / n,
                             tokenF1: f1 / n, examples: examples)
    }

    /// New shapes scenes (seeded, from `pool`), rendered at 32x32 and captioned.
    public func runShapes(model: EvalModel, count: Int, seed: UInt64, pool: SceneSampler.Pool = .training,
                          decoding: EvalCaptioning, config: ShapesConfig = ShapesConfig(),
                          progress: (Int, Int) -> Void = { _, _ in }) throws -> CaptionResult {
        let sampler = SceneSampler(config: config)
        let renderer = ShapesRenderer()
        var rng = Philox(seed: seed, stream: 77)
        let scenes = (0..<count).map { _ in sampler.sample(&rng, pool: pool) }
        let images = scenes.map { renderer.render($0.objects) }
        let name = pool == .heldOut ? "shapes, new scenes with held-out pairs" : "shapes, new scenes"
        return try run(set: name, model: model, images: images, references: scenes.map(\.caption),
                       decoding: decoding, isExact: { caption, i in
                           guard let spec = try? CaptionParser.parse(caption) else { return false }
                           return spec.matches(scenes[i].objects, minRelationOffset: 6)
                       }, progress: progress)
    }
}
