// Edit.swift: `diptych edit IMAGE "PROMPT" --strength S`: img2img (SDEdit, Meng et al. 2021) with the
// model bundle: the image (PNG or JPEG, any size, resized to the model's) is encoded, noised to the
// strength's point of the sampler's grid and denoised under the prompt (BundleModel+Editing). The
// input is stored beside the outputs as inputs/<sha256>.<ext>, named in each PNG's parameters, so
// `diptych run --from` makes the same image again. `EditRun` is shared with `diptych inpaint`.
import ArgumentParser
import Core
import Diffusion
import Foundation
import Media
import Studio

/// The options `edit` and `inpaint` share with `generate`.
struct EditOptions: ParsableArguments {
    @Option(help: "Denoising steps of the full grid (the strength runs part of it).")
    var steps: Int?
    @Option(help: "Sampler: ddpm, ddim, dpmpp-2m, euler-karras, consistency, phased. Default: the bundle's.")
    var sampler: String?
    @Option(help: "Classifier-free guidance scale (1 = off).")
    var cfg: Float?
    @Option(help: "Seed of the first image (default: random); image i uses seed + i.")
    var seed: UInt64?
    @Option(help: "Number of images.")
    var n = 1
    @Option(help: "Output folder (or a .png path when --n is 1); the inputs go to <folder>/inputs/.")
    var out = "Outputs"
    @Option(help: "Model bundle folder.")
    var model = "Models/default"
    @Option(help: "Upscale the saved PNG by this integer factor (nearest neighbour; 1 = native size).")
    var scale = 1

    func validate() throws {
        guard (1...256).contains(n) else { throw ValidationError("--n must be between 1 and 256") }
        if let steps, !(1...1000).contains(steps) { throw ValidationError("--steps must be between 1 and 1000") }
        if let cfg, !(0...50).contains(cfg) { throw ValidationError("--cfg must be between 0 and 50") }
        guard (1...32).contains(scale) else { throw ValidationError("--scale must be between 1 and 32") }
        if let sampler, ImageSamplerKind(rawValue: sampler) == nil {
            throw ValidationError("--sampler must be one of \(ImageSamplerKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }
}

/// One run of `edit` or `inpaint`: load, edit, save with parameters, print.
struct EditRun {
    var mode: String
    var image: String
    var mask: String?
    var prompt: String
    var settings: EditSettings
    var options: EditOptions
    var common: CommonOptions

    func run() throws {
        let threads = Threads.configure(common.threads)
        let input = try EditInputStore.load(path: image)
        let maskInput = try mask.map { try EditInputStore.load(path: $0) }
        let edit = try EditInput(image: input.image, mask: maskInput?.image, maskName: "--mask \(mask ?? "")")
        let o = options
        let m = try BundleModel(path: o.model, threads: threads)
        let sampling = m.sampling(sampler: o.sampler, steps: o.steps, cfg: o.cfg)
        for note in m.samplingNotes(sampling, cfgGiven: o.cfg != nil) { log(note) }
        if settings.strength > 0 && settings.steps(of: sampling.steps, masked: false) == 0 {
            log("note: strength \(settings.strength) of \(sampling.steps) steps runs no step; the output is the input through the autoencoder")
        }
        let first = o.seed ?? UInt64.random(in: 0..<(1 << 32))
        let seeds = (0..<UInt64(o.n)).map { first &+ $0 }
        let t0 = Date()
        let result = try m.edit(prompts: [String](repeating: prompt, count: o.n), seeds: seeds,
                                inputs: [EditInput](repeating: edit, count: o.n), sampling: sampling, settings: settings) { step, total, _ in
            FileHandle.standardError.write(Data("\rstep \(step)/\(total)".utf8))
            return true
        }
        let seconds = Date().timeIntervalSince(t0)
        FileHandle.standardError.write(Data(String(format: "\r%d image(s) in %.2f s (%@ %d of %d steps, strength %g, CFG %g, %d thread(s))\n",
                                                   o.n, seconds, sampling.sampler, settings.steps(of: sampling.steps, masked: mask != nil),
                                                   sampling.steps, settings.strength, sampling.cfg, threads).utf8))
        let single = o.out.hasSuffix(".png") && o.n == 1
        let folder = single ? (o.out as NSString).deletingLastPathComponent : o.out
        ArtifactFiles.cleanStaleTemporaries(in: folder.isEmpty ? "." : folder, recursive: false)   // a killed run's leftovers
        try EditInputStore.store(input.data, name: input.name, artifactFolder: folder.isEmpty ? "." : folder)
        if let maskInput { try EditInputStore.store(maskInput.data, name: maskInput.name, artifactFolder: folder.isEmpty ? "." : folder) }
        var results: [[String: String]] = []
        for (i, image) in result.images.enumerated() {
            var p = GenerationParameters(prompt: prompt, seed: seeds[i], sampler: sampling.sampler, steps: sampling.steps,
                                         cfg: Double(sampling.cfg), width: image.width, height: image.height,
                                         model: (o.model as NSString).lastPathComponent, modelHash: m.modelHash)
            p.mode = mode
            p.image = input.name
            p.mask = maskInput?.name
            p.strength = settings.strength
            if mask != nil {
                p.resample = settings.resample
                p.dilate = settings.dilate
            }
            let path = single ? o.out : "\(folder)/\(mode)-\(Generate.slug(prompt))-\(seeds[i]).png"
            let saved = o.scale == 1 ? image : image.resized(width: image.width * o.scale, height: image.height * o.scale, filter: .nearest)
            try AtomicFile.write(PNG.encode(saved, text: p.pngText), to: path)
            results.append(["file": path, "seed": "\(seeds[i])", "input": "\(folder.isEmpty ? "." : folder)/\(input.name)"])
        }
        if common.json {
            let data = try JSONSerialization.data(withJSONObject: results, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            for r in results { print("\(r["file"]!)  seed \(r["seed"]!)") }
        }
    }
}

struct Edit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Repaint an image under a prompt (img2img, SDEdit).",
        discussion: "Strength 1 starts from pure noise (text-to-image), 0 returns the input; 0.4 to 0.7 keeps the layout.")

    @OptionGroup var common: CommonOptions
    @Argument(help: "The input image (PNG or JPEG, any size; resized to the model's).")
    var image: String
    @Argument(help: "The prompt, e.g. \"a blue circle\".")
    var prompt: String
    @Option(help: "How much to change, 0 ... 1: the share of the sampler's steps that is run.")
    var strength = 0.6
    @OptionGroup var options: EditOptions

    func validate() throws {
        guard EditSettings.strengthRange.contains(strength) else { throw ValidationError("--strength must be between 0 and 1, got \(strength)") }
        guard !prompt.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("the prompt is empty") }
    }

    func run() throws {
        try EditRun(mode: "edit", image: image, mask: nil, prompt: prompt, settings: EditSettings(strength: strength),
                    options: options, common: common).run()
    }
}
