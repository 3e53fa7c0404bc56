// Fill.swift: `diptych fill "TEXT WITH [MASK]"`: masked-diffusion infilling (each [MASK] is one token)
// with the model bundle's text head, no image condition. Prints the completed text.
import ArgumentParser
import Core
import Foundation
import Studio

struct Fill: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Fill the [MASK] slots of a text.")

    @OptionGroup var common: CommonOptions
    @Argument(help: "Text with [MASK] slots, e.g. \"a red [MASK] above a blue square\".")
    var text: String
    @Option(help: "Text denoising steps.")
    var steps = 8
    @Option(help: "Seed.")
    var seed: UInt64 = 0
    @Option(help: "Model bundle folder.")
    var model = "Models/default"

    func run() throws {
        let threads = Threads.configure(common.threads)
        let m = try BundleModel(path: model, threads: threads)
        let filled = try m.fill(text, steps: steps, seed: seed)
        if common.json {
            print(String(decoding: try JSONSerialization.data(withJSONObject: ["text": filled], options: [.sortedKeys]), as: UTF8.self))
        } else {
            print(filled)
        }
    }
}
