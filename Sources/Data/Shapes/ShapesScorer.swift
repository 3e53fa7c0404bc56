// ShapesScorer.swift: scores an image against a shapes-world prompt, GenEval style (Ghosh et al.
// 2023): the oracle reads the objects, and each category that applies to the prompt's form gets a
// pass or fail. A prompt is "exact" when the reading satisfies everything the caption says.

import Core
import Media

public struct PromptScore: Codable, Sendable {
    public var prompt: String
    public var spec: SceneSpec
    public var objects: [OracleObject]
    /// Pass or fail for each category that applies to the prompt.
    public var checks: [GenEvalCategory: Bool]
    /// The reading satisfies the whole caption (sizes where named, colors, relation).
    public var exact: Bool
}

public struct ShapesScorer: Sendable {
    public var oracle: ShapesOracle
    /// Smallest center offset (reference pixels) along the relation's axis for a generated image to
    /// pass a position check; the offset must also exceed the one along the other axis. Training
    /// scenes use the stricter 6 of the spec; judging generated images, a clear 3 px suffices.
    public var minRelationOffset: Float

    public init(oracle: ShapesOracle = ShapesOracle(), minRelationOffset: Float = 3) {
        self.oracle = oracle
        self.minRelationOffset = minRelationOffset
    }

    /// Parses the prompt (throws DiptychError outside the grammar), reads the image and scores it.
    public func score(_ image: Image, prompt: String) throws -> PromptScore {
        let spec = try CaptionParser.parse(prompt)
        return score(objects: oracle.read(image), spec: spec, prompt: prompt)
    }

    public func score(objects: [OracleObject], spec: SceneSpec, prompt: String? = nil) -> PromptScore {
        var checks: [GenEvalCategory: Bool] = [:]
        let found = objects.map(\.asShapeObject)
        func shapeAndSize(_ o: ShapeObject, _ s: ObjectSpec) -> Bool { o.shape == s.shape && (s.size == nil || o.size == s.size) }
        switch spec {
        case .single(let s):
            let one = found.count == 1 && shapeAndSize(found[0], s)
            checks[.singleObject] = one
            checks[.colors] = one && found[0].color == s.color
        case .count(let n, let s):
            checks[.counting] = found.count == n && found.allSatisfy { $0.shape == s.shape }
        case .pair(let a, let b, let rel):
            checks[.twoObjects] = found.count == 2
                && ((found[0].shape == a.shape && found[1].shape == b.shape) || (found[0].shape == b.shape && found[1].shape == a.shape))
            checks[.colorAttribution] = SceneSpec.pair(a, b, nil).matches(found, minRelationOffset: minRelationOffset)
            if rel != nil { checks[.position] = spec.matches(found, minRelationOffset: minRelationOffset) }
        }
        return PromptScore(prompt: prompt ?? CaptionWriter.caption(spec), spec: spec, objects: objects, checks: checks,
                           exact: spec.matches(found, minRelationOffset: minRelationOffset))
    }
}
