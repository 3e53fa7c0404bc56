// MatmulTests.swift: tensor matmul (all transposes) and strided batched products against the
// Double reference, and the batched product's independence of the thread count.
import XCTest
@testable import Core

final class MatmulTests: XCTestCase {
    func random(_ shape: [Int], seed: UInt64) -> Tensor {
        let t = Tensor(shape: shape)
        var g = Philox(seed: seed)
        g.fillGaussian(t.data, count: t.count)
        return t
    }

    func testMatmulAllTransposes() {
        let m = 7, n = 5, k = 9
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            let a = random(ta ? [k, m] : [m, k], seed: 1), b = random(tb ? [n, k] : [k, n], seed: 2)
            let c = Matmul.matmul(a, b, transA: ta, transB: tb)
            XCTAssertEqual(c.shape, [m, n])
            let ref = Tensor(shape: [m, n])
            Matmul.reference(transA: ta, transB: tb, m: m, n: n, k: k, a: a.data, lda: a.shape[1], b: b.data,
                             ldb: b.shape[1], c: ref.data, ldc: n)
            for i in 0..<m * n { XCTAssertEqual(c[i], ref[i], accuracy: 1e-4, "transA \(ta) transB \(tb)") }
        }
        // rank-3 input flattens its leading dimensions, and beta accumulates
        let x = random([2, 3, 4], seed: 3), w = random([6, 4], seed: 4)
        let y = Tensor(shape: [2, 3, 6])
        y.fill(1)
        Matmul.matmul(x, w, into: y, transB: true, beta: 1)
        let ref = Tensor(shape: [6, 6])
        Matmul.reference(transA: false, transB: true, m: 6, n: 6, k: 4, a: x.data, lda: 4, b: w.data, ldb: 4, c: ref.data, ldc: 6)
        for i in 0..<36 { XCTAssertEqual(y[i], ref[i] + 1, accuracy: 1e-4) }
    }

    func testBatchedMatchesReferenceAndIsThreadIndependent() {
        // 3 x 2 products of [4, 6] x [6, 5]^T-free, laid out like attention heads (inner stride = column offset)
        let outer = 3, inner = 2, m = 4, k = 6, n = 5
        let a = random([outer, m, inner * k], seed: 5), b = random([outer, k, inner * n], seed: 6)
        func run(_ threads: Int) -> Tensor {
            let c = Tensor(shape: [outer, m, inner * n])
            Matmul.batched(m: m, n: n, k: k,
                           a: .init(a.data, ld: inner * k, outer: m * inner * k, inner: k),
                           b: .init(b.data, ld: inner * n, outer: k * inner * n, inner: n),
                           c: .init(c.data, ld: inner * n, outer: m * inner * n, inner: n),
                           count: outer, innerCount: inner, threads: threads)
            return c
        }
        let c1 = run(1), c2 = run(2)
        XCTAssertEqual(c1.toArray(), c2.toArray())
        for i in 0..<outer {
            for j in 0..<inner {
                let ref = Tensor(shape: [m, n])
                Matmul.reference(transA: false, transB: false, m: m, n: n, k: k, a: a.data + i * m * inner * k + j * k,
                                 lda: inner * k, b: b.data + i * k * inner * n + j * n, ldb: inner * n, c: ref.data, ldc: n)
                for r in 0..<m {
                    for col in 0..<n {
                        XCTAssertEqual(c1[i * m * inner * n + r * inner * n + j * n + col], ref[r * n + col], accuracy: 1e-4)
                    }
                }
            }
        }
    }

    func testSplitProductsMatchReferenceAndThreadCount() {
        // row-split product (m * n * k above the one-call limit: 2 row blocks)
        let m = 300, n = 70, k = 120
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            let a = random(ta ? [k, m] : [m, k], seed: 7), b = random(tb ? [n, k] : [k, n], seed: 8)
            XCTAssertGreaterThan((m + Matmul.rowBlock(m: m, n: n, k: k) - 1) / Matmul.rowBlock(m: m, n: n, k: k), 1)
            var results: [[Float]] = []
            for threads in [1, 2] {
                let c = Tensor(shape: [m, n])
                Matmul.gemm(transA: ta, transB: tb, m: m, n: n, k: k, a: a.data, lda: a.shape[1], b: b.data, ldb: b.shape[1],
                            c: c.data, ldc: n, threads: threads)
                results.append(c.toArray())
            }
            XCTAssertEqual(results[0], results[1])
            let ref = Tensor(shape: [m, n])
            Matmul.reference(transA: ta, transB: tb, m: m, n: n, k: k, a: a.data, lda: a.shape[1], b: b.data,
                             ldb: b.shape[1], c: ref.data, ldc: n)
            for i in 0..<m * n { XCTAssertEqual(results[0][i], ref[i], accuracy: 1e-3) }
        }
        // split reduction (a weight gradient: dW[out, in] += dy^T x over 1100 rows, 4 partial products)
        let rows = 1100, outF = 12, inF = 9
        XCTAssertEqual(Matmul.reductionBlocks(k: rows), 4)
        let dy = random([rows, outF], seed: 9), x = random([rows, inF], seed: 10)
        let scratch = Tensor(shape: [Matmul.maxReductionBlocks - 1, outF, inF])
        var results: [[Float]] = []
        for threads in [1, 2] {
            let dw = Tensor(shape: [outF, inF])
            dw.fill(0.5)
            Matmul.gemmSplitK(transA: true, m: outF, n: inF, k: rows, a: dy.data, lda: outF, b: x.data, ldb: inF, beta: 1,
                              c: dw.data, ldc: inF, scratch: scratch.data, threads: threads)
            results.append(dw.toArray())
        }
        XCTAssertEqual(results[0], results[1])
        let ref = Tensor(shape: [outF, inF])
        Matmul.reference(transA: true, transB: false, m: outF, n: inF, k: rows, a: dy.data, lda: outF, b: x.data, ldb: inF,
                         c: ref.data, ldc: inF)
        for i in 0..<outF * inF { XCTAssertEqual(results[0][i], ref[i] + 0.5, accuracy: 1e-3) }
    }
}
