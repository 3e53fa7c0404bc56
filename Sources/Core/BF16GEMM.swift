// BF16GEMM.swift: Swift face of the bfloat16 GEMM in Sources/CBF16GEMM (AVX512-BF16 vdpbf16ps,
// float32 accumulation): the same call shape as BLAS.sgemm, a row split over our threads, and the
// naive reference the tests compare it with. On a CPU without AVX512-BF16, `gemm` runs sgemm.
import CBF16GEMM

public enum BF16GEMM {
    /// True when this CPU runs the AVX512-BF16 kernel (cpuid, checked once).
    public static let isSupported: Bool = bf16gemm_supported() != 0

    /// C[m,n] = alpha op(A) op(B) + beta C, op(A) and op(B) rounded to bfloat16, sums in float32.
    /// Row-major; lda, ldb, ldc as in BLAS.sgemm. One thread. Without AVX512-BF16: float32 sgemm.
    @inline(__always)
    public static func gemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int, alpha: Float = 1,
                            a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int, beta: Float = 0,
                            c: UnsafeMutablePointer<Float>, ldc: Int) {
        guard isSupported else {
            BLAS.sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                       beta: beta, c: c, ldc: ldc)
            return
        }
        bf16gemm(transA ? 1 : 0, transB ? 1 : 0, Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb),
                 beta, c, Int32(ldc))
    }

    /// Rows of C per parallel part: a multiple of the kernel's 12-row panels. An element's value
    /// does not depend on which part computes it, so any split gives the same bits.
    @inline(__always)
    static func partRows(m: Int, parts: Int) -> Int { ((m + parts - 1) / parts + 47) / 48 * 48 }

    /// `gemm` with the rows of C split into `threads` parts computed in parallel.
    public static func gemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int, alpha: Float = 1,
                            a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int, beta: Float = 0,
                            c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int) {
        if m == 0 || n == 0 { return }
        let small = m < 96 || m * n * k < 1 << 21
        let rows = small || threads <= 1 ? m : partRows(m: m, parts: threads)
        let parts = (m + rows - 1) / rows
        let body = { (i: Int) in
            let r0 = i * rows, mr = min(rows, m - r0)
            gemm(transA: transA, transB: transB, m: mr, n: n, k: k, alpha: alpha, a: transA ? a + r0 : a + r0 * lda,
                 lda: lda, b: b, ldb: ldb, beta: beta, c: c + r0 * ldc, ldc: ldc)
        }
        if parts == 1 { body(0); return }
        Matmul.withSingleThreadedBLAS { Threads.parallelFor(parts, threads: threads, body) }
    }

    /// The tests' reference: the same rounding of the inputs, three loops, sums in double.
    public static func reference(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int, alpha: Float = 1,
                                 a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int, beta: Float = 0,
                                 c: UnsafeMutablePointer<Float>, ldc: Int) {
        bf16gemm_reference(transA ? 1 : 0, transB ? 1 : 0, Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b,
                           Int32(ldb), beta, c, Int32(ldc))
    }

    /// x rounded to the nearest bfloat16 (ties to even), as a float.
    public static func round(_ x: Float) -> Float { bf16_round(x) }
}
