// TimestepSpacing.swift: which of the schedule's training timesteps a sampler visits, following the
// three spacings compared in Lin et al. 2024 ("Common diffusion noise schedules and sample steps are
// flawed", Table 2) and used by diffusers: "leading" (DDIM/Stable Diffusion), "trailing" (starts at
// the last timestep; recommended there) and "linspace" (evenly spaced, rounded).

import Core

/// How `steps` sampling timesteps are picked from `trainSteps` training timesteps.
public enum TimestepSpacing: String, Codable, Sendable, CaseIterable {
    /// 0, k, 2k, ... with k = trainSteps / steps (integer division), plus an offset.
    case leading
    /// trainSteps - 1, trainSteps - 1 - k, ... with k = trainSteps / steps (real division), rounded.
    case trailing
    /// round(linspace(0, trainSteps - 1, steps)).
    case linspace

    /// The timesteps in the order a sampler visits them (descending, distinct).
    /// Throws when steps is not in 1...trainSteps.
    public func timesteps(steps: Int, trainSteps: Int, offset: Int = 0) throws -> [Int] {
        guard steps >= 1 && steps <= trainSteps else {
            throw DiptychError("steps must be between 1 and \(trainSteps), got \(steps)")
        }
        var ts: [Int]
        switch self {
        case .leading:
            let k = trainSteps / steps
            ts = (0..<steps).map { min($0 * k + offset, trainSteps - 1) }
        case .trailing:
            let k = Double(trainSteps) / Double(steps)
            ts = (0..<steps).map { Int((Double(trainSteps) - Double($0) * k).rounded()) - 1 }
        case .linspace:
            ts = (0..<steps).map {
                steps == 1 ? trainSteps - 1
                    : Int((Double(trainSteps - 1) * Double($0) / Double(steps - 1)).rounded())
            }
        }
        ts.sort(by: >)
        return ts
    }
}
