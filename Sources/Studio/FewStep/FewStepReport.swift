// FewStepReport.swift: the few-step versus many-step comparison (DESIGN.md "Evaluation"): per model and
// sampler setting the shapes oracle score (GenEval-style, ShapesTextToImageEval), emoji recall@1
// (EmojiRecallEval), model evaluations and seconds per image; per caption decoding the exact match and
// model calls per caption (CaptionEval). Rendered as JSON, a markdown table with ratios to a reference
// row, and plots of score against steps and against wall time (Media.LinePlot).
import Foundation
import Media

public struct FewStepImageRow: Codable, Sendable {
    public var model: String
    public var sampling: EvalSampling
    /// Backbone rows evaluated per image (steps, doubled under CFG).
    public var nfe: Int
    public var oracle: Double?
    public var oracleExact: Double?
    public var secondsPerImage: Double?
    public var emojiRecall: Double?
    public var emojiSecondsPerImage: Double?
    /// Binomial standard errors of oracle and emojiRecall (absent in reports written before they were added).
    public var oracleStandardError: Double?
    public var emojiRecallStandardError: Double?
    public init(model: String, sampling: EvalSampling, nfe: Int) {
        self.model = model
        self.sampling = sampling
        self.nfe = nfe
    }
}

public struct FewStepCaptionRow: Codable, Sendable {
    public var model: String
    public var set: String
    /// "low-confidence, 4 steps", "threshold 0.9", ...
    public var decoding: String
    public var steps: Int
    public var exactMatch: Double
    public var tokenF1: Double
    public var callsPerCaption: Double
    public var seconds: Double
    public init(model: String, set: String, decoding: String, steps: Int, exactMatch: Double, tokenF1: Double,
                callsPerCaption: Double, seconds: Double) {
        self.model = model; self.set = set; self.decoding = decoding; self.steps = steps
        self.exactMatch = exactMatch; self.tokenF1 = tokenF1; self.callsPerCaption = callsPerCaption; self.seconds = seconds
    }
}

public struct FewStepReport: Codable, Sendable {
    public var date: String
    public var threads: Int
    public var images: [FewStepImageRow] = []
    public var captions: [FewStepCaptionRow] = []

    public init(date: String, threads: Int) {
        self.date = date
        self.threads = threads
    }

    public func json() throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try e.encode(self)
    }

    private func f(_ x: Double?, _ d: Int = 3) -> String { x.map { String(format: "%.\(d)f", $0) } ?? "-" }

    /// "0.615 ± 0.035" when the standard error is known, else the value alone.
    private func f(_ x: Double?, standardError e: Double?) -> String {
        guard x != nil, let e else { return f(x) }
        return f(x) + " ± " + f(e)
    }

    /// a / b when both are known and b > 0.
    static func ratio(_ a: Double?, _ b: Double?) -> Double? {
        guard let a, let b, b > 0 else { return nil }
        return a / b
    }

    /// Markdown; image ratios are against `reference` (index into images), caption ratios against the
    /// one-token-per-step row of the same model and set.
    public func markdown(reference: Int?) -> String {
        var md = "# Few-step vs many-step\n\n\(date), \(threads) thread(s).\n"
        if !images.isEmpty {
            let ref = reference.map { images[$0] }
            md += "\n## Images\n\nRatios are against "
            md += ref.map { "\($0.model) \($0.sampling.sampler) \($0.sampling.steps) steps, CFG \($0.sampling.cfg)" } ?? "nothing"
            md += ". Scores are ± one binomial standard error over the images scored (GenEval's mean of category "
            md += "accuracies for the oracle); differences under about twice that are noise.\n\n"
            md += "| model | sampler | steps | cfg/w | NFE | oracle | ratio | exact | s/image | speed-up | emoji recall@1 | ratio |\n"
            md += "|---|---|---|---|---|---|---|---|---|---|---|---|\n"
            for r in images {
                let ratio = Self.ratio(r.oracle, ref?.oracle)
                let speed = Self.ratio(ref?.secondsPerImage, r.secondsPerImage)
                let er = Self.ratio(r.emojiRecall, ref?.emojiRecall)
                let oracle = f(r.oracle, standardError: r.oracleStandardError)
                let recall = f(r.emojiRecall, standardError: r.emojiRecallStandardError)
                md += "| \(r.model) | \(r.sampling.sampler) | \(r.sampling.steps) | \(r.sampling.cfg) | \(r.nfe) | \(oracle) | "
                    + "\(f(ratio, 2)) | \(f(r.oracleExact)) | \(f(r.secondsPerImage, 4)) | \(f(speed, 1))x | \(recall) | \(f(er, 2)) |\n"
            }
        }
        if !captions.isEmpty {
            md += "\n## Captions\n\nRatio: exact match over the same model's one-token-per-step decoding on the same set.\n\n"
            md += "| model | set | decoding | calls/caption | exact match | ratio | token F1 | s |\n|---|---|---|---|---|---|---|---|\n"
            for r in captions {
                let base = captions.first { $0.model == r.model && $0.set == r.set && $0.decoding.hasSuffix("1 token/step") }
                let ratio = Self.ratio(r.exactMatch, base?.exactMatch)
                md += "| \(r.model) | \(r.set) | \(r.decoding) | \(f(r.callsPerCaption, 1)) | \(f(r.exactMatch)) | \(f(ratio, 2)) | "
                    + "\(f(r.tokenF1)) | \(f(r.seconds, 1)) |\n"
            }
        }
        return md
    }

    /// Oracle score against steps (one series per model + sampler) and against seconds per image.
    public func plots() -> (steps: Image, time: Image) {
        var groups: [(String, [FewStepImageRow])] = []
        for r in images where r.oracle != nil {
            let key = "\(r.model) \(r.sampling.sampler)"
            if let i = groups.firstIndex(where: { $0.0 == key }) { groups[i].1.append(r) } else { groups.append((key, [r])) }
        }
        func series(_ x: (FewStepImageRow) -> Double) -> [Media.LinePlot.Series] {
            groups.enumerated().map { i, g in
                Media.LinePlot.Series(name: g.0, points: g.1.map { (x($0), $0.oracle!) }.sorted { $0.0 < $1.0 },
                                color: Media.LinePlot.palette[i % Media.LinePlot.palette.count])
            }
        }
        var a = Media.LinePlot(series: series { Double($0.sampling.steps) }, title: "Shapes oracle score vs steps",
                         xLabel: "sampler steps", yLabel: "oracle score")
        a.markers = true
        var b = Media.LinePlot(series: series { $0.secondsPerImage ?? 0 }, title: "Shapes oracle score vs wall time",
                         xLabel: "seconds per image", yLabel: "oracle score")
        b.markers = true
        return (a.render(), b.render())
    }
}
