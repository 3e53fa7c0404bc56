// OptimizerTests.swift: AdamW against a hand computation (the same numbers PyTorch's AdamW gives),
// global-norm clipping, the warmup + cosine schedule, EMA and the parameter store's layout.
import XCTest
@testable import Core
@testable import NN

final class OptimizerTests: XCTestCase {
    func testAdamWTwoStepsByHand() {
        let store = ParameterStore()
        let w = store.register("w", shape: [1, 2], initScheme: .zeros)          // decayed (a matrix)
        let b = store.register("b", shape: [1], initScheme: .constant(0.5))     // not decayed (a vector)
        store.finalize()
        store.value(w)[0] = 1
        store.value(w)[1] = -2
        let opt = AdamW(store: store, config: AdamWConfig(beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01))
        // step 1: g = (0.5, 0), gb = -1. m = 0.05, v = 0.00025, m^ = 0.5, v^ = 0.25, update 1:
        //   w0 = 1 - 0.1 (0.01 * 1 + 1) = 0.899; w1 = -2 - 0.1 (0.01 * -2 + 0) = -1.998; b = 0.5 + 0.1 = 0.6
        store.grad(w)[0] = 0.5; store.grad(w)[1] = 0; store.grad(b)[0] = -1
        opt.update(lr: 0.1)
        XCTAssertEqual(store.value(w)[0], 0.899, accuracy: 1e-6)
        XCTAssertEqual(store.value(w)[1], -1.998, accuracy: 1e-6)
        XCTAssertEqual(store.value(b)[0], 0.6, accuracy: 1e-6)
        // step 2: g = (-0.5, 2). w0: m = -0.005, v = 0.00049975, m^ = -0.005/0.19, v^ = 0.25 ->
        //   w0 = 0.899 - 0.1 (0.00899 - 0.0526316) = 0.9033642
        // w1: m = 0.2, v = 0.004, m^ = 1.0526316, v^ = 2.001 -> w1 = -1.998 - 0.1 (-0.01998 + 0.744136) = -2.0704157
        store.grad(w)[0] = -0.5; store.grad(w)[1] = 2; store.grad(b)[0] = -1
        opt.update(lr: 0.1)
        XCTAssertEqual(store.value(w)[0], 0.9033642, accuracy: 1e-6)
        XCTAssertEqual(store.value(w)[1], -2.0704157, accuracy: 1e-6)
        XCTAssertEqual(store.value(b)[0], 0.7, accuracy: 1e-6)
        XCTAssertEqual(opt.step, 2)
    }

    func testGlobalNormClipping() {
        let g = Tensor(shape: [40000])
        for i in 0..<g.count { g[i] = i % 2 == 0 ? 0.01 : -0.01 }   // norm = 0.01 * 200 = 2
        XCTAssertEqual(GradientClipping.globalNorm(g, threads: 1), 2, accuracy: 1e-5)
        XCTAssertEqual(GradientClipping.globalNorm(g, threads: 1), GradientClipping.globalNorm(g, threads: 2))
        let before = GradientClipping.clip(g, maxNorm: 0.5, threads: 2)
        XCTAssertEqual(before, 2, accuracy: 1e-5)
        XCTAssertEqual(GradientClipping.globalNorm(g), 0.5, accuracy: 1e-4)
        let unchanged = g.toArray()
        GradientClipping.clip(g, maxNorm: 1)
        XCTAssertEqual(g.toArray(), unchanged)
    }

    func testWarmupCosineSchedule() {
        let s = LRSchedule(peak: 1e-3, warmupSteps: 10, totalSteps: 110, minimum: 1e-4)
        XCTAssertEqual(s.rate(at: 0), 1e-4, accuracy: 1e-9)
        XCTAssertEqual(s.rate(at: 9), 1e-3, accuracy: 1e-9)
        XCTAssertEqual(s.rate(at: 10), 1e-3, accuracy: 1e-9)
        XCTAssertEqual(s.rate(at: 60), 5.5e-4, accuracy: 1e-8)      // halfway: (peak + min) / 2
        XCTAssertEqual(s.rate(at: 110), 1e-4, accuracy: 1e-9)
        XCTAssertEqual(s.rate(at: 500), 1e-4, accuracy: 1e-9)
    }

    func testEMA() {
        let store = ParameterStore()
        let p = store.register("p", shape: [3], initScheme: .constant(1))
        store.finalize()
        let ema = EMA(store: store, decay: 0.9)
        store.value(p).update(repeating: 2, count: 3)
        ema.update()   // 0.9 * 1 + 0.1 * 2
        XCTAssertEqual(ema.shadow[0], 1.1, accuracy: 1e-6)
        ema.update()   // 0.9 * 1.1 + 0.2
        XCTAssertEqual(ema.shadow[2], 1.19, accuracy: 1e-6)
        ema.swap()
        XCTAssertEqual(store.value(p)[1], 1.19, accuracy: 1e-6)
        XCTAssertEqual(ema.shadow[1], 2)
    }

    func testStoreLayoutAndInit() {
        let store = ParameterStore()
        let a = store.register("a", shape: [3, 5], initScheme: .normal(std: 2))
        let b = store.register("b", shape: [7], initScheme: .ones)
        store.finalize(seed: 9)
        XCTAssertEqual(a.offset, 0)
        XCTAssertEqual(b.offset, 16)                       // 64-byte aligned
        XCTAssertEqual(store.parameterCount, 22)
        XCTAssertEqual(store.tensor("b")?.toArray(), [Float](repeating: 1, count: 7))
        XCTAssertTrue(store.entries[0].decay)
        XCTAssertFalse(store.entries[1].decay)
        // the same seed gives the same weights; another registration order leaves "a" unchanged
        let other = ParameterStore()
        other.register("z", shape: [4], initScheme: .normal(std: 1))
        other.register("a", shape: [3, 5], initScheme: .normal(std: 2))
        other.finalize(seed: 9)
        XCTAssertEqual(other.tensor("a")?.toArray(), store.tensor("a")?.toArray())
        XCTAssertNotEqual(store.tensor("a")?.toArray(), [Float](repeating: 0, count: 15))
    }
}
