// ContactSheet.swift: a labelled grid of images (a contact sheet) for looking at datasets: each
// cell is an image scaled up by pixel replication with its label word-wrapped underneath in the
// 5x7 pixel font. (A small one of Data's own, for `diptych data preview`.)

import Media

public struct ContactSheet: Sendable {
    public var columns = 8
    /// Side of each image in the sheet (images are scaled by pixel replication, nearest neighbour).
    public var cellImage = 96
    public var labelLines = 3
    public var padding = 8

    public init() {}

    /// The sheet as an RGB image; `labels[i]` goes under `images[i]`.
    public func make(images: [Image], labels: [String]) -> Image {
        precondition(images.count == labels.count)
        let charsPerLine = (cellImage + padding) / PixelFont.advance
        let cellW = max(cellImage, charsPerLine * PixelFont.advance) + padding
        let labelH = labelLines * (PixelFont.glyphHeight + 2)
        let cellH = cellImage + 4 + labelH + padding
        let cols = max(1, min(columns, images.count))
        let rows = (images.count + cols - 1) / cols
        var sheet = Image(width: cols * cellW + padding, height: max(1, rows * cellH) + padding, fill: [1, 1, 1])
        for (i, img) in images.enumerated() {
            let x0 = padding + (i % cols) * cellW, y0 = padding + (i / cols) * cellH
            let rgb = img.channels == 3 ? img : img.composited(onto: [1, 1, 1]).converted(toChannels: 3)
            for y in 0..<cellImage { for x in 0..<cellImage {
                let sx = x * rgb.width / cellImage, sy = y * rgb.height / cellImage
                for c in 0..<3 { sheet[x0 + x, y0 + y, c] = rgb[sx, sy, c] }
            } }
            // A thin gray frame shows where a white image ends.
            for k in -1...cellImage {
                for (fx, fy) in [(x0 + k, y0 - 1), (x0 + k, y0 + cellImage), (x0 - 1, y0 + k), (x0 + cellImage, y0 + k)]
                where fx >= 0 && fy >= 0 && fx < sheet.width && fy < sheet.height {
                    for c in 0..<3 { sheet[fx, fy, c] = 0.8 }
                }
            }
            for (l, line) in PixelFont.wrap(labels[i], width: charsPerLine - 1, maxLines: labelLines).enumerated() {
                PixelFont.draw(line, into: &sheet, x: x0, y: y0 + cellImage + 4 + l * (PixelFont.glyphHeight + 2), color: [0, 0, 0])
            }
        }
        return sheet
    }
}
