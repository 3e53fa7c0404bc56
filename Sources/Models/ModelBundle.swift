// ModelBundle.swift: a shipped Diptych model as one folder (DESIGN.md, "Artifacts" and "Conventions"):
//   bundle.json               names, noise schedule, sampling defaults, a student's consistency settings
//   backbone.safetensors      backbone weights (float16 when shipped), BackboneConfig JSON in __metadata__
//   autoencoder/              the latent autoencoder folder (AutoencoderFiles), or "pool" for the stand-in
//   tokenizer.json            the byte-level BPE tokenizer (Data.Tokenizer)
//   MODEL_CARD.md             data, command, training time, measured figures
import Core
import Data
import Foundation
import Media
import NN
import DiffusionMath

/// bundle.json.
public struct BundleManifest: Codable, Equatable, Sendable {
    public var format = "diptych-bundle"
    public var name = "default"
    public var backbone = "backbone.safetensors"
    /// A folder with autoencoder.safetensors, or "pool" (the stand-in PoolAutoencoder below).
    public var autoencoder = "autoencoder"
    public var pool: PoolAutoencoder? = nil
    public var tokenizer = "tokenizer.json"
    /// The noise schedule the backbone was trained on (an object; older bundles hold it as JSON text).
    public var schedule = NoiseSchedule()
    /// The grid and scalings a consistency or phased student was distilled with (nil for other bundles).
    public var consistency: ConsistencySettings? = nil
    public var defaultSteps = 30
    public var defaultSampler = "dpmpp-2m"
    public var defaultCFG: Float = 4
    /// true for a guidance-distilled model (LCM): the consistency sampler feeds the CFG value to the
    /// backbone's guidance embedding instead of running classifier-free guidance.
    public var guidanceEmbedding = false
    /// Phases of a phased consistency model (PCM; its sampler "phased" takes this many steps); 0 otherwise.
    public var phases = 0
    /// The phased sampler's stochasticity at the phase edges (PhasedConsistencySampler.gamma; 0 = deterministic).
    public var phasedGamma: Double = 0
    public init() {}
}

/// The latent codec of a bundle: the learned autoencoder or the pool stand-in. Latents cross this
/// boundary channel-major [B, C, H, W], the backbone's layout.
public enum LatentCodec {
    case learned(Autoencoder)
    case pool(PoolAutoencoder)

    public var imageSize: Int {
        switch self {
        case .learned(let ae): return ae.config.imageSize
        case .pool(let p): return 8 * p.factor
        }
    }

    /// [n, C, H, W] latents of RGB images (resized by the caller to imageSize).
    public func encode(_ images: [Image], threads: Int) throws -> [Float] {
        switch self {
        case .learned(let ae):
            let z = try ae.encode(images, threads: threads)   // [n, h, w, C]
            let (h, c) = (ae.config.latentSize, ae.config.latentChannels)
            var out = [Float](repeating: 0, count: z.count)
            for b in 0..<images.count { for i in 0..<h * h { for ch in 0..<c {
                out[b * c * h * h + ch * h * h + i] = z.data[b * h * h * c + i * c + ch]
            } } }
            return out
        case .pool(let p):
            return images.flatMap { p.encode($0) }
        }
    }

    /// RGB images from [n, C, H, W] latents.
    public func decode(_ latents: [Float], count n: Int, threads: Int) -> [Image] {
        switch self {
        case .learned(let ae):
            let (h, c) = (ae.config.latentSize, ae.config.latentChannels)
            let z = Tensor(shape: [n, h, h, c])
            for b in 0..<n { for i in 0..<h * h { for ch in 0..<c {
                z.data[b * h * h * c + i * c + ch] = latents[b * c * h * h + ch * h * h + i]
            } } }
            return ae.decode(z, threads: threads)
        case .pool(let p):
            let per = latents.count / max(1, n), side = Int((Double(per / 3)).squareRoot())
            return (0..<n).map { p.decode(Array(latents[$0 * per..<($0 + 1) * per]), size: side) }
        }
    }

    public var latentChannels: Int {
        switch self {
        case .learned(let ae): return ae.config.latentChannels
        case .pool: return 3
        }
    }
}

public final class ModelBundle {
    public let path: String
    public let manifest: BundleManifest
    public let backbone: Backbone
    public let codec: LatentCodec
    public let tokenizer: Tokenizer

    /// maxBatch: the most rows one backbone call will get (CFG doubles the images).
    public init(path: String, maxBatch: Int) throws {
        self.path = path
        let mpath = path + "/bundle.json"
        guard let data = FileManager.default.contents(atPath: mpath) else {
            throw DiptychError("no model bundle at \(path) (missing bundle.json); train one with 'diptych train backbone'")
        }
        manifest = try DefaultedJSON.decode(BundleManifest.self, from: data, defaults: BundleManifest(), what: mpath)
        if let p = BundleChecks.problem(of: manifest) ?? manifest.schedule.problem
            ?? manifest.consistency?.problem(trainSteps: manifest.schedule.trainSteps) { throw DiptychError("\(mpath): \(p)") }
        tokenizer = try Tokenizer.load(from: path + "/" + manifest.tokenizer)
        if manifest.autoencoder == "pool" {
            codec = .pool(manifest.pool ?? PoolAutoencoder())
        } else {
            codec = .learned(try Autoencoder.load(from: path + "/" + manifest.autoencoder))
        }
        let file = try SafeTensors(path: path + "/" + manifest.backbone)
        guard let json = file.metadata["config"] else { throw DiptychError("\(manifest.backbone): no config in the metadata") }
        let config = try DefaultedJSON.decode(BackboneConfig.self, from: Data(json.utf8), defaults: BackboneConfig(),
                                              what: "\(manifest.backbone) config")
        let bundleName = "model bundle \(path)"
        if let p = BundleChecks.problem(of: config) { throw DiptychError("\(bundleName): backbone config: \(p)") }
        if let p = BundleChecks.problem(tokenizer: tokenizer, config: config) { throw DiptychError("\(bundleName): \(p)") }
        if let p = BundleChecks.problem(codec: codec, config: config) { throw DiptychError("\(bundleName): \(p)") }
        backbone = try Backbone(config: config, maxBatch: maxBatch, initialise: false)   // the file's weights follow
        try Self.loadWeights(file, into: backbone.parameters)
        let tensors = backbone.parameters.entries.map { ($0.name, $0.offset, $0.shape.reduce(1, *)) }
        if let bad = BundleChecks.firstNonFinite(backbone.parameters.values, tensors) {
            throw DiptychError("\(bundleName): backbone weight \(bad) holds NaN or Inf")
        }
    }

    static func loadWeights(_ file: SafeTensors, into p: BackboneParameters) throws {
        for e in p.entries {
            try file.load(e.name, into: Tensor(viewOf: p.values, offset: e.offset, shape: e.shape))
        }
    }

    /// Writes backbone weights (a slab laid out like `parameters`, e.g. the EMA) as safetensors.
    public static func writeBackbone(_ slab: Tensor, parameters p: BackboneParameters, config: BackboneConfig,
                                     to path: String, half: Bool) throws {
        let tensors = p.entries.map { ($0.name, Tensor(viewOf: slab, offset: $0.offset, shape: $0.shape)) }
        let json = String(decoding: try DefaultedJSON.encode(config), as: UTF8.self)
        try SafeTensors.write(tensors, to: path, dtype: half ? .F16 : .F32,
                              metadata: ["config": json, "format": "diptych-backbone"])
    }
}
