// AreaResize.swift: area (box-filter) downscaling of an image: each output pixel is the exact mean
// of the source area it covers, with fractional weights at the edges (like OpenCV's INTER_AREA).
// Separable: rows first, then columns.

import Media

enum AreaResize {
    /// Weights of the source samples for each output sample: (first source index, weights).
    static func weights(from n: Int, to m: Int) -> [(Int, [Float])] {
        let scale = Double(n) / Double(m)
        return (0..<m).map { j in
            let a = Double(j) * scale, b = Double(j + 1) * scale
            let first = Int(a.rounded(.down)), last = min(n - 1, Int((b - 1e-9).rounded(.down)))
            let w = (first...last).map { i in Float((min(b, Double(i + 1)) - max(a, Double(i))) / scale) }
            return (first, w)
        }
    }

    static func resize(_ image: Image, width: Int, height: Int) -> Image {
        let c = image.channels, w0 = image.width
        let wx = weights(from: w0, to: width), wy = weights(from: image.height, to: height)
        var rows = [Float](repeating: 0, count: image.height * width * c)
        for y in 0..<image.height {
            for (x, (first, w)) in wx.enumerated() {
                for ch in 0..<c {
                    var s: Float = 0
                    for (k, wk) in w.enumerated() { s += wk * image.pixels[(y * w0 + first + k) * c + ch] }
                    rows[(y * width + x) * c + ch] = s
                }
            }
        }
        var out = [Float](repeating: 0, count: height * width * c)
        for (y, (first, w)) in wy.enumerated() {
            for x in 0..<width {
                for ch in 0..<c {
                    var s: Float = 0
                    for (k, wk) in w.enumerated() { s += wk * rows[((first + k) * width + x) * c + ch] }
                    out[(y * width + x) * c + ch] = s
                }
            }
        }
        return Image(width: width, height: height, channels: c, pixels: out)
    }

    /// The image centered on a square canvas of the given fill (the larger side), then resized.
    static func squareResize(_ image: Image, side: Int, fill: [Float]) -> Image {
        let s = max(image.width, image.height)
        var canvas = Image(width: s, height: s, fill: fill)
        let ox = (s - image.width) / 2, oy = (s - image.height) / 2
        for y in 0..<image.height { for x in 0..<image.width { for ch in 0..<image.channels {
            canvas[ox + x, oy + y, ch] = image[x, y, ch]
        } } }
        return resize(canvas, width: side, height: side)
    }
}
