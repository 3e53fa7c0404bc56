// Diptych.swift: the `diptych` command, a thin swift-argument-parser layer over the library.
import ArgumentParser

@main
struct Diptych: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diptych",
        abstract: "A multimodal diffusion studio: paint images and write text with one small transformer.",
        version: DiptychVersion.string,
        subcommands: [
            Info.self,
            Inspect.self,
            DataCommand.self,
            Samplers.self,
            Train.self,
            Generate.self,
            Caption.self,
            Fill.self,
            Edit.self,
            Inpaint.self,
            Eval.self,
            Distill.self,
            Bench.self,
            RunCommand.self,
            QueueCommand.self,
            WorkerCommand.self,
            HistoryCommand.self,
            ServeCommand.self,
        ])
}

enum DiptychVersion {
    static let string = "0.1.0"
}
