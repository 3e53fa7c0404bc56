// bf16gemm.c: C = alpha op(A) op(B) + beta C with bfloat16 inputs and float32 accumulation on
// AVX512-BF16 (vdpbf16ps: each float32 lane adds the two products of a pair of bf16 values).
//
// Blocking after Goto & van de Geijn, "Anatomy of High-Performance Matrix Multiplication" (2008)
// and the BLIS loop order: for each block of KC_PAIRS pairs along k, for each NC columns, pack B
// (KC x NC, in L2), for each MC rows pack A (MC x KC, in L2), then the micro-kernel runs over NR-wide
// B micro-panels (in L1) and MR-tall A micro-panels. Intrinsics from Intel's Intrinsics Guide.
//
// Packed layout, in 32-bit units holding one bf16 pair (low half = even k, high half = odd k):
//   A: per MR-row panel, [pair][MR]   (the kernel broadcasts one pair of a row to all 16 lanes)
//   B: per NR-col panel, [pair][NR]   (the kernel loads NR/16 zmm per pair)
// Both are zero-padded to whole panels and to an even k, so the kernel never tests bounds.
// The kernel functions carry their own target attribute; the rest of the package keeps -march=haswell.
// vdpbf16ps treats denormal inputs and results as zero and rounds to nearest whatever MXCSR says.
#include "bf16gemm.h"
#include <immintrin.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MR 12
#define NR 32
#define KC_PAIRS 192            // 384 values of k per block: B micro-panel 24 KB (L1), A micro-panel 9 KB
#define MC 240                  // rows per packed A block (20 panels, 180 KB, L2)
#define NC 1024                 // columns per packed B block (768 KB, L2 of 2 MB)

#define TARGET __attribute__((target("avx512f,avx512bf16,avx512bw,avx512vl")))

// MARK: packing

/// 32 floats of a row (k0..k0+31, `valid` of them real, the rest zero) as 16 bf16 pairs.
TARGET static inline __m512i pairs_of_row(const float *p, int valid) {
    __mmask16 m0 = valid >= 16 ? 0xFFFF : (__mmask16)((1u << (valid > 0 ? valid : 0)) - 1);
    int v1 = valid - 16;
    __mmask16 m1 = v1 >= 16 ? 0xFFFF : (__mmask16)((1u << (v1 > 0 ? v1 : 0)) - 1);
    __m512 lo = _mm512_maskz_loadu_ps(m0, p), hi = _mm512_maskz_loadu_ps(m1, p + 16);
    return (__m512i)_mm512_cvtne2ps_pbh(hi, lo);
}

/// Interleaves 16 floats of row r0 with 16 of row r1 into 16 bf16 pairs (r0's value in the low half).
TARGET static inline __m512i interleave(__m512 x, __m512 y) {
    const __m512i order = _mm512_set_epi16(31, 15, 30, 14, 29, 13, 28, 12, 27, 11, 26, 10, 25, 9, 24, 8,
                                           23, 7, 22, 6, 21, 5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0);
    return _mm512_permutexvar_epi16(order, (__m512i)_mm512_cvtne2ps_pbh(y, x));   // [x | y] -> x0 y0 x1 y1 ...
}

/// 16 floats (`valid` real) of row r0 and of row r1 (NULL: zeros) interleaved as 16 bf16 pairs.
TARGET static inline __m512i interleave_rows(const float *r0, const float *r1, int valid) {
    __mmask16 m = valid >= 16 ? 0xFFFF : (__mmask16)((1u << valid) - 1);
    return interleave(_mm512_maskz_loadu_ps(m, r0), r1 ? _mm512_maskz_loadu_ps(m, r1) : _mm512_setzero_ps());
}

/// In-register transpose of a 16x16 matrix of 32-bit elements (unpack 32, unpack 64, two 128-bit
/// lane shuffles).
TARGET static inline void transpose16(__m512i r[16]) {
    __m512i t[16];
    for (int i = 0; i < 16; i += 2) {
        t[i] = _mm512_unpacklo_epi32(r[i], r[i + 1]);
        t[i + 1] = _mm512_unpackhi_epi32(r[i], r[i + 1]);
    }
    for (int i = 0; i < 16; i += 4) {
        r[i] = _mm512_unpacklo_epi64(t[i], t[i + 2]);
        r[i + 1] = _mm512_unpackhi_epi64(t[i], t[i + 2]);
        r[i + 2] = _mm512_unpacklo_epi64(t[i + 1], t[i + 3]);
        r[i + 3] = _mm512_unpackhi_epi64(t[i + 1], t[i + 3]);
    }
    for (int c = 0; c < 4; c++) {
        t[c] = _mm512_shuffle_i32x4(r[c], r[c + 4], 0x88);
        t[c + 4] = _mm512_shuffle_i32x4(r[c], r[c + 4], 0xDD);
        t[c + 8] = _mm512_shuffle_i32x4(r[c + 8], r[c + 12], 0x88);
        t[c + 12] = _mm512_shuffle_i32x4(r[c + 8], r[c + 12], 0xDD);
    }
    for (int c = 0; c < 4; c++) {
        r[c] = _mm512_shuffle_i32x4(t[c], t[c + 8], 0x88);
        r[c + 8] = _mm512_shuffle_i32x4(t[c], t[c + 8], 0xDD);
        r[c + 4] = _mm512_shuffle_i32x4(t[c + 4], t[c + 12], 0x88);
        r[c + 12] = _mm512_shuffle_i32x4(t[c + 4], t[c + 12], 0xDD);
    }
}

/// Packs `width` lines x0.. of a matrix whose lines run along k (line x starts at src + x * ld)
/// for k in k0 ..< k0 + 2 * kp (values at k >= kmax are zero) into panels of W lines:
/// dst[panel][pair][W]. Lines beyond `width` up to a whole panel are zero.
TARGET static void pack_k_contiguous(const float *src, long ld, int x0, int width, int k0, int kmax, int kp,
                                     int W, uint32_t *dst) {
    int panels = (width + W - 1) / W;
    for (int pn = 0; pn < panels; pn++) {
        uint32_t *panel = dst + (long)pn * kp * W;
        for (int xc = 0; xc < W; xc += 16) {            // 16 lines at a time
            int lines = width - pn * W - xc;
            lines = lines > 16 ? 16 : lines;
            if (lines > W - xc) lines = W - xc;         // the rest of the 16 belong to the next panel
            int store = W - xc > 16 ? 16 : W - xc;
            __mmask16 sm = (__mmask16)((1u << store) - 1);
            for (int pc = 0; pc < kp; pc += 16) {       // 16 pairs at a time
                __m512i r[16];
                int kk = k0 + 2 * pc, valid = kmax - kk;
                valid = valid > 32 ? 32 : valid;
                for (int l = 0; l < 16; l++) {
                    r[l] = l < lines ? pairs_of_row(src + (long)(x0 + pn * W + xc + l) * ld + kk, valid)
                                     : _mm512_setzero_si512();
                }
                transpose16(r);
                int np = kp - pc > 16 ? 16 : kp - pc;
                for (int q = 0; q < np; q++) _mm512_mask_storeu_epi32(panel + (long)(pc + q) * W + xc, sm, r[q]);
            }
        }
    }
}

/// Packs `width` columns x0.. of a matrix stored with k along rows (row k starts at src + k * ld,
/// columns contiguous) for k in k0 ..< k0 + 2 * kp (rows >= kmax are zero) into panels of W
/// columns: dst[panel][pair][W].
TARGET static void pack_k_strided(const float *src, long ld, int x0, int width, int k0, int kmax, int kp,
                                  int W, uint32_t *dst) {
    int panels = (width + W - 1) / W;
    for (int q = 0; q < kp; q++) {                      // rows k and k+1, read front to back
        int k = k0 + 2 * q;
        const float *r0 = src + (long)k * ld + x0;
        for (int pn = 0; pn < panels; pn++) {
            uint32_t *out = dst + (long)pn * kp * W + (long)q * W;
            int left = width - pn * W;
            if (W % 16 == 0 && left >= W && k + 1 < kmax) {   // a whole panel of whole pairs: no masks
                for (int xc = 0; xc < W; xc += 16) {
                    const float *p = r0 + pn * W + xc;
                    _mm512_store_si512(out + xc, interleave(_mm512_loadu_ps(p), _mm512_loadu_ps(p + ld)));
                }
                continue;
            }
            for (int xc = 0; xc < W; xc += 16) {
                int cols = left - xc;
                cols = cols > 16 ? 16 : (cols < 0 ? 0 : cols);
                int store = W - xc > 16 ? 16 : W - xc;
                __m512i v = _mm512_setzero_si512();
                if (cols > 0 && k < kmax) {
                    const float *p = r0 + pn * W + xc;
                    v = interleave_rows(p, k + 1 < kmax ? p + ld : NULL, cols);
                }
                _mm512_mask_storeu_epi32(out + xc, (__mmask16)((1u << store) - 1), v);
            }
        }
    }
}

// MARK: micro-kernel

/// c[MR x NR] = alpha * (A panel . B panel) + beta * c over kp pairs (beta == 0: c is not read).
TARGET static void kernel(int kp, const uint32_t *a, const uint32_t *b, float *c, long ldc, float alpha,
                          float beta) {
    __m512 acc[MR][2];
    for (int i = 0; i < MR; i++) { acc[i][0] = _mm512_setzero_ps(); acc[i][1] = _mm512_setzero_ps(); }
    for (int q = 0; q < kp; q++) {
        __m512bh b0 = (__m512bh)_mm512_load_si512(b), b1 = (__m512bh)_mm512_load_si512(b + 16);
#pragma clang loop unroll(full)
        for (int i = 0; i < MR; i++) {
            __m512bh ai = (__m512bh)_mm512_set1_epi32((int)a[i]);
            acc[i][0] = _mm512_dpbf16_ps(acc[i][0], ai, b0);
            acc[i][1] = _mm512_dpbf16_ps(acc[i][1], ai, b1);
        }
        a += MR;
        b += NR;
    }
    __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
    for (int i = 0; i < MR; i++) {
        float *ci = c + i * ldc;
        __m512 r0 = _mm512_mul_ps(va, acc[i][0]), r1 = _mm512_mul_ps(va, acc[i][1]);
        if (beta != 0) {
            r0 = _mm512_fmadd_ps(vb, _mm512_loadu_ps(ci), r0);
            r1 = _mm512_fmadd_ps(vb, _mm512_loadu_ps(ci + 16), r1);
        }
        _mm512_storeu_ps(ci, r0);
        _mm512_storeu_ps(ci + 16, r1);
    }
}

// MARK: driver

static _Thread_local uint32_t *packedA, *packedB;

TARGET static void gemm_avx512(int transA, int transB, int m, int n, int k, float alpha, const float *a, int lda,
                               const float *b, int ldb, float beta, float *c, int ldc) {
    if (!packedA) {
        packedA = aligned_alloc(64, sizeof(uint32_t) * MC * KC_PAIRS);
        packedB = aligned_alloc(64, sizeof(uint32_t) * (NC + NR) * KC_PAIRS);
        if (!packedA || !packedB) abort();
    }
    float tile[MR * NR] __attribute__((aligned(64)));
    int kpairs = (k + 1) / 2;
    for (int pc = 0; pc < kpairs; pc += KC_PAIRS) {
        int kp = kpairs - pc < KC_PAIRS ? kpairs - pc : KC_PAIRS;
        int k0 = 2 * pc;
        float bt = pc == 0 ? beta : 1;                  // later k blocks add to what the first wrote
        for (int jc = 0; jc < n; jc += NC) {
            int nc = n - jc < NC ? n - jc : NC;
            if (transB) pack_k_contiguous(b, ldb, jc, nc, k0, k, kp, NR, packedB);   // B stored [n, k]
            else pack_k_strided(b, ldb, jc, nc, k0, k, kp, NR, packedB);             // B stored [k, n]
            for (int ic = 0; ic < m; ic += MC) {
                int mc = m - ic < MC ? m - ic : MC;
                if (transA) pack_k_strided(a, lda, ic, mc, k0, k, kp, MR, packedA);  // A stored [k, m]
                else pack_k_contiguous(a, lda, ic, mc, k0, k, kp, MR, packedA);      // A stored [m, k]
                for (int jr = 0; jr < nc; jr += NR) {
                    const uint32_t *bp = packedB + (long)(jr / NR) * kp * NR;
                    int nr = nc - jr < NR ? nc - jr : NR;
                    for (int ir = 0; ir < mc; ir += MR) {
                        const uint32_t *ap = packedA + (long)(ir / MR) * kp * MR;
                        int mr = mc - ir < MR ? mc - ir : MR;
                        float *cp = c + (long)(ic + ir) * ldc + jc + jr;
                        if (mr == MR && nr == NR) {
                            kernel(kp, ap, bp, cp, ldc, alpha, bt);
                        } else {                        // an edge tile: through a full-size buffer
                            kernel(kp, ap, bp, tile, NR, 1, 0);
                            for (int i = 0; i < mr; i++) {
                                for (int j = 0; j < nr; j++) {
                                    float *e = cp + (long)i * ldc + j;
                                    *e = alpha * tile[i * NR + j] + (bt == 0 ? 0 : bt * *e);
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

void bf16gemm(int transA, int transB, int m, int n, int k, float alpha,
              const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc) {
    if (m <= 0 || n <= 0) return;
    if (k <= 0 || alpha == 0) {                         // C = beta C
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) c[(long)i * ldc + j] = beta == 0 ? 0 : beta * c[(long)i * ldc + j];
        return;
    }
    if (bf16gemm_supported()) gemm_avx512(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    else bf16gemm_reference(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
