// ShapeSize.swift: the two sizes of the shapes world, v1 (DESIGN.md): bounding box side 7 px (small)
// and 13 px (large) on the 32x32 canvas; everything scales with the canvas.

public enum ShapeSize: String, CaseIterable, Codable, Sendable, Comparable {
    case small, large

    /// Side of the bounding box on the 32x32 reference canvas.
    public var side: Int { self == .small ? 7 : 13 }

    public static func < (a: ShapeSize, b: ShapeSize) -> Bool { a.side < b.side }
}
