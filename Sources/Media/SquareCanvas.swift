// SquareCanvas.swift: an image centered on a square canvas of one fill color (the canvas side is
// the larger of width and height), so a non-square picture can be resized without distortion.

extension Image {
    /// This image centered on a `max(width, height)` square filled with `fill` (one value per channel).
    public func centeredOnSquare(fill: [Float]) -> Image {
        precondition(fill.count == channels, "fill has \(fill.count) values for \(channels) channels")
        let side = max(width, height)
        if side == width && side == height { return self }
        var canvas = Image(width: side, height: side, fill: fill)
        let ox = (side - width) / 2, oy = (side - height) / 2
        for y in 0..<height {
            let src = y * width * channels, dst = ((oy + y) * side + ox) * channels
            for i in 0..<(width * channels) { canvas.pixels[dst + i] = pixels[src + i] }
        }
        return canvas
    }
}
