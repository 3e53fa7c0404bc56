// Run.swift: `diptych run JOBFILE` runs a job now (queue it, then work on it until it is finished),
// and `diptych run --from IMAGE.png` re-runs the parameters stored in an image and checks that the
// result is the same image. Killed or stopped (Ctrl-C), a job run again resumes where it was.
import ArgumentParser
import Core
import Foundation
import Media
import Studio

/// Options of the studio commands (run, queue, worker, history).
struct StudioOptions: ParsableArguments {
    @Option(name: .long, help: "Outputs folder: job folders and the queue database (studio.sqlite).")
    var outputs = "Outputs"

    @Option(name: .long, help: ArgumentHelp("Executor: model or fake (a deterministic stand-in for tests).", visibility: .hidden))
    var executor: String?

    @Option(name: .long, help: ArgumentHelp("Seconds each item takes with the fake executor.", visibility: .hidden))
    var fakeDelay: Double?

    @Option(name: .long, help: "Seconds a claimed item stays reserved without a heartbeat.")
    var lease: Double = 30

    @Flag(name: .long, help: "No progress lines on stderr.")
    var quiet = false

    func validate() throws {
        guard (1...3600).contains(lease) else { throw ValidationError("--lease must be between 1 and 3600 seconds") }
        if let e = executor ?? ProcessInfo.processInfo.environment["DIPTYCH_EXECUTOR"], ExecutorKind(rawValue: e) == nil {
            throw ValidationError("--executor must be one of: " + ExecutorKind.allCases.map(\.rawValue).joined(separator: ", "))
        }
        if let d = fakeDelay, !(0...60).contains(d) { throw ValidationError("--fake-delay must be between 0 and 60 seconds") }
    }

    @Option(name: .long, help: "Folder where model names are looked up (a name can also be a bundle path).")
    var models = "Models"

    /// The executor: --executor, else $DIPTYCH_EXECUTOR, else the model bundles.
    var kind: ExecutorKind {
        ExecutorKind(rawValue: executor ?? ProcessInfo.processInfo.environment["DIPTYCH_EXECUTOR"] ?? "model") ?? .model
    }

    /// Weights hashes of the job's models, recorded in the queue so new weights redo the items.
    func modelHash(_ name: String) throws -> String? { try kind.modelHash(name, modelsRoot: models) }

    func provider(threads: Int) -> ExecutorProvider {
        let env = ProcessInfo.processInfo.environment
        return kind.provider(threads: threads, modelsRoot: models, fakeDelay: fakeDelay ?? env["DIPTYCH_FAKE_DELAY"].flatMap(Double.init) ?? 0,
                             fakeLog: env["DIPTYCH_FAKE_LOG"])
    }

    func worker(_ queue: StudioQueue, options: WorkerOptions, stop: StopFlag, threads: Int) -> StudioWorker {
        let runner = ItemRunner(outputsRoot: queue.outputsRoot, provider: provider(threads: threads), store: queue.store)
        runner.threads = threads
        return StudioWorker(store: queue.store, runner: runner, options: options, stop: stop, progress: ProgressReporter(quiet: quiet))
    }
}

/// Prints a Codable value as pretty JSON on stdout.
func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .iso8601
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a job file now, or re-run the parameters stored in an image (--from).",
        discussion: "Artifacts go to Outputs/<job>/ with a manifest.json. A job stopped with Ctrl-C or killed resumes when run again.")

    @Argument(help: "The job file (YAML or JSON).")
    var jobFile: String?

    @Option(name: .long, help: "Re-run the generation parameters stored in this PNG and check the result is identical.")
    var from: String?

    @Option(name: .long, help: "Job name for --from (default: from-<image name>).")
    var name: String?

    @OptionGroup var studio: StudioOptions
    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard (jobFile == nil) != (from == nil) else { throw ValidationError("give either a job file or --from IMAGE.png") }
        if name != nil && from == nil { throw ValidationError("--name goes with --from") }
    }

    struct Output: Encodable {
        var job: String
        var folder: String
        var manifest: String
        var queued: SyncSummary
        var worker: WorkerSummary
        var counts: ItemCounts
        var reproduced: Reproduction?
    }

    struct Reproduction: Encodable {
        var source: String
        var output: String
        var identicalPixels: Bool
        var identicalFile: Bool
        /// Largest pixel difference in [0, 1]; -1 when the sizes differ.
        var maxDifference: Float
    }

    func run() throws {
        let threads = Threads.configure(common.threads)
        let queue = try StudioQueue(outputsRoot: studio.outputs)
        var job: Job
        var source: (path: String, params: GenerationParameters)?
        if let from {
            let params = try GenerationParameters.from(text: try PNG.text(of: try ImageFile.readData(path: from)).map { ($0.keyword, $0.text) })
            job = try RunCommand.job(reproducing: params, name: name ?? RunCommand.defaultName(for: from), artifact: from)
            source = (from, params)
        } else {
            job = try JobReader.read(path: jobFile!)
        }
        let (queued, summary) = try queue.add(job: job, modelHash: studio.modelHash)
        job = queued
        let dir = try queue.jobDirectory(job.name)
        if !studio.quiet {
            FileHandle.standardError.write(Data("diptych: job \(job.name): \(summary.total) items (\(summary.done) already done, \(summary.added) new, \(summary.changed) changed, \(summary.removed) removed\(summary.missing > 0 ? ", \(summary.missing) to redo for missing files" : ""))\n".utf8))
        }
        let signals = StopSignal()
        var options = WorkerOptions()
        options.lease = studio.lease
        options.jobID = summary.jobID
        let result = try studio.worker(queue, options: options, stop: signals.flag, threads: threads).run()
        try queue.writeManifest(job: summary.jobID, name: job.name)
        let counts = try queue.store.counts(job: summary.jobID)
        var reproduction: Reproduction?
        if let source, counts.done == counts.total {
            reproduction = try RunCommand.check(source: source.path, job: job, dir: dir)
        }
        let output = Output(job: job.name, folder: dir, manifest: dir + "/manifest.json", queued: summary, worker: result,
                            counts: counts, reproduced: reproduction)
        if common.json {
            try printJSON(output)
        } else {
            print("job \(job.name): \(counts.done) of \(counts.total) items done" + (counts.failed > 0 ? ", \(counts.failed) failed" : ""))
            print("artifacts: \(dir)/ (manifest.json lists them with their SHA-256)")
            for f in result.failures.prefix(10) { print("failed: \(f)") }
            if let r = reproduction {
                print(r.identicalPixels ? "reproduced \(r.source) exactly (\(r.identicalFile ? "same file bytes" : "same pixels")): \(r.output)"
                      : "re-run of \(r.source) differs: largest pixel difference \(r.maxDifference)")
            }
        }
        if result.stopped {
            FileHandle.standardError.write(Data("diptych: stopped; run the same command again to resume\n".utf8))
            throw ExitCode(130)
        }
        if counts.failed > 0 { throw DiptychError("\(counts.failed) item(s) of job \(job.name) failed; see `diptych history \(job.name)`") }
        if let r = reproduction, !r.identicalPixels { throw DiptychError("the re-run of \(r.source) is not identical") }
    }

    static func defaultName(for image: String) -> String {
        let stem = URL(fileURLWithPath: image).deletingPathExtension().lastPathComponent
        let clean = String(stem.map { OutputNames.isSafeComponent(String($0)) || $0 == "." || $0 == "-" ? $0 : "_" }.prefix(50))
        return "from-" + clean
    }

    /// A one-image job with exactly the stored parameters; an edit's inputs are found beside `artifact`
    /// (EditInputStore).
    static func job(reproducing p: GenerationParameters, name: String, artifact: String = "") throws -> Job {
        guard OutputNames.isSafeComponent(name) else { throw DiptychError("job name \"\(name)\" is not a safe folder name") }
        guard p.width == p.height, JobLimits.size.contains(p.width), JobLimits.steps.contains(p.steps), JobLimits.cfg.contains(p.cfg),
              SamplerNames.image.contains(p.sampler), p.seed <= UInt64(Int.max) else {
            throw DiptychError("the stored parameters are outside what diptych can run: \(p.a1111Text.split(separator: "\n").last ?? "")")
        }
        if p.mode != nil { return Job(name: name, model: p.model, tasks: [.edit(try EditTask(reproducing: p, artifact: artifact))]) }
        let task = GenerateTask(folder: "images", model: p.model, prompts: [p.prompt], seeds: [p.seed], sampler: p.sampler,
                                steps: p.steps, cfg: p.cfg, size: p.width, batch: 1)
        return Job(name: name, model: p.model, tasks: [.generate(task)])
    }

    /// Compares the re-run image with the source, pixel by pixel and byte by byte.
    static func check(source: String, job: Job, dir: String) throws -> Reproduction {
        let item = try JobPlanner.plan(job)[0]
        let outPath = dir + "/" + item.key
        let a = try ImageFile.readData(path: source), b = try ImageFile.readData(path: outPath)
        let ia = try ImageFile.decode(a), ib = try ImageFile.decode(b)
        var diff: Float = -1  // -1: the sizes differ
        if ia.width == ib.width, ia.height == ib.height, ia.channels == ib.channels {
            diff = zip(ia.pixels, ib.pixels).map { abs($0 - $1) }.max() ?? 0
        }
        return Reproduction(source: source, output: outPath, identicalPixels: diff == 0, identicalFile: a == b, maxDifference: diff)
    }
}
