// BundleModel+Editing.swift: img2img (SDEdit, Meng et al. 2021) and inpainting (RePaint, Lugmayr et
// al. 2022) on a trained text-to-image bundle, with no retraining: the input is encoded by the bundle's
// autoencoder and handed to the same samplers as text-to-image, as an ImageConditioning (known clean
// latents, the latent mask of EditMask, the strength). Inpainting ends with the pixel blend of
// EditMask.blend, so unmasked pixels are exactly the (resized) input's.
import Core
import Diffusion
import Media
import Models

/// How an edit starts and what it keeps.
public struct EditSettings: Codable, Equatable, Hashable, Sendable {
    /// 0 (unchanged) ... 1 (from pure noise): the share of the sampler's grid that is run.
    public var strength: Double
    /// RePaint's resampling: each step run this many times (inpainting; 1 = none).
    public var resample: Int
    /// Unknown latent cells grown by this many cells (inpainting).
    public var dilate: Int

    public init(strength: Double = 1, resample: Int = 1, dilate: Int = 0) {
        self.strength = strength
        self.resample = resample
        self.dilate = dilate
    }

    public static let strengthRange = 0.0...1.0
    public static let dilateRange = 0...8

    /// Throws one line naming the setting that is out of bounds.
    public func check() throws {
        guard Self.strengthRange.contains(strength) else { throw DiptychError("strength must be between 0 and 1, got \(strength)") }
        guard ImageConditioning.resampleLimit.contains(resample) else {
            throw DiptychError("resample must be between \(ImageConditioning.resampleLimit.lowerBound) and \(ImageConditioning.resampleLimit.upperBound), got \(resample)")
        }
        guard Self.dilateRange.contains(dilate) else { throw DiptychError("dilate must be between 0 and \(Self.dilateRange.upperBound), got \(dilate)") }
    }

    /// Model calls per image before CFG doubling: the steps run, each `resample` times when masked.
    public func steps(of total: Int, masked: Bool) -> Int {
        let run = total - ImageConditioning(latents: Tensor(shape: [0, 0]), strength: strength).firstStep(steps: total)
        return run * (masked ? resample : 1)
    }
}

/// What an edit made.
public struct EditResult {
    /// The images at the model's size (inpainting: after the pixel blend).
    public var images: [Image]
    /// [n, N] the sampler's clean latents (before decoding and blending).
    public var latents: Tensor
    /// The inputs at the model's size (what the blend keeps).
    public var inputs: [Image]
    /// Per image, the pixel mask (1 = repainted) at the model's size, or nil (img2img).
    public var repaint: [[Float]?]
}

extension BundleModel {
    /// Edits each input under its prompt; seeds[i] alone determines image i's noise. Inputs either all
    /// have masks (inpainting) or none (img2img).
    public func edit(prompts: [String], seeds: [UInt64], inputs: [EditInput], sampling: EvalSampling, settings: EditSettings,
                     progress: SamplerProgress? = nil) throws -> EditResult {
        guard prompts.count == seeds.count, prompts.count == inputs.count else {
            throw DiptychError("\(prompts.count) prompts, \(seeds.count) seeds and \(inputs.count) input images")
        }
        try settings.check()
        let masked = inputs.contains { $0.mask != nil }
        guard !masked || inputs.allSatisfy({ $0.mask != nil }) else { throw DiptychError("one batch mixes inpainting and img2img") }
        let prepared = inputs.map { prepare($0.image) }
        let n = config.latentCount, count = inputs.count
        let out = Tensor(shape: [count, n])
        guard count > 0 else { return EditResult(images: [], latents: out, inputs: [], repaint: []) }
        let clean = try bundle.codec.encode(prepared, threads: threads)
        guard clean.count == count * n else { throw DiptychError("the autoencoder's latents (\(clean.count / count)) do not fit the backbone (\(n))") }
        var repaint: [[Float]?] = []
        var known: [Float] = []
        for input in inputs {
            guard let mask = input.mask else { repaint.append(nil); continue }
            let px = EditMask.repaint(mask, size: imageSize)
            let cells = try EditMask.latentCells(pixels: px, size: imageSize, latentSize: config.latentSize, dilate: settings.dilate)
            known += EditMask.known(cells: cells, channels: config.latentChannels)
            repaint.append(px)
        }
        for start in stride(from: 0, to: count, by: chunk) {
            let end = min(count, start + chunk)
            let rows = end - start
            let z0 = Tensor(shape: [rows, n])
            z0.data.update(from: Array(clean[start * n..<end * n]), count: rows * n)
            var mask: Tensor? = nil
            if masked {
                let m = Tensor(shape: [rows, n])
                m.data.update(from: Array(known[start * n..<end * n]), count: rows * n)
                mask = m
            }
            let conditioning = ImageConditioning(latents: z0, known: mask, strength: settings.strength, resample: settings.resample)
            let z = try generateChunk(prompts: Array(prompts[start..<end]), seeds: Array(seeds[start..<end]), sampling: sampling,
                                      progress: progress, conditioning: conditioning)
            (out.data + start * n).update(from: z.data, count: rows * n)
        }
        var images = decode(out, count: count)
        for i in 0..<count {
            if let px = repaint[i] { images[i] = try EditMask.blend(generated: images[i], input: prepared[i], repaint: px) }
        }
        return EditResult(images: images, latents: out, inputs: prepared, repaint: repaint)
    }
}
