// ItemRunner.swift: runs one claimed batch: asks the model (through its executor) for images or
// texts, and writes the artifacts: PNGs carrying their parameters (AUTOMATIC1111 `parameters` chunk
// plus a JSON chunk), .txt files for captions and fills, and the compare and eval reports. Every
// file goes through AtomicFile (temporary name, then rename) and is hashed (SHA-256) as written.
import Core
import Data
import Foundation
import Media

public final class ItemRunner {
    public let outputsRoot: String
    let provider: ExecutorProvider
    let store: StudioStore
    /// Models that failed to load, with the message (not retried within one worker).
    private var loadErrors: [String: String] = [:]

    /// Thread count the worker runs with (reported by evaluations).
    public var threads = 1

    public init(outputsRoot: String, provider: ExecutorProvider, store: StudioStore) {
        self.outputsRoot = outputsRoot
        self.provider = provider
        self.store = store
    }

    public func jobDirectory(_ job: String) throws -> String { try OutputNames.resolve(job, under: outputsRoot) }

    /// Where "loaded model ..." lines go (the worker's progress log).
    public var log: (String) -> Void = { _ in }
    private var loaded = Set<String>()

    func executor(_ model: String) throws -> TaskExecutor {
        if let message = loadErrors[model] { throw DiptychError(message) }
        do {
            let start = Date()
            let e = try provider.executor(for: model)
            if loaded.insert(model).inserted {
                log(String(format: "loaded model %@ (%@) in %.2f s", model, e.identity.hash, Date().timeIntervalSince(start)))
            }
            return e
        } catch {
            let message = "cannot load model \(model): \(error)"
            loadErrors[model] = message
            throw DiptychError(message)
        }
    }

    /// One result per item of the batch, in order. Throws when the batch fails as a whole.
    public func run(_ batch: [WorkItem], jobName: String, jobID: Int64) throws -> [ItemResult] {
        guard let first = batch.first else { return [] }
        let dir = try jobDirectory(jobName)
        let start = Date()
        var results: [ItemResult]
        switch first.kind {
        case .image: results = try images(batch, dir: dir)
        case .caption: results = try captions(batch, dir: dir)
        case .fill: results = try fills(batch, dir: dir)
        case .report: results = [try report(first, dir: dir, jobID: jobID)]
        }
        let share = Date().timeIntervalSince(start) / Double(batch.count)
        for i in results.indices { results[i].seconds = share }
        return results
    }

    // MARK: - kinds

    func images(_ batch: [WorkItem], dir: String) throws -> [ItemResult] {
        if batch[0].image?.mode != nil { return try edits(batch, dir: dir) }
        let executor = try self.executor(batch[0].model)
        let params = batch.map { item -> GenerationParameters in
            var p = item.image!
            p.modelHash = executor.identity.hash
            return p
        }
        let made = try executor.generate(params)
        guard made.count == batch.count else { throw DiptychError("the model returned \(made.count) images for \(batch.count) prompts") }
        return try zip(batch, zip(params, made)).map { item, pair in
            let (p, out) = pair
            let png = try PNG.encode(out.image, text: p.pngText)
            let record = try ArtifactFiles.write(png, item.key, in: dir, kind: "image", parameters: ArtifactFiles.flatten(p))
            return ItemResult(artifacts: [record], nfe: out.nfe, seconds: 0)
        }
    }

    /// An item's input file, checked against the hash recorded when the job was queued.
    func input(_ path: String, hash: String?) throws -> Data {
        let data = try ImageFile.readData(path: path)
        if SHA256.hex(data) != hash {
            throw DiptychError("\(path) changed after the job was queued; run the job again to use the new file")
        }
        return data
    }

    /// Edits: the inputs are stored beside the artifacts (EditInputStore), then edited.
    func edits(_ batch: [WorkItem], dir: String) throws -> [ItemResult] {
        guard let executor = try self.executor(batch[0].model) as? EditingExecutor else {
            throw DiptychError("model \(batch[0].model): this executor cannot edit images")
        }
        var inputs: [EditInput] = []
        for item in batch {
            let p = item.image!
            let sub = (item.key as NSString).deletingLastPathComponent
            let folder = sub.isEmpty ? dir : try OutputNames.resolve(sub, under: dir)
            let data = try input(item.source!, hash: item.sourceHash)
            try EditInputStore.store(data, name: p.image!, artifactFolder: folder)
            var mask: Image? = nil
            if let maskPath = item.maskSource {
                let m = try input(maskPath, hash: item.maskHash)
                try EditInputStore.store(m, name: p.mask!, artifactFolder: folder)
                mask = try ImageFile.decode(m)
            }
            inputs.append(try EditInput(image: try ImageFile.decode(data), mask: mask, maskName: item.maskSource ?? "the mask"))
        }
        let params = batch.map { item -> GenerationParameters in
            var p = item.image!
            p.modelHash = executor.identity.hash
            return p
        }
        let made = try executor.edit(params, inputs)
        guard made.count == batch.count else { throw DiptychError("the model returned \(made.count) images for \(batch.count) edits") }
        return try zip(batch, zip(params, made)).map { item, pair in
            let (p, out) = pair
            let png = try PNG.encode(out.image, text: p.pngText)
            let record = try ArtifactFiles.write(png, item.key, in: dir, kind: "image", parameters: ArtifactFiles.flatten(p))
            return ItemResult(artifacts: [record], nfe: out.nfe, seconds: 0)
        }
    }

    func captions(_ batch: [WorkItem], dir: String) throws -> [ItemResult] {
        let executor = try self.executor(batch[0].model)
        var images: [Image] = []
        for item in batch {
            let data = try ImageFile.readData(path: item.source!)
            if SHA256.hex(data) != item.sourceHash {
                throw DiptychError("\(item.source!) changed after the job was queued; run the job again to caption the new file")
            }
            do { images.append(try ImageFile.decode(data)) } catch let e as DiptychError {
                throw DiptychError("\(FileInput.shown(item.source!)): \(e.message)")
            }
        }
        let params = textParameters(batch, executor)
        let texts = try executor.caption(images, params)
        return try writeTexts(batch, params, texts, dir: dir, kind: "caption") { item in
            ["source": .string(item.source!), "source_sha256": .string(item.sourceHash!)]
        }
    }

    /// The items' text parameters stamped with the loaded model's hash.
    func textParameters(_ batch: [WorkItem], _ executor: TaskExecutor) -> [TextParameters] {
        batch.map { item in
            var p = item.text!
            p.modelHash = executor.identity.hash
            return p
        }
    }

    func fills(_ batch: [WorkItem], dir: String) throws -> [ItemResult] {
        let executor = try self.executor(batch[0].model)
        let params = textParameters(batch, executor)
        let texts: [GeneratedText]
        if batch.contains(where: { $0.source != nil }) {
            guard let editing = executor as? EditingExecutor else { throw DiptychError("model \(batch[0].model): this executor cannot fill with an image") }
            let images = try batch.map { item in try item.source.map { try ImageFile.decode(try input($0, hash: item.sourceHash)) } }
            texts = try editing.fill(batch.map { $0.input! }, images: images, params)
        } else {
            texts = try executor.fill(batch.map { $0.input! }, params)
        }
        return try writeTexts(batch, params, texts, dir: dir, kind: "fill") { item in
            var extra: [String: JSONScalar] = ["input": .string(item.input!)]
            if let source = item.source, let hash = item.sourceHash {
                extra["source"] = .string(source)
                extra["source_sha256"] = .string(hash)
            }
            return extra
        }
    }

    private func writeTexts(_ batch: [WorkItem], _ params: [TextParameters], _ texts: [GeneratedText], dir: String, kind: String,
                       extra: (WorkItem) -> [String: JSONScalar]) throws -> [ItemResult] {
        guard texts.count == batch.count else { throw DiptychError("the model returned \(texts.count) texts for \(batch.count) inputs") }
        return try batch.indices.map { i in
            let parameters = ArtifactFiles.flatten(params[i]).merging(extra(batch[i])) { a, _ in a }
            let record = try ArtifactFiles.write(Data((texts[i].text + "\n").utf8), batch[i].key, in: dir, kind: kind, parameters: parameters)
            return ItemResult(artifacts: [record], nfe: texts[i].nfe, seconds: 0)
        }
    }

    func report(_ item: WorkItem, dir: String, jobID: Int64) throws -> ItemResult {
        let job = try store.job(id: jobID)
        switch job.tasks[item.task] {
        case .compare(let task):
            let inputs = try store.results(job: jobID, task: item.task)
            let (report, figures) = try ComparisonBuilder(task: task, taskNumber: item.task + 1, job: job.name, directory: dir).build(inputs)
            return ItemResult(artifacts: try report.write(figures, in: dir, folder: task.folder), nfe: 0, seconds: 0)
        case .eval(let task):
            let executor = try self.executor(task.model)
            return try EvalRunner(task: task, executor: executor, threads: threads).run(in: dir)
        default:
            throw DiptychError("task \(item.task + 1) has no report")
        }
    }
}
