// ShapesRenderer.swift: draws shapes-world scenes (DESIGN.md, "The shapes world, v1") at any canvas
// size: white background, each pixel's coverage estimated by supersampling on a regular grid, colors
// blended by coverage (anti-aliasing). Boxes never overlap, so blending order does not matter.

import Media

public struct ShapesRenderer: Sendable {
    /// Samples per pixel along each axis (4 gives 16 coverage levels).
    public var supersample: Int
    public var referenceSize: Int

    public init(supersample: Int = 4, referenceSize: Int = 32) {
        precondition(supersample >= 1)
        self.supersample = supersample
        self.referenceSize = referenceSize
    }

    /// An RGB image of `size` x `size` pixels.
    public func render(_ objects: [ShapeObject], size: Int = 32) -> Image {
        var px = [Float](repeating: 1, count: size * size * 3)
        for o in objects {
            let c = o.color.rgb
            forEachCoverage(of: o, canvas: size) { x, y, a in
                let i = (y * size + x) * 3
                px[i] = px[i] * (1 - a) + c.x * a
                px[i + 1] = px[i + 1] * (1 - a) + c.y * a
                px[i + 2] = px[i + 2] * (1 - a) + c.z * a
            }
        }
        return Image(width: size, height: size, channels: 3, pixels: px)
    }

    /// 8-bit RGB, rounded: the form stored in dataset files (size * size * 3 bytes).
    public func renderBytes(_ objects: [ShapeObject], size: Int = 32) -> [UInt8] {
        render(objects, size: size).pixels.map { UInt8(($0 * 255).rounded().clamped(0, 255)) }
    }

    /// Calls `body(x, y, coverage)` for every pixel the object's box touches, with coverage > 0.
    public func forEachCoverage(of o: ShapeObject, canvas size: Int, _ body: (Int, Int, Float) -> Void) {
        let scale = Float(size) / Float(referenceSize)
        let bx = o.x * scale, by = o.y * scale, side = o.side * scale
        coverage(shape: o.shape, boxX: bx, boxY: by, side: side, width: size, height: size, body)
    }

    /// Coverage of one shape whose box is at (boxX, boxY) with the given side, in canvas pixels.
    public func coverage(shape: ShapeKind, boxX: Float, boxY: Float, side: Float, width: Int, height: Int,
                         _ body: (Int, Int, Float) -> Void) {
        let n = supersample
        let inv = 1 / Float(n)
        let x0 = max(0, Int(boxX.rounded(.down))), x1 = min(width - 1, Int((boxX + side).rounded(.up)))
        let y0 = max(0, Int(boxY.rounded(.down))), y1 = min(height - 1, Int((boxY + side).rounded(.up)))
        guard x0 <= x1, y0 <= y1 else { return }
        for y in y0...y1 {
            for x in x0...x1 {
                var hits = 0
                for sy in 0..<n {
                    let v = (Float(y) + (Float(sy) + 0.5) * inv - boxY) / side
                    for sx in 0..<n {
                        let u = (Float(x) + (Float(sx) + 0.5) * inv - boxX) / side
                        if shape.contains(u: u, v: v) { hits += 1 }
                    }
                }
                if hits > 0 { body(x, y, Float(hits) / Float(n * n)) }
            }
        }
    }
}

extension Float {
    @inline(__always)
    func clamped(_ lo: Float, _ hi: Float) -> Float { Swift.min(Swift.max(self, lo), hi) }
}
