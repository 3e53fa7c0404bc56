// AdamWKernelTests.swift: AdamW's vectorized update (full SIMD16 vectors, then a partial tail) against
// a scalar per-element reference of the same formula (PyTorch's AdamW), over lengths that exercise
// both paths, for three steps with weight decay on and off.
import XCTest
@testable import Core
@testable import NN

final class AdamWKernelTests: XCTestCase {
    func testVectorAndTailMatchScalarReference() {
        let store = ParameterStore()
        let a = store.register("a", shape: [37], initScheme: .normal(std: 1), decay: true)    // 2 vectors + 5
        let b = store.register("b", shape: [16], initScheme: .normal(std: 1), decay: false)   // 1 vector
        let c = store.register("c", shape: [3, 5], initScheme: .normal(std: 1))               // tail only
        store.finalize(seed: 4)
        let cfg = AdamWConfig(beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.05)
        let opt = AdamW(store: store, config: cfg)
        var rng = Philox(seed: 8)
        var ref: [(p: [Float], m: [Float], v: [Float], decay: Bool, param: Param)] = [a, b, c].map {
            (Array(UnsafeBufferPointer(start: store.value($0), count: $0.count)), [Float](repeating: 0, count: $0.count),
             [Float](repeating: 0, count: $0.count), store.entries[$0.index].decay, $0)
        }
        for step in 1...3 {
            rng.fillGaussian(store.grads.data, count: store.grads.count)
            let lr: Float = 0.01 * Float(step)
            let bc1 = 1 - Float(Double(cfg.beta1).power(step)), bc2 = 1 - Float(Double(cfg.beta2).power(step))
            for k in ref.indices {
                let g = store.grad(ref[k].param), wd = ref[k].decay ? cfg.weightDecay : 0
                for i in 0..<ref[k].p.count {
                    ref[k].m[i] = cfg.beta1 * ref[k].m[i] + (1 - cfg.beta1) * g[i]
                    ref[k].v[i] = cfg.beta2 * ref[k].v[i] + (1 - cfg.beta2) * g[i] * g[i]
                    let upd = (ref[k].m[i] / bc1) / ((ref[k].v[i] / bc2).squareRoot() + cfg.eps)
                    ref[k].p[i] -= lr * (wd * ref[k].p[i] + upd)
                }
            }
            opt.update(lr: lr)
            for r in ref {
                for i in 0..<r.p.count {
                    XCTAssertEqual(store.value(r.param)[i], r.p[i], accuracy: 2e-6 * max(1, abs(r.p[i])))
                    XCTAssertEqual(opt.m[r.param.offset + i], r.m[i], accuracy: 1e-6 * max(1, abs(r.m[i])))
                    XCTAssertEqual(opt.v[r.param.offset + i], r.v[i], accuracy: 1e-6 * max(1, abs(r.v[i])))
                }
            }
        }
    }
}
