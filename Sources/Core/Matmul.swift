// Matmul.swift: tensor-level matrix products over BLAS.sgemm: one product of two tensors (leading
// dimensions flattened into rows), and strided batches of small products (attention's per-sample,
// per-head products), optionally spread over our threads with OpenBLAS held at one thread.
// `precision` picks float32 sgemm or the bfloat16 GEMM for matmul, gemm and gemmSplitK (the Linear
// layers' products); the batched products (attention) stay float32.

public enum Matmul {
    /// The arithmetic of matmul, gemm and gemmSplitK (set once at start-up, before any thread runs).
    nonisolated(unsafe) public static var precision: Precision = .fp32

    /// True when products run in bfloat16 (asked for, and the CPU has AVX512-BF16).
    @inline(__always)
    static var useBF16: Bool { precision == .bf16 && BF16GEMM.isSupported }

    /// Rows and columns of a tensor seen as a matrix: the last dimension is the columns.
    @inline(__always)
    static func matrixShape(_ t: Tensor) -> (rows: Int, cols: Int) {
        let cols = t.shape.last ?? 1
        return (cols == 0 ? 0 : t.count / cols, cols)
    }

    /// c = alpha * op(a) * op(b) + beta * c, where op transposes when asked. Tensors of rank above 2
    /// are matrices with their leading dimensions flattened into rows.
    public static func matmul(_ a: Tensor, _ b: Tensor, into c: Tensor, transA: Bool = false, transB: Bool = false,
                              alpha: Float = 1, beta: Float = 0) {
        let (ar, ac) = matrixShape(a), (br, bc) = matrixShape(b), (cr, cc) = matrixShape(c)
        let m = transA ? ac : ar, k = transA ? ar : ac
        let kb = transB ? bc : br, n = transB ? br : bc
        precondition(k == kb && cr == m && cc == n,
                     "matmul shapes \(a.shape)\(transA ? "ᵀ" : "") x \(b.shape)\(transB ? "ᵀ" : "") -> \(c.shape)")
        if useBF16 {
            BF16GEMM.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a.data, lda: ac,
                          b: b.data, ldb: bc, beta: beta, c: c.data, ldc: cc)
            return
        }
        BLAS.sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a.data, lda: ac,
                   b: b.data, ldb: bc, beta: beta, c: c.data, ldc: cc)
    }

    /// A new tensor op(a) * op(b).
    public static func matmul(_ a: Tensor, _ b: Tensor, transA: Bool = false, transB: Bool = false) -> Tensor {
        let (ar, ac) = matrixShape(a), (br, bc) = matrixShape(b)
        let c = Tensor(shape: [transA ? ac : ar, transB ? br : bc])
        matmul(a, b, into: c, transA: transA, transB: transB)
        return c
    }

    /// Row blocks of a product with m rows: a function of the shape only (never of the thread
    /// count), so a split product gives the same bits on any number of threads.
    @inline(__always)
    public static func rowBlock(m: Int, n: Int, k: Int) -> Int {
        if m * n * k < 1 << 21 || m < 32 { return max(m, 1) }  // small: one call
        let blocks = min(8, max(2, m / 256))                   // 2 to 8 blocks of at least 256 rows when m allows
        return ((m + blocks - 1) / blocks + 15) / 16 * 16
    }

    /// C = alpha op(A) op(B) + beta C (row-major, as BLAS.sgemm), the rows of C split into fixed
    /// blocks that run on our threads while OpenBLAS is held at one thread. OpenBLAS's own threads
    /// split products differently at each thread count and change the last bits; this does not.
    public static func gemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int, alpha: Float = 1,
                            a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int, beta: Float = 0,
                            c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int) {
        if m == 0 || n == 0 { return }
        if useBF16 {
            BF16GEMM.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b,
                          ldb: ldb, beta: beta, c: c, ldc: ldc, threads: threads)
            return
        }
        let block = rowBlock(m: m, n: n, k: k)
        let blocks = (m + block - 1) / block
        withSingleThreadedBLAS {
            Threads.parallelFor(blocks, threads: threads) { i in
                let r0 = i * block, rows = min(block, m - r0)
                BLAS.sgemm(transA: transA, transB: transB, m: rows, n: n, k: k, alpha: alpha,
                           a: transA ? a + r0 : a + r0 * lda, lda: lda, b: b, ldb: ldb, beta: beta,
                           c: c + r0 * ldc, ldc: ldc)
            }
        }
    }

    /// Number of reduction blocks `gemmSplitK` uses for a reduction of length k (shape only).
    @inline(__always)
    public static func reductionBlocks(k: Int) -> Int { min(maxReductionBlocks, max(1, k / 256)) }
    public static let maxReductionBlocks = 4

    /// C = op(A) op(B) + beta C for products with a long reduction (weight gradients: k = rows of a
    /// batch): the reduction is cut into `reductionBlocks(k)` fixed blocks computed in parallel, the
    /// partial products summed in a fixed order. scratch: at least (maxReductionBlocks - 1) * m * n floats.
    public static func gemmSplitK(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
                                  a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int, beta: Float = 0,
                                  c: UnsafeMutablePointer<Float>, ldc: Int, scratch: UnsafeMutablePointer<Float>,
                                  threads: Int) {
        precondition(ldc == n, "gemmSplitK needs a dense C")
        if useBF16 {  // the bf16 kernel blocks k itself: split the rows of C instead
            BF16GEMM.gemm(transA: transA, transB: transB, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, beta: beta,
                          c: c, ldc: ldc, threads: threads)
            return
        }
        let parts = reductionBlocks(k: k)
        let len = (k + parts - 1) / parts
        withSingleThreadedBLAS {
            Threads.parallelFor(parts, threads: threads) { i in
                let k0 = i * len, kk = min(len, k - k0)
                // op(A)[:, k0..] and op(B)[k0.., :]
                let ap = transA ? a + k0 * lda : a + k0
                let bp = transB ? b + k0 : b + k0 * ldb
                BLAS.sgemm(transA: transA, transB: transB, m: m, n: n, k: kk, a: ap, lda: lda, b: bp, ldb: ldb,
                           beta: i == 0 ? beta : 0, c: i == 0 ? c : scratch + (i - 1) * m * n, ldc: n)
            }
            if parts > 1 {
                Threads.parallelRanges(m * n, grain: 16384, threads: threads) { r in
                    for i in 1..<parts {
                        Kernels.add(c + r.lowerBound, scratch + (i - 1) * m * n + r.lowerBound, c + r.lowerBound, r.count)
                    }
                }
            }
        }
    }

    /// Runs body with OpenBLAS at one thread, restoring its thread count afterwards.
    @inline(__always)
    public static func withSingleThreadedBLAS(_ body: () -> Void) {
        let saved = BLAS.threads
        if saved != 1 { BLAS.setThreads(1) }
        body()
        if saved != 1 { BLAS.setThreads(saved) }
    }

    /// One operand of a batched product: matrix (i, j) of the batch starts at
    /// base + i * outer + j * inner, with row stride `ld`.
    public struct Strided {
        public var base: UnsafeMutablePointer<Float>
        public var ld: Int
        public var outer: Int
        public var inner: Int
        public init(_ base: UnsafeMutablePointer<Float>, ld: Int, outer: Int, inner: Int = 0) {
            self.base = base; self.ld = ld; self.outer = outer; self.inner = inner
        }
        @inline(__always) func at(_ i: Int, _ j: Int) -> UnsafeMutablePointer<Float> { base + i * outer + j * inner }
    }

    /// For i in 0..<count, j in 0..<innerCount: C_ij = alpha op(A_ij) op(B_ij) + beta C_ij.
    /// With threads > 1 the products are spread over our threads, OpenBLAS at one thread meanwhile
    /// (each product is computed whole by one thread, so the result does not depend on `threads`).
    public static func batched(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int, alpha: Float = 1,
                               a: Strided, b: Strided, beta: Float = 0, c: Strided,
                               count: Int, innerCount: Int = 1, threads: Int = 1) {
        let total = count * innerCount
        let run = { (idx: Int) in
            let i = idx / innerCount, j = idx % innerCount
            BLAS.sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a.at(i, j), lda: a.ld,
                       b: b.at(i, j), ldb: b.ld, beta: beta, c: c.at(i, j), ldc: c.ld)
        }
        if threads <= 1 || total <= 1 {
            for idx in 0..<total { run(idx) }
            return
        }
        withSingleThreadedBLAS { Threads.parallelFor(total, threads: threads, run) }
    }

    // MARK: scalar reference

    /// c = op(a) op(b) in Double, row-major, for the tests.
    public static func reference(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                                 a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                                 c: UnsafeMutablePointer<Float>, ldc: Int) {
        for i in 0..<m {
            for j in 0..<n {
                var s = 0.0
                for p in 0..<k {
                    let av = transA ? a[p * lda + i] : a[i * lda + p]
                    let bv = transB ? b[j * ldb + p] : b[p * ldb + j]
                    s += Double(av) * Double(bv)
                }
                c[i * ldc + j] = Float(s)
            }
        }
    }
}
