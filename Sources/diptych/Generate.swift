// Generate.swift: `diptych generate "PROMPT"`: text-to-image with the model bundle (Models/default by
// default). Writes PNGs carrying their parameters (AUTOMATIC1111 `parameters` chunk + JSON chunk,
// DESIGN.md "Artifacts"), prints each file and its seed on stdout.
import ArgumentParser
import Core
import Diffusion
import Foundation
import Media
import Studio

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Paint images from a text prompt.")

    @OptionGroup var common: CommonOptions
    @Argument(help: "The prompt, e.g. \"a red circle above a blue square\".")
    var prompt: String
    @Option(help: "Denoising steps (model calls, before CFG doubling).")
    var steps: Int?
    @Option(help: "Sampler: ddpm, ddim, dpmpp-2m, euler-karras, consistency (1 to 8 steps, LCM bundles), phased (its phase count, PCM bundles). Default: the bundle's.")
    var sampler: ImageSamplerKind?
    @Option(help: "Classifier-free guidance scale (1 = off).")
    var cfg: Float?
    @Option(help: "Seed of the first image (default: random); image i uses seed + i.")
    var seed: UInt64?
    @Option(help: "Number of images.")
    var n = 1
    @Option(help: "Output folder (or a .png path when --n is 1).")
    var out = "Outputs"
    @Option(help: "Model bundle folder or name (looked up in ./Models, $DIPTYCH_MODELS, the checkout's Models).")
    var model = "Models/default"
    @Option(help: "Upscale the saved PNG by this integer factor (nearest neighbour; 1 = native size).")
    var scale = 1

    func validate() throws {
        guard (1...256).contains(n) else { throw ValidationError("--n must be between 1 and 256") }
        if let steps, !(1...1000).contains(steps) { throw ValidationError("--steps must be between 1 and 1000") }
        if let cfg, !(0...50).contains(cfg) { throw ValidationError("--cfg must be between 0 and 50") }
        guard (1...32).contains(scale) else { throw ValidationError("--scale must be between 1 and 32") }
        guard !out.isEmpty else { throw ValidationError("--out is empty (give a folder, or a .png path with --n 1)") }
        guard !prompt.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("the prompt is empty") }
    }

    func run() throws {
        let threads = Threads.configure(common.threads)
        let m = try BundleModel(path: model, threads: threads, chunk: min(n, 16))   // buffers for the batch asked, no more
        let sampling = m.sampling(sampler: sampler?.rawValue, steps: steps, cfg: cfg)
        for note in m.samplingNotes(sampling, cfgGiven: cfg != nil) { log(note) }
        let first = seed ?? UInt64.random(in: 0..<(1 << 32))
        let seeds = (0..<UInt64(n)).map { first &+ $0 }
        let t0 = Date()
        let bar = StepProgress()
        let z = try m.generateLatents(prompts: [String](repeating: prompt, count: n), seeds: seeds, sampling: sampling) { step, total, _ in
            bar.update("step \(step)/\(total)")
            return true
        }
        let images = m.decode(z, count: n)
        let seconds = Date().timeIntervalSince(t0)
        bar.finish(String(format: "%d image(s) in %.2f s (%.2f s/image, %@ %d steps, CFG %g, %d thread(s))",
                          n, seconds, seconds / Double(n), sampling.sampler, sampling.steps, sampling.cfg, threads))
        let folder = out.hasSuffix(".png") && n == 1 ? (out as NSString).deletingLastPathComponent : out
        ArtifactFiles.cleanStaleTemporaries(in: folder.isEmpty ? "." : folder, recursive: false)   // a killed run's leftovers
        var results: [[String: String]] = []
        for (i, image) in images.enumerated() {
            let p = GenerationParameters(prompt: prompt, seed: seeds[i], sampler: sampling.sampler, steps: sampling.steps,
                                         cfg: Double(sampling.cfg), width: image.width, height: image.height,
                                         model: (model as NSString).lastPathComponent, modelHash: m.modelHash)
            let path = out.hasSuffix(".png") && n == 1 ? out : "\(out)/\(Self.fileName(p))"
            let saved = scale == 1 ? image : image.resized(width: image.width * scale, height: image.height * scale, filter: .nearest)
            try AtomicFile.write(PNG.encode(saved, text: p.pngText), to: path)
            results.append(["file": path, "seed": "\(seeds[i])"])
        }
        if common.json {
            let data = try JSONSerialization.data(withJSONObject: results, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            for r in results { print("\(r["file"]!)  seed \(r["seed"]!)") }
        }
    }

    /// slug-seed-hash.png: the hash (8 hex digits of the SHA-256 of the parameters line) keeps images of
    /// prompts with the same slug ("a red circle", "A RED CIRCLE!!!") or other settings from overwriting
    /// each other, while the same parameters (the same image, bit for bit) keep their one name.
    static func fileName(_ p: GenerationParameters) -> String {
        let hash = SHA256.hex(p.a1111Text).prefix(8)
        return "\(slug(p.prompt))-\(p.seed)-\(hash).png"
    }

    /// A file-name-safe short form of the prompt.
    static func slug(_ s: String) -> String {
        let kept = s.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }
        let collapsed = String(kept).split(separator: "-").joined(separator: "-")
        return String(collapsed.prefix(48)).isEmpty ? "image" : String(collapsed.prefix(48))
    }
}
