// ShapesTextToImageEval.swift: GenEval-style text-to-image scoring on the shapes world (Ghosh et
// al., "GenEval", NeurIPS 2023): a fixed prompt set per category, several seeds per prompt, the
// oracle reads each image, and a prompt's image passes when the check of its category holds.
// Overall is the mean of the category accuracies, as in GenEval.

import Core
import Data
import Media

public struct CategoryScore: Codable, Sendable, Equatable {
    public var category: String
    public var passed: Int
    public var total: Int
    public var accuracy: Double { total == 0 ? 0 : Double(passed) / Double(total) }

    enum CodingKeys: String, CodingKey { case category, passed, total, accuracy }
    public init(category: String, passed: Int, total: Int) {
        self.category = category
        self.passed = passed
        self.total = total
    }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        category = try c.decode(String.self, forKey: .category)
        passed = try c.decode(Int.self, forKey: .passed)
        total = try c.decode(Int.self, forKey: .total)
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(category, forKey: .category)
        try c.encode(passed, forKey: .passed)
        try c.encode(total, forKey: .total)
        try c.encode(accuracy, forKey: .accuracy)
    }
}

public struct TextToImageResult: Codable, Sendable {
    /// "training pairs" or "held-out pairs".
    public var pool: String
    public var sampling: EvalSampling
    public var prompts: Int
    public var seedsPerPrompt: Int
    public var categories: [CategoryScore]
    /// Mean of the category accuracies.
    public var overall: Double
    /// Fraction of images whose reading satisfies everything the prompt says.
    public var exact: Double
    public var secondsPerImage: Double
    /// The prompt set's seed and the first image seed of each prompt (ShapesTextToImageEval; nil in
    /// reports written before they were recorded).
    public var promptSeed: UInt64? = nil
    public var firstSeed: UInt64? = nil

    /// Binomial standard error of `overall`, a mean of C category accuracies p_c over n_c images each:
    /// sqrt(sum_c p_c (1 - p_c) / n_c) / C. It says how far a rerun with other seeds would likely move
    /// the score, so a difference between two rows smaller than about twice it is noise. (A Wald error:
    /// it is 0 when every category passes all or none of its images, so it says nothing on tiny sets.)
    public var overallStandardError: Double {
        let scored = categories.filter { $0.total > 0 }
        guard !scored.isEmpty else { return 0 }
        let variance = scored.map { $0.accuracy * (1 - $0.accuracy) / Double($0.total) }.reduce(0, +)
        return variance.squareRoot() / Double(categories.count)
    }
}

public struct ShapesTextToImageEval: Sendable {
    public var promptsPerCategory: Int = 8
    public var seedsPerPrompt: Int = 4
    /// Fixes the prompt set; the same value always gives the same prompts.
    public var promptSeed: UInt64 = 2024
    /// Image j of a prompt uses seed baseSeed + j.
    public var baseSeed: UInt64 = 1
    public var batchSize: Int = 64
    public var config = ShapesConfig()

    public init() {}

    public func run(model: EvalModel, sampling: EvalSampling, pool: SceneSampler.Pool,
                    progress: (Int, Int) -> Void = { _, _ in }) throws -> TextToImageResult {
        let prompts = ShapesPromptSet.make(config: config, perCategory: promptsPerCategory, seed: promptSeed, pool: pool)
        var jobs: [(EvalPrompt, UInt64)] = []
        for p in prompts { for j in 0..<seedsPerPrompt { jobs.append((p, baseSeed + UInt64(j))) } }
        let scorer = ShapesScorer()
        var passed: [GenEvalCategory: Int] = [:], total: [GenEvalCategory: Int] = [:]
        var exact = 0
        let clock = ContinuousClock()
        var elapsed = Duration.zero
        var start = 0
        while start < jobs.count {
            let chunk = Array(jobs[start..<min(start + batchSize, jobs.count)])
            let t0 = clock.now
            let images = try model.generate(prompts: chunk.map(\.0.prompt), seeds: chunk.map(\.1), sampling: sampling)
            elapsed += clock.now - t0
            for (image, job) in zip(images, chunk) {
                let score = try scorer.score(image, prompt: job.0.prompt)
                total[job.0.category, default: 0] += 1
                if score.checks[job.0.category] == true { passed[job.0.category, default: 0] += 1 }
                if score.exact { exact += 1 }
            }
            start += chunk.count
            progress(start, jobs.count)
        }
        let categories = GenEvalCategory.allCases.map {
            CategoryScore(category: $0.rawValue, passed: passed[$0] ?? 0, total: total[$0] ?? 0)
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        return TextToImageResult(
            pool: pool == .heldOut ? "held-out pairs" : "training pairs", sampling: sampling,
            prompts: prompts.count, seedsPerPrompt: seedsPerPrompt, categories: categories,
            overall: categories.map(\.accuracy).reduce(0, +) / Double(max(categories.count, 1)),
            exact: jobs.isEmpty ? 0 : Double(exact) / Double(jobs.count),
            secondsPerImage: jobs.isEmpty ? 0 : seconds / Double(jobs.count), promptSeed: promptSeed, firstSeed: baseSeed)
    }
}
