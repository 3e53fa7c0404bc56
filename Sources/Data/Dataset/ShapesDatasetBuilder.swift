// ShapesDatasetBuilder.swift: renders shapes-world splits (DESIGN.md, "The shapes world, v1") into
// dataset files: "train" and "val" from training pairs only, "heldout" with a held-out color-shape
// pair in every scene. Each split has its own Philox stream of the seed, so splits never share scenes
// by construction of the stream and a seed always gives the same files.

import Core
import Foundation

public struct ShapesDatasetBuilder: Sendable {
    public var config: ShapesConfig
    public var sizes: [Int]
    public var renderer = ShapesRenderer()

    public init(config: ShapesConfig = ShapesConfig(), sizes: [Int] = [32]) {
        self.config = config
        self.sizes = sizes
    }

    public static let infoFormat = "objects separated by \"; \", each \"color shape size x y\" (box corner, 32x32 reference pixels)"

    /// The records of one split.
    public func records(count: Int, seed: UInt64, split: String, pool: SceneSampler.Pool,
                        progress: (Int) -> Void = { _ in }) -> [DatasetRecord] {
        let sampler = SceneSampler(config: config)
        let stream: UInt64 = split == "train" ? 0 : split == "val" ? 1 : split == "test" ? 2 : 3
        var rng = Philox(seed: seed, stream: stream)
        var out: [DatasetRecord] = []
        out.reserveCapacity(count)
        for i in 0..<count {
            let scene = sampler.sample(&rng, pool: pool)
            out.append(DatasetRecord(caption: scene.caption, info: scene.summary,
                                     images: sizes.map { renderer.renderBytes(scene.objects, size: $0) }))
            if (i + 1) % 5000 == 0 { progress(i + 1) }
        }
        return out
    }

    /// Writes shapes-train, shapes-val and shapes-heldout files under `dir`; returns their paths.
    /// Validation and held-out splits get max(count / 20, 200) scenes each.
    public func build(dir: String, count: Int, seed: UInt64, log: (String) -> Void) throws -> [String] {
        let small = max(count / 20, 200)
        var paths: [String] = []
        for (split, n, pool) in [("train", count, SceneSampler.Pool.training), ("val", small, .training), ("heldout", small, .heldOut)] {
            let path = (dir as NSString).appendingPathComponent("shapes-\(split).dptd")
            let recs = records(count: n, seed: seed, split: split, pool: pool) { log("shapes \(split): \($0)/\(n)") }
            let meta = DatasetMetadata(corpus: "shapes", split: split,
                                       source: "diptych data build shapes (shapes world v1, pool \(pool.rawValue))",
                                       seed: seed, shapes: config, infoFormat: Self.infoFormat,
                                       provenance: DatasetProvenance(
                                           command: "diptych data build shapes --count \(count) --seed \(seed)",
                                           source: "shapes world v1", layout: "shapes-world",
                                           options: ["count": "\(n)", "seed": "\(seed)", "pool": pool.rawValue,
                                                     "sizes": sizes.map(String.init).joined(separator: ",")]))
            try DatasetFile.write(to: path, metadata: meta, sizes: sizes, records: recs)
            log("wrote \(path) (\(n) scenes)")
            paths.append(path)
        }
        return paths
    }
}
