// ImageMetrics.swift: full-reference image quality, for comparing a k-step image with the 50-step
// image from the same noise. PSNR over RGB in [0, 1]; SSIM as in Wang, Bovik, Sheikh and
// Simoncelli, "Image Quality Assessment: From Error Visibility to Structural Similarity" (IEEE TIP
// 2004): 11x11 Gaussian window with sigma 1.5, K1 = 0.01, K2 = 0.03, dynamic range L = 1, the mean of
// the SSIM map over the positions where the window fits, averaged over the R, G and B channels.
import Core
import Foundation
import Media

public enum ImageMetrics {
    /// PSNR of identical images, where the formula gives infinity.
    public static let psnrCap = 100.0

    /// Peak signal-to-noise ratio in dB (capped at `psnrCap`).
    public static func psnr(_ a: Image, _ b: Image) throws -> Double {
        let (x, y) = try rgbPair(a, b)
        var sum = 0.0
        for i in 0..<x.count {
            let d = Double(x[i]) - Double(y[i])
            sum += d * d
        }
        let mse = sum / Double(x.count)
        return mse <= 0 ? psnrCap : min(psnrCap, -10 * log10(mse))
    }

    /// Mean structural similarity (1 for identical images).
    public static func ssim(_ a: Image, _ b: Image, windowSize: Int = 11, sigma: Double = 1.5) throws -> Double {
        let (x, y) = try rgbPair(a, b)
        let w = a.width, h = a.height
        let win = min(windowSize, w, h)
        let kernel = gaussian(size: win, sigma: sigma)
        let c1 = 0.01 * 0.01, c2 = 0.03 * 0.03
        var total = 0.0
        for c in 0..<3 {
            var sum = 0.0
            var count = 0
            for oy in 0...(h - win) {
                for ox in 0...(w - win) {
                    var mx = 0.0, my = 0.0, sxx = 0.0, syy = 0.0, sxy = 0.0
                    for dy in 0..<win {
                        for dx in 0..<win {
                            let k = kernel[dy * win + dx]
                            let i = ((oy + dy) * w + ox + dx) * 3 + c
                            let p = Double(x[i]), q = Double(y[i])
                            mx += k * p; my += k * q
                            sxx += k * p * p; syy += k * q * q; sxy += k * p * q
                        }
                    }
                    let vx = sxx - mx * mx, vy = syy - my * my, cov = sxy - mx * my
                    sum += ((2 * mx * my + c1) * (2 * cov + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2))
                    count += 1
                }
            }
            total += sum / Double(count)
        }
        return total / 3
    }

    /// Normalised 2-D Gaussian weights, row-major [size * size].
    static func gaussian(size: Int, sigma: Double) -> [Double] {
        let mid = Double(size - 1) / 2
        let g = (0..<size).map { exp(-pow(Double($0) - mid, 2) / (2 * sigma * sigma)) }
        var k = [Double](repeating: 0, count: size * size)
        for y in 0..<size { for x in 0..<size { k[y * size + x] = g[y] * g[x] } }
        let s = k.reduce(0, +)
        return k.map { $0 / s }
    }

    /// Both images as RGB pixel arrays (gray is repeated, alpha composited on white).
    static func rgbPair(_ a: Image, _ b: Image) throws -> ([Float], [Float]) {
        guard a.width == b.width, a.height == b.height else {
            throw DiptychError("cannot compare a \(a.width)x\(a.height) image with a \(b.width)x\(b.height) one")
        }
        guard a.width > 0, a.height > 0 else { throw DiptychError("cannot compare empty images") }
        return (rgb(a).pixels, rgb(b).pixels)
    }

    static func rgb(_ image: Image) -> Image {
        var im = image
        if im.hasAlpha { im = im.composited(onto: [1, 1, 1]) }
        return im.channels == 3 ? im : im.converted(toChannels: 3)
    }
}
