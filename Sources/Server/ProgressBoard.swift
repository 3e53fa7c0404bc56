// ProgressBoard.swift: what the in-process workers report while they sample, shared with the
// routes: the step each worker is at (for /sdapi/v1/progress) and requests to stop a worker's
// running batch (interrupt, or a client that went away). A worker's model calls the board's hook
// after every denoising step (ModelExecutor.progress); the hook returns false to cancel the batch.
//
// Batches are told apart by a serial that the hook advances at step 1, and a cancel names the
// serial that was running when it was asked, so it never reaches into the next batch. A cancel
// asked while a batch is still in its first step is therefore missed: that batch finishes (one
// batch of work, bounded by ServerLimits), and its job's other items were cancelled in the store.
import Diffusion
import Foundation

public final class ProgressBoard: @unchecked Sendable {
    public struct Step: Sendable {
        public var step = 0
        public var total = 0
        public var at = Date.distantPast
    }

    private let lock = NSLock()
    private var steps: [Step]
    private var serial: [Int]
    private var cancelAt: [Int?]

    public init(workers: Int) {
        steps = Array(repeating: Step(), count: workers)
        serial = Array(repeating: 0, count: workers)
        cancelAt = Array(repeating: nil, count: workers)
    }

    /// The sampler callback for worker `k`.
    public func hook(worker k: Int) -> SamplerProgress {
        { [self] step, total, _ in
            lock.lock()
            defer { lock.unlock() }
            if step == 1 { serial[k] += 1 }
            // A finished batch reads as step 0 until the next one starts, so progress never runs backwards.
            steps[k] = step >= total ? Step(step: 0, total: total, at: Date()) : Step(step: step, total: total, at: Date())
            if let c = cancelAt[k], c == serial[k] {
                cancelAt[k] = nil
                steps[k] = Step()
                return false
            }
            return true
        }
    }

    /// Stops worker `k`'s running batch at its next step.
    public func cancelRunningBatch(worker k: Int) {
        lock.lock()
        cancelAt[k] = serial[k]
        lock.unlock()
    }

    /// The most recently updated worker's step (nil when no worker reported in the last minute).
    public func latest() -> Step? {
        lock.lock()
        defer { lock.unlock() }
        guard let s = steps.max(by: { $0.at < $1.at }), Date().timeIntervalSince(s.at) < 60 else { return nil }
        return s
    }
}
