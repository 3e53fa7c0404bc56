// Fill.swift: `diptych fill "TEXT WITH [MASK]"`: masked-diffusion infilling (each [MASK] is one token)
// with the model bundle's text head. With --image, the clean image is in the sequence at t = 0, as in
// captioning, so "the large shape is a [MASK]" answers a question about it. Prints the completed text.
import ArgumentParser
import Core
import Foundation
import Studio

struct Fill: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Fill the [MASK] slots of a text.")

    @OptionGroup var common: CommonOptions
    @Argument(help: "Text with [MASK] slots, e.g. \"a red [MASK] above a blue square\".")
    var text: String
    @Option(help: "Text denoising steps (1 to 1024).")
    var steps = 8
    @Option(help: "Seed.")
    var seed: UInt64 = 0
    @Option(help: "Model bundle folder or name (looked up in ./Models, $DIPTYCH_MODELS, the checkout's Models).")
    var model = "Models/default"
    @Option(help: "An image (PNG or JPEG, any size) the text is about.")
    var image: String?

    func validate() throws {
        guard (1...1024).contains(steps) else { throw ValidationError("--steps must be between 1 and 1024") }
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw ValidationError("the text is empty") }
        guard text.contains("[MASK]") else { throw ValidationError("the text has no [MASK] slot to fill") }
    }

    func run() throws {
        let threads = Threads.configure(common.threads)
        let picture = try image.map { try EditInputStore.load(path: $0).image }
        let m = try BundleModel(path: model, threads: threads)
        let filled = try m.fill(text, steps: steps, seed: seed, image: picture)
        if common.json {
            print(String(decoding: try JSONSerialization.data(withJSONObject: ["text": filled], options: [.sortedKeys]), as: UTF8.self))
        } else {
            print(filled)
        }
    }
}
