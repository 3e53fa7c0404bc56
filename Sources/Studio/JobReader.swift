// JobReader.swift: reads a job file (YAML or JSON) into a `Job`, strictly. Every mistake is one line
// that names the file, the task and the field, e.g.
//   jobs/x.yaml: task 2 (generate): unknown field "stpes" (did you mean "steps"?) (line 9)
// Counts, sizes and steps are bounded (`JobLimits`); output names must stay inside Outputs/<job>/.
// Relative paths in the file (prompts_file, images, folder, image, mask) are resolved against the file's folder.
import Core
import Diffusion
import Foundation

public enum JobReader {
    public static func read(path: String) throws -> Job {
        let data: Data
        do { data = try FileInput.read(path, maxBytes: JobTextLimits.maxBytes) } catch let e as DiptychError {
            throw DiptychError("cannot read job file: \(e.message)")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw DiptychError("\(path): not UTF-8 text") }
        let base = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let stem = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        var job = try parse(text, file: path, baseDirectory: base, defaultName: stem)
        job.file = StudioStore.absolute(path)   // so a job name is tied to one file, from any working folder
        return job
    }

    public static func parse(_ text: String, file: String, baseDirectory: String = ".", defaultName: String? = nil) throws -> Job {
        let root = try JobValueReader.parse(text, file: file)
        let top = try FieldReader(root, file: file, place: nil, allowed: ["name", "description", "model", "defaults", "tasks"])
        let name = try top.string("name", maxLength: JobLimits.nameLength.upperBound) ?? defaultName ?? ""
        guard OutputNames.isSafeComponent(name), !name.hasPrefix(StudioQueue.databaseName), name != "README.md" else {
            throw top.bad("name", "a name of letters, digits, \".\", \"_\" and \"-\" (it names the folder Outputs/<name>/)", .string(name))
        }
        _ = try top.string("description", maxLength: 10_000)
        let model = try top.string("model", maxLength: 500) ?? "default"
        var defaults = JobDefaults()
        if let node = top.node("defaults") {
            let d = try FieldReader(node, file: file, place: "defaults",
                                    allowed: ["sampler", "steps", "cfg", "size", "seed", "batch", "text_sampler", "text_steps"])
            defaults.sampler = try d.choice("sampler", SamplerNames.image) ?? defaults.sampler
            defaults.steps = try d.int("steps", in: JobLimits.steps) ?? defaults.steps
            defaults.cfg = try d.double("cfg", in: JobLimits.cfg) ?? defaults.cfg
            defaults.size = try size(d) ?? defaults.size
            defaults.seed = try d.seed("seed") ?? defaults.seed
            defaults.batch = try d.int("batch", in: JobLimits.batch) ?? defaults.batch
            defaults.textSampler = try d.choice("text_sampler", SamplerNames.text) ?? defaults.textSampler
            defaults.textSteps = try d.int("text_steps", in: JobLimits.steps) ?? defaults.textSteps
        }
        guard let taskNodes = try top.list("tasks", count: JobLimits.tasks) else { throw top.error("missing field \"tasks\"") }
        let context = Context(file: file, base: baseDirectory, model: model, defaults: defaults)
        var tasks: [JobTask] = []
        var folders: [String: Int] = [:]
        var items = 0
        for (i, node) in taskNodes.enumerated() {
            let (task, count) = try context.task(node, index: i + 1)
            if let other = folders[task.folder] {
                throw FieldReader.error(file: file, place: "task \(i + 1) (\(task.kind))",
                                        "output folder \"\(task.folder)\" is already used by task \(other)", line: node.line)
            }
            folders[task.folder] = i + 1
            items += count
            tasks.append(task)
        }
        if items > JobLimits.itemsPerJob {
            throw top.error("the job makes \(items) items, more than the limit of \(JobLimits.itemsPerJob); split it into several jobs")
        }
        return Job(name: name, model: model, defaults: defaults, tasks: tasks, file: file)
    }

    static func size(_ r: FieldReader) throws -> Int? {
        guard let s = try r.int("size", in: JobLimits.size) else { return nil }
        guard s % 8 == 0 else { throw r.bad("size", "a multiple of 8 from 8 to 256", .int(s)) }
        return s
    }

    /// What every task reader needs: where the file is and the job's defaults.
    struct Context {
        let file: String
        let base: String
        let model: String
        let defaults: JobDefaults

        static let common = ["kind", "name", "model", "batch"]

        func task(_ node: JobNode, index: Int) throws -> (JobTask, Int) {
            guard case .map(let pairs) = node.value else {
                throw FieldReader.error(file: file, place: "task \(index)", "must be a mapping with a \"kind\", got \(node.value.typeName)", line: node.line)
            }
            guard let kindNode = pairs.first(where: { $0.key == "kind" })?.value else {
                throw FieldReader.error(file: file, place: "task \(index)", "missing field \"kind\" (generate, caption, fill, compare, eval, edit or inpaint)", line: node.line)
            }
            guard case .string(let kind) = kindNode.value, ["generate", "caption", "fill", "compare", "eval", "edit", "inpaint"].contains(kind) else {
                throw FieldReader.error(file: file, place: "task \(index)",
                                        "field \"kind\" must be one of generate, caption, fill, compare, eval, edit, inpaint, got \(FieldReader.show(kindNode.value))",
                                        line: kindNode.line)
            }
            let place = "task \(index) (\(kind))"
            switch kind {
            case "generate": return try generate(node, place: place, index: index)
            case "caption": return try caption(node, place: place, index: index)
            case "fill": return try fill(node, place: place, index: index)
            case "compare": return try compare(node, place: place, index: index)
            case "edit", "inpaint": return try edit(node, place: place, index: index, mode: kind)
            default: return try eval(node, place: place, index: index)
            }
        }

        func reader(_ node: JobNode, _ place: String, _ fields: [String]) throws -> FieldReader {
            try FieldReader(node, file: file, place: place, allowed: Context.common + fields)
        }

        /// The output folder: the task's "name", or "<NN>-<kind>".
        func folder(_ r: FieldReader, index: Int, kind: String) throws -> String {
            guard let name = try r.string("name", maxLength: 128) else { return String(format: "%02d-%@", index, kind) }
            guard OutputNames.isSafeRelativePath(name) else {
                throw r.bad("name", "a folder inside Outputs/<job>/ (letters, digits, \".\", \"_\", \"-\", and \"/\" between folders; no \"..\")", .string(name))
            }
            return name
        }

        func checkItems(_ r: FieldReader, _ count: Int) throws {
            if count > JobLimits.itemsPerTask {
                throw r.error("the task makes \(count) items, more than the limit of \(JobLimits.itemsPerTask)")
            }
        }

        /// "prompt" (one), "prompts" (a list) or "prompts_file" (one per line; blank lines and # comments skipped).
        func prompts(_ r: FieldReader) throws -> [String] {
            try r.exclusive(["prompt", "prompts", "prompts_file"], required: true)
            if let p = try r.string("prompt") { return [p] }
            if let ps = try r.strings("prompts", count: JobLimits.prompts) { return ps }
            let rel = try r.string("prompts_file", maxLength: 4096)!
            let path = resolve(rel)
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw r.bad("prompts_file", "a readable UTF-8 text file", .string(rel))
            }
            let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty && !$0.hasPrefix("#") }
            try r.checkCount("prompts_file", lines.count, JobLimits.prompts)
            if let long = lines.first(where: { $0.count > JobLimits.textLength.upperBound }) {
                throw r.bad("prompts_file", "a file of prompts of at most \(JobLimits.textLength.upperBound) characters", .string(long))
            }
            return lines
        }

        /// "seeds" (a list), or "n" seeds counting up from "seed" (default: the job's seed).
        func seeds(_ r: FieldReader) throws -> [UInt64] {
            try r.exclusive(["seeds", "seed"], required: false)
            let n = try r.int("n", in: JobLimits.count)
            if let seeds = try r.seeds("seeds", count: JobLimits.count) {
                if let n, n != seeds.count { throw r.bad("n", "the number of seeds (\(seeds.count))", .int(n)) }
                return seeds
            }
            let first = try r.seed("seed") ?? defaults.seed
            let count = n ?? 1
            guard first <= UInt64(Int.max) - UInt64(count) else { throw r.bad("seed", "small enough to count \(count) seeds up from it", nil) }
            return (0..<count).map { first + UInt64($0) }
        }

        func resolve(_ path: String) -> String {
            path.hasPrefix("/") ? path : URL(fileURLWithPath: base).appendingPathComponent(path).standardized.path
        }

        func generate(_ node: JobNode, place: String, index: Int) throws -> (JobTask, Int) {
            let r = try reader(node, place, ["prompt", "prompts", "prompts_file", "n", "seed", "seeds", "sampler", "steps", "cfg", "size"])
            let t = GenerateTask(
                folder: try folder(r, index: index, kind: "generate"), model: try r.string("model", maxLength: 500) ?? model,
                prompts: try prompts(r), seeds: try seeds(r),
                sampler: try r.choice("sampler", SamplerNames.image) ?? defaults.sampler,
                steps: try r.int("steps", in: JobLimits.steps) ?? defaults.steps,
                cfg: try r.double("cfg", in: JobLimits.cfg) ?? defaults.cfg,
                size: try JobReader.size(r) ?? defaults.size,
                batch: try r.int("batch", in: JobLimits.batch) ?? defaults.batch)
            let count = t.prompts.count * t.seeds.count
            try checkItems(r, count)
            return (.generate(t), count)
        }

        func caption(_ node: JobNode, place: String, index: Int) throws -> (JobTask, Int) {
            let r = try reader(node, place, ["images", "folder", "sampler", "steps", "seed"])
            try r.exclusive(["images", "folder"], required: true)
            var images: [String]
            if let list = try r.strings("images", count: JobLimits.images, maxLength: 4096) {
                images = list.map(resolve)
                for (given, path) in zip(list, images) where !FileManager.default.fileExists(atPath: path) {
                    throw r.bad("images", "a list of existing image files", .string(given))
                }
            } else {
                let rel = try r.string("folder", maxLength: 4096)!
                let dir = resolve(rel)
                guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else {
                    throw r.bad("folder", "a readable folder", .string(rel))
                }
                images = names.filter { ["png", "jpg", "jpeg"].contains(URL(fileURLWithPath: $0).pathExtension.lowercased()) && !$0.hasPrefix(".") }
                    .sorted().map { URL(fileURLWithPath: dir).appendingPathComponent($0).path }
                if images.isEmpty { throw r.bad("folder", "a folder holding .png or .jpg images", .string(rel)) }
                try r.checkCount("folder", images.count, JobLimits.images)
            }
            let t = CaptionTask(
                folder: try folder(r, index: index, kind: "caption"), model: try r.string("model", maxLength: 500) ?? model,
                images: images, sampler: try r.choice("sampler", SamplerNames.text) ?? defaults.textSampler,
                steps: try r.int("steps", in: JobLimits.steps) ?? defaults.textSteps,
                seed: try r.seed("seed") ?? defaults.seed,
                batch: try r.int("batch", in: JobLimits.batch) ?? defaults.batch)
            return (.caption(t), images.count)
        }

        func fill(_ node: JobNode, place: String, index: Int) throws -> (JobTask, Int) {
            let r = try reader(node, place, ["text", "texts", "n", "seed", "seeds", "sampler", "steps", "image"])
            try r.exclusive(["text", "texts"], required: true)
            let texts = try r.strings("text", count: 1...1) ?? r.strings("texts", count: JobLimits.prompts)!
            for t in texts where !t.contains("[MASK]") {
                throw r.error("every text to fill needs at least one [MASK], \"\(t.prefix(40))\" has none", line: r.node(r.has("text") ? "text" : "texts")?.line)
            }
            let t = FillTask(
                folder: try folder(r, index: index, kind: "fill"), model: try r.string("model", maxLength: 500) ?? model,
                texts: texts, seeds: try seeds(r),
                sampler: try r.choice("sampler", SamplerNames.text) ?? defaults.textSampler,
                steps: try r.int("steps", in: JobLimits.steps) ?? defaults.textSteps,
                batch: try r.int("batch", in: JobLimits.batch) ?? defaults.batch,
                image: try imageFile(r, "image"))
            let count = t.texts.count * t.seeds.count
            try checkItems(r, count)
            return (.fill(t), count)
        }

        /// An existing image file named by `key`, resolved against the job file's folder.
        func imageFile(_ r: FieldReader, _ key: String) throws -> String? {
            guard let given = try r.string(key, maxLength: 4096) else { return nil }
            let path = resolve(given)
            guard FileManager.default.isReadableFile(atPath: path) else { throw r.bad(key, "an existing PNG or JPEG file", .string(given)) }
            return path
        }

        /// `edit` (img2img) and `inpaint`: one input image (and mask) under prompts and seeds.
        func edit(_ node: JobNode, place: String, index: Int, mode: String) throws -> (JobTask, Int) {
            var fields = ["image", "prompt", "prompts", "prompts_file", "n", "seed", "seeds", "sampler", "steps", "cfg", "size", "strength"]
            if mode == "inpaint" { fields += ["mask", "resample", "dilate"] }
            let r = try reader(node, place, fields)
            guard let image = try imageFile(r, "image") else { throw r.error("missing field \"image\"") }
            let mask = try imageFile(r, "mask")
            if mode == "inpaint" && mask == nil { throw r.error("missing field \"mask\" (white = repaint)") }
            let t = EditTask(
                folder: try folder(r, index: index, kind: mode), model: try r.string("model", maxLength: 500) ?? model, mode: mode,
                image: image, mask: mask, prompts: try prompts(r), seeds: try seeds(r),
                sampler: try r.choice("sampler", SamplerNames.image) ?? defaults.sampler,
                steps: try r.int("steps", in: JobLimits.steps) ?? defaults.steps,
                cfg: try r.double("cfg", in: JobLimits.cfg) ?? defaults.cfg,
                strength: try r.double("strength", in: EditSettings.strengthRange) ?? (mode == "inpaint" ? 1 : 0.6),
                resample: try r.int("resample", in: ImageConditioning.resampleLimit) ?? 1,
                dilate: try r.int("dilate", in: EditSettings.dilateRange) ?? 0,
                size: try JobReader.size(r) ?? defaults.size,
                batch: try r.int("batch", in: JobLimits.batch) ?? defaults.batch)
            let count = t.prompts.count * t.seeds.count
            try checkItems(r, count)
            return (.edit(t), count)
        }

        func run(_ node: JobNode, place: String) throws -> CompareRun {
            let r = try FieldReader(node, file: file, place: place, allowed: ["sampler", "steps", "model", "cfg"])
            guard let sampler = try r.choice("sampler", SamplerNames.image) else { throw r.error("missing field \"sampler\"") }
            guard let steps = try r.ints("steps", in: JobLimits.steps, count: 1...32) else { throw r.error("missing field \"steps\"") }
            if Set(steps).count != steps.count { throw r.bad("steps", "a list of distinct step counts", nil) }
            return CompareRun(sampler: sampler, steps: steps, model: try r.string("model", maxLength: 500), cfg: try r.double("cfg", in: JobLimits.cfg))
        }

        func compare(_ node: JobNode, place: String, index: Int) throws -> (JobTask, Int) {
            let r = try reader(node, place, ["prompt", "prompts", "prompts_file", "n", "seed", "seeds", "cfg", "size", "reference", "runs"])
            var reference = CompareRun(sampler: defaults.sampler, steps: [50], model: nil, cfg: nil)
            if let n = r.node("reference") {
                reference = try run(n, place: place + ": reference")
                guard reference.steps.count == 1 else { throw FieldReader.error(file: file, place: place + ": reference", "field \"steps\" must be one step count", line: n.line) }
            }
            guard let runNodes = try r.list("runs", count: 1...16) else { throw r.error("missing field \"runs\"") }
            let runs = try runNodes.enumerated().map { try run($1, place: place + ": runs[\($0 + 1)]") }
            let t = CompareTask(
                folder: try folder(r, index: index, kind: "compare"), model: try r.string("model", maxLength: 500) ?? model,
                prompts: try prompts(r), seeds: try seeds(r),
                cfg: try r.double("cfg", in: JobLimits.cfg) ?? defaults.cfg,
                size: try JobReader.size(r) ?? defaults.size,
                reference: reference, runs: runs,
                batch: try r.int("batch", in: JobLimits.batch) ?? defaults.batch)
            let count = t.prompts.count * t.seeds.count * (1 + runs.reduce(0) { $0 + $1.steps.count }) + 1
            try checkItems(r, count)
            return (.compare(t), count)
        }

        func eval(_ node: JobNode, place: String, index: Int) throws -> (JobTask, Int) {
            let r = try reader(node, place, ["suite", "per_category", "count", "split", "pool", "set_seed", "n", "seed", "sampler", "steps", "cfg"])
            guard let suiteName = try r.choice("suite", EvalSuite.allCases.map(\.rawValue)) else {
                throw r.error("missing field \"suite\" (" + EvalSuite.allCases.map(\.rawValue).joined(separator: ", ") + ")")
            }
            let suite = EvalSuite(rawValue: suiteName)!
            let images = suite != .shapesCaptions
            let applies: [String: [EvalSuite]] = ["per_category": [.shapesImages], "n": [.shapesImages], "seed": [.shapesImages],
                                                   "set_seed": [.shapesImages, .shapesCaptions], "pool": [.shapesImages, .shapesCaptions],
                                                   "cfg": [.shapesImages, .emojiImages], "count": [.shapesCaptions, .emojiImages],
                                                   "split": [.emojiImages]]
            for (key, suites) in applies.sorted(by: { $0.key < $1.key }) where r.has(key) && !suites.contains(suite) {
                throw r.error("field \"\(key)\" does not apply to suite \(suiteName)", line: r.node(key)?.line)
            }
            var t = EvalTask(
                folder: try folder(r, index: index, kind: "eval"), model: try r.string("model", maxLength: 500) ?? model,
                suite: suite, perCategory: try r.int("per_category", in: JobLimits.perCategory) ?? 8,
                count: try r.int("count", in: JobLimits.images) ?? 200,
                pool: try r.choice("pool", ["training", "held-out"]) ?? "training",
                setSeed: try r.seed("set_seed") ?? 2024,
                seedsPerPrompt: try r.int("n", in: JobLimits.count) ?? 4, baseSeed: try r.seed("seed") ?? defaults.seed,
                sampler: try r.choice("sampler", images ? SamplerNames.image : SamplerNames.text) ?? (images ? defaults.sampler : defaults.textSampler),
                steps: try r.int("steps", in: JobLimits.steps) ?? (images ? defaults.steps : defaults.textSteps),
                cfg: try r.double("cfg", in: JobLimits.cfg) ?? defaults.cfg,
                batch: try r.int("batch", in: JobLimits.batch) ?? defaults.batch)
            t.split = try r.choice("split", ["train", "val", "test", "heldout"]) ?? "test"
            return (.eval(t), 1)
        }
    }
}
