// Txt2ImgTranslator.swift: an A1111 txt2img request as a studio job and the finished job as an
// A1111 answer. The request is checked against the served model and the limits (422 with one line
// for a size the model cannot paint, a step count or batch out of range, an unknown sampler); it
// becomes one generate task of batch_size * n_iter images with seeds seed, seed+1, ... (A1111's
// all_seeds), batch_size images per model call. The answer carries each PNG as written (with its
// `parameters` chunk), the request echoed with the values used, and `info`, A1111's JSON string;
// `shape` builds the images and `info` for img2img too (Img2ImgTranslator).
import Core
import Foundation
import Studio

public struct Txt2ImgPlan: Sendable {
    public var job: Job
    public var task: GenerateTask
    public var echo: Txt2ImgRequest
    public var comments: [String]
    public var samplerLabel: String
}

public enum Txt2ImgTranslator {
    public static func plan(_ r: Txt2ImgRequest, model: ServedModel, limits: ServerLimits) throws -> Txt2ImgPlan {
        let prompt = r.prompt.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !prompt.isEmpty else { throw APIError.unprocessable("prompt: the prompt is empty") }
        guard r.prompt.count <= limits.promptLength else {
            throw APIError.unprocessable("prompt: longer than \(limits.promptLength) characters")
        }
        let width = r.width ?? model.imageSize, height = r.height ?? model.imageSize
        guard width == model.imageSize && height == model.imageSize else {
            throw APIError.unprocessable("width/height: model \(model.displayName) paints \(model.imageSize)x\(model.imageSize) images only, "
                                         + "not \(width)x\(height) (send width: \(model.imageSize), height: \(model.imageSize))")
        }
        let steps = r.steps ?? model.defaultSteps
        guard limits.steps.contains(steps) else {
            throw APIError.unprocessable("steps: must be between \(limits.steps.lowerBound) and \(limits.steps.upperBound), not \(steps)")
        }
        let cfg = r.cfg_scale ?? model.defaultCFG
        guard cfg.isFinite, limits.cfg.contains(cfg) else {
            throw APIError.unprocessable("cfg_scale: must be between \(limits.cfg.lowerBound) and \(limits.cfg.upperBound)")
        }
        guard (1...limits.batchSize).contains(r.batch_size) else {
            throw APIError.unprocessable("batch_size: must be between 1 and \(limits.batchSize), not \(r.batch_size)")
        }
        guard r.n_iter >= 1, r.n_iter <= limits.imagesPerRequest, r.batch_size * r.n_iter <= limits.imagesPerRequest else {
            throw APIError.unprocessable("batch_size * n_iter: at most \(limits.imagesPerRequest) images per request")
        }
        let requested = r.sampler_name ?? r.sampler_index
        let (sampler, samplerNote) = try A1111Samplers.resolve(requested, default: model.defaultSampler)
        let count = r.batch_size * r.n_iter
        let first: UInt64 = r.seed < 0 ? UInt64.random(in: 0..<(1 << 32)) : UInt64(r.seed)
        guard first <= UInt64.max - UInt64(count) else { throw APIError.unprocessable("seed: too large") }
        let seeds = (0..<UInt64(count)).map { first + $0 }

        var comments: [String] = []
        if let samplerNote { comments.append(samplerNote) }
        if !r.negative_prompt.isEmpty { comments.append("negative_prompt is accepted and ignored (Diptych guides against the empty prompt)") }
        if r.subseed != -1 || r.subseed_strength != 0 { comments.append("subseed and subseed_strength are accepted and ignored") }
        if let s = r.scheduler, !s.isEmpty, s.lowercased() != "automatic" { comments.append("scheduler '\(s.prefix(40))' is accepted and ignored") }
        comments += model.notes(sampler: sampler, steps: steps, cfg: cfg, cfgGiven: r.cfg_scale != nil)

        let task = GenerateTask(folder: "txt2img", model: model.name, prompts: [prompt], seeds: seeds, sampler: sampler, steps: steps,
                                cfg: cfg, size: width, batch: r.batch_size)
        var defaults = JobDefaults()
        defaults.sampler = sampler
        defaults.steps = steps
        defaults.cfg = cfg
        defaults.size = width
        defaults.batch = r.batch_size
        let job = Job(name: StudioGateway.jobName("txt2img"), model: model.name, defaults: defaults, tasks: [.generate(task)])
        var echo = r
        echo.steps = steps
        echo.cfg_scale = cfg
        echo.width = width
        echo.height = height
        echo.sampler_name = requested ?? A1111Samplers.displayName(sampler)
        return Txt2ImgPlan(job: job, task: task, echo: echo, comments: comments, samplerLabel: A1111Samplers.displayName(sampler))
    }

    /// The A1111 answer: the done images in seed order (all of them unless interrupted).
    public static func answer(_ plan: Txt2ImgPlan, _ outcome: StudioGateway.Outcome, model: ServedModel) throws -> Txt2ImgResponse {
        let t = plan.task
        let template = GenerationParameters(prompt: t.prompts[0], seed: 0, sampler: t.sampler, steps: t.steps, cfg: t.cfg, width: t.size,
                                            height: t.size, model: model.name, modelHash: model.hash)
        let shaped = try shape(job: plan.job.name, template: template, planned: t.seeds, batch: t.batch, echo: plan.echo,
                               samplerLabel: plan.samplerLabel, comments: plan.comments, outcome: outcome, model: model)
        return Txt2ImgResponse(images: shaped.images, parameters: plan.echo, info: shaped.info)
    }

    /// What the txt2img and img2img answers share: the done images (base64, in seed order) and
    /// `info`, whose infotexts are `template`'s A1111 text at each seed made (the PNGs' chunks).
    static func shape(job: String, template: GenerationParameters, planned: [UInt64], batch: Int, echo: Txt2ImgRequest,
                      samplerLabel: String, comments planComments: [String], outcome: StudioGateway.Outcome,
                      model: ServedModel) throws -> (images: [String], info: String) {
        var images: [String] = []
        var seedsMade: [UInt64] = []
        var failures: [String] = []
        for item in outcome.items where item.kind == "image" {
            guard item.state == "done", let artifact = item.result?.artifacts.first else {
                if let e = item.error { failures.append(e) }
                continue
            }
            let path = try OutputNames.resolve(artifact.path, under: outcome.directory)
            guard let data = FileManager.default.contents(atPath: path) else {
                throw APIError(.internalServerError, "the image \(artifact.path) of job \(job) is missing")
            }
            if echo.send_images { images.append(data.base64EncodedString()) }
            if case .int(let s)? = artifact.parameters["seed"] { seedsMade.append(UInt64(s)) } else if case .double(let s)? = artifact.parameters["seed"] {
                seedsMade.append(UInt64(s))
            }
        }
        if seedsMade.isEmpty && !outcome.interrupted, let first = failures.first {
            throw APIError(.internalServerError, "generation failed: \(first)")
        }
        let seeds = seedsMade.isEmpty ? (outcome.interrupted ? [] : planned) : seedsMade
        let infotexts = seeds.map { seed -> String in
            var p = template
            p.seed = seed
            return p.a1111Text
        }
        var comments = planComments
        if outcome.interrupted { comments.append("interrupted: \(seedsMade.count) of \(planned.count) images were made") }
        let t = template
        var info = A1111Info(
            prompt: t.prompt, all_prompts: Array(repeating: t.prompt, count: seeds.count),
            negative_prompt: echo.negative_prompt, all_negative_prompts: Array(repeating: echo.negative_prompt, count: seeds.count),
            seed: seeds.first ?? planned[0], all_seeds: seeds, subseed: echo.subseed, all_subseeds: Array(repeating: echo.subseed, count: seeds.count),
            subseed_strength: echo.subseed_strength, width: t.width, height: t.height, sampler_name: samplerLabel, cfg_scale: t.cfg,
            steps: t.steps, batch_size: batch, sd_model_name: model.displayName, sd_model_hash: model.hash,
            extra_generation_params: ["Diptych sampler": t.sampler], infotexts: infotexts,
            job_timestamp: timestamp(), version: "diptych-" + ServerInfo.version, diptych_job: job, comments: comments)
        info.denoising_strength = t.strength
        if let mode = t.mode { info.extra_generation_params["Diptych mode"] = mode }
        if let image = t.image { info.extra_generation_params["Init image"] = image }
        if let mask = t.mask { info.extra_generation_params["Mask"] = mask }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (images, String(decoding: try encoder.encode(info), as: UTF8.self))
    }

    /// A1111's job_timestamp form: yyyyMMddHHmmss.
    public static func timestamp(_ date: Date = Date()) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMddHHmmss"
        return f.string(from: date)
    }
}

public enum ServerInfo {
    public static let version = "0.1.0"
}
