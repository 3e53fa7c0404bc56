// LRSchedule.swift: linear warmup then cosine decay of the learning rate (Loshchilov & Hutter,
// "SGDR", 2017, without restarts; the usual transformer schedule).
import Foundation

public struct LRSchedule: Codable, Equatable, Sendable {
    public var peak: Float
    public var warmupSteps: Int
    public var totalSteps: Int
    public var minimum: Float

    public init(peak: Float, warmupSteps: Int, totalSteps: Int, minimum: Float = 0) {
        self.peak = peak; self.warmupSteps = warmupSteps; self.totalSteps = totalSteps; self.minimum = minimum
    }

    /// Learning rate for step `step` (0-based): peak * (step+1)/warmup during warmup, then a cosine
    /// from peak down to `minimum` at totalSteps, constant after.
    public func rate(at step: Int) -> Float {
        if step < warmupSteps { return peak * Float(step + 1) / Float(warmupSteps) }
        let span = max(1, totalSteps - warmupSteps)
        let progress = min(1, Double(step - warmupSteps) / Double(span))
        return minimum + (peak - minimum) * Float(0.5 * (1 + cos(Double.pi * progress)))
    }
}
