// ToyTaskTests.swift: a tiny bidirectional transformer built from our layers (token + position
// embeddings, two DiT blocks, final LayerNorm, linear head, cross-entropy, AdamW with warmup +
// cosine) learns to reverse a sequence of tokens; the loss must fall from above 1.5 (chance: ln 8 = 2.08) below 0.1.
import XCTest
@testable import Core
@testable import NN

final class ToyTaskTests: XCTestCase {
    func testTinyTransformerLearnsToReverse() {
        let vocab = 8, T = 6, D = 32, B = 16, steps = 150
        let store = ParameterStore()
        let tokEmb = Embedding(store, "tok", vocab: vocab, dim: D, initScheme: .normal(std: 0.3))
        let posEmb = Embedding(store, "pos", vocab: T, dim: D, initScheme: .normal(std: 0.3))
        let blocks = (0..<2).map {
            DiTBlock(store, "blk\($0)", config: DiTBlockConfig(dim: D, heads: 2), maxBatch: B, maxTokens: T)
        }
        let norm = LayerNorm(store, "norm", dim: D, maxRows: B * T)
        let head = Linear(store, "head", in: D, out: vocab)
        store.finalize(seed: 1)
        let opt = AdamW(store: store, config: AdamWConfig(weightDecay: 0))
        let schedule = LRSchedule(peak: 1e-2, warmupSteps: 20, totalSteps: steps, minimum: 1e-3)

        let rows = B * T
        let cond = randomTensor([B, D], seed: 2)   // a fixed conditioning vector per sample
        let dcond = Tensor(shape: [B, D])
        let acts = (0...2).map { _ in Tensor(shape: [rows, D]) }   // residual stream before/after each block
        let normed = Tensor(shape: [rows, D]), logits = Tensor(shape: [rows, vocab])
        let dnormed = Tensor(shape: [rows, D]), dres = Tensor(shape: [rows, D])
        var ids = [Int](repeating: 0, count: rows), pos = ids, targets = ids
        for r in 0..<rows { pos[r] = r % T }
        var rng = Philox(seed: 3)
        var lastLosses: [Float] = []
        for step in 0..<steps {
            for b in 0..<B {
                for t in 0..<T { ids[b * T + t] = rng.nextInt(below: vocab) }
                for t in 0..<T { targets[b * T + t] = ids[b * T + T - 1 - t] }
            }
            store.zeroGrads()
            let loss: Float = ids.withUnsafeBufferPointer { idp in
                pos.withUnsafeBufferPointer { pp in
                    targets.withUnsafeBufferPointer { tp in
                        tokEmb.forward(idp.baseAddress!, acts[0].data, rows: rows)
                        posEmb.forward(pp.baseAddress!, acts[0].data, rows: rows, accumulate: true)
                        for (i, blk) in blocks.enumerated() {
                            blk.forward(acts[i].data, c: cond.data, keyMask: nil, acts[i + 1].data, batch: B, tokens: T)
                        }
                        norm.forward(acts[2].data, normed.data, rows: rows)
                        head.forward(normed.data, logits.data, rows: rows)
                        let l = CrossEntropy.forwardBackward(logits.data, targets: tp.baseAddress!, weights: nil,
                                                             dlogits: logits.data, rows: rows, classes: vocab)
                        head.backward(logits.data, normed.data, dnormed.data, rows: rows)
                        norm.backward(dnormed.data, acts[2].data, dres.data, rows: rows)
                        dcond.zero()
                        for blk in blocks.reversed() { blk.backward(dres.data, dres.data, dc: dcond.data) }
                        tokEmb.backward(idp.baseAddress!, dres.data, rows: rows)
                        posEmb.backward(pp.baseAddress!, dres.data, rows: rows)
                        return l
                    }
                }
            }
            GradientClipping.clip(store.grads, maxNorm: 1)
            opt.update(lr: schedule.rate(at: step))
            if step >= steps - 10 { lastLosses.append(loss) }
            if step == 0 { XCTAssertGreaterThan(loss, 1.5) }
        }
        let final = lastLosses.reduce(0, +) / Float(lastLosses.count)
        print("toy reverse task: mean loss of the last 10 steps \(final)")
        XCTAssertLessThan(final, 0.1)
    }
}
