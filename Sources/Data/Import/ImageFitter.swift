// ImageFitter.swift: turns a decoded picture of any size, aspect and mode (gray, gray + alpha, RGB,
// RGBA; 8 or 16 bits, palettes already expanded by the decoders) into the square 8-bit RGB images a
// dataset file stores: centre-crop to a square (`crop`) or centre on a square of the background
// (`pad`) while compositing alpha "over" the background (Porter and Duff 1984, the formula of
// Media's Compositing.swift), then area-resize (Media's Resize.swift, the method of OpenCV's
// INTER_AREA) to each requested side.

import Media

public struct ImageFitter: Sendable {
    public enum Fit: String, Sendable, Codable, CaseIterable {
        /// The largest centred square.
        case crop
        /// The whole picture centred on a square filled with the background.
        case pad
    }

    public var fit: Fit
    /// RGB in [0, 1].
    public var background: [Float]
    /// Ascending sides.
    public var sizes: [Int]

    public init(fit: Fit = .crop, background: [Float] = [1, 1, 1], sizes: [Int] = [32]) {
        self.fit = fit
        self.background = background
        self.sizes = sizes
    }

    /// side * side * 3 bytes for each size (the picture must have at least one pixel). The picture
    /// is consumed: only the flattened square and the outputs outlive the first step.
    public func fitted(_ image: consuming Image) -> [[UInt8]] {
        let square = flattenedSquare(image)
        _ = consume image
        return sizes.map { side in
            let r = square.resized(width: side, height: side, filter: .area)
            return r.pixels.map { v in v.isNaN ? 0 : UInt8(min(max(v, 0), 1) * 255 + 0.5) }
        }
    }

    /// The centre square (crop) or the whole picture on a background square (pad), composited
    /// "over" the background into RGB in one pass: out = a * color + (1 - a) * background, the
    /// formula of Media's `composited(onto:)`, gray spread to the three channels. One pass keeps a
    /// single full-size copy beside the decoded picture.
    public func flattenedSquare(_ image: Image) -> Image {
        let w = image.width, h = image.height, c = image.channels
        let side = fit == .crop ? min(w, h) : max(w, h)
        let sx = max(0, (w - side) / 2), sy = max(0, (h - side) / 2)
        let dx = max(0, (side - w) / 2), dy = max(0, (side - h) / 2)
        let cw = min(w, side), ch = min(h, side)
        let bg = background, alpha = image.hasAlpha, gray = c <= 2
        var out = [Float](repeating: 0, count: side * side * 3)
        out.withUnsafeMutableBufferPointer { dst in
            for i in 0..<(side * side) { dst[3 * i] = bg[0]; dst[3 * i + 1] = bg[1]; dst[3 * i + 2] = bg[2] }
            image.pixels.withUnsafeBufferPointer { src in
                for y in 0..<ch {
                    for x in 0..<cw {
                        let s = ((sy + y) * w + sx + x) * c, d = ((dy + y) * side + dx + x) * 3
                        let a: Float = alpha ? src[s + c - 1] : 1
                        for k in 0..<3 {
                            let v = gray ? src[s] : src[s + k]
                            dst[d + k] = a * v + (1 - a) * bg[k]
                        }
                    }
                }
            }
        }
        return Image(width: side, height: side, channels: 3, pixels: out)
    }

    /// A background colour from `white`, `black` or `#rrggbb`, or nil.
    public static func parseColor(_ text: String) -> [Float]? {
        switch text.lowercased() {
        case "white": return [1, 1, 1]
        case "black": return [0, 0, 0]
        default:
            let hex = Array(text.utf8)
            guard hex.count == 7, hex[0] == UInt8(ascii: "#"),
                  hex.dropFirst().allSatisfy({ (48...57).contains($0) || (97...102).contains($0 | 0x20) }) else { return nil }
            var out: [Float] = []
            for k in 0..<3 {
                guard let v = UInt8(String(decoding: hex[(1 + 2 * k)..<(3 + 2 * k)], as: UTF8.self), radix: 16) else { return nil }
                out.append(Float(v) / 255)
            }
            return out
        }
    }
}
