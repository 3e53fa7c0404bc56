// EvalEditing.swift: `diptych eval editing`: inpainting, question answering by infilling and img2img
// of a bundle on rendered shapes scenes, scored by the shapes oracle (Studio's EditingEval). Results
// on stdout (--json for machines), progress on stderr.
import ArgumentParser
import Core
import Diffusion
import Foundation
import Studio

struct EvalEditing: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "editing",
                                                    abstract: "Measure inpainting, question answering by fill and img2img on shapes scenes.")

    @OptionGroup var common: CommonOptions
    @Option(help: "Model bundle folder.")
    var model = "Models/default"
    @Option(help: "Inpainting cases (0 = skip).")
    var inpaint = 64
    @Option(help: "Questions (0 = skip).")
    var questions = 400
    @Option(help: "img2img cases (0 = skip).")
    var img2img = 64
    @Option(help: "img2img strength.")
    var strength = 0.5
    @Option(help: "Inpainting: RePaint resampling.")
    var resample = 1
    @Option(help: "Inpainting: latent mask dilation (cells).")
    var dilate = 0
    @Option(help: "Sampler (default: the bundle's).")
    var sampler: String?
    @Option(help: "Steps (default: the bundle's).")
    var steps: Int?
    @Option(help: "CFG scale (default: the bundle's).")
    var cfg: Float?
    @Option(help: "Text steps per question (0 = one per [MASK]).")
    var textSteps = 0
    @Option(help: "Seed of scenes, prompts and noise.")
    var seed: UInt64 = 1
    @Flag(help: "Inpainting: round each masked box out to whole latent cells (4x4 pixels).")
    var cellAlignedMask = false
    @Option(help: "Write every case's input, mask and output PNG into this folder.")
    var save: String?

    func validate() throws {
        for (name, v) in [("--inpaint", inpaint), ("--questions", questions), ("--img2img", img2img)] where !(0...4096).contains(v) {
            throw ValidationError("\(name) must be between 0 and 4096")
        }
        guard EditSettings.strengthRange.contains(strength) else { throw ValidationError("--strength must be between 0 and 1") }
        guard ImageConditioning.resampleLimit.contains(resample) else { throw ValidationError("--resample must be between 1 and 20") }
        guard EditSettings.dilateRange.contains(dilate) else { throw ValidationError("--dilate must be between 0 and 8") }
        if let steps, !(1...1000).contains(steps) { throw ValidationError("--steps must be between 1 and 1000") }
        if let sampler, ImageSamplerKind(rawValue: sampler) == nil { throw ValidationError("--sampler: unknown sampler \(sampler)") }
        guard (0...1024).contains(textSteps) else { throw ValidationError("--text-steps must be between 0 and 1024") }
    }

    struct Output: Encodable {
        var model: String
        var sampler: String
        var steps: Int
        var cfg: Float
        var threads: Int
        var inpaint: EditingEval.InpaintReport?
        var questions: EditingEval.QuestionReport?
        var img2img: EditingEval.Img2ImgReport?
    }

    func run() throws {
        let threads = Threads.configure(common.threads)
        let m = try BundleModel(path: model, threads: threads)
        let sampling = m.sampling(sampler: sampler, steps: steps, cfg: cfg)
        func eval(_ settings: EditSettings) -> EditingEval {
            var e = EditingEval(model: m, sampling: sampling, settings: settings, seed: seed)
            e.saveTo = save
            e.cellAlignedMask = cellAlignedMask
            return e
        }
        var out = Output(model: model, sampler: sampling.sampler, steps: sampling.steps, cfg: sampling.cfg, threads: threads)
        if inpaint > 0 {
            log("inpainting \(inpaint) cases (\(sampling.sampler), \(sampling.steps) steps, resample \(resample), dilate \(dilate))")
            out.inpaint = try eval(EditSettings(strength: 1, resample: resample, dilate: dilate)).inpaint(cases: inpaint)
        }
        if questions > 0 {
            log("answering \(questions) questions")
            out.questions = try eval(EditSettings()).answer(questions: questions, steps: textSteps)
        }
        if img2img > 0 {
            log("img2img \(img2img) cases at strength \(strength)")
            out.img2img = try eval(EditSettings(strength: strength)).img2img(cases: img2img)
        }
        if common.json { try printJSON(out); return }
        print("model \(model): \(sampling.sampler), \(sampling.steps) steps, CFG \(sampling.cfg), \(threads) thread(s)")
        if let r = out.inpaint {
            print(String(format: "inpaint  %d cases: prompted object in the mask %.3f; unmasked pixels exact %.3f; unmasked PSNR of the decoded latents %.1f dB; masked pixels %.2f, regenerated cells %.2f (%.0f s)",
                         r.cases, r.promptedObjectInMask, r.unmaskedExact, r.unmaskedLatentPSNR, r.maskedPixels, r.unknownCells, r.seconds))
        }
        if let r = out.questions {
            let kinds = r.byKind.keys.sorted().map { String(format: "%@ %.3f (%d)", $0, r.byKind[$0]!, r.counts[$0]!) }.joined(separator: ", ")
            print(String(format: "questions %d: exact match %.3f; ", r.questions, r.exactMatch) + kinds + String(format: " (%.0f s)", r.seconds))
            for miss in r.misses.prefix(5) { print("  miss: \(miss[0])  ->  \(miss[1])  (true: \(miss[2]))") }
        }
        if let r = out.img2img {
            print(String(format: "img2img  %d cases at strength %.2f: layout kept (within 2 px) %.3f, colour changed %.3f, shape kept %.3f, all three %.3f; mean shift %.2f px (%.0f s)",
                         r.cases, r.strength, r.layoutKept, r.colourChanged, r.shapeKept, r.keptAndChanged, r.meanShift, r.seconds))
        }
    }
}
