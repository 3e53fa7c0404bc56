// SigmaGrid.swift: the decreasing noise levels (ending at 0) that the variance-exploding samplers
// (Euler, DPM-Solver++) step through: Karras et al. 2022 sigmas, or the sigmas of a timestep spacing
// of the discrete schedule (as k-diffusion's get_sigmas / diffusers without use_karras_sigmas).

import Core
import DiffusionMath

public enum SigmaGrid: Codable, Sendable, Equatable {
    /// Karras sigmas with this rho (7 in the paper).
    case karras(rho: Double)
    /// sigma(t) at the timesteps of a spacing.
    case spaced(TimestepSpacing)

    /// steps + 1 sigmas, the last one 0.
    public func sigmas(steps: Int, schedule: NoiseSchedule) throws -> [Double] {
        guard steps >= 1 else { throw DiptychError("steps must be at least 1, got \(steps)") }
        switch self {
        case .karras(let rho):
            return KarrasSigmas.sigmas(count: steps, schedule: schedule, rho: rho)
        case .spaced(let spacing):
            let ts = try spacing.timesteps(steps: steps, trainSteps: schedule.trainSteps)
            return ts.map { schedule.sigma(at: Double($0)) } + [0]
        }
    }
}
