// DistillCompare.swift: `diptych distill compare`: few-step versus many-step, measured (DESIGN.md
// "Evaluation"). The same prompts and seeds go through the teacher's samplers (e.g. DDIM 50 + CFG) and
// the consistency-distilled student at 1, 2, 4, 8 steps (LCM, Luo et al. 2023): shapes oracle score,
// emoji recall@1, seconds per image. Captions: exact match of masked-diffusion decoding at fixed small
// step counts and one token per step (LLaDA) and with Fast-dLLM's confidence threshold, on new shapes
// scenes and emoji. Writes report.json, report.md, oracle-vs-steps.png and oracle-vs-time.png.
import ArgumentParser
import Core
import Data
import Diffusion
import Foundation
import Media
import Studio

struct DistillCompare: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "compare",
                                                    abstract: "Compare few-step and many-step sampling of a teacher and its distilled student.")

    @OptionGroup var common: ThreadsOnly
    @Option(help: "Teacher bundle.")
    var teacher = "Models/default"
    @Option(help: "Consistency-distilled student bundle ('' to skip).")
    var student = "Models/lcm"
    @Option(help: "Output folder.")
    var out = "Outputs/fewstep"
    @Option(help: "Teacher image settings, sampler:steps[:cfg] comma separated (first = the reference).")
    var teacherImages = "ddim:50,dpmpp-2m:20,ddim:8,ddim:4,ddim:2"
    @Option(help: "Student consistency steps, comma separated.")
    var studentSteps = "1,2,4,8"
    @Option(help: "Student sampler: consistency or phased (default: the student bundle's).")
    var studentSampler: String?
    @Option(help: "Guidance: CFG scale of the teacher, embedded w of the student (default: the teacher's default).")
    var cfg: Float?
    @Option(help: "Shapes prompts per GenEval category (0 = no shapes images).")
    var perCategory = 4
    @Option(help: "Seeds per shapes prompt.")
    var seeds = 2
    @Option(help: "Emoji prompts for recall@1 (train split; 0 = none).")
    var emoji = 64
    @Option(help: "Emoji split for recall and captions.")
    var emojiSplit = "train"
    @Option(help: "New shapes scenes to caption (0 = no shapes captions).")
    var captions = 100
    @Option(help: "Emoji to caption (0 = none).")
    var emojiCaptions = 64
    @Option(help: "Fixed caption step counts (0 = one token per step), comma separated.")
    var captionSteps = "1,2,4,8,16,0"
    @Option(help: "Confidence thresholds for parallel unmasking, comma separated ('' = none).")
    var thresholds = "0.9,0.7,0.5"
    @Option(help: "Step budgets for threshold decoding, comma separated: each threshold also runs with at most this many steps per caption ('' = none).")
    var thresholdSteps = "4"
    @Option(help: "Where a step budget's forced reveals go, comma separated: spread (every step at least masked / steps left) or last (the threshold alone, the last step reveals the rest).")
    var budgetRules = "spread,last"
    @Option(help: "Caption models: teacher, student or both.")
    var captionModels = "both"
    @Option(help: "Images per sampler batch.")
    var batch = 16
    @Flag(help: "Add the rows to the report already in --out (same prompts and seeds), instead of starting a new one.")
    var append = false

    func ints(_ s: String) throws -> [Int] {
        try s.split(separator: ",").map { guard let v = Int($0.trimmingCharacters(in: .whitespaces)) else {
            throw ValidationError("not an integer list: \(s)") }; return v }
    }

    func run() throws {
        let threads = Threads.configure(common.threads)
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let t = try BundleModel(path: teacher, threads: threads, chunk: batch)
        let s = student.isEmpty ? nil : try BundleModel(path: student, threads: threads, chunk: batch)
        let w = cfg ?? t.bundle.manifest.defaultCFG
        var report = FewStepReport(date: ISO8601DateFormatter().string(from: Date()), threads: threads)
        if append, let data = FileManager.default.contents(atPath: out + "/report.json") {
            report = try JSONDecoder().decode(FewStepReport.self, from: data)
        }

        // Image settings: teacher samplers (with CFG), then the student's consistency steps (embedded w).
        var runs: [(String, BundleModel, EvalSampling)] = []
        for spec in teacherImages.split(separator: ",") {
            let p = spec.split(separator: ":").map(String.init)
            guard p.count >= 2, let steps = Int(p[1]) else { throw ValidationError("bad teacher setting \(spec) (sampler:steps[:cfg])") }
            runs.append(("teacher", t, EvalSampling(sampler: p[0], steps: steps, cfg: p.count > 2 ? Float(p[2]) ?? w : w)))
        }
        if let s {
            let sampler = studentSampler ?? s.bundle.manifest.defaultSampler
            for k in try ints(studentSteps) { runs.append(("student", s, EvalSampling(sampler: sampler, steps: k, cfg: w))) }
        }

        var emojiRefs: [(name: String, image: Image)] = [], emojiPrompts: [Int] = [], emojiCaptionSet: [Int] = []
        if emoji > 0 || emojiCaptions > 0 {
            let refs = try EmojiReferences.load()
            emojiRefs = refs.pairs
            emojiPrompts = refs.spread(of: emojiSplit, count: emoji)
            emojiCaptionSet = refs.spread(of: emojiSplit, count: emojiCaptions)
        }
        for (name, m, sampling) in runs {
            var row = FewStepImageRow(model: name, sampling: sampling,
                                      nfe: sampling.steps * (m.embedsGuidance(sampler: sampling.sampler) || sampling.cfg == 1 ? 1 : 2))
            if perCategory > 0 {
                var e = ShapesTextToImageEval()
                e.promptsPerCategory = perCategory
                e.seedsPerPrompt = seeds
                e.batchSize = batch
                let r = try e.run(model: m, sampling: sampling, pool: .training)
                row.oracle = r.overall; row.oracleStandardError = r.overallStandardError
                row.oracleExact = r.exact; row.secondsPerImage = r.secondsPerImage
            }
            if emoji > 0 {
                var e = EmojiRecallEval()
                e.batchSize = batch
                let r = try e.run(set: "emoji \(emojiSplit)", model: m, references: emojiRefs,
                                  prompts: emojiPrompts, sampling: sampling)
                row.emojiRecall = r.recallAt1; row.emojiRecallStandardError = r.standardError; row.emojiSecondsPerImage = r.secondsPerImage
            }
            log(String(format: "%@ %@ %d steps w %g: oracle %@ (%@ s/image), emoji recall@1 %@", name, sampling.sampler,
                       sampling.steps, sampling.cfg, row.oracle.map { String(format: "%.3f", $0) } ?? "-",
                       row.secondsPerImage.map { String(format: "%.4f", $0) } ?? "-",
                       row.emojiRecall.map { String(format: "%.3f", $0) } ?? "-"))
            report.images.append(row)
            try write(report)
        }

        // Captions.
        var decodings: [(String, TextUnmasking, Int, Int, Int?, StepBudgetRule)] = try ints(captionSteps).map { k in
            (k == 0 ? "low-confidence, 1 token/step" : "low-confidence, \(k) steps", .lowConfidence, k, batch, nil, .spread)
        }
        let budgets = try ints(thresholdSteps)
        let rules = try budgetRules.split(separator: ",").map { name in
            guard let r = StepBudgetRule(rawValue: String(name)) else { throw ValidationError("bad budget rule \(name): spread or last") }
            return r
        }
        for th in thresholds.split(separator: ",") {
            guard let v = Double(th) else { throw ValidationError("bad threshold \(th)") }
            decodings.append(("threshold \(v)", .threshold(v), 0, 1, nil, .spread))   // one at a time: each caption's own calls
            for n in budgets {
                for rule in rules { decodings.append(("threshold \(v), at most \(n) steps (\(rule))", .threshold(v), n, 1, n, rule)) }
            }
        }
        var models: [(String, BundleModel)] = []
        if captionModels != "student" { models.append(("teacher", t)) }
        if captionModels != "teacher", let s { models.append(("student", s)) }
        for (name, m) in models {
            for (label, unmasking, steps, b, budget, rule) in decodings {
                for set in ["shapes", "emoji"] {
                    if set == "shapes" && captions == 0 || set == "emoji" && emojiCaptionSet.isEmpty { continue }
                    let captioner = FewStepCaptioner(model: m, unmasking: unmasking, steps: steps, batch: b, stepBudget: budget,
                                                     budgetRule: rule)
                    let t0 = Date()
                    var e = CaptionEval()
                    e.batchSize = 64
                    let r: CaptionResult
                    if set == "shapes" {
                        r = try e.runShapes(model: captioner, count: captions, seed: 99, decoding: EvalCaptioning())
                    } else {
                        r = try e.run(set: "emoji \(emojiSplit)", model: captioner, images: emojiCaptionSet.map { emojiRefs[$0].image },
                                      references: emojiCaptionSet.map { emojiRefs[$0].name }, decoding: EvalCaptioning(),
                                      isExact: { c, i in c == emojiRefs[emojiCaptionSet[i]].name })
                    }
                    let row = FewStepCaptionRow(model: name, set: r.set, decoding: label, steps: steps, exactMatch: r.exactMatch,
                                                tokenF1: r.tokenF1, callsPerCaption: captioner.callsPerCaption,
                                                seconds: Date().timeIntervalSince(t0))
                    log(String(format: "%@ %@ %@: exact %.3f, F1 %.3f, %.1f calls/caption", name, r.set, label, r.exactMatch,
                               r.tokenF1, captioner.callsPerCaption))
                    report.captions.append(row)
                    try write(report)
                }
            }
        }
        print(report.markdown(reference: report.images.isEmpty ? nil : 0))
    }

    func write(_ r: FewStepReport) throws {
        try AtomicFile.write(r.json(), to: out + "/report.json")
        try AtomicFile.write(r.markdown(reference: r.images.isEmpty ? nil : 0), to: out + "/report.md")
        if r.images.contains(where: { $0.oracle != nil }) {
            let (a, b) = r.plots()
            try AtomicFile.write(PNG.encode(a), to: out + "/oracle-vs-steps.png")
            try AtomicFile.write(PNG.encode(b), to: out + "/oracle-vs-time.png")
        }
    }
}
