// Caption.swift: `diptych caption IMAGE...`: captions images of any size (PNG or JPEG, resized to the
// model's input) with the masked text sampler on the model bundle. One line per image on stdout. A file
// that cannot be read or decoded is reported by name on stderr and the others are still captioned;
// the exit status is then 1.
import ArgumentParser
import Core
import Foundation
import Media
import Studio

struct Caption: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Describe images in words.")

    @OptionGroup var common: CommonOptions
    @Argument(help: "PNG or JPEG files.")
    var images: [String]
    @Option(help: "Text denoising steps (default: one token per step; with threshold: at most this many).")
    var steps: Int?
    @Option(help: "Unmasking: \(CaptionStrategy.names) (threshold: several tokens per step).")
    var strategy: CaptionStrategy = .lowConfidence
    @Option(help: "Model bundle folder or name (looked up in ./Models, $DIPTYCH_MODELS, the checkout's Models).")
    var model = "Models/default"

    /// Most files one call takes.
    static let maxImages = 10_000

    func validate() throws {
        guard !images.isEmpty else { throw ValidationError("give at least one image") }
        guard images.count <= Self.maxImages else { throw ValidationError("at most \(Self.maxImages) images per call") }
        if let steps, !(1...1024).contains(steps) { throw ValidationError("--steps must be between 1 and 1024") }
    }

    func run() throws {
        let threads = Threads.configure(common.threads)
        let m = try BundleModel(path: model, threads: threads)
        var decoded: [(file: String, image: Image)] = [], failed: [(file: String, error: String)] = []
        for file in images {
            do { decoded.append((file, try ImageFile.read(path: file))) } catch {
                failed.append((file, "\(error)"))
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            }
        }
        let captions = try m.caption(images: decoded.map(\.image), decoding: EvalCaptioning(steps: steps ?? 0, strategy: strategy.rawValue))
        if common.json {
            var rows: [[String: String]] = zip(decoded, captions).map { ["file": $0.file, "caption": $1] }
            rows += failed.map { ["file": $0.file, "error": $0.error] }
            print(String(decoding: try JSONSerialization.data(withJSONObject: rows, options: [.sortedKeys]), as: UTF8.self))
        } else {
            for (d, c) in zip(decoded, captions) { print(images.count == 1 ? c : "\(FileInput.shown(d.file))\t\(c)") }
        }
        if !failed.isEmpty {
            throw DiptychError("\(failed.count) of \(images.count) image(s) could not be read: "
                               + failed.map { FileInput.shown($0.file) }.joined(separator: ", "))
        }
    }
}
