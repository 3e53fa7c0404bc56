// AutoencoderData.swift: training and evaluation images for the latent autoencoder: shapes-world
// scenes rendered on the fly (DESIGN.md, "The shapes world, v1") and emoji images from a fixed list,
// mixed at a given rate. Every batch is a pure function of the source's seed and the step.
import Core
import Data
import Media

/// RGB images in [0, 1], NHWC, drawn by step so resumed training sees the same stream.
public struct AutoencoderImageSource: Sendable {
    public let size: Int
    /// Emoji (or other) images of `size` x `size` RGB; may be empty.
    public let images: [Image]
    /// Probability that a sample comes from `images` rather than the shapes renderer.
    public let imageFraction: Float
    public let sampler: SceneSampler
    public let renderer: ShapesRenderer

    public init(size: Int = 32, images: [Image] = [], imageFraction: Float = 0.5, shapes: ShapesConfig = ShapesConfig()) {
        self.size = size
        self.images = images
        self.imageFraction = images.isEmpty ? 0 : imageFraction
        sampler = SceneSampler(config: shapes)
        renderer = ShapesRenderer()
    }

    /// A shapes scene of any color-shape pair (held-out pairs are still pixels the decoder must draw).
    public func scene(_ rng: inout Philox) -> ShapesScene { sampler.sample(&rng, pool: .all) }

    /// Fills pixels [n, size, size, 3] with the batch of `step` drawn from `rng` (not advanced).
    public func fill(_ pixels: UnsafeMutablePointer<Float>, batch n: Int, step: Int, rng: Philox) {
        let per = size * size * 3
        for i in 0..<n {
            var r = rng.fork(UInt64(step) &* 4096 &+ UInt64(i))
            let px: [Float]
            if imageFraction > 0 && r.nextFloat() < imageFraction {
                let im = images[r.nextInt(below: images.count)]
                // Random horizontal flip: emoji stay emoji when mirrored.
                px = r.nextFloat() < 0.5 ? im.pixels : Self.mirrored(im)
            } else {
                px = renderer.render(scene(&r).objects, size: size).pixels
            }
            px.withUnsafeBufferPointer { (pixels + i * per).update(from: $0.baseAddress!, count: per) }
        }
    }

    static func mirrored(_ im: Image) -> [Float] {
        var out = im.pixels
        let w = im.width, c = im.channels
        for y in 0..<im.height {
            for x in 0..<w {
                for k in 0..<c { out[(y * w + x) * c + k] = im.pixels[(y * w + (w - 1 - x)) * c + k] }
            }
        }
        return out
    }
}

/// Image lists the autoencoder trains and is measured on.
public enum AutoencoderImages {
    /// Every image of a dataset file (Data's DatasetFile, e.g. `emoji-train.dptd` from
    /// `diptych data build emoji`) at side `size`, as RGB images in [0, 1].
    public static func load(path: String, size: Int) throws -> [Image] {
        let file = try DatasetFile(path: path)
        guard file.sizes.contains(size), file.channels == 3 else {
            throw DiptychError("\(path) has no \(size)x\(size) RGB images (sizes \(file.sizes), channels \(file.channels))")
        }
        return (0..<file.count).map { file.image($0, size: size) }
    }
}
