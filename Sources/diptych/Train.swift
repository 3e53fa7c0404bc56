// Train.swift: `diptych train`, the group of training commands (one file per model).
import ArgumentParser

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a model.",
        subcommands: [TrainAutoencoder.self, TrainBackbone.self])
}
