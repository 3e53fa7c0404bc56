// BackboneParameters.swift: the backbone's view of NN's ParameterStore (one contiguous parameter slab
// and one gradient slab, llm.c style): named entries in slab order, pointers by name, DiT
// initialisation (Peebles & Xie 2023: Xavier linears, N(0, 0.02) embeddings and timestep MLPs, zero
// adaLN modulations, final image linear and guidance-embedding output), and loading by name. Names
// match the PyTorch reference (scripts/torch_backbone.py).
import Core
import Foundation
import NN

public final class BackboneParameters {
    public struct Entry: Sendable {
        public let name: String
        public let offset: Int
        public let shape: [Int]
        public var count: Int { shape.reduce(1, *) }
    }

    public let store: ParameterStore
    public let entries: [Entry]
    private let index: [String: Int]

    init(store: ParameterStore) {
        self.store = store
        entries = store.entries.map { Entry(name: $0.name, offset: $0.param.offset, shape: $0.param.shape) }
        var index: [String: Int] = [:]
        for (i, e) in entries.enumerated() { index[e.name] = i }
        self.index = index
    }

    public var values: Tensor { store.params }
    public var grads: Tensor { store.grads }
    /// Number of trainable values (excluding alignment padding).
    public var parameterCount: Int { store.parameterCount }

    public func entry(_ name: String) -> Entry {
        guard let i = index[name] else { preconditionFailure("no parameter \(name)") }
        return entries[i]
    }

    public func has(_ name: String) -> Bool { index[name] != nil }
    public func w(_ name: String) -> UnsafeMutablePointer<Float> { values.data + entry(name).offset }
    public func g(_ name: String) -> UnsafeMutablePointer<Float> { grads.data + entry(name).offset }
    public func zeroGrads() { store.zeroGrads() }

    /// DiT initialisation from a seed (each parameter has its own stream: see ParameterStore).
    public func initialise(seed: UInt64) {
        store.initialize(seed: seed)
        let e = entry("g_embed.fc2.weight")
        w(e.name).update(repeating: 0, count: e.count)
    }

    /// Copies named tensors in (shapes must match); returns the names that were missing.
    @discardableResult
    public func load(_ tensors: [String: (shape: [Int], values: [Float])], prefix: String = "") -> [String] {
        var missing: [String] = []
        for e in entries {
            guard let t = tensors[prefix + e.name] else { missing.append(e.name); continue }
            precondition(t.shape == e.shape && t.values.count == e.count, "\(e.name): shape \(t.shape) != \(e.shape)")
            t.values.withUnsafeBufferPointer { (values.data + e.offset).update(from: $0.baseAddress!, count: e.count) }
        }
        return missing
    }
}
