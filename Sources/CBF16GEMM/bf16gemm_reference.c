// bf16gemm_reference.c: the plain parts of the bfloat16 GEMM: CPU feature detection by cpuid, the
// scalar round-to-nearest-even conversion, and the naive reference product the tests compare the
// AVX512-BF16 kernel against (llm.c style: a naive kernel beside the fast one).
// Follows: Intel 64 and IA-32 Architectures Software Developer's Manual, vol. 2 (CPUID leaf 7,
// XGETBV) and Intel's BF16 white paper "BFLOAT16 - Hardware Numerics Definition" (rounding).
#include "bf16gemm.h"
#include <cpuid.h>
#include <stdint.h>
#include <string.h>

static int detect(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    if (!(c & (1u << 27))) return 0;                        // OSXSAVE: XGETBV usable
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    if ((lo & 0xE6) != 0xE6) return 0;                      // XMM, YMM, opmask, ZMM_Hi256, Hi16_ZMM state
    if (__get_cpuid_max(0, 0) < 7) return 0;
    __cpuid_count(7, 0, a, b, c, d);
    const unsigned need = (1u << 16) | (1u << 30) | (1u << 31); // AVX512F, AVX512BW, AVX512VL
    if ((b & need) != need) return 0;
    __cpuid_count(7, 1, a, b, c, d);
    return (a >> 5) & 1;                                    // AVX512_BF16
}

int bf16gemm_supported(void) {
    static int cached = -1;
    if (cached < 0) cached = detect();
    return cached;
}

float bf16_round(float x) {
    uint32_t u;
    memcpy(&u, &x, 4);
    if ((u & 0x7F800000u) == 0x7F800000u && (u & 0x007FFFFFu)) {
        u |= 0x00400000u;                                   // quiet NaN, keeps its sign
    } else {
        u += 0x7FFFu + ((u >> 16) & 1u);                    // nearest, ties to even
    }
    u &= 0xFFFF0000u;
    memcpy(&x, &u, 4);
    return x;
}

void bf16gemm_reference(int transA, int transB, int m, int n, int k, float alpha,
                        const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc) {
    for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
            double s = 0;
            for (int p = 0; p < k; p++) {
                float av = transA ? a[(long)p * lda + i] : a[(long)i * lda + p];
                float bv = transB ? b[(long)j * ldb + p] : b[(long)p * ldb + j];
                s += (double)bf16_round(av) * (double)bf16_round(bv);
            }
            float *cp = c + (long)i * ldc + j;
            *cp = alpha * (float)s + (beta == 0 ? 0 : beta * *cp);
        }
    }
}
