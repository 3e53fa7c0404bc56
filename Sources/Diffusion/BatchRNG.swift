// BatchRNG.swift: one Philox stream (Salmon et al. 2011) per batch element, so image i with seed s
// gets the same noise whether it is generated alone or in a batch of any size or order.

import Core

public struct BatchRNG: Sendable {
    /// Generator of each batch element.
    public var generators: [Philox]

    /// Element i draws from Philox(seed: seeds[i]).
    public init(seeds: [UInt64]) { generators = seeds.map { Philox(seed: $0) } }
    public init(generators: [Philox]) { self.generators = generators }

    public var count: Int { generators.count }

    /// [B, n] standard normals, row i from generator i.
    public mutating func gaussian(_ n: Int) -> Tensor {
        let t = Tensor(shape: [generators.count, n])
        for i in generators.indices { generators[i].fillGaussian(t.data + i * n, count: n) }
        return t
    }

    /// [B, n] uniforms in [0, 1), row i from generator i.
    public mutating func uniform(_ n: Int) -> Tensor {
        let t = Tensor(shape: [generators.count, n])
        for i in generators.indices { generators[i].fillUniform(t.data + i * n, count: n) }
        return t
    }

    /// The generators of rows `rows` (a sub-batch), in that order.
    public func subset(_ rows: [Int]) -> BatchRNG { BatchRNG(generators: rows.map { generators[$0] }) }
}
