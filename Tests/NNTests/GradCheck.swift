// GradCheck.swift: finite-difference gradient checking for layers over flat buffers. The loss is
// L = sum_i w_i * out_i with fixed random weights w (accumulated in Double); analytic gradients come
// from the layer's backward with dout = w, numeric ones from central differences on every input
// element and every parameter element (tiny shapes).
import XCTest
@testable import Core
@testable import NN

/// A buffer the check perturbs, with the buffer where the backward leaves its gradient.
struct CheckedInput {
    var name: String
    var value: UnsafeMutablePointer<Float>
    var grad: UnsafeMutablePointer<Float>
    var count: Int
}

enum GradCheck {
    static func randomFill(_ p: UnsafeMutablePointer<Float>, _ n: Int, seed: UInt64, scale: Float = 1) {
        var g = Philox(seed: seed)
        g.fillGaussian(p, count: n)
        Kernels.scale(p, scale, n)
    }

    /// Every parameter random (so zero-initialized gates do not hide gradients).
    static func randomizeStore(_ store: ParameterStore, seed: UInt64, scale: Float = 0.3) {
        randomFill(store.params.data, store.params.count, seed: seed, scale: scale)
    }

    /// forward() runs the layer and returns its output; backward(dout) runs its backward, writing
    /// input gradients into the inputs' grad buffers and adding parameter gradients to `store`.
    static func check(store: ParameterStore?, inputs: [CheckedInput], outputCount: Int,
                      forward: () -> UnsafePointer<Float>, backward: (UnsafePointer<Float>) -> Void,
                      eps: Float = 1e-2, rtol: Double = 2e-2, atol: Double = 2e-3,
                      file: StaticString = #filePath, line: UInt = #line) {
        let w = Tensor(shape: [outputCount])
        randomFill(w.data, outputCount, seed: 777)
        func loss() -> Double {
            let out = forward()
            var s = 0.0
            for i in 0..<outputCount { s += Double(w[i]) * Double(out[i]) }
            return s
        }
        _ = forward()
        store?.zeroGrads()
        backward(w.data)
        var targets: [(String, UnsafeMutablePointer<Float>, [Float])] = inputs.map { ($0.name, $0.value, Array(UnsafeBufferPointer(start: $0.grad, count: $0.count))) }
        if let store {
            for e in store.entries {
                targets.append((e.name, store.value(e.param), Array(UnsafeBufferPointer(start: store.grad(e.param), count: e.param.count))))
            }
        }
        var worst = 0.0
        for (name, value, analytic) in targets {
            var failures = 0
            for i in 0..<analytic.count {
                let saved = value[i]
                value[i] = saved + eps
                let up = loss()
                value[i] = saved - eps
                let down = loss()
                value[i] = saved
                let numeric = (up - down) / Double(2 * eps)
                let a = Double(analytic[i])
                let err = abs(a - numeric)
                worst = max(worst, err / (atol + rtol * max(abs(a), abs(numeric))))
                if err > atol + rtol * max(abs(a), abs(numeric)) {
                    failures += 1
                    if failures <= 3 { XCTFail("\(name)[\(i)]: analytic \(a) vs numeric \(numeric)", file: file, line: line) }
                }
            }
        }
        XCTAssertLessThanOrEqual(worst, 1, file: file, line: line)
    }
}

/// A tensor with random contents, for tests.
func randomTensor(_ shape: [Int], seed: UInt64, scale: Float = 1) -> Tensor {
    let t = Tensor(shape: shape)
    GradCheck.randomFill(t.data, t.count, seed: seed, scale: scale)
    return t
}
