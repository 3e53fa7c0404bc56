// DataCommand.swift: `diptych data`, the datasets and the tokenizer (DESIGN.md, "Data").
import ArgumentParser

struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Build datasets (shapes world, emoji corpus), preview them, train the tokenizer.",
        subcommands: [DataBuild.self, DataPreview.self, DataTokenizer.self])
}
