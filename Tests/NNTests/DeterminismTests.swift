// DeterminismTests.swift: one DiT block forward + backward, and an AdamW step, give bitwise identical
// results at 1 and 2 threads (ours and OpenBLAS's) from the same seed.
import XCTest
@testable import Core
@testable import NN

final class DeterminismTests: XCTestCase {
    func runBlock(threads: Int) -> [[Float]] {
        Threads.configure(threads)
        defer { Threads.configure(1) }
        let B = 8, T = 64, D = 64
        let store = ParameterStore()
        let block = DiTBlock(store, "blk", config: DiTBlockConfig(dim: D, heads: 4), maxBatch: B, maxTokens: T)
        store.finalize(seed: 5)
        GradCheck.randomizeStore(store, seed: 6, scale: 0.1)
        block.threads = threads
        let x = randomTensor([B, T, D], seed: 7), c = randomTensor([B, D], seed: 8), dout = randomTensor([B, T, D], seed: 9)
        let mask = Tensor(shape: [B, T])
        for b in 0..<B { for t in 0..<T { mask[b * T + t] = t < T - 5 * b ? 1 : 0 } }
        let y = Tensor(shape: [B, T, D]), dx = Tensor(shape: [B, T, D]), dc = Tensor(shape: [B, D])
        block.forward(x.data, c: c.data, keyMask: mask.data, y.data, batch: B, tokens: T)
        block.backward(dout.data, dx.data, dc: dc.data)
        let opt = AdamW(store: store)
        opt.threads = threads
        opt.update(lr: 1e-3)
        return [y.toArray(), dx.toArray(), dc.toArray(), store.grads.toArray(), store.params.toArray()]
    }

    func testBlockBitwiseIdenticalAtOneAndTwoThreads() {
        let one = runBlock(threads: 1), two = runBlock(threads: 2)
        for (i, name) in ["output", "dx", "dc", "grads", "params after AdamW"].enumerated() {
            let diff = zip(one[i], two[i]).filter { $0.0 != $0.1 }.count
            XCTAssertEqual(diff, 0, "\(name): \(diff) of \(one[i].count) values differ")
        }
        XCTAssertTrue(one[3].contains { $0 != 0 })
    }
}
