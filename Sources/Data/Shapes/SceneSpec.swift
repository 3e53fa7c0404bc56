// SceneSpec.swift: what a caption of the shapes-world grammar (DESIGN.md, "The shapes world, v1")
// says about a scene, and whether a list of objects satisfies it. Produced by `CaptionParser`,
// turned into text by `CaptionWriter`, checked against oracle readings by `ShapesScorer`.

/// One noun phrase: a color, a shape and, in single-object captions, an optional size.
public struct ObjectSpec: Codable, Sendable, Hashable {
    public var color: ShapeColor
    public var shape: ShapeKind
    public var size: ShapeSize?
    public init(color: ShapeColor, shape: ShapeKind, size: ShapeSize? = nil) {
        self.color = color
        self.shape = shape
        self.size = size
    }
    public var pair: ColorShape { ColorShape(color: color, shape: shape) }
}

public enum SceneSpec: Codable, Sendable, Hashable {
    /// `a [small|large] <color> <shape>`
    case single(ObjectSpec)
    /// `a <color> <shape> and a <color> <shape>` (relation nil) or `a <color> <shape> <relation> a <color> <shape>`
    case pair(ObjectSpec, ObjectSpec, Relation?)
    /// `two <color> <shapes>` or `three <color> <shapes>`
    case count(Int, ObjectSpec)

    /// Number of objects the caption asks for.
    public var objectCount: Int {
        switch self {
        case .single: return 1
        case .pair: return 2
        case .count(let n, _): return n
        }
    }

    /// Every color-shape pair the caption mentions.
    public var pairs: [ColorShape] {
        switch self {
        case .single(let o): return [o.pair]
        case .pair(let a, let b, _): return [a.pair, b.pair]
        case .count(_, let o): return [o.pair]
        }
    }

    /// Whether a list of objects (the whole scene) is exactly what the caption says: the right
    /// number of objects, the right colors, shapes and (where given) sizes, and the relation with
    /// the given minimum offset in reference pixels.
    public func matches(_ objects: [ShapeObject], minRelationOffset: Float) -> Bool {
        guard objects.count == objectCount else { return false }
        func fits(_ o: ShapeObject, _ s: ObjectSpec) -> Bool {
            o.color == s.color && o.shape == s.shape && (s.size == nil || s.size == o.size)
        }
        switch self {
        case .single(let s):
            return fits(objects[0], s)
        case .count(_, let s):
            return objects.allSatisfy { fits($0, s) }
        case .pair(let a, let b, let rel):
            for (p, q) in [(objects[0], objects[1]), (objects[1], objects[0])] where fits(p, a) && fits(q, b) {
                guard let rel else { return true }
                if rel.holds(a: p.center, b: q.center, minOffset: minRelationOffset) { return true }
            }
            return false
        }
    }
}
