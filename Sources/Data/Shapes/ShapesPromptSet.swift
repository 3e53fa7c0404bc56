// ShapesPromptSet.swift: a fixed, seeded set of evaluation prompts per GenEval category (Ghosh et
// al. 2023) for the shapes world, from training pairs or from held-out pairs.

import Core

public struct EvalPrompt: Codable, Sendable, Equatable {
    public var prompt: String
    /// The category whose check decides this prompt's score (`PromptScore.checks[category]`).
    public var category: GenEvalCategory
}

public enum ShapesPromptSet {
    /// `perCategory` prompts for each category, all distinct within a category where possible.
    /// Pool `.training` uses only training pairs; `.heldOut` puts a held-out pair in every prompt.
    public static func make(config: ShapesConfig = ShapesConfig(), perCategory: Int, seed: UInt64,
                            pool: SceneSampler.Pool = .training) -> [EvalPrompt] {
        let sampler = SceneSampler(config: config)
        var out: [EvalPrompt] = []
        for (k, category) in GenEvalCategory.allCases.enumerated() {
            var rng = Philox(seed: seed, stream: UInt64(k))
            var seen = Set<String>()
            var tries = 0
            while seen.count < perCategory && tries < perCategory * 50 {
                tries += 1
                let heldFirst = rng.nextInt(below: 2) == 0
                let a = sampler.drawPair(&rng, pool: pool, mustBeHeld: pool == .heldOut && heldFirst)
                let b = sampler.drawPair(&rng, pool: pool, mustBeHeld: pool == .heldOut && !heldFirst)
                let oa = ObjectSpec(color: a.color, shape: a.shape), ob = ObjectSpec(color: b.color, shape: b.shape)
                let spec: SceneSpec
                switch category {
                case .singleObject, .colors:
                    spec = .single(pool == .heldOut && !heldFirst ? ob : oa)
                case .counting:
                    spec = .count(2 + rng.nextInt(below: 2), pool == .heldOut && !heldFirst ? ob : oa)
                case .twoObjects:
                    guard a.shape != b.shape else { continue }
                    spec = .pair(oa, ob, nil)
                case .colorAttribution:
                    guard a.shape != b.shape, a.color != b.color else { continue }
                    spec = .pair(oa, ob, nil)
                case .position:
                    guard a != b else { continue }
                    spec = .pair(oa, ob, Relation.allCases[rng.nextInt(below: 4)])
                }
                let text = CaptionWriter.caption(spec)
                if seen.insert(text).inserted { out.append(EvalPrompt(prompt: text, category: category)) }
            }
        }
        return out
    }
}
