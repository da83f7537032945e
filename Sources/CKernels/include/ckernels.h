#ifndef WARRANT_CKERNELS_H
#define WARRANT_CKERNELS_H

#include <stddef.h>

/* Float32 loops of SAE training that the Swift compiler, building for the baseline
 * x86-64 (SSE2), can only run four lanes wide. Each is built for AVX-512, AVX2 and the
 * baseline, and the loader picks the widest the CPU runs (target_clones). They do the
 * same operations in the same order as the Swift loops they replace, with no fused
 * multiply-add, so the results are the same bits on every path. */

/* y[j] += a * x[j] and v[j] += b * u[j], j < n. */
void warrant_axpy2_f32(size_t n, float a, const float *x, float *y, float b, const float *u, float *v);

/* y[j] += a * x[j], j < n. */
void warrant_axpy_f32(size_t n, float a, const float *x, float *y);

/* The dot product with eight running sums s_k over j = k mod 8 (the tail into s_0),
 * combined as ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)): Kernels.dot's order. */
float warrant_dot8_f32(size_t n, const float *a, const float *b);

/* One Adam step over i < n, as Adam.update computes it element by element:
 * m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g g;
 * p = p shrink - lr (m / c1) / (sqrt(v / c2) + eps). */
void warrant_adam_f32(size_t n, float *p, const float *g, float *m, float *v,
                      float b1, float b2, float c1, float c2, float lr, float eps, float shrink);

/* How many i < n have x[i] + bias[i] > 0. */
size_t warrant_count_positive_f32(size_t n, const float *x, const float *bias);

/* Writes each i < n with v = x[i] + bias[i] > 0 as columns[k] = i, values[k] = v, in order;
 * returns how many. The outputs need room for warrant_count_positive_f32 entries. */
size_t warrant_compress_positive_f32(size_t n, const float *x, const float *bias, int *columns, float *values);

/* glibc: keep freed buffers up to 512 MB in the heap instead of returning them to the
 * system (a no-op elsewhere). */
void warrant_keep_large_buffers(void);

#endif
