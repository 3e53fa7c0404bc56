// ShapesOracle.swift: reads a shapes-world image (DESIGN.md, "The shapes world, v1") back into
// objects: color, shape, size and position. It is the judge of generated images, so it must be
// right on clean renders and robust to mild noise, blur, color shifts and jitter.
//
// Method (classical connected-component analysis plus template matching):
//  1. background color = per-channel median of the outermost pixel ring (the spec keeps objects
//     at least 1 px from the border);
//  2. ink = largest per-channel drop below the background; pixels with ink > threshold form
//     4-connected components, tiny ones are dropped as noise;
//  3. color = mean of the component's most inked pixels (corrected for a global darkening of the
//     background), nearest palette color;
//  4. coverage of every pixel of the component's window = projection of (background - pixel) on
//     (background - object color); area (sum of coverage) decides the size (small boxes hold at
//     most 49 px^2 of shape, large ones at least 84.5), the coverage centroid places the box;
//  5. shape = the template (rendered coverage of each shape of that size, box placed so its area
//     centroid falls on the measured centroid) with the smallest squared difference.

import Foundation
import Media

/// One object as the oracle sees it. Positions in pixels of the 32x32 reference canvas.
public struct OracleObject: Codable, Sendable, Equatable {
    public var color: ShapeColor
    public var shape: ShapeKind
    public var size: ShapeSize
    /// Center of the fitted bounding box (what relations are judged on).
    public var centerX: Float
    public var centerY: Float
    /// Coverage-weighted centroid of the ink.
    public var centroidX: Float
    public var centroidY: Float
    /// Area covered, in reference square pixels.
    public var area: Float
    /// Distance of the measured color to the palette color (0...sqrt(3)).
    public var colorDistance: Float
    /// Mean squared coverage difference to the best template (0 = perfect fit).
    public var fitError: Float

    public var center: (x: Float, y: Float) { (centerX, centerY) }

    /// The object as a scene object (box corner from the fitted center).
    public var asShapeObject: ShapeObject {
        let s = Float(size.side)
        return ShapeObject(color: color, shape: shape, size: size, x: centerX - s / 2, y: centerY - s / 2)
    }
}

public struct ShapesOracle: Sendable {
    public struct Settings: Codable, Sendable, Equatable {
        /// Ink (drop below background, 0...1) a pixel needs to belong to an object.
        public var inkThreshold: Float = 0.3
        /// Components with less coverage than this (reference square pixels) are noise.
        public var minArea: Float = 8
        /// Area (reference square pixels) separating small from large.
        public var sizeThreshold: Float = 66
        /// Pixels within this fraction of a component's largest ink give its color.
        public var coreFraction: Float = 0.85
        public var referenceSize: Int = 32
        /// Gaussian blurs (sigma, image pixels) applied to the templates; the best fit over all
        /// of them counts, so a slightly soft image still matches its shape.
        public var templateBlurs: [Float] = [0, 0.5, 0.8]
        public init() {}
    }

    public var settings: Settings
    let renderer: ShapesRenderer

    public init(settings: Settings = Settings()) {
        self.settings = settings
        renderer = ShapesRenderer(supersample: 4, referenceSize: settings.referenceSize)
    }

    /// The objects in an image (gray, RGB or RGBA; alpha is composited on white), top to bottom.
    public func read(_ image: Image) -> [OracleObject] {
        let w = image.width, h = image.height
        guard w >= 4, h >= 4 else { return [] }
        let rgb = Self.rgb(image)
        let bg = Self.background(rgb, width: w, height: h)
        let scale = Float(w) / Float(settings.referenceSize)
        var ink = [Float](repeating: 0, count: w * h)
        for i in 0..<(w * h) {
            ink[i] = max(bg.x - rgb[i * 3], bg.y - rgb[i * 3 + 1], bg.z - rgb[i * 3 + 2])
        }
        let (labels, count) = Self.components(ink.map { $0 > settings.inkThreshold }, width: w, height: h)
        var found: [OracleObject] = []
        for label in 1...max(count, 1) where count > 0 {
            if let o = measure(label: label, labels: labels, ink: ink, rgb: rgb, bg: bg, width: w, height: h, scale: scale) {
                found.append(o)
            }
        }
        return found.sorted { ($0.centerY, $0.centerX) < ($1.centerY, $1.centerX) }
    }

    func measure(label: Int, labels: [Int32], ink: [Float], rgb: [Float], bg: SIMD3<Float>,
                 width w: Int, height h: Int, scale: Float) -> OracleObject? {
        // Bounding box and most inked pixels of the component.
        var x0 = w, y0 = h, x1 = -1, y1 = -1
        var maxInk: Float = 0
        for y in 0..<h { for x in 0..<w where labels[y * w + x] == Int32(label) {
            x0 = min(x0, x); x1 = max(x1, x); y0 = min(y0, y); y1 = max(y1, y)
            maxInk = max(maxInk, ink[y * w + x])
        } }
        var sum = SIMD3<Float>(repeating: 0)
        var n: Float = 0
        for y in y0...y1 { for x in x0...x1 where labels[y * w + x] == Int32(label) && ink[y * w + x] >= settings.coreFraction * maxInk {
            sum += SIMD3(rgb[(y * w + x) * 3], rgb[(y * w + x) * 3 + 1], rgb[(y * w + x) * 3 + 2])
            n += 1
        } }
        let observed = sum / n
        // A background darker than white means the whole image was darkened: undo it for the color.
        let corrected = observed + (SIMD3<Float>(repeating: 1) - bg)
        var best = ShapeColor.red, bestD = Float.infinity
        for c in ShapeColor.allCases {
            let d = c.rgb - corrected
            let dist = (d * d).sum()
            if dist < bestD { bestD = dist; best = c }
        }
        // Coverage over the window (component box grown by one reference pixel), own pixels only.
        let pad = max(1, Int(scale.rounded(.up)))
        let wx0 = max(0, x0 - pad), wx1 = min(w - 1, x1 + pad), wy0 = max(0, y0 - pad), wy1 = min(h - 1, y1 + pad)
        let ww = wx1 - wx0 + 1, wh = wy1 - wy0 + 1
        let dir = bg - observed
        let dirNorm2 = max((dir * dir).sum(), 1e-4)
        var cov = [Float](repeating: 0, count: ww * wh)
        var area: Float = 0, mx: Float = 0, my: Float = 0
        for y in wy0...wy1 { for x in wx0...wx1 {
            let l = labels[y * w + x]
            guard l == 0 || l == Int32(label) else { continue }
            let i = (y * w + x) * 3
            let d = bg - SIMD3(rgb[i], rgb[i + 1], rgb[i + 2])
            let a = min(1.2, (d * dir).sum() / dirNorm2)
            cov[(y - wy0) * ww + (x - wx0)] = a
            area += a
            mx += a * (Float(x) + 0.5)
            my += a * (Float(y) + 0.5)
        } }
        let refArea = area / (scale * scale)
        guard refArea >= settings.minArea, area > 0 else { return nil }
        mx /= area
        my /= area
        let size: ShapeSize = refArea >= settings.sizeThreshold ? .large : .small
        // Template matching.
        let side = Float(size.side) * scale
        var bestShape = ShapeKind.circle, bestErr = Float.infinity, bestBox = (x: Float(0), y: Float(0))
        for shape in ShapeKind.allCases {
            let bx = mx - side / 2, by = my - side * shape.centroidV
            var template = [Float](repeating: 0, count: ww * wh)
            renderer.coverage(shape: shape, boxX: bx - Float(wx0), boxY: by - Float(wy0), side: side, width: ww, height: wh) { x, y, a in
                template[y * ww + x] = a
            }
            for sigma in settings.templateBlurs {
                let t = sigma > 0 ? Self.blurred(template, width: ww, height: wh, sigma: sigma) : template
                var err: Float = 0
                for i in 0..<(ww * wh) {
                    let d = min(max(cov[i], 0), 1) - t[i]
                    err += d * d
                }
                if err < bestErr { bestErr = err; bestShape = shape; bestBox = (bx, by) }
            }
        }
        return OracleObject(
            color: best, shape: bestShape, size: size,
            centerX: (bestBox.x + side / 2) / scale, centerY: (bestBox.y + side / 2) / scale,
            centroidX: mx / scale, centroidY: my / scale, area: refArea,
            colorDistance: bestD.squareRoot(), fitError: bestErr / Float(ww * wh))
    }

    /// A separable Gaussian blur of a small single-channel window (edges clamped).
    static func blurred(_ v: [Float], width w: Int, height h: Int, sigma: Float) -> [Float] {
        let r = max(1, Int((2.5 * sigma).rounded(.up)))
        var k = (-r...r).map { d in expf(-Float(d * d) / (2 * sigma * sigma)) }
        let total = k.reduce(0, +)
        k = k.map { $0 / total }
        var tmp = [Float](repeating: 0, count: w * h), out = tmp
        for y in 0..<h { for x in 0..<w {
            var s: Float = 0
            for d in -r...r { s += k[d + r] * v[y * w + min(w - 1, max(0, x + d))] }
            tmp[y * w + x] = s
        } }
        for y in 0..<h { for x in 0..<w {
            var s: Float = 0
            for d in -r...r { s += k[d + r] * tmp[min(h - 1, max(0, y + d)) * w + x] }
            out[y * w + x] = s
        } }
        return out
    }

    /// Interleaved RGB floats of any image; alpha is composited on white, gray is replicated.
    static func rgb(_ image: Image) -> [Float] {
        image.channels == 3 ? image.pixels : image.composited(onto: [1, 1, 1]).converted(toChannels: 3).pixels
    }

    /// Per-channel median of the outermost ring of pixels.
    static func background(_ rgb: [Float], width w: Int, height h: Int) -> SIMD3<Float> {
        var ring: [Int] = []
        for x in 0..<w { ring.append(x); ring.append((h - 1) * w + x) }
        for y in 1..<(h - 1) { ring.append(y * w); ring.append(y * w + w - 1) }
        var out = SIMD3<Float>(repeating: 1)
        for k in 0..<3 {
            let v = ring.map { rgb[$0 * 3 + k] }.sorted()
            out[k] = v[v.count / 2]
        }
        return out
    }

    /// 4-connected components of a mask: labels (0 = background, 1...count) and the count.
    static func components(_ mask: [Bool], width w: Int, height h: Int) -> ([Int32], Int) {
        var labels = [Int32](repeating: 0, count: w * h)
        var count: Int32 = 0
        var stack: [Int] = []
        for start in 0..<(w * h) where mask[start] && labels[start] == 0 {
            count += 1
            labels[start] = count
            stack.append(start)
            while let p = stack.popLast() {
                let x = p % w, y = p / w
                for (nx, ny) in [(x - 1, y), (x + 1, y), (x, y - 1), (x, y + 1)]
                where nx >= 0 && nx < w && ny >= 0 && ny < h {
                    let q = ny * w + nx
                    if mask[q] && labels[q] == 0 { labels[q] = count; stack.append(q) }
                }
            }
        }
        return (labels, Int(count))
    }
}
