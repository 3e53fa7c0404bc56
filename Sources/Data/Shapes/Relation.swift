// Relation.swift: the four spatial relations of the shapes world, v1 (DESIGN.md), judged on the
// centers of the objects' boxes.

public enum Relation: String, CaseIterable, Codable, Sendable {
    case leftOf = "left of", rightOf = "right of", above, below

    /// Axis offset of `b` relative to `a` that makes "a <relation> b" true, and the other axis.
    /// Returns (along, across): `along` > 0 means the relation holds in direction.
    public func offsets(a: (x: Float, y: Float), b: (x: Float, y: Float)) -> (along: Float, across: Float) {
        let dx = b.x - a.x, dy = b.y - a.y
        switch self {
        case .leftOf: return (dx, abs(dy))     // a is left of b: b has the larger x
        case .rightOf: return (-dx, abs(dy))
        case .above: return (dy, abs(dx))      // y grows downwards
        case .below: return (-dy, abs(dx))
        }
    }

    /// Whether "a <relation> b" holds: the offset along the axis is at least `minOffset` (in
    /// reference pixels) and larger than the offset along the other axis.
    public func holds(a: (x: Float, y: Float), b: (x: Float, y: Float), minOffset: Float) -> Bool {
        let o = offsets(a: a, b: b)
        return o.along >= minOffset && o.along > o.across
    }
}
