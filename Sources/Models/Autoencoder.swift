// Autoencoder.swift: Diptych's latent autoencoder, a small conv encoder/decoder in the spirit of TAESD
// (Bohan 2023, github.com/madebyollin/taesd): only 3x3 convolutions, ReLU, residual blocks, stride-2
// convolutions down and nearest 2x upsampling up, factor 4 (32x32x3 pixels <-> 8x8xC latents).
// Unlike TAESD it is trained with plain pixel losses (no GAN); latents are standardised by a measured
// shift and scale (like Stable Diffusion's 0.18215) so diffusion sees about unit variance.
//
// Public layouts (NHWC, one sample after another):
//   pixels   [N, S, S, 3]    RGB in [0, 1] (Media's Image.pixels of an RGB image)
//   latents  [N, S/4, S/4, C]  standardised: (raw - latentShift) * latentScale
// Inside, the encoder sees 2*pixels - 1 and the decoder's output y maps back to clamp((y + 1) / 2).
import Core
import Media
import NN

public final class Autoencoder {
    public var config: AutoencoderConfig
    public let params: ParameterStore
    public let encoder: ConvStack
    public let decoder: ConvStack

    /// A freshly initialised autoencoder (weights from `seed`).
    public init(config: AutoencoderConfig, seed: UInt64 = 0) {
        precondition(config.imageSize % 4 == 0 && config.widths.count == 3)
        self.config = config
        let p = ParameterStore()
        params = p
        let s = config.imageSize, w = config.widths
        let enc = ConvStack(prefix: "encoder", input: (s, s, 3), params: p)
        enc.conv(w[0]); enc.relu()
        for _ in 0..<config.encoderBlocks[0] { enc.residualBlock() }
        enc.conv(w[1], stride: 2); enc.relu()
        for _ in 0..<config.encoderBlocks[1] { enc.residualBlock() }
        enc.conv(w[2], stride: 2); enc.relu()
        for _ in 0..<config.encoderBlocks[2] { enc.residualBlock() }
        enc.conv(config.latentChannels)
        encoder = enc

        let dec = ConvStack(prefix: "decoder", input: (s / 4, s / 4, config.latentChannels), params: p)
        dec.conv(w[2]); dec.relu()
        for _ in 0..<config.decoderBlocks[0] { dec.residualBlock() }
        dec.upsample(); dec.conv(w[1]); dec.relu()
        for _ in 0..<config.decoderBlocks[1] { dec.residualBlock() }
        dec.upsample(); dec.conv(w[0]); dec.relu()
        for _ in 0..<config.decoderBlocks[2] { dec.residualBlock() }
        dec.conv(3)
        decoder = dec
        p.finalize(seed: seed)
    }

    public var parameterCount: Int { params.parameterCount }
    public var pixelsPerImage: Int { config.imageSize * config.imageSize * 3 }
    public var latentsPerImage: Int { config.latentShape.reduce(1, *) }

    /// Makes room for batches of up to `batch` images.
    public func prepare(batch: Int, threads: Int) {
        encoder.prepare(batch: batch, threads: threads)
        decoder.prepare(batch: batch, threads: threads)
    }

    // MARK: raw passes (training uses these)

    /// encoder.acts[0] = 2 * pixels - 1, then runs the encoder: raw latents in encoder.acts[last].
    public func encodeRaw(pixels: UnsafePointer<Float>, batch n: Int, threads: Int) {
        prepare(batch: n, threads: threads)
        let x = encoder.acts[0].data
        for i in 0..<(n * pixelsPerImage) { x[i] = 2 * pixels[i] - 1 }
        encoder.forward(batch: n, threads: threads)
    }

    /// decoder.acts[0] = raw latents, then runs the decoder: output in [-1, 1] scale in decoder.acts[last].
    public func decodeRaw(latents: UnsafePointer<Float>, batch n: Int, threads: Int) {
        prepare(batch: n, threads: threads)
        decoder.acts[0].data.update(from: latents, count: n * latentsPerImage)
        decoder.forward(batch: n, threads: threads)
    }

    // MARK: public API

    /// latents [N, S/4, S/4, C] (standardised) <- pixels [N, S, S, 3] in [0, 1]. Works in chunks
    /// of at most `chunk` images so any N fits.
    public func encode(pixels: UnsafePointer<Float>, batch n: Int, latents: UnsafeMutablePointer<Float>,
                       threads: Int = 1, chunk: Int = 64) {
        var start = 0
        while start < n {
            let m = min(chunk, n - start)
            encodeRaw(pixels: pixels + start * pixelsPerImage, batch: m, threads: threads)
            let z = encoder.acts[encoder.last].data, out = latents + start * latentsPerImage
            for i in 0..<(m * latentsPerImage) { out[i] = (z[i] - config.latentShift) * config.latentScale }
            start += m
        }
    }

    /// pixels [N, S, S, 3] in [0, 1] <- latents [N, S/4, S/4, C] (standardised).
    public func decode(latents: UnsafePointer<Float>, batch n: Int, pixels: UnsafeMutablePointer<Float>,
                       threads: Int = 1, chunk: Int = 64) {
        let raw = Tensor(shape: [min(chunk, max(n, 1)) * latentsPerImage])
        var start = 0
        while start < n {
            let m = min(chunk, n - start)
            let z = latents + start * latentsPerImage
            for i in 0..<(m * latentsPerImage) { raw[i] = z[i] / config.latentScale + config.latentShift }
            decodeRaw(latents: raw.data, batch: m, threads: threads)
            let y = decoder.acts[decoder.last].data, out = pixels + start * pixelsPerImage
            for i in 0..<(m * pixelsPerImage) { out[i] = min(max((y[i] + 1) / 2, 0), 1) }
            start += m
        }
    }

    /// Standardised latents [N, S/4, S/4, C] of RGB images of the configured size.
    public func encode(_ images: [Image], threads: Int = 1) throws -> Tensor {
        let s = config.imageSize
        let px = Tensor(shape: [images.count, s, s, 3])
        for (i, im) in images.enumerated() {
            guard im.width == s, im.height == s, im.channels == 3 else {
                throw DiptychError("autoencoder needs \(s)x\(s) RGB images, got \(im.width)x\(im.height)x\(im.channels)")
            }
            im.pixels.withUnsafeBufferPointer { (px.data + i * pixelsPerImage).update(from: $0.baseAddress!, count: pixelsPerImage) }
        }
        let z = Tensor(shape: [images.count] + config.latentShape)
        encode(pixels: px.data, batch: images.count, latents: z.data, threads: threads)
        return z
    }

    /// RGB images decoded from standardised latents [N, S/4, S/4, C].
    public func decode(_ latents: Tensor, threads: Int = 1) -> [Image] {
        let n = latents.count / latentsPerImage
        let px = Tensor(shape: [n, config.imageSize, config.imageSize, 3])
        decode(latents: latents.data, batch: n, pixels: px.data, threads: threads)
        return (0..<n).map { i in
            Image(width: config.imageSize, height: config.imageSize, channels: 3,
                  pixels: Array(UnsafeBufferPointer(start: px.data + i * pixelsPerImage, count: pixelsPerImage)))
        }
    }
}
