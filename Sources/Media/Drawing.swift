// Drawing.swift: the few raster primitives grids and plots need, all clipped to the image:
// filled rectangles, antialiased thick line segments (coverage from the distance of each pixel
// centre to the segment, a box-filter approximation), bitmap text, and pasting one image over
// another ("over" with straight alpha). Colors are RGB triples in [0, 1]; on a gray image they
// become Rec. 601 luma, on an image with alpha they are opaque.

extension Image {
    /// `rgb` expressed in this image's channels (alpha, if any, = 1).
    func sample(_ rgb: [Float]) -> [Float] {
        precondition(rgb.count == 3, "colors are RGB triples")
        let gray = 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]
        switch channels {
        case 1: return [gray]
        case 2: return [gray, 1]
        case 3: return rgb
        default: return rgb + [1]
        }
    }

    /// Mixes `color` (already in this image's channels) into pixel (x, y) with weight `coverage`.
    @inline(__always)
    mutating func blend(_ x: Int, _ y: Int, _ color: [Float], _ coverage: Float) {
        guard x >= 0, y >= 0, x < width, y < height, coverage > 0 else { return }
        let a = min(coverage, 1)
        let p = (y * width + x) * channels
        for k in 0..<channels { pixels[p + k] = pixels[p + k] * (1 - a) + color[k] * a }
    }

    public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, color rgb: [Float]) {
        let color = sample(rgb)
        let x0 = max(0, x), y0 = max(0, y), x1 = min(width, x + w), y1 = min(height, y + h)
        guard x0 < x1, y0 < y1 else { return }
        for yy in y0..<y1 {
            for xx in x0..<x1 {
                let p = (yy * width + xx) * channels
                for k in 0..<channels { pixels[p + k] = color[k] }
            }
        }
    }

    /// An antialiased segment `lineWidth` pixels wide between two points in pixel coordinates
    /// (pixel (i, j) has its centre at (i + 0.5, j + 0.5)).
    public mutating func drawLine(from a: (x: Double, y: Double), to b: (x: Double, y: Double),
                                  color rgb: [Float], lineWidth: Double = 1) {
        guard a.x.isFinite, a.y.isFinite, b.x.isFinite, b.y.isFinite else { return }
        let color = sample(rgb)
        let r = lineWidth / 2 + 0.5
        let x0 = max(0, Int((min(a.x, b.x) - r).rounded(.down))), x1 = min(width - 1, Int((max(a.x, b.x) + r).rounded(.up)))
        let y0 = max(0, Int((min(a.y, b.y) - r).rounded(.down))), y1 = min(height - 1, Int((max(a.y, b.y) + r).rounded(.up)))
        guard x0 <= x1, y0 <= y1 else { return }
        let dx = b.x - a.x, dy = b.y - a.y
        let len2 = dx * dx + dy * dy
        for y in y0...y1 {
            for x in x0...x1 {
                let px = Double(x) + 0.5, py = Double(y) + 0.5
                let t = len2 > 0 ? min(max(((px - a.x) * dx + (py - a.y) * dy) / len2, 0), 1) : 0
                let ex = px - (a.x + t * dx), ey = py - (a.y + t * dy)
                let d = (ex * ex + ey * ey).squareRoot()
                let coverage = min(max(lineWidth / 2 + 0.5 - d, 0), 1)
                if coverage > 0 { blend(x, y, color, Float(coverage)) }
            }
        }
    }

    /// Draws one line of text with its top-left corner at (x, y); each font pixel becomes a
    /// `scale` x `scale` block.
    public mutating func drawText(_ text: String, x: Int, y: Int, color rgb: [Float], scale: Int = 1,
                                  font: BitmapFont = .standard) {
        let color = sample(rgb)
        var cx = x
        for ch in text {
            let rows = font.rows(ch)
            for (j, bits) in rows.enumerated() {
                for i in 0..<font.glyphWidth where bits & (0x10 >> UInt8(i)) != 0 {
                    for sy in 0..<scale { for sx in 0..<scale { blend(cx + i * scale + sx, y + j * scale + sy, color, 1) } }
                }
            }
            cx += font.advance * scale
        }
    }

    /// Composites `image` over this one with its top-left corner at (x, y).
    public mutating func paste(_ image: Image, x: Int, y: Int) {
        let src = image
        let colorChannels = channels <= 2 ? 1 : 3
        for j in 0..<src.height where y + j >= 0 && y + j < height {
            for i in 0..<src.width where x + i >= 0 && x + i < width {
                let s = (j * src.width + i) * src.channels
                let a: Float = src.hasAlpha ? src.pixels[s + src.channels - 1] : 1
                var color = [Float](repeating: 0, count: channels)
                let srcColor = src.channels <= 2 ? 1 : 3
                for k in 0..<colorChannels {
                    color[k] = srcColor == colorChannels ? src.pixels[s + k]
                        : (srcColor == 1 ? src.pixels[s] : 0.299 * src.pixels[s] + 0.587 * src.pixels[s + 1] + 0.114 * src.pixels[s + 2])
                }
                if hasAlpha { color[channels - 1] = 1 }
                blend(x + i, y + j, color, a)
            }
        }
    }
}
