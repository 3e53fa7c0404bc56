// DataBuild.swift: `diptych data build shapes|emoji`, writes the dataset files of one corpus (one
// binary file per split, format in Sources/Data/Dataset/DatasetFile.swift). Progress on stderr, the
// written files and their record counts on stdout.
import ArgumentParser
import Core
import Data
import Foundation

struct DataBuild: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build the dataset files of the shapes world or the emoji corpus.")

    enum Corpus: String, ExpressibleByArgument, CaseIterable { case shapes, emoji }

    @Argument(help: "shapes or emoji.")
    var corpus: Corpus

    @Option(help: "Output folder.")
    var out: String = "Outputs/data"

    @Option(help: "Shapes: training scenes (validation and held-out get max(count/20, 200) each).")
    var count: Int = 20000

    @Option(help: "Shapes: random seed. Emoji: seed of the split hash.")
    var seed: UInt64 = 1

    @Option(help: "Image sides, comma separated (default: 32 for shapes, 32,64 for emoji).")
    var sizes: String?

    @OptionGroup var common: JSONOnly

    func validate() throws {
        guard (1...10_000_000).contains(count) else { throw ValidationError("--count must be between 1 and 10000000") }
        _ = try parsedSizes()
    }

    func parsedSizes() throws -> [Int] {
        guard let sizes else { return corpus == .shapes ? [32] : [32, 64] }
        let v = sizes.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !v.isEmpty, v.count <= 4, v.allSatisfy({ $0 != nil && (4...1024).contains($0!) }) else {
            throw ValidationError("--sizes must be 1 to 4 comma-separated sides between 4 and 1024")
        }
        return v.map { $0! }.sorted()
    }

    func run() throws {
        let log: (String) -> Void = { FileHandle.standardError.write(($0 + "\n").data(using: .utf8)!) }
        let paths: [String]
        switch corpus {
        case .shapes:
            paths = try ShapesDatasetBuilder(sizes: parsedSizes()).build(dir: out, count: count, seed: seed, log: log)
        case .emoji:
            paths = try EmojiDatasetBuilder(sizes: parsedSizes(), seed: seed).build(dir: out, log: log)
        }
        var rows: [[String: Any]] = []
        for p in paths {
            let f = try DatasetFile(path: p)
            rows.append(["file": p, "split": f.metadata.split, "records": f.count, "sizes": f.sizes])
        }
        if common.json {
            let data = try JSONSerialization.data(withJSONObject: rows, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            for r in rows { print("\(r["file"]!)  \(r["split"]!)  \(r["records"]!) records  sizes \(r["sizes"]!)") }
        }
    }
}
