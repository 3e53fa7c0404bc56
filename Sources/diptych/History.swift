// History.swift: `diptych history` lists the jobs in the studio database with their state and
// counts; `diptych history JOB` shows one job's tasks, failed items and event log.
import ArgumentParser
import Core
import Foundation
import Studio

struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "history", abstract: "Show past and queued jobs, or one job in detail.")

    @Argument(help: "A job name.")
    var job: String?

    @Option(name: .long, help: "Events to show.")
    var events = 30

    @OptionGroup var studio: StudioOptions
    @OptionGroup var common: JSONOnly

    struct Detail: Encodable {
        var job: JobSummary
        var items: [ItemStatus]
        var events: [HistoryEvent]
    }

    static func time(_ d: Date?) -> String {
        guard let d else { return "-" }
        let f = DateFormatter()
        f.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return f.string(from: d)
    }

    static func jobTable(_ jobs: [JobSummary]) -> String {
        var lines = ["job                      state     done/total  failed  queued               finished             work s"]
        for j in jobs {
            let name = j.name.count > 24 ? String(j.name.prefix(23)) + "~" : j.name.padding(toLength: 24, withPad: " ", startingAt: 0)
            let count = "\(j.counts.done)/\(j.counts.total)"
            lines.append("\(name) \(j.state.padding(toLength: 9, withPad: " ", startingAt: 0)) \(count.padding(toLength: 11, withPad: " ", startingAt: 0)) "
                         + "\(String(j.counts.failed).padding(toLength: 7, withPad: " ", startingAt: 0)) \(time(j.createdAt))  \(time(j.finishedAt))  "
                         + String(format: "%.1f", j.workSeconds))
        }
        return lines.joined(separator: "\n")
    }

    func run() throws {
        let store = try StudioQueue(outputsRoot: studio.outputs).store
        guard let job else {
            let jobs = try store.jobs()
            if common.json { try printJSON(jobs) } else { print(jobs.isEmpty ? "no jobs yet" : HistoryCommand.jobTable(jobs)) }
            return
        }
        guard let summary = try store.jobs().first(where: { $0.name == job }) else { throw DiptychError("no job named \(job) in the history") }
        let items = try store.items(job: summary.id)
        let log = try store.events(job: summary.id, limit: max(1, events))
        if common.json { try printJSON(Detail(job: summary, items: items, events: log)); return }
        print(HistoryCommand.jobTable([summary]))
        let tasks = (try? store.job(id: summary.id))?.tasks ?? []
        print("\ntasks:")
        for (task, group) in Dictionary(grouping: items, by: \.task).sorted(by: { $0.key < $1.key }) {
            let states = Dictionary(grouping: group, by: \.state).mapValues(\.count)
            let seconds = group.compactMap(\.seconds).reduce(0, +)
            let kind = task <= tasks.count ? tasks[task - 1].kind : group[0].kind
            print("  task \(task) (\(kind)): " + states.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
                  + String(format: ", %.1f s", seconds))
        }
        let failed = items.filter { $0.state == "failed" }
        if !failed.isEmpty {
            print("\nfailed items:")
            for f in failed.prefix(20) { print("  \(f.key): \(f.error ?? "?")") }
        }
        print("\nevents:")
        for e in log { print("  \(HistoryCommand.time(e.at))  \(e.kind.padding(toLength: 9, withPad: " ", startingAt: 0)) \(e.message)") }
    }
}
