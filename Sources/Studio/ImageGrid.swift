// ImageGrid.swift: tiles images into one RGB contact sheet (rows x columns, equal cells, a white
// gap between cells), for the comparison report's grid.png. Missing cells stay white.
import Media

public enum ImageGrid {
    /// rows[r][c] is the image of cell (r, c) or nil. Cells take the size of the largest image.
    public static func tile(_ rows: [[Image?]], gap: Int = 2, scale: Int = 1) -> Image {
        let cells = rows.flatMap { $0 }.compactMap { $0 }
        let cw = (cells.map(\.width).max() ?? 1) * scale, ch = (cells.map(\.height).max() ?? 1) * scale
        let cols = rows.map(\.count).max() ?? 0
        let w = max(1, cols * cw + (cols + 1) * gap), h = max(1, rows.count * ch + (rows.count + 1) * gap)
        var out = Image(width: w, height: h, fill: [1, 1, 1])
        for (r, row) in rows.enumerated() {
            for (c, cell) in row.enumerated() {
                guard let cell else { continue }
                let im = ImageMetrics.rgb(cell)
                let ox = gap + c * (cw + gap), oy = gap + r * (ch + gap)
                for y in 0..<(im.height * scale) {
                    for x in 0..<(im.width * scale) {
                        for k in 0..<3 { out[ox + x, oy + y, k] = im[x / scale, y / scale, k] }
                    }
                }
            }
        }
        return out
    }
}
