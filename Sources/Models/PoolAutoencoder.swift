// PoolAutoencoder.swift: a stand-in "autoencoder" for developing the backbone before the learned one
// lands: the encoder is a fixed k x k average pool of the RGB image (32x32x3 -> 8x8x3), standardised
// per channel to zero mean and unit variance; the decoder undoes the scaling and upsamples by nearest
// neighbour. Not a learned model: it only keeps the training loop honest about shapes and scales.
import Media

public struct PoolAutoencoder: Codable, Equatable, Sendable {
    public var factor = 4
    public var mean: [Float] = [0.9, 0.9, 0.9]
    public var std: [Float] = [0.2, 0.2, 0.2]
    public init() {}

    /// [3, H/k, W/k] channel-major latent of an RGB image.
    public func encode(_ image: Image) -> [Float] {
        let k = factor, h = image.height / k, w = image.width / k
        var z = [Float](repeating: 0, count: 3 * h * w)
        for y in 0..<h * k { for x in 0..<w * k { for c in 0..<3 {
            z[c * h * w + (y / k) * w + x / k] += image.pixels[(y * image.width + x) * image.channels + c]
        } } }
        let inv = 1 / Float(k * k)
        for c in 0..<3 { for i in 0..<h * w { z[c * h * w + i] = (z[c * h * w + i] * inv - mean[c]) / std[c] } }
        return z
    }

    /// Image of (size*k)^2 from a [3, size, size] latent.
    public func decode(_ z: [Float], size: Int) -> Image {
        let k = factor, W = size * k
        var px = [Float](repeating: 0, count: W * W * 3)
        for y in 0..<W { for x in 0..<W { for c in 0..<3 {
            px[(y * W + x) * 3 + c] = min(1, max(0, z[c * size * size + (y / k) * size + x / k] * std[c] + mean[c]))
        } } }
        return Image(width: W, height: W, channels: 3, pixels: px)
    }

    /// Sets mean and std from a sample of images.
    public mutating func fit(_ images: [Image]) {
        var s = [Double](repeating: 0, count: 3), s2 = [Double](repeating: 0, count: 3), n = 0.0
        mean = [0, 0, 0]; std = [1, 1, 1]
        for im in images {
            let z = encode(im), hw = z.count / 3
            for c in 0..<3 { for i in 0..<hw { let v = Double(z[c * hw + i]); s[c] += v; s2[c] += v * v } }
            n += Double(hw)
        }
        for c in 0..<3 {
            let m = s[c] / n
            mean[c] = Float(m)
            std[c] = Float(max(1e-4, (s2[c] / n - m * m)).squareRoot())
        }
    }
}
