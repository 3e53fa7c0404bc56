// Caption.swift: `diptych caption IMAGE...`: captions images of any size (PNG or JPEG, resized to the
// model's input) with the masked text sampler on the model bundle. One line per image on stdout.
import ArgumentParser
import Core
import Foundation
import Media
import Studio

struct Caption: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Describe images in words.")

    @OptionGroup var common: CommonOptions
    @Argument(help: "PNG or JPEG files.")
    var images: [String]
    @Option(help: "Text denoising steps (default: one token per step; with threshold: at most this many).")
    var steps: Int?
    @Option(help: "Unmasking: low-confidence, random or threshold (parallel: several tokens per step).")
    var strategy = "low-confidence"
    @Option(help: "Model bundle folder.")
    var model = "Models/default"

    func validate() throws {
        guard !images.isEmpty else { throw ValidationError("give at least one image") }
        if let steps, !(1...1024).contains(steps) { throw ValidationError("--steps must be between 1 and 1024") }
    }

    func run() throws {
        let threads = Threads.configure(common.threads)
        let m = try BundleModel(path: model, threads: threads)
        let decoded = try images.map { try ImageFile.read(path: $0) }
        let captions = try m.caption(images: decoded, decoding: EvalCaptioning(steps: steps ?? 0, strategy: strategy))
        if common.json {
            let rows = zip(images, captions).map { ["file": $0, "caption": $1] }
            print(String(decoding: try JSONSerialization.data(withJSONObject: rows, options: [.sortedKeys]), as: UTF8.self))
        } else {
            for (f, c) in zip(images, captions) { print(images.count == 1 ? c : "\(f)\t\(c)") }
        }
    }
}
