// TrainingFiles.swift: the files `diptych train backbone --config` and `diptych distill --config` read
// (and write into each run folder as train.json / distill.json). Every field is optional: a file lists
// what it changes (DefaultedJSON), and a key these types do not have is an error naming the nearest one.
import Core
import Diffusion
import Foundation
import Models

/// `train backbone --config`: joint text-to-image + captioning training (D-DiT recipe).
public struct TrainBackboneFile: Codable, Sendable {
    public var train = JointTrainingConfig()
    public var data = TrainingDataSpec()
    /// "pool" (the stand-in average-pool codec) or a folder written by AutoencoderFiles.
    public var autoencoder = "pool"
    public var tokenizer = "Models/tokenizer.json"
    public var schedule = NoiseSchedule()
    public init() {}

    /// Reads and checks a config file.
    public static func load(_ path: String) throws -> TrainBackboneFile {
        let file = try DefaultedJSON.decode(TrainBackboneFile.self, from: FileInput.read(path), defaults: TrainBackboneFile(), what: path)
        if let p = file.train.problem ?? file.data.problem ?? file.schedule.problem { throw DiptychError("\(path): \(p)") }
        return file
    }
}

/// `distill --config`: consistency distillation of a bundle (LCM, PCM, DMD terms).
public struct DistillFile: Codable, Sendable {
    public var distill = LCMDistillConfig()
    public var data = TrainingDataSpec()
    public init() {}

    public static func load(_ path: String) throws -> DistillFile {
        let file = try DefaultedJSON.decode(DistillFile.self, from: FileInput.read(path), defaults: DistillFile(), what: path)
        if let p = file.data.problem { throw DiptychError("\(path): \(p)") }
        return file
    }
}
