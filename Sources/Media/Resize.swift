// Resize.swift: image resampling. Area (box) resampling averages every source pixel by the
// fraction of it that falls under the output pixel (exact for downscaling, the method of
// OpenCV's INTER_AREA); bilinear interpolates the four nearest source pixels with pixel centres
// aligned (x_src = (x + 0.5) * scale - 0.5, as PIL/OpenCV do without antialiasing). Both are
// separable (rows, then columns) and work on premultiplied alpha, so transparent pixels do not
// bleed their color into visible ones. `resizedNaive` is the direct 2-D reference for tests.

extension Image {
    public enum ResizeFilter: String, Sendable, Codable { case area, bilinear, nearest }

    /// This image resampled to `width` x `height`.
    public func resized(width w: Int, height h: Int, filter: ResizeFilter = .area) -> Image {
        precondition(w > 0 && h > 0 && width > 0 && height > 0, "cannot resize \(width)x\(height) to \(w)x\(h)")
        if w == width && h == height { return self }
        let xs = Self.weights(source: width, target: w, filter: filter)
        let ys = Self.weights(source: height, target: h, filter: filter)
        let c = channels
        let src = premultiplied()
        // Rows first: height x w.
        var mid = [Float](repeating: 0, count: height * w * c)
        src.withUnsafeBufferPointer { s in
            mid.withUnsafeMutableBufferPointer { m in
                for y in 0..<height {
                    for x in 0..<w {
                        for (i, wt) in xs[x] {
                            let sp = (y * width + i) * c, mp = (y * w + x) * c
                            for k in 0..<c { m[mp + k] += wt * s[sp + k] }
                        }
                    }
                }
            }
        }
        var out = [Float](repeating: 0, count: h * w * c)
        mid.withUnsafeBufferPointer { m in
            out.withUnsafeMutableBufferPointer { o in
                for y in 0..<h {
                    for (j, wt) in ys[y] {
                        let mrow = j * w * c, orow = y * w * c
                        for i in 0..<(w * c) { o[orow + i] += wt * m[mrow + i] }
                    }
                }
            }
        }
        return Image(width: w, height: h, channels: c, pixels: Self.unpremultiplied(out, channels: c))
    }

    /// The direct 2-D definition of the same resampling, written independently of the separable
    /// weights (slow; the reference for tests).
    public func resizedNaive(width w: Int, height h: Int, filter: ResizeFilter = .area) -> Image {
        let sx = Double(width) / Double(w), sy = Double(height) / Double(h)
        let src = premultiplied()
        let c = channels
        func at(_ i: Int, _ j: Int, _ k: Int) -> Double { Double(src[(j * width + i) * c + k]) }
        var out = [Float](repeating: 0, count: w * h * c)
        for y in 0..<h {
            for x in 0..<w {
                for k in 0..<c {
                    var acc = 0.0
                    switch filter {
                    case .nearest:
                        acc = at(min(width - 1, Int((Double(x) + 0.5) * sx)), min(height - 1, Int((Double(y) + 0.5) * sy)), k)
                    case .bilinear:
                        let fx = min(max((Double(x) + 0.5) * sx - 0.5, 0), Double(width - 1))
                        let fy = min(max((Double(y) + 0.5) * sy - 0.5, 0), Double(height - 1))
                        let x0 = Int(fx.rounded(.down)), y0 = Int(fy.rounded(.down))
                        let x1 = min(x0 + 1, width - 1), y1 = min(y0 + 1, height - 1)
                        let tx = fx - Double(x0), ty = fy - Double(y0)
                        acc = (1 - tx) * (1 - ty) * at(x0, y0, k) + tx * (1 - ty) * at(x1, y0, k)
                            + (1 - tx) * ty * at(x0, y1, k) + tx * ty * at(x1, y1, k)
                    case .area:
                        let x0 = Double(x) * sx, x1 = x0 + sx, y0 = Double(y) * sy, y1 = y0 + sy
                        for j in Int(y0)..<min(height, Int(y1.rounded(.up))) {
                            let oy = min(y1, Double(j + 1)) - max(y0, Double(j))
                            for i in Int(x0)..<min(width, Int(x1.rounded(.up))) {
                                let ox = min(x1, Double(i + 1)) - max(x0, Double(i))
                                if ox > 0 && oy > 0 { acc += ox * oy * at(i, j, k) }
                            }
                        }
                        acc /= sx * sy
                    }
                    out[(y * w + x) * c + k] = Float(acc)
                }
            }
        }
        return Image(width: w, height: h, channels: c, pixels: Self.unpremultiplied(out, channels: c))
    }

    /// For each target index, the source indices and weights (summing to 1) along one axis.
    static func weights(source n: Int, target m: Int, filter: ResizeFilter) -> [[(Int, Float)]] {
        let scale = Double(n) / Double(m)
        return (0..<m).map { t -> [(Int, Float)] in
            switch filter {
            case .nearest:
                return [(min(n - 1, Int((Double(t) + 0.5) * scale)), Float(1))]
            case .bilinear:
                let s = min(max((Double(t) + 0.5) * scale - 0.5, 0), Double(n - 1))
                let i0 = Int(s), i1 = min(i0 + 1, n - 1)
                let f = Float(s - Double(i0))
                if i0 == i1 || f == 0 { return [(i0, Float(1))] }
                return [(i0, 1 - f), (i1, f)]
            case .area:
                let lo = Double(t) * scale, hi = Double(t + 1) * scale
                var list: [(Int, Float)] = []
                var i = Int(lo)
                while Double(i) < hi && i < n {
                    let overlap = min(hi, Double(i + 1)) - max(lo, Double(i))
                    if overlap > 1e-12 { list.append((i, Float(overlap / scale))) }
                    i += 1
                }
                return list
            }
        }
    }

    /// Pixels with color multiplied by alpha (a copy of the pixels when there is no alpha).
    func premultiplied() -> [Float] {
        guard hasAlpha else { return pixels }
        var px = pixels
        let c = channels
        for p in stride(from: 0, to: px.count, by: c) { for k in 0..<(c - 1) { px[p + k] *= px[p + c - 1] } }
        return px
    }

    static func unpremultiplied(_ pixels: [Float], channels c: Int) -> [Float] {
        guard c == 2 || c == 4 else { return pixels }
        var px = pixels
        for p in stride(from: 0, to: px.count, by: c) {
            let a = px[p + c - 1]
            for k in 0..<(c - 1) { px[p + k] = a > 1e-8 ? min(px[p + k] / a, 1) : 0 }
        }
        return px
    }
}
