// DataCommand.swift: `diptych data`, the datasets and the tokenizer (DESIGN.md, "Data").
import ArgumentParser

struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Build or import datasets (shapes world, emoji corpus, your own folders), inspect and preview them, train the tokenizer.",
        subcommands: [DataBuild.self, DataImport.self, DataInfo.self, DataPreview.self, DataTokenizer.self])
}
