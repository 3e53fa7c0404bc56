// LayerGradientTests.swift: finite-difference gradient checks of every NN layer, inputs and
// parameters, on tiny shapes (attention with a key padding mask and the whole DiT block included).
import XCTest
@testable import Core
@testable import NN

final class LayerGradientTests: XCTestCase {
    func testLinear() {
        let store = ParameterStore()
        let lin = Linear(store, "lin", in: 5, out: 3)
        store.finalize(seed: 1)
        GradCheck.randomizeStore(store, seed: 2)
        let x = randomTensor([4, 5], seed: 3), dx = Tensor(shape: [4, 5]), y = Tensor(shape: [4, 3])
        GradCheck.check(store: store, inputs: [CheckedInput(name: "x", value: x.data, grad: dx.data, count: x.count)],
                        outputCount: y.count,
                        forward: { lin.forward(x.data, y.data, rows: 4); return UnsafePointer(y.data) },
                        backward: { lin.backward($0, x.data, dx.data, rows: 4) })
    }

    func testLayerNormAffineAndPlain() {
        for affine in [true, false] {
            let store = ParameterStore()
            let ln = LayerNorm(store, "ln", dim: 19, maxRows: 3, eps: 1e-6, affine: affine)
            store.finalize(seed: 1)
            GradCheck.randomizeStore(store, seed: 4, scale: 1)
            let x = randomTensor([3, 19], seed: 5, scale: 2), dx = Tensor(shape: [3, 19]), y = Tensor(shape: [3, 19])
            GradCheck.check(store: store, inputs: [CheckedInput(name: "x", value: x.data, grad: dx.data, count: x.count)],
                            outputCount: y.count,
                            forward: { ln.forward(x.data, y.data, rows: 3); return UnsafePointer(y.data) },
                            backward: { ln.backward($0, x.data, dx.data, rows: 3) })
        }
    }

    func testEmbedding() {
        let store = ParameterStore()
        let emb = Embedding(store, "emb", vocab: 6, dim: 4)
        store.finalize(seed: 1)
        let ids = [2, 5, 2, 0]
        let y = Tensor(shape: [4, 4])
        ids.withUnsafeBufferPointer { idp in
            GradCheck.check(store: store, inputs: [], outputCount: y.count,
                            forward: { emb.forward(idp.baseAddress!, y.data, rows: 4); return UnsafePointer(y.data) },
                            backward: { emb.backward(idp.baseAddress!, $0, rows: 4) })
        }
    }

    func testAttentionWithPaddingMask() {
        let B = 2, T = 5, D = 8
        let att = Attention(dim: D, heads: 2, maxBatch: B, maxTokens: T)
        let qkv = randomTensor([B, T, 3 * D], seed: 6), dqkv = Tensor(shape: [B, T, 3 * D]), y = Tensor(shape: [B, T, D])
        // sample 0: all keys valid; sample 1: the last two keys are padding
        let mask = Tensor(shape: [B, T], values: [1, 1, 1, 1, 1, 1, 1, 1, 0, 0])
        GradCheck.check(store: nil, inputs: [CheckedInput(name: "qkv", value: qkv.data, grad: dqkv.data, count: qkv.count)],
                        outputCount: y.count,
                        forward: {
                            att.forward(qkv.data, y.data, keyMask: mask.data, batch: B, tokens: T)
                            return UnsafePointer(y.data)
                        },
                        backward: { att.backward($0, qkv.data, dqkv.data, batch: B, tokens: T) })
        // padded keys get no attention and no gradient
        for t in 0..<T { XCTAssertEqual(att.probs[((1 * 2 + 1) * T + t) * T + 4], 0) }
        for t in 3..<5 { for c in D..<3 * D { XCTAssertEqual(dqkv[(1 * T + t) * 3 * D + c], 0) } }
        // padding changes nothing for the real tokens of sample 1: compare with a length-3 run
        let short = Attention(dim: D, heads: 2, maxBatch: 1, maxTokens: 3)
        let qkv3 = Tensor(shape: [1, 3, 3 * D]), y3 = Tensor(shape: [1, 3, D])
        qkv3.data.update(from: qkv.data + T * 3 * D, count: 3 * 3 * D)
        short.forward(qkv3.data, y3.data, keyMask: nil, batch: 1, tokens: 3)
        for i in 0..<3 * D { XCTAssertEqual(y3[i], y[T * D + i], accuracy: 1e-5) }
    }

    func testSelfAttention() {
        let B = 2, T = 3, D = 8
        let store = ParameterStore()
        let sa = SelfAttention(store, "attn", dim: D, heads: 2, maxBatch: B, maxTokens: T)
        store.finalize(seed: 1)
        GradCheck.randomizeStore(store, seed: 7)
        let x = randomTensor([B, T, D], seed: 8), dx = Tensor(shape: [B, T, D]), y = Tensor(shape: [B, T, D])
        let mask = Tensor(shape: [B, T], values: [1, 1, 1, 1, 1, 0])
        GradCheck.check(store: store, inputs: [CheckedInput(name: "x", value: x.data, grad: dx.data, count: x.count)],
                        outputCount: y.count,
                        forward: { sa.forward(x.data, y.data, keyMask: mask.data, batch: B, tokens: T); return UnsafePointer(y.data) },
                        backward: { sa.backward($0, x.data, dx.data) })
    }

    func testMLP() {
        let store = ParameterStore()
        let mlp = MLP(store, "mlp", dim: 4, ratio: 4, maxRows: 3)
        store.finalize(seed: 1)
        GradCheck.randomizeStore(store, seed: 9, scale: 0.5)
        let x = randomTensor([3, 4], seed: 10), dx = Tensor(shape: [3, 4]), y = Tensor(shape: [3, 4])
        GradCheck.check(store: store, inputs: [CheckedInput(name: "x", value: x.data, grad: dx.data, count: x.count)],
                        outputCount: y.count,
                        forward: { mlp.forward(x.data, y.data, rows: 3); return UnsafePointer(y.data) },
                        backward: { mlp.backward($0, x.data, dx.data) })
    }

    func testAdaLNModulation() {
        let store = ParameterStore()
        let mod = AdaLNModulation(store, "adaLN", dim: 4, chunks: 2, maxBatch: 3)
        store.finalize(seed: 1)
        XCTAssertEqual(store.params.toArray().filter { $0 != 0 }.count, 0, "adaLN-Zero starts at zero")
        GradCheck.randomizeStore(store, seed: 11)
        let c = randomTensor([3, 4], seed: 12), dc = Tensor(shape: [3, 4]), y = Tensor(shape: [3, 8])
        GradCheck.check(store: store, inputs: [CheckedInput(name: "c", value: c.data, grad: dc.data, count: c.count)],
                        outputCount: y.count,
                        forward: { mod.forward(c.data, y.data, batch: 3); return UnsafePointer(y.data) },
                        backward: { dc.zero(); mod.backward($0, c.data, dc.data) })
    }

    func testModulatedLayerNormAndGatedResidual() {
        let B = 2, T = 3, D = 5, S = 3 * D
        let ln = ModulatedLayerNorm(dim: D, maxRows: B * T)
        let x = randomTensor([B, T, D], seed: 13, scale: 2), mod = randomTensor([B, S], seed: 14)
        let f = randomTensor([B, T, D], seed: 15)
        let dx = Tensor(shape: [B, T, D]), dmod = Tensor(shape: [B, S]), df = Tensor(shape: [B, T, D])
        let h = Tensor(shape: [B, T, D]), y = Tensor(shape: [B, T, D])
        // y = LN(x)(1+scale)+shift, then y + gate * f; chunks of mod: shift, scale, gate
        GradCheck.check(store: nil,
                        inputs: [CheckedInput(name: "x", value: x.data, grad: dx.data, count: x.count),
                                 CheckedInput(name: "mod", value: mod.data, grad: dmod.data, count: mod.count),
                                 CheckedInput(name: "f", value: f.data, grad: df.data, count: f.count)],
                        outputCount: y.count,
                        forward: {
                            ln.forward(x.data, h.data, shift: mod.data, scale: mod.data + D, modStride: S, batch: B, tokens: T)
                            GatedResidual.forward(h.data, f.data, gate: mod.data + 2 * D, y.data, modStride: S, batch: B,
                                                  tokens: T, dim: D, threads: 1)
                            return UnsafePointer(y.data)
                        },
                        backward: { dout in
                            dmod.zero()
                            GatedResidual.backward(dout, f.data, gate: mod.data + 2 * D, df.data, dgate: dmod.data + 2 * D,
                                                   modStride: S, batch: B, tokens: T, dim: D, threads: 1)
                            ln.backward(dout, x.data, dx.data, accumulate: false, scale: mod.data + D, dshift: dmod.data,
                                        dscale: dmod.data + D, modStride: S, batch: B, tokens: T)
                        })
    }

    func testTimestepEmbedding() {
        let store = ParameterStore()
        let te = TimestepEmbedding(store, "t", dim: 6, frequencyDim: 8, inputScale: 10, maxBatch: 3, weightStd: 0.5)
        store.finalize(seed: 1)
        let t = Tensor(shape: [3], values: [0, 0.3, 0.9]), y = Tensor(shape: [3, 6])
        GradCheck.check(store: store, inputs: [], outputCount: y.count,
                        forward: { te.forward(t.data, y.data, batch: 3); return UnsafePointer(y.data) },
                        backward: { te.backward($0) })
        // features of t = 0: cos = 1, sin = 0
        let f = Tensor(shape: [8])
        TimestepEmbedding.sinusoid(0, scale: 10, into: f.data, dim: 8)
        XCTAssertEqual(f.toArray(), [1, 1, 1, 1, 0, 0, 0, 0])
    }

    func testDiTBlockWithPaddingMask() {
        let B = 2, T = 3, D = 8
        let store = ParameterStore()
        let block = DiTBlock(store, "blk", config: DiTBlockConfig(dim: D, heads: 2, mlpRatio: 2), maxBatch: B, maxTokens: T)
        store.finalize(seed: 1)
        GradCheck.randomizeStore(store, seed: 16, scale: 0.4)
        let x = randomTensor([B, T, D], seed: 17), c = randomTensor([B, D], seed: 18)
        let dx = Tensor(shape: [B, T, D]), dc = Tensor(shape: [B, D]), y = Tensor(shape: [B, T, D])
        let mask = Tensor(shape: [B, T], values: [1, 1, 1, 1, 0, 1])
        GradCheck.check(store: store,
                        inputs: [CheckedInput(name: "x", value: x.data, grad: dx.data, count: x.count),
                                 CheckedInput(name: "c", value: c.data, grad: dc.data, count: c.count)],
                        outputCount: y.count,
                        forward: {
                            block.forward(x.data, c: c.data, keyMask: mask.data, y.data, batch: B, tokens: T)
                            return UnsafePointer(y.data)
                        },
                        backward: { dc.zero(); block.backward($0, dx.data, dc: dc.data) })
    }

    func testCrossEntropyGradient() {
        let rows = 4, classes = 5
        let logits = randomTensor([rows, classes], seed: 19, scale: 2), dl = Tensor(shape: [rows, classes])
        let targets = [3, -1, 0, 4], weights = Tensor(shape: [rows], values: [1, 1, 2, 0.5])
        targets.withUnsafeBufferPointer { tp in
            let loss = { () -> Float in
                CrossEntropy.forwardBackward(logits.data, targets: tp.baseAddress!, weights: weights.data, dlogits: dl.data,
                                             rows: rows, classes: classes)
            }
            _ = loss()
            let analytic = dl.toArray()
            for i in 0..<rows * classes {
                let s = logits[i]
                logits[i] = s + 1e-2; let up = loss()
                logits[i] = s - 1e-2; let down = loss()
                logits[i] = s
                XCTAssertEqual(analytic[i], (up - down) / 2e-2, accuracy: 2e-3)
            }
        }
        XCTAssertEqual(Array(analytic(dl)[classes..<2 * classes]), [Float](repeating: 0, count: classes))
    }

    private func analytic(_ t: Tensor) -> [Float] { t.toArray() }
}
