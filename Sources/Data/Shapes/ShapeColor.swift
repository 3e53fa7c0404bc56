// ShapeColor.swift: the eight colors of the shapes world, v1 (DESIGN.md, "The shapes world, v1"),
// with their exact sRGB values.

public enum ShapeColor: String, CaseIterable, Codable, Sendable, Comparable {
    case red, orange, yellow, green, cyan, blue, purple, black

    /// The exact 8-bit RGB value of the spec.
    public var rgb8: (UInt8, UInt8, UInt8) {
        switch self {
        case .red: return (220, 40, 40)
        case .orange: return (245, 140, 30)
        case .yellow: return (235, 200, 30)
        case .green: return (40, 160, 60)
        case .cyan: return (40, 190, 210)
        case .blue: return (40, 70, 220)
        case .purple: return (140, 60, 190)
        case .black: return (30, 30, 30)
        }
    }

    /// The RGB value as floats in [0, 1].
    public var rgb: SIMD3<Float> {
        let (r, g, b) = rgb8
        return SIMD3(Float(r), Float(g), Float(b)) / 255
    }

    public var index: Int { ShapeColor.allCases.firstIndex(of: self)! }

    public static func < (a: ShapeColor, b: ShapeColor) -> Bool { a.index < b.index }
}
