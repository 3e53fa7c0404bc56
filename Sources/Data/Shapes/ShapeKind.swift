// ShapeKind.swift: the five shapes of the shapes world, v1 (DESIGN.md), their plural nouns, and the
// exact point-in-shape test the renderer and the oracle's templates share.

public enum ShapeKind: String, CaseIterable, Codable, Sendable, Comparable {
    case circle, square, triangle, diamond, cross

    public var plural: String {
        switch self {
        case .circle: return "circles"
        case .square: return "squares"
        case .triangle: return "triangles"
        case .diamond: return "diamonds"
        case .cross: return "crosses"
        }
    }

    public var index: Int { ShapeKind.allCases.firstIndex(of: self)! }

    public static func < (a: ShapeKind, b: ShapeKind) -> Bool { a.index < b.index }

    /// Whether the point (u, v) of the unit box (u right, v down, both in [0, 1]) is inside.
    /// Triangle: point up, base along the bottom. Diamond: corners touch the box's edge midpoints.
    /// Cross: a plus sign whose arms are 40% of the side wide.
    @inline(__always)
    public func contains(u: Float, v: Float) -> Bool {
        let du = u - 0.5, dv = v - 0.5
        switch self {
        case .circle: return du * du + dv * dv <= 0.25
        case .square: return u >= 0 && u <= 1 && v >= 0 && v <= 1
        case .triangle: return v >= 0 && v <= 1 && abs(du) <= 0.5 * v
        case .diamond: return abs(du) + abs(dv) <= 0.5
        case .cross:
            let inBox = abs(du) <= 0.5 && abs(dv) <= 0.5
            return inBox && (abs(du) <= 0.2 || abs(dv) <= 0.2)
        }
    }

    /// Vertical position of the shape's area centroid inside its box, as a fraction of the side
    /// (0.5 for every shape but the triangle, whose centroid sits at two thirds of its height).
    public var centroidV: Float { self == .triangle ? 2.0 / 3.0 : 0.5 }
}
