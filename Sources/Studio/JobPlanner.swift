// JobPlanner.swift: turns a job into its work items, in order, with their output paths:
//   generate  <folder>/p<prompt>-s<seed>.png
//   caption   <folder>/<image name>.txt
//   fill      <folder>/t<text>-s<seed>.txt
//   edit, inpaint  <folder>/p<prompt>-s<seed>.png, the input and mask stored in <folder>/inputs/<sha256>.<ext>
//   compare   <folder>/<sampler>-<steps>[-<model>][-cfg<x>]/p<prompt>-s<seed>.png, then report.{md,html,json},
//             grid.png, psnr.png and ssim.png
//   eval      <folder>/report.json and report.md
// Paths are checked to stay inside the job folder. The same job always gives the same items.
import Core
import Foundation

public enum JobPlanner {
    /// `modelHash(name)`: the weights hash of a model, recorded in its items (see WorkItem.modelHash).
    public static func plan(_ job: Job, modelHash: (String) throws -> String? = { _ in nil }) throws -> [WorkItem] {
        var items: [WorkItem] = []
        var hashes: [String: String?] = [:]
        func hash(_ model: String) throws -> String? {
            if let h = hashes[model] { return h }
            let h = try modelHash(model)
            hashes[model] = h
            return h
        }
        for (t, task) in job.tasks.enumerated() {
            var taskItems: [WorkItem]
            switch task {
            case .generate(let g): taskItems = generate(g, task: t)
            case .caption(let c): taskItems = try caption(c, task: t)
            case .fill(let f): taskItems = try fill(f, task: t)
            case .edit(let e): taskItems = try edit(e, task: t)
            case .compare(let c): taskItems = try compare(c, task: t)
            case .eval(let e): taskItems = [eval(e, task: t)]
            }
            for i in taskItems.indices { taskItems[i].modelHash = try hash(taskItems[i].model) }
            if let last = taskItems.last, last.kind == .report {
                let digest = SHA256.hex(taskItems.dropLast().map(\.specHash).joined(separator: "\n"))
                taskItems[taskItems.count - 1].inputsDigest = digest
            }
            items += taskItems
        }
        var seen = Set<String>()
        for item in items {
            for out in item.outputs {
                guard OutputNames.isSafeRelativePath(out) else { throw DiptychError("job \(job.name): unsafe output name \(out)") }
                guard seen.insert(out).inserted else { throw DiptychError("job \(job.name): two items would write \(out)") }
            }
        }
        return items
    }

    static func imageItem(_ p: GenerationParameters, key: String, task: Int, batch: Int, group: String? = nil) -> WorkItem {
        var item = WorkItem(key: key, task: task, kind: .image, model: p.model,
                            batchKey: "image|\(p.model)|\(p.sampler)|\(p.steps)|\(p.cfg)|\(p.width)x\(p.height)",
                            batchLimit: batch, outputs: [key])
        item.image = p
        item.group = group
        return item
    }

    static func generate(_ g: GenerateTask, task: Int) -> [WorkItem] {
        var out: [WorkItem] = []
        for (i, prompt) in g.prompts.enumerated() {
            for seed in g.seeds {
                let p = GenerationParameters(prompt: prompt, seed: seed, sampler: g.sampler, steps: g.steps, cfg: g.cfg,
                                             width: g.size, height: g.size, model: g.model)
                out.append(imageItem(p, key: "\(g.folder)/p\(pad(i))-s\(seed).png", task: task, batch: g.batch))
            }
        }
        return out
    }

    static func caption(_ c: CaptionTask, task: Int) throws -> [WorkItem] {
        var used = Set<String>()
        return try c.images.enumerated().map { i, path in
            var stem = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
            stem = String(stem.map { OutputNames.allowed.contains($0) ? $0 : "_" }.prefix(48))
            if stem.first == "." || stem.first == "-" || stem.isEmpty { stem = "image" + stem }
            if !used.insert(stem).inserted { stem = "\(stem)-\(i)" ; used.insert(stem) }
            let key = "\(c.folder)/\(stem).txt"
            var item = WorkItem(key: key, task: task, kind: .caption, model: c.model,
                                batchKey: "caption|\(c.model)|\(c.sampler)|\(c.steps)", batchLimit: c.batch, outputs: [key])
            item.text = TextParameters(seed: c.seed, sampler: c.sampler, steps: c.steps, model: c.model)
            item.source = path
            item.sourceHash = try SHA256.hex(file: path)
            return item
        }
    }

    static func fill(_ f: FillTask, task: Int) throws -> [WorkItem] {
        var out: [WorkItem] = []
        let imageHash = try f.image.map { try SHA256.hex(file: $0) }
        for (i, text) in f.texts.enumerated() {
            for seed in f.seeds {
                let key = "\(f.folder)/t\(pad(i))-s\(seed).txt"
                var item = WorkItem(key: key, task: task, kind: .fill, model: f.model,
                                    batchKey: "fill|\(f.model)|\(f.sampler)|\(f.steps)", batchLimit: f.batch, outputs: [key])
                item.text = TextParameters(seed: seed, sampler: f.sampler, steps: f.steps, model: f.model)
                item.input = text
                if let image = f.image {
                    item.source = image
                    item.sourceHash = imageHash
                    item.batchKey += "|image"
                }
                out.append(item)
            }
        }
        return out
    }

    static func edit(_ e: EditTask, task: Int) throws -> [WorkItem] {
        let image = try EditInputStore.load(path: e.image)
        let mask = try e.mask.map { try EditInputStore.load(path: $0) }
        if let mask { _ = try EditInput(image: image.image, mask: mask.image, maskName: e.mask!) }
        var out: [WorkItem] = []
        for (i, prompt) in e.prompts.enumerated() {
            for seed in e.seeds {
                var p = GenerationParameters(prompt: prompt, seed: seed, sampler: e.sampler, steps: e.steps, cfg: e.cfg,
                                             width: e.size, height: e.size, model: e.model)
                p.mode = e.mode
                p.image = image.name
                p.mask = mask?.name
                p.strength = e.strength
                if mask != nil {
                    p.resample = e.resample
                    p.dilate = e.dilate
                }
                var item = WorkItem(key: "\(e.folder)/p\(pad(i))-s\(seed).png", task: task, kind: .image, model: e.model,
                                    batchKey: "edit|\(e.model)|\(e.mode)|\(e.sampler)|\(e.steps)|\(e.cfg)|\(e.strength)|\(e.resample)|\(e.dilate)",
                                    batchLimit: e.batch, outputs: [])
                item.outputs = [item.key]
                item.image = p
                item.source = e.image
                item.sourceHash = String(image.name.dropFirst(EditInputStore.folder.count + 1).prefix(64))
                item.maskSource = e.mask
                item.maskHash = mask.map { String($0.name.dropFirst(EditInputStore.folder.count + 1).prefix(64)) }
                out.append(item)
            }
        }
        return out
    }

    /// Folder and label of one (sampler, steps) setting of a comparison.
    static func runFolder(_ run: CompareRun, steps: Int) -> (folder: String, label: String) {
        var folder = "\(run.sampler)-\(steps)"
        var label = "\(run.sampler), \(steps) step\(steps == 1 ? "" : "s")"
        if let m = run.model {
            folder += "-" + String(m.map { OutputNames.allowed.contains($0) ? $0 : "_" }.suffix(32))
            label += ", \(m)"
        }
        if let cfg = run.cfg {
            folder += "-cfg\(GenerationParameters.number(cfg))"
            label += ", cfg \(GenerationParameters.number(cfg))"
        }
        return (folder, label)
    }

    public static let compareReportFiles = ["report.md", "report.html", "report.json", "grid.png", "psnr.png", "ssim.png"]

    static func compare(_ c: CompareTask, task: Int) throws -> [WorkItem] {
        var out: [WorkItem] = []
        var keys: [String: WorkItem] = [:]
        let settings = [(c.reference, true)] + c.runs.map { ($0, false) }
        for (run, isReference) in settings {
            for steps in run.steps {
                let (folder, label) = runFolder(run, steps: steps)
                for (i, prompt) in c.prompts.enumerated() {
                    for seed in c.seeds {
                        let p = GenerationParameters(prompt: prompt, seed: seed, sampler: run.sampler, steps: steps,
                                                     cfg: run.cfg ?? c.cfg, width: c.size, height: c.size, model: run.model ?? c.model)
                        let key = "\(c.folder)/\(folder)/p\(pad(i))-s\(seed).png"
                        let item = imageItem(p, key: key, task: task, batch: c.batch, group: isReference ? "reference" : label)
                        if let existing = keys[key] {
                            // A run identical to the reference shares its images.
                            guard existing.image == item.image else { throw DiptychError("compare task \(task + 1): two runs write \(key)") }
                            continue
                        }
                        keys[key] = item
                        out.append(item)
                    }
                }
            }
        }
        let files = compareReportFiles.map { "\(c.folder)/\($0)" }
        out.append(WorkItem(key: files[0], task: task, kind: .report, model: c.model, batchKey: "report|\(task)",
                            batchLimit: 1, outputs: files))
        return out
    }

    static func eval(_ e: EvalTask, task: Int) -> WorkItem {
        let files = ["\(e.folder)/report.json", "\(e.folder)/report.md"]
        return WorkItem(key: files[0], task: task, kind: .report, model: e.model, batchKey: "report|\(task)", batchLimit: 1, outputs: files)
    }

    static func pad(_ i: Int) -> String { String(format: "%03d", i) }
}
