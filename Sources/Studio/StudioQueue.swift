// StudioQueue.swift: the studio's entry points for the CLI: where the database and job folders
// are, and putting a job file in the queue (read, plan, sync; files of changed or removed items are
// deleted).
import Core
import Foundation

public struct StudioQueue {
    /// The outputs root, normally Outputs/.
    public let outputsRoot: String
    public let store: StudioStore

    public static let databaseName = "studio.sqlite"

    public init(outputsRoot: String) throws {
        self.outputsRoot = URL(fileURLWithPath: outputsRoot).standardized.path
        store = try StudioStore(path: self.outputsRoot + "/" + StudioQueue.databaseName)
    }

    public func jobDirectory(_ name: String) throws -> String { try OutputNames.resolve(name, under: outputsRoot) }

    /// Reads, plans and queues a job file (or brings the queued job of that name up to date).
    /// `modelHash` names each model's weights (see `ExecutorKind.modelHash`).
    public func add(jobFile: String, modelHash: (String) throws -> String? = { _ in nil }) throws -> (job: Job, summary: SyncSummary) {
        try add(job: try JobReader.read(path: jobFile), modelHash: modelHash)
    }

    public func add(job: Job, modelHash: (String) throws -> String? = { _ in nil }) throws -> (job: Job, summary: SyncSummary) {
        let items = try JobPlanner.plan(job, modelHash: modelHash)
        let dir = try jobDirectory(job.name)
        // What an earlier run finished, as its manifest lists it (used only for items the database lacks).
        var listed: [String: (hash: String, artifacts: [ArtifactRecord])] = [:]
        if let data = FileManager.default.contents(atPath: dir + "/manifest.json"),
           let manifest = try? JSONDecoder().decode(Manifest.self, from: data), manifest.job == job.name {
            for e in manifest.artifacts {
                guard let hash = e.specHash else { continue }
                listed[e.item, default: (hash, [])].artifacts.append(e.artifact)
            }
        }
        let summary = try store.sync(job: job, items: items, isIntact: { artifact in
            // Cheap check (exists, same size); the SHA-256 in the manifest is there for a full check.
            guard let path = try? OutputNames.resolve(artifact.path, under: dir),
                  let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int else { return false }
            return size == artifact.bytes
        }, recovered: { key, hash in
            guard let entry = listed[key], entry.hash == hash else { return nil }
            return ItemResult(artifacts: entry.artifacts, nfe: 0, seconds: 0)
        }) { relative in
            if let path = try? OutputNames.resolve(relative, under: dir) { try? FileManager.default.removeItem(atPath: path) }
        }
        return (job, summary)
    }

    /// Rewrites Outputs/<job>/manifest.json from the database.
    public func writeManifest(job: Int64, name: String) throws {
        let dir = try jobDirectory(name)
        try store.writeManifest(job: job) { manifest in try AtomicFile.write(try manifest.encoded(), to: dir + "/manifest.json") }
    }
}
