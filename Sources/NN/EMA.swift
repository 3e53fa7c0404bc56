// EMA.swift: an exponential moving average of a ParameterStore's weights (Polyak averaging, as DiT
// and LCM keep for sampling): shadow = decay * shadow + (1 - decay) * params, over the whole slab.
import Core

public final class EMA {
    public let store: ParameterStore
    public var decay: Float
    /// The averaged weights, same layout as store.params (save it with the checkpoint).
    public let shadow: Tensor
    public var threads = 1
    static let grain = 16384

    /// Starts the average at the store's current weights.
    public init(store: ParameterStore, decay: Float = 0.999) {
        precondition(store.isFinalized, "EMA needs a finalized ParameterStore")
        self.store = store
        self.decay = decay
        shadow = store.params.clone()
    }

    public func update() {
        let d = decay, s = shadow.data, p = store.params.data
        Threads.parallelRanges(shadow.count, grain: Self.grain, threads: threads) { r in
            let o = r.lowerBound
            Kernels.scale(s + o, d, r.count)
            Kernels.axpy(1 - d, p + o, s + o, r.count)
        }
    }

    /// Copies the averaged weights into `target` (a store with the same layout, e.g. a sampling copy).
    public func copy(to target: ParameterStore) {
        precondition(target.slabCount == shadow.count, "EMA copy into a store of another layout")
        target.params.copy(from: shadow)
    }

    /// Exchanges the live weights and the average (call twice to swap back).
    public func swap() {
        let p = store.params.data, s = shadow.data
        for i in 0..<shadow.count { let t = p[i]; p[i] = s[i]; s[i] = t }
    }
}
