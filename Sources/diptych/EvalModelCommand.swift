// EvalModelCommand.swift: `diptych eval` (`diptych eval model`): the model's figures on fixed sets
// (DESIGN.md "Evaluation"): shapes text-to-image oracle score per GenEval category on training and
// held-out color-shape pairs, caption exact match and token F1 on new shapes scenes and on emoji
// (training images and held-out skin tones), and emoji text-to-image recall@1. Any sampler and step
// count. Writes report.json and report.md; prints the markdown (or the JSON with --json).
import ArgumentParser
import Core
import Data
import Foundation
import Media
import Studio

struct EvalModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Evaluate a model bundle: shapes oracle score, caption exact match and F1, emoji recall@1.")

    @OptionGroup var common: CommonOptions
    @Option(help: "Model bundle folder.")
    var model = "Models/default"
    @Option(help: "Image sampler (default: the bundle's; ddim for Models/default).")
    var sampler: String?
    @Option(help: "Image sampler steps (default: the bundle's; 50 for Models/default).")
    var steps: Int?
    @Option(help: "Classifier-free guidance scale (default: the bundle's; 4 for Models/default).")
    var cfg: Float?
    @Option(help: "Shapes prompts per GenEval category.")
    var perCategory = 8
    @Option(help: "Seeds per shapes prompt.")
    var seeds = 4
    @Option(help: "Picks the shapes prompt set; the same value always gives the same prompts.")
    var promptSeed: UInt64 = 2024
    @Option(help: "Seed of each shapes prompt's first image; image j uses this + j.")
    var firstSeed: UInt64 = 1
    @Option(help: "Caption decoding steps (0 = one token per step).")
    var captionSteps = 0
    @Option(help: "Caption unmasking: low-confidence, random or threshold.")
    var captionStrategy = "low-confidence"
    @Option(help: "New shapes scenes to caption.")
    var shapesCaptions = 200
    @Option(help: "Emoji per set (training images, held-out skin tones, recall prompts).")
    var emoji = 200
    @Option(help: "Which parts to run, comma-separated: shapes-t2i, shapes-captions, emoji-captions, emoji-t2i.")
    var suites = "shapes-t2i,shapes-captions,emoji-captions,emoji-t2i"
    @Option(help: "Folder for report.json and report.md.")
    var out = "Outputs/eval"
    @Option(help: "Phased sampler only: this teacher bundle's guided DDIM walk replaces the model on --routed-phases (a diagnostic: how much the student loses there).")
    var phaseTeacher: String?
    @Option(help: "Phased sampler only: this phase-expert bundle (distilled with phaseSubset) replaces the model on --routed-phases.")
    var phaseExpert: String?
    @Option(help: "Phases (1 = the highest-noise one), comma-separated, for --phase-teacher or --phase-expert.")
    var routedPhases: String?

    static let allSuites = ["shapes-t2i", "shapes-captions", "emoji-captions", "emoji-t2i"]

    /// --routed-phases as numbers (nil when missing or malformed).
    var routedPhaseList: [Int]? {
        guard let routedPhases else { return nil }
        let list = routedPhases.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        return list.isEmpty || list.count != routedPhases.split(separator: ",").count ? nil : list
    }

    var suiteList: [String] { suites.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }

    func validate() throws {
        if let steps, !(1...1000).contains(steps) { throw ValidationError("--steps must be between 1 and 1000") }
        if let cfg, !(0...50).contains(cfg) { throw ValidationError("--cfg must be between 0 and 50") }
        guard (1...100).contains(perCategory) else { throw ValidationError("--per-category must be between 1 and 100") }
        guard (1...64).contains(seeds) else { throw ValidationError("--seeds must be between 1 and 64") }
        guard (0...256).contains(captionSteps) else { throw ValidationError("--caption-steps must be between 0 and 256") }
        guard (0...5000).contains(shapesCaptions), (0...5000).contains(emoji) else {
            throw ValidationError("--shapes-captions and --emoji must be between 0 and 5000")
        }
        if phaseTeacher != nil || phaseExpert != nil || routedPhases != nil {
            guard (phaseTeacher == nil) != (phaseExpert == nil), routedPhases != nil else {
                throw ValidationError("--routed-phases goes with one of --phase-teacher or --phase-expert")
            }
            guard routedPhaseList != nil else {
                throw ValidationError("--routed-phases must be comma-separated phase numbers, e.g. 2,3,4")
            }
        }
        for s in suiteList where !Self.allSuites.contains(s) {
            throw ValidationError("unknown suite \"\(s)\"; choose from \(Self.allSuites.joined(separator: ", "))")
        }
    }

    func run() throws {
        let threads = Threads.configure(common.threads)
        let m = try BundleModel(path: model, threads: threads)
        let sampling = m.sampling(sampler: sampler, steps: steps, cfg: cfg)
        if routedPhases != nil && sampling.sampler != "phased" {
            throw ValidationError("--phase-teacher and --phase-expert need the phased sampler")
        }
        for note in m.samplingNotes(sampling, cfgGiven: cfg != nil) { log(note) }
        var routing = ""
        if let phases = routedPhaseList, let other = phaseTeacher ?? phaseExpert {
            let o = try BundleModel(path: other, threads: threads)
            for p in phases { m.phaseRoutes[p] = phaseTeacher != nil ? .teacherWalk(o) : .expert(o) }
            routing = "; phases \(routedPhases!) by \(phaseTeacher != nil ? "the teacher walk of" : "the expert") \(other) (\(o.modelHash))"
        }
        let decoding = EvalCaptioning(steps: captionSteps, strategy: captionStrategy)
        let date = ISO8601DateFormatter().string(from: Date())
        var report = EvalReport(model: "\(model) (\(m.modelHash))" + routing, date: date, threads: threads)
        let run = suiteList

        if run.contains("shapes-t2i") {
            var e = ShapesTextToImageEval()
            e.promptsPerCategory = perCategory
            e.seedsPerPrompt = seeds
            e.promptSeed = promptSeed
            e.baseSeed = firstSeed
            for pool in [SceneSampler.Pool.training, .heldOut] {
                let name = pool == .heldOut ? "shapes t2i, held-out pairs" : "shapes t2i, training pairs"
                report.textToImage.append(try e.run(model: m, sampling: sampling, pool: pool, progress: progress(name)))
            }
        }
        if run.contains("shapes-captions") && shapesCaptions > 0 {
            let e = CaptionEval()
            for pool in [SceneSampler.Pool.training, .heldOut] {
                report.captions.append(try e.runShapes(model: m, count: shapesCaptions, seed: 99, pool: pool, decoding: decoding,
                                                       progress: progress("shapes captions (\(pool.rawValue))")))
            }
        }
        if (run.contains("emoji-captions") || run.contains("emoji-t2i")) && emoji > 0 {
            let refs = try EmojiReferences.load()
            let images = refs.images, names = refs.names
            let train = refs.spread(of: "train", count: emoji), heldOut = refs.spread(of: "heldout", count: emoji)
            if run.contains("emoji-captions") {
                let e = CaptionEval()
                for (set, idx) in [("emoji, training images", train), ("emoji, held-out skin tones", heldOut)] {
                    report.captions.append(try e.run(set: set, model: m, images: idx.map { images[$0] }, references: idx.map { names[$0] },
                                                     decoding: decoding, isExact: { caption, i in caption == names[idx[i]] },
                                                     progress: progress(set)))
                }
            }
            if run.contains("emoji-t2i") {
                report.recall.append(try EmojiRecallEval().run(set: "emoji, training names", model: m, references: refs.pairs,
                                                               prompts: train, sampling: sampling, progress: progress("emoji t2i")))
            }
        }

        let dir = out
        try AtomicFile.write(try report.json(), to: dir + "/report.json")
        try AtomicFile.write(report.markdown(), to: dir + "/report.md")
        FileHandle.standardError.write(Data("wrote \(dir)/report.json and \(dir)/report.md\n".utf8))
        print(common.json ? String(decoding: try report.json(), as: UTF8.self) : report.markdown())
    }

    private func progress(_ name: String) -> (Int, Int) -> Void {
        let start = Date(), bar = StepProgress()
        return { done, total in
            let elapsed = Date().timeIntervalSince(start)
            let eta = done > 0 ? elapsed / Double(done) * Double(total - done) : 0
            bar.update(String(format: "%@: %d/%d  ETA %.0fs", name, done, total, eta), last: done == total)
        }
    }
}
