// EmojiRecallEval.swift: emoji text-to-image recall@1. For each prompted CLDR name the model paints
// an image; the image counts as a hit when, among all reference emoji, its nearest neighbour in
// pixel space (squared L2 over 32x32 RGB on white) is the prompted one.

import Core
import Media

public struct RecallResult: Codable, Sendable {
    public var set: String
    public var sampling: EvalSampling
    public var prompts: Int
    public var references: Int
    public var recallAt1: Double
    public var secondsPerImage: Double

    /// Binomial standard error of recallAt1 over `prompts` images: sqrt(p (1 - p) / n).
    public var standardError: Double {
        prompts == 0 ? 0 : (recallAt1 * (1 - recallAt1) / Double(prompts)).squareRoot()
    }
}

public struct EmojiRecallEval: Sendable {
    public var batchSize: Int = 64
    public var seed: UInt64 = 1
    public init() {}

    /// `references` are all candidate emoji (name, 32x32 RGB image); `prompts` index into them.
    public func run(set: String, model: EvalModel, references: [(name: String, image: Image)], prompts: [Int],
                    sampling: EvalSampling, progress: (Int, Int) -> Void = { _, _ in }) throws -> RecallResult {
        let refs = references.map { $0.image.pixels }
        var hits = 0
        let clock = ContinuousClock()
        var elapsed = Duration.zero
        var start = 0
        while start < prompts.count {
            let chunk = Array(prompts[start..<min(start + batchSize, prompts.count)])
            let t0 = clock.now
            let images = try model.generate(prompts: chunk.map { references[$0].name },
                                            seeds: chunk.map { seed &+ UInt64($0) }, sampling: sampling)
            elapsed += clock.now - t0
            for (image, target) in zip(images, chunk) where nearest(image.pixels, in: refs) == target { hits += 1 }
            start += chunk.count
            progress(start, prompts.count)
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        return RecallResult(set: set, sampling: sampling, prompts: prompts.count, references: references.count,
                            recallAt1: prompts.isEmpty ? 0 : Double(hits) / Double(prompts.count),
                            secondsPerImage: prompts.isEmpty ? 0 : seconds / Double(prompts.count))
    }

    /// Index of the reference with the smallest squared distance (first one on ties).
    public func nearest(_ x: [Float], in refs: [[Float]]) -> Int {
        var best = -1
        var bestDistance = Float.infinity
        for (i, r) in refs.enumerated() where r.count == x.count {
            var d: Float = 0
            for j in 0..<x.count {
                let e = x[j] - r[j]
                d += e * e
            }
            if d < bestDistance {
                bestDistance = d
                best = i
            }
        }
        return best
    }
}
