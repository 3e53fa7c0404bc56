// bf16gemm.h: Diptych's bfloat16 matrix product for CPUs with AVX512-BF16 (vdpbf16ps), with FP32
// accumulation, plus a naive reference of the same arithmetic for the tests. Row-major, BLAS-style.
#ifndef DIPTYCH_BF16GEMM_H
#define DIPTYCH_BF16GEMM_H

#ifdef __cplusplus
extern "C" {
#endif

/// 1 when this CPU (and its OS) runs AVX-512F/BW/VL and AVX512-BF16 instructions, else 0 (cpuid
/// leaf 7 subleaf 0 and 1, and XCR0 for the zmm state).
int bf16gemm_supported(void);

/// C[m,n] = alpha * op(A)[m,k] * op(B)[k,n] + beta * C with op(A), op(B) rounded to bfloat16
/// (round to nearest even) and products summed in float32. Row-major; lda, ldb, ldc are the row
/// strides as stored (before any transpose). beta == 0 never reads C. Single-threaded: callers
/// split the rows of C over threads (the result of an element does not depend on the split).
/// Without AVX512-BF16 it runs bf16gemm_reference (correct, slow): check bf16gemm_supported.
void bf16gemm(int transA, int transB, int m, int n, int k, float alpha,
              const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc);

/// The same product by three plain loops: inputs rounded to bfloat16 like the kernel, each element
/// accumulated in double then rounded to float. The tests' reference for bf16gemm.
void bf16gemm_reference(int transA, int transB, int m, int n, int k, float alpha,
                        const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc);

/// x rounded to bfloat16 (nearest even; NaN stays NaN) and widened back to float.
float bf16_round(float x);

#ifdef __cplusplus
}
#endif
#endif
