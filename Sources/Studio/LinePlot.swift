// LinePlot.swift: a small line chart as SVG text (one polyline with dots per series, axes with
// "nice" ticks, a legend), for the comparison report's quality-versus-steps plots. Text output keeps
// the report free of font rendering; browsers and the README's viewer draw it.
import Foundation

public struct LinePlot: Sendable {
    public struct Series: Sendable {
        public var name: String
        public var points: [(Double, Double)]
        public init(name: String, points: [(Double, Double)]) {
            self.name = name
            self.points = points
        }
    }

    public var series: [Series]
    public var xLabel: String
    public var yLabel: String
    /// Logarithmic x axis (step counts 1, 2, 4, 8 ...).
    public var logX: Bool
    public var width = 480.0
    public var height = 300.0

    public init(series: [Series], xLabel: String, yLabel: String, logX: Bool = false) {
        self.series = series
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.logX = logX
    }

    static let colors = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]

    /// Tick values covering [lo, hi]: about 5 steps of 1, 2 or 5 times a power of ten.
    static func ticks(_ lo: Double, _ hi: Double) -> [Double] {
        guard hi > lo else { return [lo] }
        let raw = (hi - lo) / 5
        let p = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * p }.first { $0 >= raw } ?? 10 * p
        var t = ceil(lo / step) * step
        var out: [Double] = []
        while t <= hi + step * 1e-9 { out.append(t); t += step }
        return out
    }

    public func svg() -> String {
        let all = series.flatMap(\.points).filter { $0.0.isFinite && $0.1.isFinite && (!logX || $0.0 > 0) }
        let left = 56.0, right = 130.0, top = 12.0, bottom = 40.0
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" font-family=\"sans-serif\" font-size=\"11\">"
        guard !all.isEmpty else { return s + "<text x=\"10\" y=\"20\">no data</text></svg>" }
        let tx: (Double) -> Double = { logX ? log2($0) : $0 }
        var x0 = all.map { tx($0.0) }.min()!, x1 = all.map { tx($0.0) }.max()!
        var y0 = all.map(\.1).min()!, y1 = all.map(\.1).max()!
        if x1 == x0 { x0 -= 1; x1 += 1 }
        if y1 == y0 { y0 -= 1; y1 += 1 }
        let pad = (y1 - y0) * 0.05
        y0 -= pad; y1 += pad
        let pw = width - left - right, ph = height - top - bottom
        func px(_ x: Double) -> Double { left + (tx(x) - x0) / (x1 - x0) * pw }
        func py(_ y: Double) -> Double { top + (1 - (y - y0) / (y1 - y0)) * ph }
        func n(_ v: Double) -> String { String(format: "%.1f", v) }
        s += "<rect x=\"\(n(left))\" y=\"\(n(top))\" width=\"\(n(pw))\" height=\"\(n(ph))\" fill=\"none\" stroke=\"#888\"/>"
        for t in LinePlot.ticks(y0, y1) {
            s += "<line x1=\"\(n(left - 4))\" x2=\"\(n(left))\" y1=\"\(n(py(t)))\" y2=\"\(n(py(t)))\" stroke=\"#888\"/>"
            s += "<text x=\"\(n(left - 6))\" y=\"\(n(py(t) + 4))\" text-anchor=\"end\">\(LinePlot.label(t))</text>"
        }
        let xs = Set(all.map(\.0)).sorted()
        for x in xs {
            s += "<line x1=\"\(n(px(x)))\" x2=\"\(n(px(x)))\" y1=\"\(n(top + ph))\" y2=\"\(n(top + ph + 4))\" stroke=\"#888\"/>"
            s += "<text x=\"\(n(px(x)))\" y=\"\(n(top + ph + 16))\" text-anchor=\"middle\">\(LinePlot.label(x))</text>"
        }
        s += "<text x=\"\(n(left + pw / 2))\" y=\"\(n(height - 6))\" text-anchor=\"middle\">\(xLabel)\(logX ? " (log scale)" : "")</text>"
        s += "<text transform=\"translate(14 \(n(top + ph / 2))) rotate(-90)\" text-anchor=\"middle\">\(yLabel)</text>"
        for (i, se) in series.enumerated() {
            let color = LinePlot.colors[i % LinePlot.colors.count]
            let pts = se.points.filter { $0.0.isFinite && $0.1.isFinite && (!logX || $0.0 > 0) }.sorted { $0.0 < $1.0 }
            s += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"" + pts.map { "\(n(px($0.0))),\(n(py($0.1)))" }.joined(separator: " ") + "\"/>"
            for p in pts { s += "<circle cx=\"\(n(px(p.0)))\" cy=\"\(n(py(p.1)))\" r=\"3\" fill=\"\(color)\"/>" }
            let ly = top + 14 + Double(i) * 16
            s += "<line x1=\"\(n(width - right + 10))\" x2=\"\(n(width - right + 28))\" y1=\"\(n(ly - 4))\" y2=\"\(n(ly - 4))\" stroke=\"\(color)\" stroke-width=\"2\"/>"
            s += "<text x=\"\(n(width - right + 32))\" y=\"\(n(ly))\">\(se.name.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;"))</text>"
        }
        return s + "</svg>"
    }

    static func label(_ v: Double) -> String {
        if v == v.rounded() && abs(v) < 1e9 { return String(Int(v)) }
        return String(format: abs(v) < 1 ? "%.3g" : "%.4g", v)
    }
}
