// AutoencoderFiles.swift: saving and loading the latent autoencoder as a model folder:
//   <dir>/autoencoder.safetensors   one tensor per parameter (NHWC conv weights [Cout, k, k, Cin]),
//                                   the config JSON in __metadata__["config"]
//   <dir>/config.json               the same AutoencoderConfig, for people and other tools
import Core
import Foundation
import NN

extension Autoencoder {
    public static let weightsFile = "autoencoder.safetensors"

    /// Named views of a slab (the current weights, or another slab of the same layout such as EMA).
    func namedTensors(_ slab: Tensor) -> [(String, Tensor)] {
        params.entries.map { e in (e.name, Tensor(viewOf: slab, offset: e.param.offset, shape: e.param.shape)) }
    }

    /// Fills a slab from a safetensors file (every parameter must be present with its shape).
    func loadTensors(_ file: SafeTensors, into slab: Tensor) throws {
        for (name, view) in namedTensors(slab) { try file.load(name, into: view) }
    }

    /// Refuses weights holding NaN or Inf (a broken file would otherwise decode to black images).
    func checkFinite(_ path: String) throws {
        let tensors = params.entries.map { ($0.name, $0.param.offset, $0.param.shape.reduce(1, *)) }
        if let bad = BundleChecks.firstNonFinite(params.params, tensors) { throw DiptychError("\(path): weight \(bad) holds NaN or Inf") }
    }

    static func configJSON(_ config: AutoencoderConfig) throws -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try enc.encode(config), as: UTF8.self)
    }

    /// Writes the model folder (weights as float16 when `half`).
    public func save(to dir: String, half: Bool = true) throws {
        let json = try Self.configJSON(config)
        try SafeTensors.write(namedTensors(params.params), to: dir + "/" + Self.weightsFile, dtype: half ? .F16 : .F32,
                              metadata: ["config": json, "format": "diptych-autoencoder"])
        try AtomicFile.write(json + "\n", to: dir + "/config.json")
    }

    /// Loads a model folder written by `save(to:)`.
    public static func load(from dir: String) throws -> Autoencoder {
        let path = dir + "/" + weightsFile
        guard FileManager.default.fileExists(atPath: path) else { throw DiptychError("no autoencoder at \(path)") }
        let file = try SafeTensors(path: path)
        guard let json = file.metadata["config"],
              let config = try? JSONDecoder().decode(AutoencoderConfig.self, from: Data(json.utf8)) else {
            throw DiptychError("\(path): no autoencoder config in the metadata")
        }
        if let p = BundleChecks.problem(of: config) { throw DiptychError("\(path): \(p)") }
        let ae = Autoencoder(config: config)
        do { try ae.loadTensors(file, into: ae.params.params) } catch let e as DiptychError {
            throw DiptychError("\(path): \(e.message)")
        }
        try ae.checkFinite(path)
        return ae
    }

    /// The EMA (or current) weights of a training checkpoint (`diptych train autoencoder` output) as a model,
    /// with the latent statistics of its config (uncalibrated until training ends).
    public static func load(checkpoint path: String, ema: Bool = true) throws -> Autoencoder {
        let file = try SafeTensors(path: path)
        guard let json = file.metadata["config"],
              let config = try? JSONDecoder().decode(AutoencoderConfig.self, from: Data(json.utf8)) else {
            throw DiptychError("\(path): no autoencoder config in the metadata")
        }
        if let p = BundleChecks.problem(of: config) { throw DiptychError("\(path): \(p)") }
        let ae = Autoencoder(config: config)
        do {
            if ema { try AutoencoderTrainer.loadSlab(file, "trainer.ema", into: ae.params.params, model: ae) } else { try ae.loadTensors(file, into: ae.params.params) }
        } catch let e as DiptychError {
            throw DiptychError("\(path): \(e.message)")
        }
        return ae
    }
}
