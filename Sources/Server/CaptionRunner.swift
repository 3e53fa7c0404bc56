// CaptionRunner.swift: captioning an uploaded image through the studio (/sdapi/v1/interrogate and
// /v1/caption). The image is checked (ImageUpload), saved as the job's input file, and a caption job
// is built by JobReader from a job document, exactly as a job file with one caption task would be;
// the in-process workers caption it and the answer is the .txt the item wrote.
import Core
import Foundation
import Studio

public struct CaptionResult: Sendable {
    public var caption: String
    public var job: String
    public var strategy: String
    public var steps: Int
}

public enum CaptionRunner {
    public static let strategies = SamplerNames.text

    public static func caption(_ upload: ImageUpload, strategy: String?, steps: Int?, gateway: StudioGateway,
                               kind: String) async throws -> CaptionResult {
        let limits = gateway.settings.limits
        _ = try upload.image(maxPixels: limits.imagePixels)
        let defaults = JobDefaults()
        let strategy = strategy ?? defaults.textSampler
        guard strategies.contains(strategy) else {
            throw APIError.unprocessable("strategy: must be one of \(strategies.joined(separator: ", "))")
        }
        let steps = steps ?? defaults.textSteps
        guard (1...1024).contains(steps) else { throw APIError.unprocessable("steps: must be between 1 and 1024") }
        let name = StudioGateway.jobName(kind)
        let dir = try gateway.queue.jobDirectory(name)
        let input = dir + "/input." + (upload.format == .png ? "png" : "jpg")
        try AtomicFile.write(upload.data, to: input)
        let document: [String: Any] = [
            "name": name, "model": gateway.model.name,
            "tasks": [["kind": "caption", "name": "caption", "images": [input], "sampler": strategy, "steps": steps]],
        ]
        let text = String(decoding: try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys]), as: UTF8.self)
        let job = try JobReader.parse(text, file: "\(name).json", baseDirectory: dir)
        let outcome = try await gateway.run(job, kind: kind)
        guard let item = outcome.items.first(where: { $0.kind == "caption" }) else {
            throw APIError(.internalServerError, "job \(name) has no caption item")
        }
        guard item.state == "done", let artifact = item.result?.artifacts.first else {
            if outcome.interrupted { throw APIError(.conflict, "interrupted") }
            throw APIError(.internalServerError, "captioning failed: \(item.error ?? item.state)")
        }
        let path = try OutputNames.resolve(artifact.path, under: outcome.directory)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw APIError(.internalServerError, "the caption file \(artifact.path) of job \(name) is missing")
        }
        let caption = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return CaptionResult(caption: caption, job: name, strategy: strategy, steps: steps)
    }
}
