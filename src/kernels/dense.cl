/* Direct kernels of the fully connected layer (src/host/ops/dense_direct.c
 * launches them), twins of src/host/ref/dense.c:
 *   dense_fwd     out (N,U) = in (N,I) . w (U,I)^T (+ b (U))
 *   dense_din     din (N,I) = dout (N,U) . w (U,I)
 *   dense_dw      dw (U,I) += dout (N,U)^T . in (N,I), db (U) += column sums
 *                 of dout, over one slice of the batch per grid row
 *   dense_dw_sum  the slices' partial sums added into dw and db in order
 *   dense_transpose  w (U,I) -> (I,U), so that dense_din's product over a
 *                 long U runs as dense_fwd (dense_direct.c's choice)
 * Register tiles: each work-item computes a small block of outputs, TN x TU
 * (dense_fwd: dot products along I, VW lanes at a time, summed across the
 * lanes at the end), TN x 8*TV (dense_din) or TU x 8*TV (dense_dw: outer
 * products, VW consecutive columns per floatv). Rows past N or U read the
 * last valid row (clamped: no branch in the inner loop) and store nothing;
 * columns past I are masked on load and store. Deterministic: no atomics,
 * every sum in a fixed order that depends on the sizes only. No local
 * memory and no barriers: any work-group size is correct. The tile sizes
 * are build options (dense_direct.c's tiles_of); the defaults below make
 * the build at device open a valid instance.
 *
 * dense_fwd and dense_din apply an epilogue to what they store (arguments
 * epi, act, alpha: clae_epi in include/clae/ops.h), so no separate
 * activation pass runs: epi 1 the layer's activation act (a forward pass),
 * epi 2 the derivative of the activation of the layer before, through its
 * saved output y (an input gradient; y has the stored tensor's shape). The
 * activation is a kernel argument: act.clh's switch runs once per stored
 * vector, after the loops. */

#include "act.clh"

#ifndef FW_TN
#define FW_TN 4 /* dense_fwd: rows of in per work-item */
#endif
#ifndef FW_TU
#define FW_TU 4 /* dense_fwd: rows of w (outputs) per work-item */
#endif
#ifndef DI_TN
#define DI_TN 4 /* dense_din: rows of dout per work-item */
#endif
#ifndef DI_TV
#define DI_TV 2 /* dense_din: floatv columns of din per work-item */
#endif
#ifndef DW_TU
#define DW_TU 4 /* dense_dw: rows of dw per work-item */
#endif
#ifndef DW_TV
#define DW_TV 2 /* dense_dw: floatv columns of dw per work-item */
#endif

/* Lanes per vector: 8 (a float8, one AVX2 register) or 16 (a float16, one
 * AVX-512 register; dense_direct.c picks it where the device's native float
 * width is 16). Loads and stores go through vloadN/vstoreN (float alignment
 * only). */
#ifndef VW
#define VW 8
#endif
#if VW == 16
#define floatv float16
#define VLOADV vload16
#define VSTOREV vstore16
#define act_fv act_f16
#define act_gradv act_grad16
#else
#define floatv float8
#define VLOADV vload8
#define VSTOREV vstore8
#define act_fv act_f8
#define act_gradv act_grad8
#endif

/* The sum of v's lanes, halves first (a fixed order). */
static inline float dense_hsum(floatv t)
{
#if VW == 16
    const float8 h8 = t.lo + t.hi;
#else
    const float8 h8 = t;
#endif
    const float4 h4 = h8.lo + h8.hi;
    const float2 h2 = h4.lo + h4.hi;
    return h2.x + h2.y;
}

/* p[0..count) as the first lanes of a floatv, zero beyond (count < VW). */
static inline floatv dense_load_part(__global const float *p, int count)
{
    float t[VW];
    for (int j = 0; j < VW; j++) t[j] = j < count ? p[j] : 0.0f;
    return VLOADV(0, t);
}

/* The first `count` lanes of v into dst[0..count), added when add is set. */
static inline void dense_store_part(__global float *dst, floatv v, int count, int add)
{
    float t[VW];
    VSTOREV(v, 0, t);
    for (int j = 0; j < VW && j < count; j++) dst[j] = add ? dst[j] + t[j] : t[j];
}

/* The v-th floatv of the row p: whole when FULL (a constant 1 or 0, so each
 * loop below is compiled twice, without a branch inside), else the lanes
 * before column rem of the row and zeros. */
#define DENSE_LOADV(p, v, FULL, rem) \
    ((FULL) ? VLOADV((v), (p)) : dense_load_part((p) + (v) * VW, (rem) - (v) * VW))

/* dense_fwd's tile of sums, padded to whole float8s: its epilogue runs on
 * float8s (a scalar exp per output made the sigmoid layer of
 * configs/dense-ae.cfg 3x slower than the forward pass and a pass of its own). */
#define FW_CNT ((FW_TN * FW_TU + 7) / 8 * 8)

/* dense_din's epilogue on a floatv stored at flat index at (epi 1 act(x),
 * epi 2 x times act' through y there, else x): count lanes are stored, the
 * rest take any value. */
static inline floatv dense_epiv(floatv x, int epi, int act, float alpha, __global const float *y,
                                int at, int count)
{
    if (epi == 1) return act_fv(act, x, alpha);
    if (epi != 2) return x;
    const floatv yv = count == VW ? VLOADV(0, y + at) : dense_load_part(y + at, count);
    return act_gradv(act, x, yv, alpha);
}

/* out (N,U) = epilogue(in (N,I) . w (U,I)^T (+ b (U) when has_b)).
 * Global (ceil(N / FW_TN), ceil(U / FW_TU)); extra work-items return. */
__kernel void dense_fwd(__global float *out, __global const float *in, __global const float *w,
                        __global const float *b, const int has_b, const int N, const int I,
                        const int U, const int epi, const int act, const float alpha,
                        __global const float *y)
{
    const int n0 = (int)get_global_id(0) * FW_TN, u0 = (int)get_global_id(1) * FW_TU;
    if (u0 >= U || n0 >= N) return;
    int xo[FW_TN], wo[FW_TU];
#pragma unroll
    for (int t = 0; t < FW_TN; t++) xo[t] = min(n0 + t, N - 1) * I;
#pragma unroll
    for (int j = 0; j < FW_TU; j++) wo[j] = min(u0 + j, U - 1) * I;
    floatv acc[FW_TN][FW_TU];
#pragma unroll
    for (int t = 0; t < FW_TN; t++)
#pragma unroll
        for (int j = 0; j < FW_TU; j++) acc[t][j] = (floatv)(0.0f);
    const int I8 = I - I % VW;
    for (int k = 0; k < I8; k += VW) {
        floatv a[FW_TN], c[FW_TU];
#pragma unroll
        for (int t = 0; t < FW_TN; t++) a[t] = VLOADV(0, in + xo[t] + k);
#pragma unroll
        for (int j = 0; j < FW_TU; j++) c[j] = VLOADV(0, w + wo[j] + k);
#pragma unroll
        for (int t = 0; t < FW_TN; t++)
#pragma unroll
            for (int j = 0; j < FW_TU; j++) acc[t][j] = fma(a[t], c[j], acc[t][j]);
    }
    float sum[FW_CNT];
#pragma unroll
    for (int t = 0; t < FW_TN; t++) {
#pragma unroll
        for (int j = 0; j < FW_TU; j++) {
            float s = dense_hsum(acc[t][j]);
            for (int k = I8; k < I; k++) s = fma(in[xo[t] + k], w[wo[j] + k], s);
            sum[t * FW_TU + j] = has_b ? s + b[min(u0 + j, U - 1)] : s;
        }
    }
#pragma unroll
    for (int e = FW_TN * FW_TU; e < FW_CNT; e++) sum[e] = 0.0f;
    if (epi == 1) {
#pragma unroll
        for (int c = 0; c < FW_CNT / 8; c++) vstore8(act_f8(act, vload8(c, sum), alpha), c, sum);
    } else if (epi == 2) { /* y at the stored places (clamped where nothing is stored) */
        float ys[FW_CNT];
#pragma unroll
        for (int e = 0; e < FW_CNT; e++) {
            const int t = e / FW_TU, j = e % FW_TU;
            ys[e] = e < FW_TN * FW_TU ? y[min(n0 + t, N - 1) * U + min(u0 + j, U - 1)] : 0.0f;
        }
#pragma unroll
        for (int c = 0; c < FW_CNT / 8; c++)
            vstore8(act_grad8(act, vload8(c, sum), vload8(c, ys), alpha), c, sum);
    }
#pragma unroll
    for (int t = 0; t < FW_TN; t++) {
#pragma unroll
        for (int j = 0; j < FW_TU; j++)
            if (n0 + t < N && u0 + j < U) out[(n0 + t) * U + u0 + j] = sum[t * FW_TU + j];
    }
}

/* din (N,I) = epilogue(dout (N,U) . w (U,I)).
 * Global (ceil(I / (VW * DI_TV)), ceil(N / DI_TN)). */
__kernel void dense_din(__global float *din, __global const float *dout, __global const float *w,
                        const int N, const int I, const int U, const int epi, const int act,
                        const float alpha, __global const float *y)
{
    const int i0 = (int)get_global_id(0) * (VW * DI_TV), n0 = (int)get_global_id(1) * DI_TN;
    if (i0 >= I || n0 >= N) return;
    const int full = i0 + VW * DI_TV <= I;
    int go[DI_TN];
#pragma unroll
    for (int t = 0; t < DI_TN; t++) go[t] = min(n0 + t, N - 1) * U;
    floatv acc[DI_TN][DI_TV];
#pragma unroll
    for (int t = 0; t < DI_TN; t++)
#pragma unroll
        for (int v = 0; v < DI_TV; v++) acc[t][v] = (floatv)(0.0f);
#define DIN_LOOP(FULL)                                                                 \
    for (int u = 0; u < U; u++) {                                                      \
        __global const float *wr = w + u * I + i0;                                     \
        floatv c[DI_TV];                                                               \
        _Pragma("unroll") for (int v = 0; v < DI_TV; v++) c[v] =                       \
            DENSE_LOADV(wr, v, FULL, I - i0);                                          \
        _Pragma("unroll") for (int t = 0; t < DI_TN; t++) {                            \
            const floatv a = (floatv)(dout[go[t] + u]);                                \
            _Pragma("unroll") for (int v = 0; v < DI_TV; v++) acc[t][v] =              \
                fma(a, c[v], acc[t][v]);                                               \
        }                                                                              \
    }
    if (full) {
        DIN_LOOP(1)
    } else {
        DIN_LOOP(0)
    }
#pragma unroll
    for (int t = 0; t < DI_TN; t++) {
        if (n0 + t >= N) break;
        const int at = (n0 + t) * I + i0;
#pragma unroll
        for (int v = 0; v < DI_TV; v++) {
            const int count = min(I - i0 - v * VW, VW);
            if (count <= 0) break;
            const floatv x = dense_epiv(acc[t][v], epi, act, alpha, y, at + v * VW, count);
            if (full) VSTOREV(x, v, din + at);
            else dense_store_part(din + at + v * VW, x, count, 0);
        }
    }
}

/* Over the images [slice * per_slice, +per_slice) of the batch (slice =
 * get_global_id(2)): dw (U,I) and, when has_db, db (U) partial sums of
 * dout^T . in and of dout's columns, written at dwd + slice * stride and
 * dbd + db_off + slice * stride: added there (add = 1: one slice, straight
 * into dw and db) or stored (add = 0: one row of the partial sums, for
 * dense_dw_sum). Global (ceil(I / (VW * DW_TV)), ceil(U / DW_TU), nslices);
 * the column-0 work-items write db. */
__kernel void dense_dw(__global float *dwd, __global float *dbd, const int db_off,
                       const int stride, const int add, const int has_db,
                       __global const float *dout, __global const float *in, const int N,
                       const int I, const int U, const int per_slice)
{
    const int i0 = (int)get_global_id(0) * (VW * DW_TV), u0 = (int)get_global_id(1) * DW_TU;
    const int slice = (int)get_global_id(2);
    if (i0 >= I || u0 >= U) return;
    const int full = i0 + VW * DW_TV <= I;
    const int n0 = slice * per_slice, n1 = min(n0 + per_slice, N);
    int uo[DW_TU];
#pragma unroll
    for (int t = 0; t < DW_TU; t++) uo[t] = min(u0 + t, U - 1);
    floatv acc[DW_TU][DW_TV];
    float bacc[DW_TU];
#pragma unroll
    for (int t = 0; t < DW_TU; t++) {
        bacc[t] = 0.0f;
#pragma unroll
        for (int v = 0; v < DW_TV; v++) acc[t][v] = (floatv)(0.0f);
    }
#define DW_LOOP(FULL)                                                                  \
    for (int n = n0; n < n1; n++) {                                                    \
        __global const float *xr = in + n * I + i0;                                    \
        floatv c[DW_TV];                                                               \
        _Pragma("unroll") for (int v = 0; v < DW_TV; v++) c[v] =                       \
            DENSE_LOADV(xr, v, FULL, I - i0);                                          \
        _Pragma("unroll") for (int t = 0; t < DW_TU; t++) {                            \
            const float g = dout[n * U + uo[t]];                                       \
            bacc[t] += g;                                                              \
            _Pragma("unroll") for (int v = 0; v < DW_TV; v++) acc[t][v] =              \
                fma((floatv)(g), c[v], acc[t][v]);                                     \
        }                                                                              \
    }
    if (full) {
        DW_LOOP(1)
    } else {
        DW_LOOP(0)
    }
#pragma unroll
    for (int t = 0; t < DW_TU; t++) {
        if (u0 + t >= U) break;
        __global float *dst = dwd + slice * stride + (u0 + t) * I + i0;
#pragma unroll
        for (int v = 0; v < DW_TV; v++) {
            if (full) VSTOREV(add ? VLOADV(v, dst) + acc[t][v] : acc[t][v], v, dst);
            else dense_store_part(dst + v * VW, acc[t][v], I - i0 - v * VW, add);
        }
        if (has_db && i0 == 0) {
            __global float *bd = dbd + db_off + slice * stride + u0 + t;
            *bd = add ? *bd + bacc[t] : bacc[t];
        }
    }
}

/* dst (C,R) = src (R,C)^T, a block of 16 x 16 per work-item (reads and
 * writes each touch 16 rows). Global (ceil(C / 16), ceil(R / 16)). */
__kernel void dense_transpose(__global float *dst, __global const float *src, const int R,
                              const int C)
{
    const int c0 = (int)get_global_id(0) * 16, r0 = (int)get_global_id(1) * 16;
    if (c0 >= C || r0 >= R) return;
    const int c1 = min(c0 + 16, C), r1 = min(r0 + 16, R);
    for (int c = c0; c < c1; c++)
        for (int r = r0; r < r1; r++) dst[c * R + r] = src[r * C + c];
}

/* dw (nw) += and db (nb) += the sums over slices of part (nslices rows of
 * nw + nb floats: weights, then biases), in slice order. */
__kernel void dense_dw_sum(__global float *dw, __global float *db, __global const float *part,
                           const int nw, const int nb, const int nslices)
{
    const int i = (int)get_global_id(0);
    if (i >= nw + nb) return;
    float acc = 0.0f;
    for (int sl = 0; sl < nslices; sl++) acc += part[sl * (nw + nb) + i];
    if (i < nw)
        dw[i] += acc;
    else
        db[i - nw] += acc;
}
