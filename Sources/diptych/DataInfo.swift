// DataInfo.swift: `diptych data info FILE.dptd`, what a dataset file holds: records per split,
// image sizes, provenance, caption length histograms (tokens of the shipped tokenizer and
// characters) and tokenizer coverage (Sources/Data/Dataset/DatasetStatistics.swift).
import ArgumentParser
import Core
import Data
import Foundation
import Studio

struct DataInfo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Show a dataset file's splits, sizes, provenance, caption lengths and tokenizer coverage.")

    @Argument(help: "A dataset file (.dptd).")
    var file: String

    @Option(help: "Tokenizer for caption lengths and coverage.")
    var tokenizer = "Models/tokenizer.json"

    @Option(name: .customLong("text-length"), help: "The model's text length (captions over it are counted).")
    var textLength = 24

    @OptionGroup var common: JSONOnly

    func validate() throws {
        guard (2...4096).contains(textLength) else { throw ValidationError("--text-length must be between 2 and 4096") }
    }

    func run() throws {
        let data = try DatasetFile(path: file)
        let tok = try Tokenizer.load(from: ModelLocator.resolve(tokenizer))
        let stats = DatasetStatistics(data, tokenizer: tok, textLength: textLength)
        if common.json {
            let e = JSONEncoder()
            e.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            print(String(decoding: try e.encode(stats), as: UTF8.self))
        } else {
            for line in stats.lines() { print(line) }
        }
    }
}
