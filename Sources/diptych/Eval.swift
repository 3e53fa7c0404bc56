// Eval.swift: `diptych eval`, the group of measurement commands (one file per model).
import ArgumentParser

struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure a model.",
        subcommands: [EvalModelCommand.self, EvalAutoencoder.self, EvalEditing.self],
        defaultSubcommand: EvalModelCommand.self)
}
