#include "ckernels.h"
#include <math.h>

/* Separate multiplies and adds, as Swift computes them: no contraction into FMA. */
#pragma clang fp contract(off)

#if defined(__x86_64__) && defined(__linux__)
#define WIDEST __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define WIDEST
#endif

WIDEST
void warrant_axpy2_f32(size_t n, float a, const float *restrict x, float *restrict y,
                       float b, const float *restrict u, float *restrict v) {
    for (size_t j = 0; j < n; j++) {
        y[j] += a * x[j];
        v[j] += b * u[j];
    }
}

WIDEST
void warrant_axpy_f32(size_t n, float a, const float *restrict x, float *restrict y) {
    for (size_t j = 0; j < n; j++) y[j] += a * x[j];
}

typedef float warrant_f32x8 __attribute__((vector_size(32)));

WIDEST
float warrant_dot8_f32(size_t n, const float *restrict a, const float *restrict b) {
    /* Lane k of the vector sum is s_k. */
    warrant_f32x8 s = {0, 0, 0, 0, 0, 0, 0, 0};
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        warrant_f32x8 x, y;
        __builtin_memcpy(&x, a + i, sizeof x);
        __builtin_memcpy(&y, b + i, sizeof y);
        s += x * y;
    }
    float s0 = s[0];
    for (; i < n; i++) s0 += a[i] * b[i];
    return ((s0 + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}

WIDEST
void warrant_adam_f32(size_t n, float *restrict p, const float *restrict g, float *restrict m, float *restrict v,
                      float b1, float b2, float c1, float c2, float lr, float eps, float shrink) {
    const float a1 = 1 - b1, a2 = 1 - b2;
    for (size_t i = 0; i < n; i++) {
        const float gi = g[i];
        m[i] = b1 * m[i] + a1 * gi;
        v[i] = b2 * v[i] + a2 * gi * gi;
        const float mHat = m[i] / c1;
        const float vHat = v[i] / c2;
        p[i] = p[i] * shrink - lr * mHat / (sqrtf(vHat) + eps);
    }
}

WIDEST
size_t warrant_count_positive_f32(size_t n, const float *restrict x, const float *restrict bias) {
    size_t count = 0;
    for (size_t i = 0; i < n; i++) count += (x[i] + bias[i] > 0) ? 1 : 0;
    return count;
}

/* Entries i in [start, n) into columns/values from k on; returns the new k. */
static size_t compress_positive_scalar(size_t start, size_t n, size_t k, const float *restrict x,
                                       const float *restrict bias, int *restrict columns, float *restrict values) {
    for (size_t i = start; i < n; i++) {
        const float v = x[i] + bias[i];
        if (v > 0) {
            columns[k] = (int)i;
            values[k] = v;
            k++;
        }
    }
    return k;
}

#if defined(__x86_64__) && defined(__linux__)
#include <immintrin.h>

/* Sixteen at a time with AVX-512's compressing stores: the same sums, kept in order. */
__attribute__((target("avx512f")))
static size_t compress_positive_avx512(size_t n, const float *restrict x, const float *restrict bias,
                                       int *restrict columns, float *restrict values) {
    size_t k = 0, i = 0;
    __m512i index = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const __m512i sixteen = _mm512_set1_epi32(16);
    const __m512 zero = _mm512_setzero_ps();
    for (; i + 16 <= n; i += 16) {
        const __m512 v = _mm512_add_ps(_mm512_loadu_ps(x + i), _mm512_loadu_ps(bias + i));
        const __mmask16 positive = _mm512_cmp_ps_mask(v, zero, _CMP_GT_OQ);
        _mm512_mask_compressstoreu_ps(values + k, positive, v);
        _mm512_mask_compressstoreu_epi32(columns + k, positive, index);
        k += (size_t)__builtin_popcount((unsigned)positive);
        index = _mm512_add_epi32(index, sixteen);
    }
    return compress_positive_scalar(i, n, k, x, bias, columns, values);
}
#endif

size_t warrant_compress_positive_f32(size_t n, const float *restrict x, const float *restrict bias,
                                     int *restrict columns, float *restrict values) {
#if defined(__x86_64__) && defined(__linux__)
    if (__builtin_cpu_supports("avx512f")) return compress_positive_avx512(n, x, bias, columns, values);
#endif
    return compress_positive_scalar(0, n, 0, x, bias, columns, values);
}

#if defined(__linux__) && defined(__GLIBC__)
#include <malloc.h>
#endif

void warrant_keep_large_buffers(void) {
#if defined(__linux__) && defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, 512 << 20);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
}
