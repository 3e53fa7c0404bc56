// ThreadsTests.swift: parallel loops cover every chunk exactly once, and kernels split by
// Threads.parallelRanges give bitwise identical results at 1 and 2 threads.
import XCTest
@testable import Core

final class ThreadsTests: XCTestCase {
    func testEveryChunkRunsOnce() {
        for threads in [1, 2, 3] {
            var hits = [Int](repeating: 0, count: 37)
            hits.withUnsafeMutableBufferPointer { h in
                let p = h.baseAddress!
                Threads.parallelFor(37, threads: threads) { p[$0] += 1 }
            }
            XCTAssertEqual(hits, [Int](repeating: 1, count: 37))
        }
    }

    func testParallelKernelsBitwiseIdenticalAcrossThreadCounts() {
        let rows = 64, cols = 50
        var g = Philox(seed: 3)
        let x = Tensor(shape: [rows, cols])
        g.fillGaussian(x.data, count: x.count)
        func run(_ threads: Int) -> ([Float], [Float], [Float]) {
            let sm = Tensor(shape: [rows, cols]), ge = Tensor(shape: [rows, cols])
            var partial = [Float](repeating: 0, count: rows)
            Threads.parallelRanges(rows, grain: 8, threads: threads) { r in
                Softmax.forward(x.data + r.lowerBound * cols, sm.data + r.lowerBound * cols, rows: r.count, cols: cols)
            }
            Threads.parallelRanges(rows * cols, grain: 160, threads: threads) { r in
                Activations.gelu(x.data + r.lowerBound, ge.data + r.lowerBound, r.count)
            }
            partial.withUnsafeMutableBufferPointer { pp in
                let p = pp.baseAddress!
                Threads.parallelFor(rows, threads: threads) { r in p[r] = Kernels.dot(x.data + r * cols, sm.data + r * cols, cols) }
            }
            return (sm.toArray(), ge.toArray(), partial)
        }
        let one = run(1), two = run(2)
        XCTAssertEqual(one.0, two.0)
        XCTAssertEqual(one.1, two.1)
        XCTAssertEqual(one.2, two.2)
    }
}
