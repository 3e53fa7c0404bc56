// AdamW.swift: Adam with decoupled weight decay (Loshchilov & Hutter, "Decoupled Weight Decay
// Regularization", ICLR 2019; the update of PyTorch's torch.optim.AdamW), with bias correction,
// over a ParameterStore's whole slabs. Parameters registered with decay: false skip the decay.
// Elementwise in fixed chunks, so the result does not depend on the thread count.
import Core

public struct AdamWConfig: Codable, Equatable, Sendable {
    public var beta1: Float = 0.9
    public var beta2: Float = 0.999
    public var eps: Float = 1e-8
    public var weightDecay: Float = 0.01
    public init(beta1: Float = 0.9, beta2: Float = 0.999, eps: Float = 1e-8, weightDecay: Float = 0.01) {
        self.beta1 = beta1; self.beta2 = beta2; self.eps = eps; self.weightDecay = weightDecay
    }
}

public final class AdamW {
    public let config: AdamWConfig
    public let store: ParameterStore
    /// First and second moment estimates, same layout as the store's slabs (save them to resume).
    public let m: Tensor
    public let v: Tensor
    /// Steps taken so far (the t of the bias correction).
    public var step = 0
    public var threads = 1
    /// (start, count, decay) runs of at most `chunk` elements covering every parameter.
    private let runs: [(Int, Int, Bool)]
    static let chunk = 16384

    public init(store: ParameterStore, config: AdamWConfig = AdamWConfig()) {
        precondition(store.isFinalized, "AdamW needs a finalized ParameterStore")
        self.store = store
        self.config = config
        m = Tensor(shape: [store.slabCount])
        v = Tensor(shape: [store.slabCount])
        var runs: [(Int, Int, Bool)] = []
        for e in store.entries {
            var s = 0
            while s < e.param.count {
                let n = min(Self.chunk, e.param.count - s)
                runs.append((e.param.offset + s, n, e.decay))
                s += n
            }
        }
        self.runs = runs
    }

    /// One update with learning rate `lr` from the store's current gradients:
    /// m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; p -= lr (wd p + m/(1-b1^t) / (sqrt(v/(1-b2^t)) + eps)).
    public func update(lr: Float) {
        step += 1
        let c = config
        let bc1 = 1 - Float(Double(c.beta1).power(step)), bc2 = 1 - Float(Double(c.beta2).power(step))
        let p = store.params.data, g = store.grads.data, mp = m.data, vp = v.data
        let runs = runs
        Threads.parallelFor(runs.count, threads: threads) { r in
            let (start, n, decay) = runs[r]
            Self.kernel(p: p + start, g: g + start, m: mp + start, v: vp + start, n: n, lr: lr,
                        wd: decay ? c.weightDecay : 0, b1: c.beta1, b2: c.beta2, eps: c.eps, bc1: bc1, bc2: bc2)
        }
    }

    @inline(__always)
    static func kernel(p: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>, m: UnsafeMutablePointer<Float>,
                       v: UnsafeMutablePointer<Float>, n: Int, lr: Float, wd: Float, b1: Float, b2: Float, eps: Float,
                       bc1: Float, bc2: Float) {
        let vb1 = F16(repeating: b1), vb2 = F16(repeating: b2), one = F16(repeating: 1)
        let vlr = F16(repeating: lr), vwd = F16(repeating: wd), veps = F16(repeating: eps)
        let ibc1 = F16(repeating: 1 / bc1), ibc2 = F16(repeating: 1 / bc2)
        // Full vectors, then the tail through partial loads (the same arithmetic per lane).
        var i = 0
        while i + 16 <= n {
            let gv = Lanes.load(g + i), pv = Lanes.load(p + i)
            let mv = vb1 * Lanes.load(m + i) + (one - vb1) * gv
            let vv = vb2 * Lanes.load(v + i) + (one - vb2) * gv * gv
            let upd = (mv * ibc1) / ((vv * ibc2).squareRoot() + veps)
            Lanes.store(mv, m + i)
            Lanes.store(vv, v + i)
            Lanes.store(pv - vlr * (vwd * pv + upd), p + i)
            i += 16
        }
        if i < n {
            let k = n - i
            let gv = Lanes.load(g + i, count: k), pv = Lanes.load(p + i, count: k)
            let mv = vb1 * Lanes.load(m + i, count: k) + (one - vb1) * gv
            let vv = vb2 * Lanes.load(v + i, count: k) + (one - vb2) * gv * gv
            let upd = (mv * ibc1) / ((vv * ibc2).squareRoot() + veps)
            Lanes.store(mv, m + i, count: k)
            Lanes.store(vv, v + i, count: k)
            Lanes.store(pv - vlr * (vwd * pv + upd), p + i, count: k)
        }
    }
}

extension Double {
    /// self^n for a small non-negative integer n (exact repeated squaring).
    func power(_ n: Int) -> Double {
        var result = 1.0, base = self, e = n
        while e > 0 {
            if e & 1 == 1 { result *= base }
            base *= base
            e >>= 1
        }
        return result
    }
}
