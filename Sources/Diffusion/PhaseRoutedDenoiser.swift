// PhaseRoutedDenoiser.swift: a different denoiser for each phase of a phased consistency model (PCM,
// Wang et al. 2024): the phase of a timestep t is the one whose lower edge is the largest edge below t, as
// in training (PhasedConsistency.edge). `diptych eval model --phase-expert` uses it to let a phase expert
// take over some of the sampler's steps (eDiff-I's ensemble of expert denoisers, Balaji et al. 2022), and
// `--phase-teacher` to replace chosen phases by the teacher's walk (TeacherWalkDenoiser).

import Core
import DiffusionMath

public struct PhaseRoutedDenoiser: ImageDenoiser {
    /// routes[p - 1] denoises phase p (1 = the highest-noise phase, where sampling starts).
    public let routes: [ImageDenoiser]
    /// Lower phase edges, ascending from 0 (PhasedConsistency.lowerEdges), one per route.
    public let lowerEdges: [Int]

    public init(routes: [ImageDenoiser], lowerEdges: [Int]) throws {
        guard !routes.isEmpty, routes.count == lowerEdges.count, lowerEdges.first == 0 else {
            throw DiptychError("phase routing needs one denoiser per phase and edges from 0, got \(routes.count) and \(lowerEdges)")
        }
        guard routes.allSatisfy({ $0.prediction == routes[0].prediction }) else {
            throw DiptychError("the phase denoisers predict different quantities")
        }
        self.routes = routes
        self.lowerEdges = lowerEdges
    }

    public var prediction: ImagePrediction { routes[0].prediction }

    /// The phase (1-based, 1 = highest noise) of timestep t.
    public func phase(of t: Float) -> Int {
        let below = lowerEdges.lastIndex { Float($0) < t } ?? 0
        return lowerEdges.count - below
    }

    public func predict(_ x: Tensor, timesteps: [Float]) throws -> Tensor {
        let b = timesteps.count, n = b == 0 ? 0 : x.count / b
        let phases = timesteps.map { phase(of: $0) }
        if let p = phases.first, phases.allSatisfy({ $0 == p }) {   // the samplers' case: one timestep per call
            return try routes[p - 1].predict(x, timesteps: timesteps)
        }
        let out = Tensor(shape: x.shape)
        for p in Set(phases).sorted() {
            let rows = phases.indices.filter { phases[$0] == p }
            let part = Tensor(shape: [rows.count, n])
            for (i, r) in rows.enumerated() { (part.data + i * n).update(from: x.data + r * n, count: n) }
            let y = try routes[p - 1].predict(part, timesteps: rows.map { timesteps[$0] })
            guard y.count == part.count else { throw DiptychError("phase \(p)'s denoiser returned \(y.shape) for \(part.shape)") }
            for (i, r) in rows.enumerated() { (out.data + r * n).update(from: y.data + i * n, count: n) }
        }
        return out
    }
}
