// BackboneParameters.swift: the backbone's weights as one contiguous parameter slab and one gradient
// slab with named views (llm.c's layout: the optimizer and EMA walk one flat buffer). Names match the
// PyTorch reference (scripts/torch_backbone.py) so fixtures and checkpoints load by name. Initialisation
// follows DiT (Peebles & Xie 2023): Xavier-uniform linears, zero biases, N(0, 0.02) embeddings and
// timestep MLPs, and zero adaLN modulations, final image linear and guidance output ("adaLN-Zero").
import Core
import Foundation

public final class BackboneParameters {
    public struct Entry: Sendable {
        public let name: String
        public let offset: Int
        public let shape: [Int]
        public var count: Int { shape.reduce(1, *) }
    }

    public let entries: [Entry]
    public let values: Tensor
    public let grads: Tensor
    private let index: [String: Int]

    /// The parameter list of a configuration, in slab order.
    public static func layout(_ c: BackboneConfig) -> [(String, [Int])] {
        let d = c.width, h = c.hidden
        var list: [(String, [Int])] = [
            ("text_embed", [c.vocabSize, d]), ("text_pos", [c.textLength, d]), ("modality", [2, d]),
            ("patch_embed.weight", [d, c.patchDim]), ("patch_embed.bias", [d]),
        ]
        for e in ["t_embed", "g_embed"] {
            list += [("\(e).fc1.weight", [d, c.frequencyDim]), ("\(e).fc1.bias", [d]),
                     ("\(e).fc2.weight", [d, d]), ("\(e).fc2.bias", [d])]
        }
        for i in 0..<c.depth {
            let p = "blocks.\(i)."
            list += [(p + "adaLN.weight", [6 * d, d]), (p + "adaLN.bias", [6 * d]),
                     (p + "qkv.weight", [3 * d, d]), (p + "qkv.bias", [3 * d]),
                     (p + "proj.weight", [d, d]), (p + "proj.bias", [d]),
                     (p + "fc1.weight", [h, d]), (p + "fc1.bias", [h]),
                     (p + "fc2.weight", [d, h]), (p + "fc2.bias", [d])]
        }
        list += [("final_adaLN.weight", [2 * d, d]), ("final_adaLN.bias", [2 * d]),
                 ("final_linear.weight", [c.patchDim, d]), ("final_linear.bias", [c.patchDim]),
                 ("text_head.weight", [c.vocabSize, d]), ("text_head.bias", [c.vocabSize])]
        return list
    }

    public init(config: BackboneConfig) {
        var entries: [Entry] = []
        var offset = 0
        for (name, shape) in Self.layout(config) {
            entries.append(Entry(name: name, offset: offset, shape: shape))
            offset += shape.reduce(1, *)
            offset = (offset + 15) / 16 * 16  // 64-byte aligned views
        }
        self.entries = entries
        values = Tensor(shape: [offset])
        grads = Tensor(shape: [offset])
        var index: [String: Int] = [:]
        for (i, e) in entries.enumerated() { index[e.name] = i }
        self.index = index
    }

    /// Number of trainable values (excluding alignment padding).
    public var parameterCount: Int { entries.reduce(0) { $0 + $1.count } }

    public func entry(_ name: String) -> Entry {
        guard let i = index[name] else { preconditionFailure("no parameter \(name)") }
        return entries[i]
    }

    public func has(_ name: String) -> Bool { index[name] != nil }

    /// Pointer to a parameter's values.
    public func w(_ name: String) -> UnsafeMutablePointer<Float> { values.data + entry(name).offset }
    /// Pointer to a parameter's gradient.
    public func g(_ name: String) -> UnsafeMutablePointer<Float> { grads.data + entry(name).offset }

    public func zeroGrads() { grads.zero() }

    /// DiT initialisation from a seeded generator.
    public func initialise(seed: UInt64) {
        values.zero()
        var rng = Philox(seed: seed, stream: 0x4241_434B)
        func normal(_ name: String, std: Float) {
            let e = entry(name)
            rng.fillGaussian(values.data + e.offset, count: e.count)
            for i in 0..<e.count { values.data[e.offset + i] *= std }
        }
        func xavier(_ name: String) {
            let e = entry(name)
            let bound = (6 / Float(e.shape[0] + e.shape[1])).squareRoot()
            rng.fillUniform(values.data + e.offset, count: e.count)
            for i in 0..<e.count { values.data[e.offset + i] = (2 * values.data[e.offset + i] - 1) * bound }
        }
        for e in entries where e.name.hasSuffix(".weight") { xavier(e.name) }
        for name in ["text_embed", "text_pos", "modality", "t_embed.fc1.weight", "t_embed.fc2.weight",
                     "g_embed.fc1.weight"] { normal(name, std: 0.02) }
        for e in entries where e.name.hasSuffix("adaLN.weight") || e.name == "final_linear.weight"
            || e.name == "g_embed.fc2.weight" {
            (values.data + e.offset).update(repeating: 0, count: e.count)
        }
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
