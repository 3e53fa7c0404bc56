// BF16GEMMTests.swift: the AVX512-BF16 GEMM against its naive reference (same bf16 rounding, sums
// in double) on awkward shapes and every transpose, against float32 sgemm on the model's shapes
// within the bf16 error bound, its independence of the row split, and Matmul's precision switch.
//
// Bounds. With u = 2^-8 the relative rounding error of one bf16 input (8 significant bits, nearest),
// each product a_p b_p picks up at most (2u + u^2)|a_p b_p|, and float32 sums of k terms at most
// about k 2^-24 sum_p |a_p b_p| (the reference sums in double). So, with S = sum_p |a_p b_p|
// <= ||a_row|| ||b_col|| (Cauchy-Schwarz):
//   kernel vs reference:  |C - C_ref| <= 2 k 2^-24 S            (only the order of float32 sums differs)
//   kernel vs sgemm:      |C - C_f32| <= (2u + u^2 + 2 k 2^-24) ||a_row|| ||b_col||
// and, as the rounding errors are independent, the typical error is about u sqrt(sum_p (a_p b_p)^2):
// the test also holds every element within 6 u sqrt(sum_p (a_p b_p)^2) (so about 6 u sqrt(k) rms(a) rms(b)).
import XCTest
@testable import Core

final class BF16GEMMTests: XCTestCase {
    let u = 1.0 / 256

    func random(_ count: Int, seed: UInt64) -> [Float] {
        var g = Philox(seed: seed)
        var x = [Float](repeating: 0, count: count)
        g.fillGaussian(&x, count: count)
        return x
    }

    /// op(A)[i, p] and op(B)[p, j] of row-major storage.
    func opA(_ a: [Float], _ t: Bool, _ lda: Int, _ i: Int, _ p: Int) -> Double { Double(t ? a[p * lda + i] : a[i * lda + p]) }
    func opB(_ b: [Float], _ t: Bool, _ ldb: Int, _ p: Int, _ j: Int) -> Double { Double(t ? b[j * ldb + p] : b[p * ldb + j]) }

    func testKernelMatchesNaiveReferenceOnEveryTransposeAndEdge() throws {
        try XCTSkipUnless(BF16GEMM.isSupported, "no AVX512-BF16: bf16gemm runs its reference")
        // edges in m (not a multiple of 12), n (of 32), odd k, k over one 256-wide block, n over 1024
        let shapes = [(1, 1, 1), (13, 33, 7), (37, 45, 67), (25, 70, 301), (12, 1100, 40), (50, 64, 520)]
        for (si, (m, n, k)) in shapes.enumerated() {
            for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
                let lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 1, ldc = n + 2
                let a = random((ta ? k : m) * lda, seed: UInt64(10 + si)), b = random((tb ? n : k) * ldb, seed: UInt64(30 + si))
                let c0 = random(m * ldc, seed: 99)
                for (alpha, beta) in [(Float(1), Float(0)), (Float(0.5), Float(-1.25))] {
                    var c = c0, ref = c0
                    BF16GEMM.gemm(transA: ta, transB: tb, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                                  beta: beta, c: &c, ldc: ldc)
                    BF16GEMM.reference(transA: ta, transB: tb, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b,
                                       ldb: ldb, beta: beta, c: &ref, ldc: ldc)
                    var worst = 0.0
                    for i in 0..<m {
                        for j in 0..<n {
                            var s = 0.0
                            for p in 0..<k { s += abs(opA(a, ta, lda, i, p) * opB(b, tb, ldb, p, j)) }
                            let bound = Double(abs(alpha)) * 2 * Double(k) * 0x1p-24 * s + 1e-6 * abs(Double(ref[i * ldc + j]))
                            worst = max(worst, abs(Double(c[i * ldc + j] - ref[i * ldc + j])) / max(bound, 1e-30))
                        }
                        for j in n..<ldc { XCTAssertEqual(c[i * ldc + j], c0[i * ldc + j], "wrote outside C") }
                    }
                    XCTAssertLessThanOrEqual(worst, 1, "m \(m) n \(n) k \(k) transA \(ta) transB \(tb) alpha \(alpha)")
                }
            }
        }
    }

    /// The Linear layers' products at the default model's sizes (d 256, MLP 1024, 40 tokens x 64).
    func testModelShapesAgainstSgemmWithinBF16Bound() throws {
        try XCTSkipUnless(BF16GEMM.isSupported, "no AVX512-BF16: BF16GEMM runs sgemm")
        // (transA, transB, m, n, k): qkv forward, fc2 forward, fc1 input gradient, qkv weight gradient, text head
        let cases = [(false, true, 2560, 768, 256), (false, true, 2560, 256, 1024), (false, false, 2560, 256, 1024),
                     (true, false, 768, 256, 2560), (false, true, 1536, 1940, 256)]
        for (ta, tb, m, n, k) in cases {
            let lda = ta ? m : k, ldb = tb ? k : n
            let a = random(m * k, seed: 1), b = random(k * n, seed: 2)
            var c = [Float](repeating: 0, count: m * n), f32 = c
            BF16GEMM.gemm(transA: ta, transB: tb, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, c: &c, ldc: n, threads: 2)
            BLAS.sgemm(transA: ta, transB: tb, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, c: &f32, ldc: n)
            // norms of the rows of op(A) and the columns of op(B)
            var aRow = [Double](repeating: 0, count: m), bCol = [Double](repeating: 0, count: n)
            for i in stride(from: 0, to: m, by: 61) { for p in 0..<k { aRow[i] += opA(a, ta, lda, i, p) * opA(a, ta, lda, i, p) } }
            for j in 0..<n { for p in 0..<k { bCol[j] += opB(b, tb, ldb, p, j) * opB(b, tb, ldb, p, j) } }
            let rigorous = 2 * u + u * u + 2 * Double(k) * 0x1p-24
            var worstRigorous = 0.0, worstTypical = 0.0, largest = 0.0
            for i in stride(from: 0, to: m, by: 61) {       // every 61st row (a debug build is slow)
                for j in 0..<n {
                    var sq = 0.0
                    for p in 0..<k { let t = opA(a, ta, lda, i, p) * opB(b, tb, ldb, p, j); sq += t * t }
                    let e = abs(Double(c[i * n + j] - f32[i * n + j]))
                    worstRigorous = max(worstRigorous, e / (rigorous * (aRow[i] * bCol[j]).squareRoot()))
                    worstTypical = max(worstTypical, e / (6 * u * sq.squareRoot()))
                    largest = max(largest, e / sq.squareRoot())
                }
            }
            let label = "transA \(ta) transB \(tb) \(m)x\(n)x\(k)"
            XCTAssertLessThanOrEqual(worstRigorous, 1, label)
            XCTAssertLessThanOrEqual(worstTypical, 1, label)
            // and the inputs really were rounded: float32 inputs would be some 100x closer
            XCTAssertGreaterThan(largest, u / 4, label)
        }
    }

    func testRowSplitDoesNotChangeBits() throws {
        try XCTSkipUnless(BF16GEMM.isSupported)
        let m = 530, n = 96, k = 300
        let a = random(m * k, seed: 5), b = random(n * k, seed: 6)
        var one = [Float](repeating: 0, count: m * n), two = one, whole = one
        BF16GEMM.gemm(transB: true, m: m, n: n, k: k, a: a, lda: k, b: b, ldb: k, c: &one, ldc: n, threads: 1)
        BF16GEMM.gemm(transB: true, m: m, n: n, k: k, a: a, lda: k, b: b, ldb: k, c: &two, ldc: n, threads: 2)
        // by hand: 17 rows, then the rest
        a.withUnsafeBufferPointer { ap in
            whole.withUnsafeMutableBufferPointer { cp in
                BF16GEMM.gemm(transB: true, m: 17, n: n, k: k, a: ap.baseAddress!, lda: k, b: b, ldb: k,
                              c: cp.baseAddress!, ldc: n)
                BF16GEMM.gemm(transB: true, m: m - 17, n: n, k: k, a: ap.baseAddress! + 17 * k, lda: k, b: b, ldb: k,
                              c: cp.baseAddress! + 17 * n, ldc: n)
            }
        }
        XCTAssertEqual(one, two)
        XCTAssertEqual(one, whole)
    }

    func testMatmulHonoursPrecision() throws {
        try XCTSkipUnless(BF16GEMM.isSupported)
        defer { Matmul.precision = .fp32 }
        let m = 200, n = 64, k = 600
        let a = random(k * m, seed: 7), b = random(k * n, seed: 8)
        func run(_ p: Precision) -> [Float] {
            Matmul.precision = p
            var c = [Float](repeating: 0, count: m * n), s = [Float](repeating: 0, count: 3 * m * n)
            Matmul.gemmSplitK(transA: true, m: m, n: n, k: k, a: a, lda: m, b: b, ldb: n, c: &c, ldc: n, scratch: &s, threads: 2)
            return c
        }
        var direct = [Float](repeating: 0, count: m * n)
        BF16GEMM.gemm(transA: true, m: m, n: n, k: k, a: a, lda: m, b: b, ldb: n, c: &direct, ldc: n)
        XCTAssertEqual(run(.bf16), direct)
        let f32 = run(.fp32)
        XCTAssertNotEqual(f32, direct)
        var ref = [Float](repeating: 0, count: m * n)
        Matmul.reference(transA: true, transB: false, m: m, n: n, k: k, a: a, lda: m, b: b, ldb: n, c: &ref, ldc: n)
        for i in 0..<m * n { XCTAssertEqual(f32[i], ref[i], accuracy: 1e-3) }
    }

    func testRoundingIsNearestEven() throws {
        XCTAssertEqual(BF16GEMM.round(1), 1)
        XCTAssertEqual(BF16GEMM.round(1 + 0x1p-8), 1)                  // tie, down to even
        XCTAssertEqual(BF16GEMM.round(1 + 3 * 0x1p-8), 1 + 0x1p-6)     // tie, up to even
        XCTAssertEqual(BF16GEMM.round(1 + 0x1p-8 + 0x1p-20), 1 + 0x1p-7)
        XCTAssertEqual(BF16GEMM.round(-.greatestFiniteMagnitude), -.infinity)   // past bf16's largest finite value
        XCTAssertTrue(BF16GEMM.round(.nan).isNaN)
        XCTAssertEqual(BF16GEMM.round(.infinity), .infinity)
        XCTAssertThrowsError(try Precision(parsing: "fp16"))
        XCTAssertEqual(try Precision(parsing: "BF16"), .bf16)
    }
}
