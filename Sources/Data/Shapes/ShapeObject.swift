// ShapeObject.swift: one object of a shapes-world scene (DESIGN.md, "The shapes world, v1"): its
// color, shape, size and where its bounding box sits, in pixels of the 32x32 reference canvas.

public struct ShapeObject: Codable, Sendable, Equatable, Hashable {
    public var color: ShapeColor
    public var shape: ShapeKind
    public var size: ShapeSize
    /// Top-left corner of the bounding box, in reference pixels (32x32 canvas; x right, y down).
    public var x: Float
    public var y: Float

    public init(color: ShapeColor, shape: ShapeKind, size: ShapeSize, x: Float, y: Float) {
        self.color = color
        self.shape = shape
        self.size = size
        self.x = x
        self.y = y
    }

    public var side: Float { Float(size.side) }

    /// Center of the bounding box: the point relations are judged on.
    public var center: (x: Float, y: Float) { (x + side / 2, y + side / 2) }

    /// "red circle": the color-shape pair, the unit the held-out list works in.
    public var pair: ColorShape { ColorShape(color: color, shape: shape) }

    /// Gap between the two boxes (largest of the horizontal and vertical gaps; negative if they overlap).
    public func gap(to o: ShapeObject) -> Float {
        let gx = max(o.x - (x + side), x - (o.x + o.side))
        let gy = max(o.y - (y + side), y - (o.y + o.side))
        return max(gx, gy)
    }
}

/// A color-shape pair such as "blue triangle".
public struct ColorShape: Codable, Sendable, Hashable, Comparable, CustomStringConvertible {
    public var color: ShapeColor
    public var shape: ShapeKind
    public init(color: ShapeColor, shape: ShapeKind) {
        self.color = color
        self.shape = shape
    }
    public var description: String { "\(color.rawValue) \(shape.rawValue)" }
    /// All 40 pairs, colors in palette order, shapes in spec order.
    public static let all: [ColorShape] = ShapeColor.allCases.flatMap { c in ShapeKind.allCases.map { ColorShape(color: c, shape: $0) } }
    public static func < (a: ColorShape, b: ColorShape) -> Bool {
        (a.color.index, a.shape.index) < (b.color.index, b.shape.index)
    }
}
