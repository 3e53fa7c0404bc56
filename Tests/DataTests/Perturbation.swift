// Perturbation.swift: the image perturbations the oracle must survive (issue 3): Gaussian pixel
// noise, a slight blur, a global color shift, and a whole-image jitter, each clipped to [0, 1].

import Core
import Media

enum Perturbation: CaseIterable {
    case noise, blur, colorShift, jitter

    func apply(_ image: Image, _ rng: inout Philox) -> Image {
        var out = image
        let w = image.width, h = image.height, c = image.channels
        switch self {
        case .noise:
            // Gaussian noise, sigma 0.05 per channel and pixel.
            for i in out.pixels.indices { out.pixels[i] = min(1, max(0, out.pixels[i] + 0.05 * rng.nextGaussian())) }
        case .blur:
            // Separable [1 2 1] / 4 binomial blur (sigma about 0.7 px), edges clamped.
            let k: [Float] = [0.25, 0.5, 0.25]
            var tmp = out.pixels
            for y in 0..<h { for x in 0..<w { for ch in 0..<c {
                var s: Float = 0
                for d in -1...1 { s += k[d + 1] * image[min(w - 1, max(0, x + d)), y, ch] }
                tmp[(y * w + x) * c + ch] = s
            } } }
            for y in 0..<h { for x in 0..<w { for ch in 0..<c {
                var s: Float = 0
                for d in -1...1 { s += k[d + 1] * tmp[(min(h - 1, max(0, y + d)) * w + x) * c + ch] }
                out[x, y, ch] = s
            } } }
        case .colorShift:
            // One offset per channel, uniform in [-20, 20] / 255, added to every pixel.
            let shift = (0..<c).map { _ in (rng.nextFloat() * 40 - 20) / 255 }
            for i in out.pixels.indices { out.pixels[i] = min(1, max(0, out.pixels[i] + shift[i % c])) }
        case .jitter:
            // Shift the whole image by -1, 0 or 1 px along each axis (not both 0), white fill.
            var dx = 0, dy = 0
            while dx == 0 && dy == 0 { dx = rng.nextInt(below: 3) - 1; dy = rng.nextInt(below: 3) - 1 }
            for y in 0..<h { for x in 0..<w { for ch in 0..<c {
                let sx = x - dx, sy = y - dy
                out[x, y, ch] = (sx >= 0 && sx < w && sy >= 0 && sy < h) ? image[sx, sy, ch] : 1
            } } }
        }
        return out
    }

    /// Position tolerance (reference pixels) when comparing oracle centers to the true centers.
    var positionTolerance: Float { self == .jitter ? 2 : 1 }
}
