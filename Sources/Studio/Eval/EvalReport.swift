// EvalReport.swift: everything one `diptych eval` run measured, as JSON (for scripts and model
// cards) and as a markdown table (for people).

import Foundation

public struct EvalReport: Codable, Sendable {
    public var model: String
    public var date: String
    public var threads: Int
    public var textToImage: [TextToImageResult] = []
    public var captions: [CaptionResult] = []
    public var recall: [RecallResult] = []

    public init(model: String, date: String, threads: Int) {
        self.model = model
        self.date = date
        self.threads = threads
    }

    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }

    public func markdown() -> String {
        var md = "# Evaluation of \(model)\n\n\(date), \(threads) thread(s).\n"
        if !textToImage.isEmpty {
            let names = textToImage[0].categories.map(\.category)
            md += "\n## Shapes text-to-image (oracle, GenEval-style)\n\nOverall is the mean of the category accuracies, "
            md += "± one binomial standard error.\n\n"
            md += "| prompts | sampler | steps | cfg | overall | exact | " + names.joined(separator: " | ") + " | s/image |\n"
            md += "|" + String(repeating: "---|", count: 7 + names.count) + "\n"
            for r in textToImage {
                let cells = r.categories.map { format($0.accuracy) }
                md += "| \(r.pool) (\(r.prompts)x\(r.seedsPerPrompt)) | \(r.sampling.sampler) | \(r.sampling.steps) | "
                    + "\(format(Double(r.sampling.cfg), digits: 1)) | **\(format(r.overall))** ± \(format(r.overallStandardError)) | \(format(r.exact)) | "
                    + cells.joined(separator: " | ") + " | \(format(r.secondsPerImage, digits: 4)) |\n"
            }
            if let p = textToImage[0].promptSeed, let f = textToImage[0].firstSeed {
                md += "\nPrompt set seed \(p); the images of each prompt use seeds \(f) to \(f + UInt64(max(textToImage[0].seedsPerPrompt, 1)) - 1).\n"
            }
        }
        if !captions.isEmpty {
            md += "\n## Captioning\n\n| set | images | decoding | exact match | token F1 |\n|---|---|---|---|---|\n"
            for r in captions {
                let steps = r.decoding.steps == 0 ? "1 token/step" : "\(r.decoding.steps) steps"
                md += "| \(r.set) | \(r.images) | \(r.decoding.strategy), \(steps) | **\(format(r.exactMatch))** | \(format(r.tokenF1)) |\n"
            }
            md += "\nExamples (prediction / reference):\n\n"
            for r in captions { for e in r.examples.prefix(3) { md += "- \(r.set): `\(e[0])` / `\(e[1])`\n" } }
        }
        if !recall.isEmpty {
            md += "\n## Emoji text-to-image\n\n| set | prompts | references | sampler | steps | cfg | recall@1 | s/image |\n"
            md += "|---|---|---|---|---|---|---|---|\n"
            for r in recall {
                md += "| \(r.set) | \(r.prompts) | \(r.references) | \(r.sampling.sampler) | \(r.sampling.steps) | "
                    + "\(format(Double(r.sampling.cfg), digits: 1)) | **\(format(r.recallAt1))** ± \(format(r.standardError)) | \(format(r.secondsPerImage, digits: 4)) |\n"
            }
        }
        return md
    }

    private func format(_ x: Double, digits: Int = 3) -> String { String(format: "%.\(digits)f", x) }
}
