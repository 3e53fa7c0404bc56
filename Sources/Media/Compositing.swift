// Compositing.swift: alpha compositing onto a solid background and channel-count conversions.
// Porter and Duff, "Compositing Digital Images" (SIGGRAPH 1984), the "over" operator with straight
// (non-premultiplied) alpha as PNG stores it: out = a * color + (1 - a) * background, computed on
// the stored (sRGB-encoded) values as most tools do. Gray from RGB uses Rec. 601 luma weights.

extension Image {
    /// This image "over" a solid background given as RGB in [0, 1]. The result has no alpha: gray
    /// (1 channel) when the image is gray and the background is a gray level, RGB (3) otherwise.
    public func composited(onto background: [Float]) -> Image {
        precondition(background.count == 3, "the background is an RGB triple")
        let grayBackground = background[0] == background[1] && background[1] == background[2]
        let outChannels = (channels <= 2 && grayBackground) ? 1 : 3
        let n = width * height
        var out = [Float](repeating: 0, count: n * outChannels)
        let c = channels
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for i in 0..<n {
                    let a: Float = hasAlpha ? src[i * c + c - 1] : 1
                    for k in 0..<outChannels {
                        let v = c <= 2 ? src[i * c] : src[i * c + k]
                        dst[i * outChannels + k] = a * v + (1 - a) * background[k]
                    }
                }
            }
        }
        return Image(width: width, height: height, channels: outChannels, pixels: out)
    }

    /// The same picture with `count` channels: gray <-> RGB, alpha added (opaque) or dropped
    /// (without compositing; use `composited(onto:)` to flatten onto a background).
    public func converted(toChannels count: Int) -> Image {
        precondition((1...4).contains(count))
        if count == channels { return self }
        let n = width * height
        let c = channels
        var out = [Float](repeating: 0, count: n * count)
        let srcColor = c <= 2 ? 1 : 3, dstColor = count <= 2 ? 1 : 3
        let dstAlpha = count == 2 || count == 4
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for i in 0..<n {
                    let s = i * c, d = i * count
                    if dstColor == srcColor {
                        for k in 0..<dstColor { dst[d + k] = src[s + k] }
                    } else if dstColor == 1 {
                        dst[d] = 0.299 * src[s] + 0.587 * src[s + 1] + 0.114 * src[s + 2]
                    } else {
                        for k in 0..<3 { dst[d + k] = src[s] }
                    }
                    if dstAlpha { dst[d + count - 1] = hasAlpha ? src[s + c - 1] : 1 }
                }
            }
        }
        return Image(width: width, height: height, channels: count, pixels: out)
    }
}
