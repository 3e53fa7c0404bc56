// LCMDistiller+TeacherWalk.swift: exact targets and sampler-like inputs for phased distillation (PCM,
// Wang et al. 2024). Instead of bootstrapping through the EMA target network, the target of x_t is the
// teacher's own guided DDIM walk along the grid down to the phase edge (a multistep teacher solver, as
// in PCM's and CTM's ODE-solver targets; Kim et al. 2024, "Consistency Trajectory Models"). Rollout
// gives the student, at the lower sampler timesteps, inputs made by its own phased sampling from pure
// noise, the inputs it will see when sampling (in the spirit of DAgger against exposure bias); with
// rolloutGamma that sampling is stochastic at the edges, as the phased sampler's gamma (CTM, TCD) makes it.
import Core
import Foundation
import DiffusionMath

extension LCMDistiller {
    /// The exact phased target (config.teacherTargets): the teacher's guided DDIM walk of every example from
    /// t_{n+k} down the grid (steps of k) to its phase edge. Rows that have arrived drop out of the batch.
    func teacherWalk(_ p: Pairs) -> [Float] {
        let B = p.start.count, n = backbone.latentCount, L = backbone.textLength, kind = backbone.prediction
        let k = ConsistencyMath.skip(trainSteps: alphasCumprod.count, originalSteps: config.originalSteps)
        var x = p.x, t = p.start.map { Int($0) }
        let edge = p.edge.map { Int($0) }, nullRow = [Int32](repeating: Int32(backbone.padToken), count: L)
        while true {
            let active = (0..<B).filter { t[$0] > edge[$0] }
            if active.isEmpty { return x }
            var tokens: [Int32] = [], latents: [Float] = [], times: [Float] = []
            for b in active { tokens += p.tokens[b * L..<(b + 1) * L]; latents += x[b * n..<(b + 1) * n]; times.append(Float(t[b])) }
            for _ in active { tokens += nullRow }
            latents += latents
            latents.withUnsafeBufferPointer { teacher.forward(tokens: tokens, latents: $0.baseAddress!, times: times + times) }
            let out = teacher.image.data, A = active.count
            var step = [Float](repeating: 0, count: n)
            latents.withUnsafeBufferPointer { lp in
                for (r, b) in active.enumerated() {
                    let next = max(t[b] - k, edge[b])
                    ConsistencyMath.guidedDDIMStep(kind, x: lp.baseAddress! + r * n, conditional: out + r * n, unconditional: out + (A + r) * n,
                                           guidance: p.guidance[b], alphaBar: alphasCumprod[t[b]],
                                           alphaBarPrev: alphasCumprod[next], out: &step, n: n)
                    x.replaceSubrange(b * n..<(b + 1) * n, with: step)
                    t[b] = next
                }
            }
        }
    }

    /// Rollout (config.rolloutFraction): rows marked in `rows` start from `noise` [B, n] at the top sampler
    /// timestep and walk the phase edges with the student (the phased sampler) down to their own x_t. With
    /// config.rolloutGamma the jump to edge j of row b mixes in fresh[(j * B + b) * n ..< +n].
    func rollOut(_ p: inout Pairs, rows: [Bool], noise: [Float], fresh: [Float] = []) {
        let n = backbone.latentCount, L = backbone.textLength, kind = backbone.prediction
        let upper = PhasedConsistency.samplingTimesteps(steps: config.phases, trainSteps: alphasCumprod.count,
                                                        originalSteps: config.originalSteps)
        for b in rows.indices where rows[b] { p.x.replaceSubrange(b * n..<(b + 1) * n, with: noise[b * n..<(b + 1) * n]) }
        for (j, t) in upper.enumerated().dropLast() {
            let active = rows.indices.filter { rows[$0] && Int(p.start[$0]) < t }
            if active.isEmpty { continue }
            var tokens: [Int32] = [], latents: [Float] = []
            for b in active { tokens += p.tokens[b * L..<(b + 1) * L]; latents += p.x[b * n..<(b + 1) * n] }
            latents.withUnsafeBufferPointer {
                student.forward(tokens: tokens, latents: $0.baseAddress!, times: [Float](repeating: Float(t), count: active.count),
                                guidance: active.map { p.guidance[$0] })
            }
            var next = [Float](repeating: 0, count: n)
            latents.withUnsafeBufferPointer { lp in
                fresh.withUnsafeBufferPointer { zp in
                    for (r, b) in active.enumerated() {
                        let z = zp.isEmpty ? nil : zp.baseAddress! + (j * rows.count + b) * n
                        PhasedConsistency.jump(kind, x: lp.baseAddress! + r * n, output: student.image.data + r * n, out: &next,
                                               n: n, alphaBar: alphasCumprod[t], alphaBarTo: alphasCumprod[upper[j + 1]],
                                               fresh: z, gamma: config.rolloutGamma)
                        p.x.replaceSubrange(b * n..<(b + 1) * n, with: next)
                    }
                }
            }
        }
    }

    /// Marks rows for rollout (drawn at a sampler timestep below the top, with probability rolloutFraction)
    /// and draws their starting noise, and with config.rolloutGamma > 0 the fresh noise of their jumps.
    func rolloutRows(_ p: Pairs, rng: inout Philox) -> (rows: [Bool], noise: [Float], fresh: [Float]) {
        let n = backbone.latentCount
        let upper = Set(PhasedConsistency.samplingTimesteps(steps: config.phases, trainSteps: alphasCumprod.count,
                                                            originalSteps: config.originalSteps).dropFirst())
        let rows = p.start.map { upper.contains(Int($0)) && rng.nextFloat() < config.rolloutFraction }
        var noise = [Float](repeating: 0, count: rows.count * n)
        rng.fillGaussian(&noise, count: noise.count)
        var fresh: [Float] = []
        if config.rolloutGamma > 0 {
            fresh = [Float](repeating: 0, count: upper.count * rows.count * n)   // one jump per lower sampler timestep
            rng.fillGaussian(&fresh, count: fresh.count)
        }
        return (rows, noise, fresh)
    }
}
