// LinePlot.swift: a small line chart rendered to an RGB image (for loss curves and
// quality-vs-steps plots): several series, axes with "nice" ticks (1, 2, 5 x 10^k, after
// Heckbert, "Nice numbers for graph labels", Graphics Gems 1990), optional log-scale y, a legend,
// a title and axis labels, all in the 5x7 bitmap font. Non-finite points break a line.
import Foundation

public struct LinePlot {
    public struct Series {
        public var name: String
        public var points: [(x: Double, y: Double)]
        /// RGB in [0, 1]; nil takes the next color of the palette.
        public var color: [Float]?
        public init(name: String, points: [(x: Double, y: Double)], color: [Float]? = nil) {
            self.name = name
            self.points = points
            self.color = color
        }
        public init(name: String, ys: [Double], color: [Float]? = nil) {
            self.init(name: name, points: ys.enumerated().map { (Double($0.offset), $0.element) }, color: color)
        }
    }

    public var series: [Series]
    public var title = ""
    public var xLabel = ""
    public var yLabel = ""
    public var logY = false
    public var width = 640
    public var height = 400
    public var lineWidth = 2.0
    /// Draw a dot on every point (useful when series have few points, such as steps 1, 2, 4, 8).
    public var markers = false

    /// Distinct colors (Okabe-Ito, a palette readable with color blindness).
    public static let palette: [[Float]] = [[0.0, 0.447, 0.698], [0.835, 0.369, 0.0], [0.0, 0.620, 0.451],
                                            [0.800, 0.475, 0.655], [0.337, 0.706, 0.914], [0.902, 0.624, 0.0],
                                            [0.941, 0.894, 0.259], [0.0, 0.0, 0.0]]

    public init(series: [Series], title: String = "", xLabel: String = "", yLabel: String = "", logY: Bool = false) {
        self.series = series
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.logY = logY
    }

    /// "Nice" tick positions covering [lo, hi], about `count` of them.
    public static func ticks(_ lo: Double, _ hi: Double, count: Int = 6) -> [Double] {
        guard lo.isFinite, hi.isFinite, hi > lo else { return [lo] }
        let raw = (hi - lo) / Double(max(1, count - 1))
        let mag = pow(10, (log10(raw)).rounded(.down))
        let step = [1.0, 2, 5, 10].map { $0 * mag }.first { $0 >= raw } ?? 10 * mag
        var t = (lo / step).rounded(.up) * step
        var out: [Double] = []
        while t <= hi + step * 1e-9 {
            out.append(abs(t) < step * 1e-9 ? 0 : t)
            t += step
        }
        return out
    }

    /// Ticks (as log10 values) for a log axis over [lo, hi] (log10 units): powers of ten, plus 2
    /// and 5 times them when the axis spans fewer than three decades.
    public static func logTicks(_ lo: Double, _ hi: Double) -> [Double] {
        guard lo.isFinite, hi.isFinite, hi > lo else { return [] }
        let multiples: [Double] = hi - lo < 3 ? [1, 2, 5] : [1]
        let step = max(1, Int(((hi - lo) / 6).rounded(.up)))
        var out: [Double] = []
        var e = Int(lo.rounded(.down))
        while Double(e) <= hi {
            for m in multiples {
                let t = Double(e) + log10(m)
                if t >= lo && t <= hi { out.append(t) }
            }
            e += step
        }
        return out
    }

    /// A short label for a tick value.
    public static func label(_ v: Double) -> String {
        if v == 0 { return "0" }
        let a = abs(v)
        if a >= 1e5 || a < 1e-3 { return String(format: "%.0e", v).replacingOccurrences(of: "e+0", with: "e").replacingOccurrences(of: "e-0", with: "e-") }
        var s = String(format: a >= 100 ? "%.0f" : (a >= 1 ? "%.2f" : "%.4f"), v)
        if s.contains(".") { while s.hasSuffix("0") { s.removeLast() }; if s.hasSuffix(".") { s.removeLast() } }
        return s
    }

    public func render() -> Image {
        let font = BitmapFont.standard
        let bg: [Float] = [1, 1, 1], ink: [Float] = [0, 0, 0], grid: [Float] = [0.88, 0.88, 0.88]
        var img = Image(width: width, height: height, fill: bg)
        let fy: (Double) -> Double = { logY ? log10($0) : $0 }
        let all = series.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite && (!logY || $0.y > 0) }
        var x0 = all.map(\.x).min() ?? 0, x1 = all.map(\.x).max() ?? 1
        var y0 = all.map { fy($0.y) }.min() ?? 0, y1 = all.map { fy($0.y) }.max() ?? 1
        if x1 <= x0 { x0 -= 0.5; x1 += 0.5 }
        if y1 <= y0 { y0 -= logY ? 0.5 : max(0.5, abs(y0) * 0.1); y1 += logY ? 0.5 : max(0.5, abs(y1) * 0.1) }
        let pad = (y1 - y0) * 0.05
        y0 -= pad; y1 += pad
        let yTicks = logY ? Self.logTicks(y0, y1) : Self.ticks(y0, y1)
        let xTicks = Self.ticks(x0, x1, count: 7)
        let yLabels = yTicks.map { logY ? Self.label(pow(10, $0)) : Self.label($0) }
        // Plot area.
        let left = 10 + (yLabel.isEmpty ? 0 : font.lineHeight + 4) + (yLabels.map { font.width($0) }.max() ?? 0)
        let top = title.isEmpty ? 10 : 10 + 2 * font.lineHeight + 4
        let right = width - 14
        let bottom = height - 10 - font.lineHeight - (xLabel.isEmpty ? 0 : font.lineHeight + 4)
        guard right - left > 10, bottom - top > 10 else { return img }
        let px: (Double) -> Double = { Double(left) + ($0 - x0) / (x1 - x0) * Double(right - left) }
        let py: (Double) -> Double = { Double(bottom) - (fy($0) - y0) / (y1 - y0) * Double(bottom - top) }
        for (t, text) in zip(yTicks, yLabels) {
            let yy = Double(bottom) - (t - y0) / (y1 - y0) * Double(bottom - top)
            img.fill(x: left, y: Int(yy), width: right - left, height: 1, color: grid)
            img.drawText(text, x: left - 4 - font.width(text), y: Int(yy) - 3, color: ink)
        }
        for t in xTicks {
            let xx = Int(px(t))
            img.fill(x: xx, y: top, width: 1, height: bottom - top, color: grid)
            let text = Self.label(t)
            img.drawText(text, x: xx - font.width(text) / 2, y: bottom + 4, color: ink)
        }
        img.fill(x: left, y: top, width: 1, height: bottom - top + 1, color: ink)
        img.fill(x: left, y: bottom, width: right - left + 1, height: 1, color: ink)
        if !title.isEmpty { img.drawText(title, x: max(2, (width - font.width(title, scale: 2)) / 2), y: 8, color: ink, scale: 2) }
        if !xLabel.isEmpty { img.drawText(xLabel, x: (left + right - font.width(xLabel)) / 2, y: height - 6 - font.glyphHeight, color: ink) }
        if !yLabel.isEmpty { drawVertical(yLabel, on: &img, x: 6, centerY: (top + bottom) / 2, color: ink) }
        for (i, s) in series.enumerated() {
            let color = s.color ?? Self.palette[i % Self.palette.count]
            var previous: (x: Double, y: Double)?
            for p in s.points {
                guard p.x.isFinite, p.y.isFinite, !logY || p.y > 0 else { previous = nil; continue }
                let q = (x: px(p.x), y: py(p.y))
                if let a = previous { img.drawLine(from: a, to: q, color: color, lineWidth: lineWidth) }
                if markers { img.drawLine(from: q, to: q, color: color, lineWidth: lineWidth + 3) }
                previous = q
            }
        }
        drawLegend(on: &img, right: right, top: top)
        return img
    }

    /// The legend box in the top-right corner of the plot area.
    func drawLegend(on img: inout Image, right: Int, top: Int) {
        let named = series.enumerated().filter { !$0.element.name.isEmpty }
        guard !named.isEmpty else { return }
        let font = BitmapFont.standard
        let boxW = 24 + (named.map { font.width($0.element.name) }.max() ?? 0)
        let boxH = 6 + named.count * (font.lineHeight + 2)
        let x = right - boxW - 6, y = top + 6
        img.fill(x: x, y: y, width: boxW, height: boxH, color: [1, 1, 1])
        for (row, item) in named.enumerated() {
            let yy = y + 4 + row * (font.lineHeight + 2)
            let color = item.element.color ?? Self.palette[item.offset % Self.palette.count]
            img.drawLine(from: (Double(x + 4), Double(yy) + 3.5), to: (Double(x + 16), Double(yy) + 3.5), color: color, lineWidth: lineWidth)
            img.drawText(item.element.name, x: x + 20, y: yy, color: [0, 0, 0])
        }
        for (bx, by, bw, bh) in [(x, y, boxW, 1), (x, y + boxH - 1, boxW, 1), (x, y, 1, boxH), (x + boxW - 1, y, 1, boxH)] {
            img.fill(x: bx, y: by, width: bw, height: bh, color: [0.6, 0.6, 0.6])
        }
    }

    /// Text rotated 90 degrees counter-clockwise (reads bottom to top), centred on `centerY`.
    func drawVertical(_ text: String, on img: inout Image, x: Int, centerY: Int, color: [Float]) {
        let font = BitmapFont.standard
        var strip = Image(width: font.width(text), height: font.glyphHeight, fill: [1, 1, 1])
        strip.drawText(text, x: 0, y: 0, color: [0, 0, 0])
        let top = centerY + strip.width / 2
        let ink = img.sample(color)
        for j in 0..<strip.height {
            for i in 0..<strip.width where strip.pixels[(j * strip.width + i) * 3] < 0.5 {
                img.blend(x + j, top - i, ink, 1)
            }
        }
    }
}
