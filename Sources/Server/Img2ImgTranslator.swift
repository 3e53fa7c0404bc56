// Img2ImgTranslator.swift: an A1111 img2img request as a studio edit job and the finished job as an
// A1111 answer, thin over the library's edits (EditTask, run by the same workers as `diptych edit`
// and `diptych inpaint`). The txt2img fields are checked by Txt2ImgTranslator (the output size must
// be the model's; the init image may be any size, the library resizes it). The first init image and
// the mask are checked by ImageUpload (size cap read from the header before any pixel is allocated),
// then written, bytes unchanged, into the job's folder as <job>/img2img/inputs/<sha256>.<ext>
// (EditInputStore: temporary name, then rename), which is where the worker keeps an edit's inputs
// anyway, so every PNG's parameters name the exact input it came from. A mask makes the task an
// inpaint (white = repaint); inpainting_mask_invert is applied by storing the inverted mask.
import Core
import Foundation
import Media
import Studio

public struct Img2ImgPlan: Sendable {
    public var job: Job
    public var task: EditTask
    /// The parameters every PNG of the job carries, but the seed.
    public var template: GenerationParameters
    public var echo: Img2ImgRequest
    public var comments: [String]
    public var samplerLabel: String
}

public enum Img2ImgTranslator {
    /// The task folder under the job's folder.
    public static let folder = "img2img"

    /// Checks the request, stores its inputs under `jobDirectory(name)` and builds the job.
    public static func plan(_ r: Img2ImgRequest, model: ServedModel, limits: ServerLimits,
                            jobDirectory: (String) throws -> String) throws -> Img2ImgPlan {
        let base = try Txt2ImgTranslator.plan(r.base, model: model, limits: limits)
        let strength = r.denoising_strength
        guard strength.isFinite, EditSettings.strengthRange.contains(strength) else {
            throw APIError.unprocessable("denoising_strength: must be between 0 and 1, not \(strength)")
        }
        guard let images = r.init_images, let first = images.first else {
            throw APIError.unprocessable("init_images: field required (a list of base64 PNG or JPEG images)")
        }
        guard let upload = try ImageUpload.decode(first, field: "init_images[0]") else {
            throw APIError.unprocessable("init_images[0]: the image is empty")
        }
        let image = try upload.image(maxPixels: limits.imagePixels, field: "init_images[0]")
        var comments = base.comments
        if images.count > 1 { comments.append("init_images: \(images.count) images were sent; Diptych uses the first only") }
        if r.resize_mode != 0 {
            comments.append("resize_mode \(r.resize_mode) is accepted and ignored (the init image is resized to \(model.imageSize)x\(model.imageSize) by area, not cropped)")
        }

        var maskData: Data? = nil
        if let m = r.mask, let maskUpload = try ImageUpload.decode(m, field: "mask") {
            let maskImage = try maskUpload.image(maxPixels: limits.imagePixels, field: "mask")
            guard maskImage.width == image.width, maskImage.height == image.height else {
                throw APIError.unprocessable("mask: is \(maskImage.width)x\(maskImage.height) but init_images[0] is \(image.width)x\(image.height); they must be the same size")
            }
            if r.inpainting_mask_invert != 0 {
                maskData = try PNG.encode(inverted(maskImage))
                comments.append("inpainting_mask_invert: the mask was inverted (black = repaint) and is stored inverted")
            } else {
                maskData = maskUpload.data
            }
            comments += inpaintingNotes(r)
        }

        let mode = maskData == nil ? "edit" : "inpaint"
        let name = StudioGateway.jobName("img2img")
        let taskFolder: String
        do { taskFolder = try jobDirectory(name) + "/" + folder } catch {
            throw APIError(.internalServerError, "cannot place job \(name): \((error as? DiptychError)?.message ?? "\(error)")")
        }
        let imageName = try stored(upload.data, file: "init_images[0]", in: taskFolder)
        let maskName = try maskData.map { try stored($0, file: "mask", in: taskFolder) }

        let g = base.task
        let task = EditTask(folder: folder, model: model.name, mode: mode, image: taskFolder + "/" + imageName,
                            mask: maskName.map { taskFolder + "/" + $0 }, prompts: g.prompts, seeds: g.seeds, sampler: g.sampler,
                            steps: g.steps, cfg: g.cfg, strength: strength, size: g.size, batch: g.batch)
        let job = Job(name: name, model: model.name, defaults: base.job.defaults, tasks: [.edit(task)])
        var template = GenerationParameters(prompt: g.prompts[0], seed: 0, sampler: g.sampler, steps: g.steps, cfg: g.cfg,
                                            width: g.size, height: g.size, model: model.name, modelHash: model.hash)
        template.mode = mode
        template.image = imageName
        template.mask = maskName
        template.strength = strength
        if maskName != nil {
            template.resample = 1
            template.dilate = 0
        }
        var echo = r
        echo.base = base.echo
        return Img2ImgPlan(job: job, task: task, template: template, echo: echo, comments: comments, samplerLabel: base.samplerLabel)
    }

    /// The A1111 answer: the done images in seed order, the echo, and `info` with denoising_strength.
    public static func answer(_ plan: Img2ImgPlan, _ outcome: StudioGateway.Outcome, model: ServedModel) throws -> Img2ImgResponse {
        let shaped = try Txt2ImgTranslator.shape(job: plan.job.name, template: plan.template, planned: plan.task.seeds,
                                                 batch: plan.task.batch, echo: plan.echo.base, samplerLabel: plan.samplerLabel,
                                                 comments: plan.comments, outcome: outcome, model: model)
        return Img2ImgResponse(images: shaped.images, parameters: plan.echo, info: shaped.info)
    }

    /// What of A1111's inpainting fields Diptych does, in one line each.
    static func inpaintingNotes(_ r: Img2ImgRequest) -> [String] {
        var notes: [String] = []
        // Diptych's RePaint starts the whole latent, the masked part included, from the init image
        // noised to denoising_strength's level, which at strength 1 is pure noise.
        let start = "Diptych starts the masked region from the init image noised to denoising_strength's level "
            + "(A1111's 'original', 1), which at denoising_strength 1 is pure noise (A1111's 'latent noise', 2)"
        switch r.inpainting_fill {
        case 1: break
        case 2 where r.denoising_strength == 1: break
        default: notes.append("inpainting_fill \(r.inpainting_fill) is accepted and not done: \(start)")
        }
        if r.mask_blur != 0 {
            notes.append("mask_blur \(r.mask_blur) is accepted and ignored (a pixel is repainted when its mask value is at least 0.5; unmasked pixels are kept exactly)")
        }
        if r.inpaint_full_res || r.inpaint_full_res_padding != 0 {
            notes.append("inpaint_full_res and inpaint_full_res_padding are accepted and ignored (the whole image is painted at the model's size)")
        }
        return notes
    }

    /// The mask's gray value as EditMask reads it (colour mean, alpha composited on black), inverted.
    static func inverted(_ mask: Image) -> Image {
        let colour = mask.hasAlpha ? mask.channels - 1 : mask.channels
        var gray = [Float](repeating: 0, count: mask.width * mask.height)
        for p in 0..<gray.count {
            var v: Float = 0
            for c in 0..<colour { v += mask.pixels[p * mask.channels + c] }
            v /= Float(max(1, colour))
            if mask.hasAlpha { v *= mask.pixels[p * mask.channels + colour] }
            gray[p] = 1 - min(1, max(0, v))
        }
        return Image(width: mask.width, height: mask.height, channels: 1, pixels: gray)
    }

    /// Stores `data` as inputs/<sha256>.<ext> under `folder` and returns that name.
    static func stored(_ data: Data, file: String, in folder: String) throws -> String {
        do {
            let name = try EditInputStore.name(of: data, file: file)
            try EditInputStore.store(data, name: name, artifactFolder: folder)
            return name
        } catch let e as DiptychError {
            throw APIError(.internalServerError, "cannot store \(file): \(e.message)")
        }
    }
}
