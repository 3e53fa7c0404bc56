// StudentGrowth.swift: a deeper distillation student grown from a trained backbone without changing its
// function (function-preserving depth growth, as in Net2Net's Net2DeeperNet, Chen et al. 2016, and
// progressive stacking, Gong et al. 2019). Each extra DiT block is a copy of the block it follows with the
// two adaLN-Zero gates (gate_attn and gate_mlp, chunks 2 and 5 of its modulation; DiT, Peebles & Xie 2023)
// set to zero, so it starts as the identity, yet its attention, MLP and shift/scale modulation start from
// trained weights rather than random ones. The gates' gradients are not zero, so the new blocks open up as
// distillation needs them. Used by `diptych distill` with LCMDistillConfig.studentDepth.
import Core

public enum StudentGrowth {
    /// The old block each new block copies, in order; copies are spread evenly (6 -> 8: 0 1 2 2' 3 4 5 5').
    public static func blockPlan(from depth: Int, to newDepth: Int) -> [(source: Int, isCopy: Bool)] {
        let extra = newDepth - depth
        var plan: [(source: Int, isCopy: Bool)] = []
        for i in 0..<depth {
            plan.append((i, false))
            let copies = ((i + 1) * extra) / depth - (i * extra) / depth
            plan += Array(repeating: (i, true), count: copies)
        }
        return plan
    }

    /// `weights` laid out like Backbone(config: config).parameters.values, grown to `newDepth` blocks: a slab
    /// laid out like the parameters of `config` with depth = newDepth.
    public static func deepen(_ weights: Tensor, config: BackboneConfig, to newDepth: Int) throws -> Tensor {
        guard newDepth >= config.depth else {
            throw DiptychError("a student of depth \(newDepth) cannot grow from a backbone of depth \(config.depth)")
        }
        guard config.depth >= 1 && newDepth <= 4 * config.depth else {
            throw DiptychError("studentDepth \(newDepth) is more than 4 times the depth \(config.depth)")
        }
        var grown = config
        grown.depth = newDepth
        let old = try Backbone(config: config, maxBatch: 1).parameters
        let new = try Backbone(config: grown, maxBatch: 1).parameters
        guard weights.count == old.values.count else {
            throw DiptychError("weights (\(weights.count) values) do not match the backbone config")
        }
        let out = Tensor(shape: [new.values.count])
        let plan = blockPlan(from: config.depth, to: newDepth)
        let d = config.width
        for e in new.entries {
            var source = e.name, isCopy = false
            if e.name.hasPrefix("blocks.") {
                let parts = e.name.split(separator: ".", maxSplits: 2)
                let step = plan[Int(parts[1])!]
                source = "blocks.\(step.source).\(parts[2])"
                isCopy = step.isCopy
            }
            let from = old.entry(source)
            precondition(from.shape == e.shape, "\(e.name): shape \(e.shape) != \(from.shape)")
            (out.data + e.offset).update(from: weights.data + from.offset, count: e.count)
            if isCopy && (e.name.hasSuffix(".adaLN.weight") || e.name.hasSuffix(".adaLN.bias")) {
                let rowLength = e.count / (6 * d)   // d for the weight [6d, d], 1 for the bias [6d]
                for chunk in [2, 5] {   // gate_attn, gate_mlp
                    (out.data + e.offset + chunk * d * rowLength).update(repeating: 0, count: d * rowLength)
                }
            }
        }
        return out
    }
}
