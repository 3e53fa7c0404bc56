// Worker.swift: `diptych worker` runs queued jobs until the queue is empty (or, with --watch, keeps
// waiting for more). Several workers may share one queue: each item runs once.
import ArgumentParser
import Core
import Foundation
import Studio

struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run queued jobs (see `diptych queue add`). Ctrl-C stops after the current item.")

    @Flag(name: .long, help: "Keep waiting for new jobs when the queue is empty.")
    var watch = false

    @Option(name: .long, help: "Only this job.")
    var job: String?

    @Option(name: .long, help: "Claims of one item before it counts as failed.")
    var maxAttempts = 5

    @OptionGroup var studio: StudioOptions
    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard (1...100).contains(maxAttempts) else { throw ValidationError("--max-attempts must be between 1 and 100") }
    }

    func run() throws {
        let threads = Threads.configure(common.threads)
        let queue = try StudioQueue(outputsRoot: studio.outputs)
        var options = WorkerOptions()
        options.lease = studio.lease
        options.maxAttempts = maxAttempts
        options.watch = watch
        if let job {
            guard let id = try queue.store.jobID(named: job) else { throw DiptychError("no job named \(job) in the queue") }
            options.jobID = id
        }
        let signals = StopSignal()
        let summary = try studio.worker(queue, options: options, stop: signals.flag, threads: threads).run()
        if common.json { try printJSON(summary) } else {
            print("worker: \(summary.done) items done, \(summary.failed) failed in \(summary.batches) batches" + (summary.stopped ? " (stopped)" : ""))
            for f in summary.failures.prefix(10) { print("failed: \(f)") }
        }
        if summary.stopped { throw ExitCode(130) }
        if summary.failed > 0 { throw DiptychError("\(summary.failed) item(s) failed; see `diptych history`") }
    }
}
