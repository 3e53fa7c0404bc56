// ImageGrid.swift: labelled contact sheets: rows x columns of images, each cell with a text
// label under (or over) it, optional column headers, row headers and a title, drawn with the
// 5x7 bitmap font on an RGB canvas. Used for sample sheets ("prompt x seed", "steps x sampler").

public struct ImageGrid {
    public enum LabelPosition: String, Sendable, Codable { case below, above }

    public struct Options: Sendable, Codable {
        /// Each image is enlarged by this integer factor with nearest-neighbour sampling (small
        /// 32x32 samples read better at 2x or 3x).
        public var cellScale = 1
        /// Space around every cell, in pixels.
        public var padding = 6
        public var labelPosition = LabelPosition.below
        /// Label lines kept per cell (longer labels are wrapped, then cut with "...").
        public var maxLabelLines = 3
        public var textScale = 1
        public var background: [Float] = [1, 1, 1]
        public var textColor: [Float] = [0, 0, 0]
        /// Cells are at least this wide, so short images still get readable labels.
        public var minCellWidth = 48
        public init() {}
    }

    /// One cell: an image (nil leaves the cell blank) and its label.
    public struct Cell {
        public var image: Image?
        public var label: String
        public init(_ image: Image?, label: String = "") {
            self.image = image
            self.label = label
        }
    }

    public var rows: [[Cell]]
    public var columnHeaders: [String] = []
    public var rowHeaders: [String] = []
    public var title: String = ""
    public var options = Options()

    public init(rows: [[Cell]], columnHeaders: [String] = [], rowHeaders: [String] = [], title: String = "",
                options: Options = Options()) {
        self.rows = rows
        self.columnHeaders = columnHeaders
        self.rowHeaders = rowHeaders
        self.title = title
        self.options = options
    }

    /// The sheet as an RGB image.
    public func render() -> Image {
        let font = BitmapFont.standard
        let o = options
        let ts = max(1, o.textScale)
        let columns = max(rows.map(\.count).max() ?? 0, columnHeaders.count, 1)
        let images = rows.flatMap { $0.compactMap(\.image) }
        let cellW = max(o.minCellWidth, (images.map(\.width).max() ?? 0) * o.cellScale)
        let cellH = max(1, (images.map(\.height).max() ?? 0) * o.cellScale)
        let line = font.lineHeight * ts
        let labelLines = rows.flatMap { $0 }.map { min(o.maxLabelLines, wrapped($0.label, cellW).count) }.max() ?? 0
        let labelH = labelLines * line
        let headerH = columnHeaders.isEmpty ? 0 : columnHeaders.map { min(o.maxLabelLines, wrapped($0, cellW).count) }.max()! * line + o.padding
        let rowHeaderW = rowHeaders.isEmpty ? 0 : min(200, rowHeaders.map { font.width($0, scale: ts) }.max()!) + o.padding
        let titleLines = title.isEmpty ? [] : font.wrap(title, maxWidth: max(200, columns * (cellW + o.padding)), scale: 2 * ts)
        let titleH = titleLines.count * font.lineHeight * 2 * ts + (titleLines.isEmpty ? 0 : o.padding)
        let blockH = cellH + labelH + o.padding
        let width = o.padding + rowHeaderW + columns * (cellW + o.padding)
        let height = o.padding + titleH + headerH + rows.count * blockH
        var canvas = Image(width: max(width, 1), height: max(height, 1), fill: o.background)
        var y = o.padding
        for text in titleLines {
            canvas.drawText(text, x: o.padding, y: y, color: o.textColor, scale: 2 * ts)
            y += font.lineHeight * 2 * ts
        }
        y += titleLines.isEmpty ? 0 : o.padding
        let gridLeft = o.padding + rowHeaderW
        for (c, header) in columnHeaders.enumerated() {
            drawLabel(header, on: &canvas, x: gridLeft + c * (cellW + o.padding), y: y, width: cellW)
        }
        y += headerH
        for (r, row) in rows.enumerated() {
            let top = y + r * blockH
            if r < rowHeaders.count {
                let text = clip(rowHeaders[r], rowHeaderW - o.padding)
                canvas.drawText(text, x: o.padding, y: top + (cellH - 7 * ts) / 2 + (o.labelPosition == .above ? labelH : 0), color: o.textColor, scale: ts)
            }
            for (c, cell) in row.enumerated() {
                let left = gridLeft + c * (cellW + o.padding)
                let imageTop = o.labelPosition == .above ? top + labelH : top
                if let image = cell.image {
                    let scaled = o.cellScale == 1 ? image
                        : image.resized(width: image.width * o.cellScale, height: image.height * o.cellScale, filter: .nearest)
                    canvas.paste(scaled, x: left + (cellW - scaled.width) / 2, y: imageTop + (cellH - scaled.height) / 2)
                }
                let labelTop = o.labelPosition == .above ? top : top + cellH + 2
                drawLabel(cell.label, on: &canvas, x: left, y: labelTop, width: cellW)
            }
        }
        return canvas
    }

    func wrapped(_ text: String, _ width: Int) -> [String] {
        text.isEmpty ? [] : BitmapFont.standard.wrap(text, maxWidth: width, scale: max(1, options.textScale))
    }

    /// `text` cut with "..." to fit `width` pixels on one line.
    func clip(_ text: String, _ width: Int) -> String {
        let font = BitmapFont.standard, ts = max(1, options.textScale)
        if font.width(text, scale: ts) <= width { return text }
        var s = text
        while !s.isEmpty && font.width(s + "...", scale: ts) > width { s.removeLast() }
        return s + "..."
    }

    /// A wrapped label, centred under the cell, at most `maxLabelLines` lines.
    func drawLabel(_ text: String, on canvas: inout Image, x: Int, y: Int, width: Int) {
        let font = BitmapFont.standard, ts = max(1, options.textScale)
        var lines = wrapped(text, width)
        if lines.count > options.maxLabelLines {
            lines = Array(lines.prefix(options.maxLabelLines))
            lines[lines.count - 1] = clip(lines[lines.count - 1] + "...", width)
        }
        for (i, l) in lines.enumerated() {
            canvas.drawText(l, x: x + max(0, (width - font.width(l, scale: ts)) / 2), y: y + i * font.lineHeight * ts,
                            color: options.textColor, scale: ts)
        }
    }
}
