// Image.swift: Diptych's in-memory image, float pixels in [0, 1], row-major, channels interleaved
// (gray, gray+alpha, RGB or RGBA). Decoders produce it, encoders consume it, the autoencoder and the
// oracle read it.

public struct Image: Sendable, Equatable {
    public var width: Int
    public var height: Int
    /// 1 (gray), 2 (gray + alpha), 3 (RGB) or 4 (RGBA).
    public var channels: Int
    /// width * height * channels values in [0, 1], row by row, channels interleaved.
    public var pixels: [Float]

    public init(width: Int, height: Int, channels: Int, pixels: [Float]) {
        precondition(width >= 0 && height >= 0 && (1...4).contains(channels))
        precondition(pixels.count == width * height * channels, "pixel count does not match \(width)x\(height)x\(channels)")
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// A blank image filled with one value per channel.
    public init(width: Int, height: Int, fill: [Float]) {
        precondition((1...4).contains(fill.count))
        var px = [Float](repeating: 0, count: width * height * fill.count)
        for i in 0..<(width * height) { for c in 0..<fill.count { px[i * fill.count + c] = fill[c] } }
        self.init(width: width, height: height, channels: fill.count, pixels: px)
    }

    public var hasAlpha: Bool { channels == 2 || channels == 4 }

    @inline(__always)
    public subscript(x: Int, y: Int, c: Int) -> Float {
        get { pixels[(y * width + x) * channels + c] }
        set { pixels[(y * width + x) * channels + c] = newValue }
    }
}
