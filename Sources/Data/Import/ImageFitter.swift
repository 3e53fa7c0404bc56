// ImageFitter.swift: turns a decoded picture of any size, aspect and mode (gray, gray + alpha, RGB,
// RGBA; 8 or 16 bits, palettes already expanded by the decoders) into the square 8-bit RGB images a
// dataset file stores: centre-crop to a square (`crop`) or centre on a square of the background
// (`pad`), composite alpha "over" the background (Porter-Duff, Media's Compositing.swift), then
// area-resize (Media's Resize.swift, the method of OpenCV's INTER_AREA) to each requested side.

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

    /// side * side * 3 bytes for each size (the picture must have at least one pixel).
    public func fitted(_ image: Image) -> [[UInt8]] {
        var im = image
        if fit == .crop && im.width != im.height { im = Self.centreSquare(im) }
        im = im.composited(onto: background).converted(toChannels: 3)
        if fit == .pad && im.width != im.height { im = im.centeredOnSquare(fill: background) }
        let square = im
        return sizes.map { side in
            let r = square.resized(width: side, height: side, filter: .area)
            return r.pixels.map { v in v.isNaN ? 0 : UInt8(min(max(v, 0), 1) * 255 + 0.5) }
        }
    }

    /// The largest centred square of `image` (all channels kept).
    static func centreSquare(_ image: Image) -> Image {
        let side = min(image.width, image.height)
        let ox = (image.width - side) / 2, oy = (image.height - side) / 2, c = image.channels
        var px = [Float](repeating: 0, count: side * side * c)
        image.pixels.withUnsafeBufferPointer { src in
            px.withUnsafeMutableBufferPointer { dst in
                for y in 0..<side {
                    let s = ((oy + y) * image.width + ox) * c, d = y * side * c
                    for i in 0..<(side * c) { dst[d + i] = src[s + i] }
                }
            }
        }
        return Image(width: side, height: side, channels: c, pixels: px)
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
