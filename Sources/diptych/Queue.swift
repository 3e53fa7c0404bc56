// Queue.swift: `diptych queue add JOBFILE...` puts jobs in the studio queue (Outputs/studio.sqlite)
// for `diptych worker` to run; `diptych queue list` shows what is queued; `diptych queue remove JOB`
// takes a job out (its files stay).
import ArgumentParser
import Core
import Foundation
import Studio

struct QueueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue",
        abstract: "Queue job files for workers, or list the queue.",
        subcommands: [QueueAdd.self, QueueList.self, QueueRemove.self],
        defaultSubcommand: QueueList.self)
}

struct QueueAdd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Queue job files (a job already queued under the same name is brought up to date).")

    @Argument(help: "Job files (YAML or JSON).")
    var jobFiles: [String]

    @OptionGroup var studio: StudioOptions
    @OptionGroup var common: JSONOnly

    func validate() throws {
        if jobFiles.isEmpty { throw ValidationError("give at least one job file") }
    }

    struct Added: Encodable {
        var job: String
        var file: String
        var summary: SyncSummary
    }

    func run() throws {
        let queue = try StudioQueue(outputsRoot: studio.outputs)
        // Read every file first, so one bad file queues nothing.
        let jobs = try jobFiles.map { try JobReader.read(path: $0) }
        var added: [Added] = []
        for (file, job) in zip(jobFiles, jobs) {
            let (_, s) = try queue.add(job: job, modelHash: studio.modelHash)
            added.append(Added(job: job.name, file: file, summary: s))
        }
        if common.json { try printJSON(added) } else {
            for a in added {
                print("queued \(a.job): \(a.summary.total) items (\(a.summary.done) already done, \(a.summary.total - a.summary.done) to do)")
            }
        }
    }
}

struct QueueList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List queued and finished jobs with their item counts.")

    @OptionGroup var studio: StudioOptions
    @OptionGroup var common: JSONOnly

    func run() throws {
        let jobs = try StudioQueue(outputsRoot: studio.outputs).store.jobs()
        if common.json { try printJSON(jobs); return }
        if jobs.isEmpty { print("the queue is empty"); return }
        print(HistoryCommand.jobTable(jobs))
    }
}

struct QueueRemove: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Take jobs out of the queue and the history (their files stay).")

    @Argument(help: "Job names.")
    var jobs: [String]

    @OptionGroup var studio: StudioOptions

    func validate() throws {
        if jobs.isEmpty { throw ValidationError("give at least one job name") }
    }

    func run() throws {
        let store = try StudioQueue(outputsRoot: studio.outputs).store
        for name in jobs {
            guard try store.remove(job: name) else { throw DiptychError("no job named \(name) in the queue") }
            print("removed \(name)")
        }
    }
}
