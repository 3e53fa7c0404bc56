// AutoencoderFiles.swift: saving and loading the latent autoencoder as a model folder:
//   <dir>/autoencoder.safetensors   one tensor per parameter (NHWC conv weights [Cout, k, k, Cin]),
//                                   the config JSON in __metadata__["config"]
//   <dir>/config.json               the same AutoencoderConfig, for people and other tools
import Core
import Foundation

extension Autoencoder {
    public static let weightsFile = "autoencoder.safetensors"

    /// Parameter tensors of a slab (current weights, or another slab of the same layout such as EMA).
    func namedTensors(_ slab: UnsafePointer<Float>) -> [SafeTensorsLite.Entry] {
        params.entries.map { e in
            SafeTensorsLite.Entry(name: e.name, shape: e.shape,
                                  values: Array(UnsafeBufferPointer(start: slab + e.offset, count: e.count)))
        }
    }

    /// Fills a slab from named tensors (every parameter must be present with its shape).
    func loadTensors(_ tensors: [String: SafeTensorsLite.Entry], into slab: UnsafeMutablePointer<Float>, path: String) throws {
        for e in params.entries {
            guard let t = tensors[e.name], t.shape == e.shape else {
                throw DiptychError("\(path): missing or misshapen tensor \(e.name) (want \(e.shape))")
            }
            t.values.withUnsafeBufferPointer { (slab + e.offset).update(from: $0.baseAddress!, count: e.count) }
        }
    }

    static func configJSON(_ config: AutoencoderConfig) throws -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try enc.encode(config), as: UTF8.self)
    }

    /// Writes the model folder (weights as float16 when `half`).
    public func save(to dir: String, half: Bool = true, weights slab: UnsafePointer<Float>? = nil) throws {
        let json = try Self.configJSON(config)
        try SafeTensorsLite.write(namedTensors(slab ?? UnsafePointer(params.values.data)), dtype: half ? .f16 : .f32,
                                  metadata: ["config": json, "format": "diptych-autoencoder"],
                                  to: dir + "/" + Self.weightsFile)
        try AtomicFile.write(json + "\n", to: dir + "/config.json")
    }

    /// Loads a model folder written by `save(to:)`.
    public static func load(from dir: String) throws -> Autoencoder {
        let path = dir + "/" + weightsFile
        guard FileManager.default.fileExists(atPath: path) else { throw DiptychError("no autoencoder at \(path)") }
        let (tensors, meta) = try SafeTensorsLite.read(path)
        guard let json = meta["config"],
              let config = try? JSONDecoder().decode(AutoencoderConfig.self, from: Data(json.utf8)) else {
            throw DiptychError("\(path): no autoencoder config in the metadata")
        }
        let ae = Autoencoder(config: config)
        try ae.loadTensors(tensors, into: ae.params.values.data, path: path)
        return ae
    }
}
