/* Direct convolution kernels for conv2d and conv2d_transpose, specialised
 * per shape: every size is a compile-time constant (-D options from
 * src/host/ops/conv2d_direct.c), so loops over taps and output channels
 * unroll and the weights sit in __constant memory. Each work-item computes
 * VW = 8 neighbouring pixels along the width as one float8.
 *
 * Two tensors take part: the GRID tensor (GC channels, GH x GW) and the
 * IMAGE tensor (IC channels, IH x IW). Grid point (gy,gx), tap (r,s) touches
 * image pixel (gy*SH + r - PT, gx*SW + s - PL) (zero outside the image).
 * Weights are always w[gc][ic][r][s] (GC, IC, R, S). Then
 *   conv2d_direct_conv  (DC_KIND 1): grid[gc]  = bias + sum w * image  (gather)
 *   conv2d_direct_tconv (DC_KIND 2): image[ic] = bias + sum w * grid   (gather)
 *   conv2d_direct_dw    (DC_KIND 3): dw[gc][ic][r][s] partial sums of
 *                                    grid[gc] * image[ic] over a batch slice
 *   conv2d_direct_dw_sum (always):   dw += sum of the partials (fixed order)
 * conv2d forward is kind 1 (image = in, grid = out), its din kind 2 (grid =
 * dout); conv2d_transpose forward is kind 2 (grid = in, image = out), its din
 * kind 1 (image = dout). Deterministic: no atomics, fixed summation order.
 *
 * Kinds 1 and 2 apply an epilogue to what they write (EPI, clae_epi in
 * include/clae/ops.h): EPI 1 the activation ACT (a forward pass: the
 * layer's own), EPI 2 its derivative through the saved activation y at the
 * same positions (a din: the activation of the layer before), so no
 * separate activation pass runs. ACT and ALPHA as act.clh.
 *
 * The file is also compiled once without options at device open: the
 * defaults below make that build a small, valid instance of every kernel. */

#ifndef DC_KIND
#define DC_KIND 0 /* 0: every kernel, default sizes */
#endif
#ifndef GC
#define GC 2
#endif
#ifndef GH
#define GH 4
#endif
#ifndef GW
#define GW 9
#endif
#ifndef IC
#define IC 3
#endif
#ifndef IH
#define IH 4
#endif
#ifndef IW
#define IW 9
#endif
#ifndef R
#define R 3
#endif
#ifndef S
#define S 3
#endif
#ifndef SH
#define SH 1
#endif
#ifndef SW
#define SW 1
#endif
#ifndef PT
#define PT 1
#endif
#ifndef PL
#define PL 1
#endif
#ifndef BLK
#define BLK 2 /* output channels (kinds 1, 2) or grid channels (kind 3) per work-item */
#endif
#ifndef WMEM
#define WMEM __constant /* __global when the weights exceed the constant buffer */
#endif
#ifndef EPI
#define EPI 0 /* 0 none, 1 out = act(x), 2 out = x * act'(y) */
#endif

#include "act.clh"

/* Pixels per work-item along the width. On CPUs a float8 is one AVX2
 * register (half an AVX-512 one) and PoCL also vectorises across work-items;
 * on GPUs the 8 lanes are 8 independent FMA chains per work-item. Loads and
 * stores go through vload8/vstore8, which need only float alignment (any
 * offset), never a cast to float8 *. */
#define VW 8

/* VW values p[0], p[SW], ..., p[(VW-1)*SW]; all must be readable. */
#if SW == 1
#define LOADV(p) vload8(0, (p))
#elif SW == 2
#define LOADV_NEEDS_16 1
/* two vload8, not vload16: a float16 returned by a call warns on x86 without
 * AVX-512 (clang: "changes the ABI") */
#define LOADV(p) ((float8)(vload8(0, (p)).even, vload8(0, (p) + 8).even))
#else
#define LOADV(p) \
    ((float8)((p)[0], (p)[SW], (p)[2 * SW], (p)[3 * SW], (p)[4 * SW], (p)[5 * SW], \
              (p)[6 * SW], (p)[7 * SW]))
#endif
/* Image columns a strided VW-vector starting at column x touches: x .. x+SPAN-1. */
#ifdef LOADV_NEEDS_16
#define SPAN (2 * VW)
#else
#define SPAN ((VW - 1) * SW + 1)
#endif

/* row[x + j*step] for j < VW, zero where the column is outside [0, lim). */
static inline float8 load_guard(__global const float *row, int x, int step, int lim)
{
    float t[VW];
    for (int j = 0; j < VW; j++) {
        int c = x + j * step;
        t[j] = (c >= 0 && c < lim) ? row[c] : 0.0f;
    }
    return vload8(0, t);
}

/* v with the lanes whose column is outside [0, lim) set to 0.0f. The lane
 * mask is integer arithmetic: (col | (lim - 1 - col)) has its sign bit set
 * exactly when col < 0 or col >= lim, and >> 31 spreads it over the lane.
 * Not select() on a vector comparison: clang may fold a comparison whose
 * lanes it can prove equal into a splat of one scalar bool, and oclgrind
 * (21.10 and 26.03) sign-extends such a vector to 1 instead of -1, so the
 * select silently zeroes every lane on the simulator (README, "Checking the
 * kernels on a simulated GPU"). Same instructions on every device. */
static inline float8 mask_cols(float8 v, int8 col, int lim)
{
    const int8 out = (col | ((int8)(lim - 1) - col)) >> 31;
    return as_float8(as_int8(v) & ~out);
}

/* Image row at flat offset `at` of a tensor of `total` floats: the VW
 * columns x, x+SW, ..., zero where outside [0, IW). Near the edges one
 * vector load still works (it reads neighbouring rows, whose lanes are then
 * masked to zero) unless it would leave the tensor. */
static inline float8 load_img(__global const float *t, int at, int x, int total)
{
    if (at + x >= 0 && at + x + SPAN <= total)
        return mask_cols(LOADV(t + at + x), (int8)(x) + (int8)(0, 1, 2, 3, 4, 5, 6, 7) * SW, IW);
    return load_guard(t + at, x, SW, IW);
}

/* The same for a grid row (width GW, unit stride). */
static inline float8 load_grid(__global const float *t, int at, int x, int total)
{
    if (at + x >= 0 && at + x + VW <= total)
        return mask_cols(vload8(0, t + at + x), (int8)(x) + (int8)(0, 1, 2, 3, 4, 5, 6, 7), GW);
    return load_guard(t + at, x, 1, GW);
}

/* Sum of the lanes in a fixed order. */
static inline float hsum8(float8 t)
{
    const float4 h4 = t.lo + t.hi;
    const float2 h2 = h4.lo + h4.hi;
    return h2.x + h2.y;
}

/* Store the first `count` lanes of v at dst[0], dst[step], ... */
static inline void store_part(__global float *dst, float8 v, int step, int count)
{
    float t[VW];
    vstore8(v, 0, t);
    for (int j = 0; j < VW; j++)
        if (j < count) dst[j * step] = t[j];
}

/* The epilogue on the lanes of v that go to dst[j * step], j < count: the
 * activation (EPI 1) or the derivative (EPI 2) with y[j * step] the saved
 * activation at the same place. */
static inline float8 epilogue(float8 v, __global const float *y, int step, int count)
{
#if EPI == 0
    return v;
#elif EPI == 1
    return act_f8(ACT, v, ALPHA);
#else
    float8 yv;
    if (step == 1 && count == VW) {
        yv = vload8(0, y);
    } else { /* lanes past count are not stored: any value */
        float t[VW];
        for (int j = 0; j < VW; j++) t[j] = j < count ? y[j * step] : 0.0f;
        yv = vload8(0, t);
    }
    return act_grad8(ACT, v, yv, ALPHA);
#endif
}

#define NBLK_CONV ((GC + BLK - 1) / BLK)
#define NBLK_TCONV ((IC + BLK - 1) / BLK)

#if DC_KIND == 0 || DC_KIND == 1
/* grid (N,GC,GH,GW) = bias + sum over ic, r, s of w[gc][ic][r][s] * image.
 * Global (ceil(GW/VW), GH, N * NBLK_CONV). */
__kernel void conv2d_direct_conv(__global float *grid, __global const float *image,
                                 WMEM const float *w, __global const float *bias,
                                 const int has_bias, const int N, __global const float *y)
{
    const int q0 = (int)get_global_id(0) * VW;
    const int p = (int)get_global_id(1);
    const int z = (int)get_global_id(2);
    const int n = z / NBLK_CONV, k0 = (z % NBLK_CONV) * BLK;
    if (q0 >= GW || p >= GH) return;
    float8 acc[BLK];
#pragma unroll
    for (int k = 0; k < BLK; k++) {
        const int kk = k0 + k < GC ? k0 + k : GC - 1;
        acc[k] = (float8)(has_bias ? bias[kk] : 0.0f);
    }
    const int x0 = q0 * SW - PL;
    /* Every column any tap reads is inside the image: unguarded loads. */
    const int inside = x0 >= 0 && x0 + (S - 1) + SPAN <= IW;
    const int total = N * IC * IH * IW;
    for (int c = 0; c < IC; c++) {
        const int plane = (n * IC + c) * (IH * IW);
#pragma unroll
        for (int r = 0; r < R; r++) {
            const int h = p * SH + r - PT;
            if (h < 0 || h >= IH) continue;
            const int row = plane + h * IW;
#pragma unroll
            for (int s = 0; s < S; s++) {
                const float8 v =
                    inside ? LOADV(image + row + x0 + s) : load_img(image, row, x0 + s, total);
#pragma unroll
                for (int k = 0; k < BLK; k++) {
                    const int kk = k0 + k < GC ? k0 + k : GC - 1;
                    acc[k] = fma(v, (float8)(w[((kk * IC + c) * R + r) * S + s]), acc[k]);
                }
            }
        }
    }
    const int count = GW - q0 < VW ? GW - q0 : VW;
#pragma unroll
    for (int k = 0; k < BLK; k++) {
        if (k0 + k < GC) {
            const int at = ((n * GC + k0 + k) * GH + p) * GW + q0;
            const float8 v = epilogue(acc[k], y + at, 1, count);
            if (count == VW)
                vstore8(v, 0, grid + at);
            else
                store_part(grid + at, v, 1, count);
        }
    }
}
#endif

#if DC_KIND == 0 || DC_KIND == 2
/* image (N,IC,IH,IW) = bias + sum over gc and the taps (r,s) landing on the
 * pixel of w[gc][ic][r][s] * grid. Work-items own output columns of one
 * phase x = ph + SW*(VW*b + j), j < VW, so the grid columns they read are
 * contiguous. Global (SW * NBX, IH, N * NBLK_TCONV), NBX = ceil(ceil(IW/SW)/VW). */
#define NBX (((IW + SW - 1) / SW + VW - 1) / VW)
__kernel void conv2d_direct_tconv(__global float *image, __global const float *grid,
                                  WMEM const float *w, __global const float *bias,
                                  const int has_bias, const int N, __global const float *y)
{
    const int gx = (int)get_global_id(0);
    const int ph = gx % SW, b = gx / SW;
    const int oy = (int)get_global_id(1);
    const int z = (int)get_global_id(2);
    const int n = z / NBLK_TCONV, k0 = (z % NBLK_TCONV) * BLK;
    const int x0 = ph + SW * VW * b; /* first output column */
    if (x0 >= IW || oy >= IH) return;
    float8 acc[BLK];
#pragma unroll
    for (int k = 0; k < BLK; k++) {
        const int kk = k0 + k < IC ? k0 + k : IC - 1;
        acc[k] = (float8)(has_bias ? bias[kk] : 0.0f);
    }
    /* Taps outermost: which of them land on this work-item's pixels depends
     * only on its row and column phase, so the tests run once per tap. */
#pragma unroll
    for (int r = 0; r < R; r++) {
        const int ny = oy + PT - r;
        if (ny % SH != 0) continue;
        const int h = ny / SH;
        if (h < 0 || h >= GH) continue;
#pragma unroll
        for (int s = 0; s < S; s++) {
            const int nx = x0 + PL - s;
            if (nx % SW != 0) continue;
            const int xs = nx / SW; /* grid column of lane 0 */
            __global const float *row = grid + (n * GC * GH + h) * GW;
            if (xs >= 0 && xs + VW <= GW) {
                for (int c = 0; c < GC; c++) {
                    const float8 v = vload8(0, row + c * (GH * GW) + xs);
#pragma unroll
                    for (int k = 0; k < BLK; k++) {
                        const int kk = k0 + k < IC ? k0 + k : IC - 1;
                        acc[k] = fma(v, (float8)(w[((c * IC + kk) * R + r) * S + s]), acc[k]);
                    }
                }
            } else {
                const int total = N * GC * GH * GW;
                const int at = (n * GC * GH + h) * GW;
                for (int c = 0; c < GC; c++) {
                    const float8 v = load_grid(grid, at + c * (GH * GW), xs, total);
#pragma unroll
                    for (int k = 0; k < BLK; k++) {
                        const int kk = k0 + k < IC ? k0 + k : IC - 1;
                        acc[k] = fma(v, (float8)(w[((c * IC + kk) * R + r) * S + s]), acc[k]);
                    }
                }
            }
        }
    }
    const int count = (IW - x0 + SW - 1) / SW < VW ? (IW - x0 + SW - 1) / SW : VW;
#pragma unroll
    for (int k = 0; k < BLK; k++) {
        if (k0 + k < IC) {
            const int at = ((n * IC + k0 + k) * IH + oy) * IW + x0;
            const float8 v = epilogue(acc[k], y + at, SW, count);
            if (SW == 1 && count == VW)
                vstore8(v, 0, image + at);
            else
                store_part(image + at, v, SW, count);
        }
    }
}
#endif

#if DC_KIND == 0 || DC_KIND == 3
/* Partial weight gradients over one slice of the batch:
 * part[slice][gc][ic][r][s] = sum over n in the slice, gy, gx of
 * grid[n,gc,gy,gx] * image[n,ic,gy*SH+r-PT,gx*SW+s-PL]
 * (slice rows of pstride floats). With db_mode 1 also the bias partials
 * part[slice][GC*IC*R*S + gc] = sum of grid[n,gc] (conv2d: grid = dout),
 * with db_mode 2 part[slice][GC*IC*R*S + ic] = sum of image[n,ic]
 * (conv2d_transpose: image = dout).
 * Global (NBLK_DW * IC, nslices); a work-group should hold one slice's
 * work-items so they share its data in cache. */
#define NBLK_DW ((GC + BLK - 1) / BLK)
#define NBXG ((GW + VW - 1) / VW)
__kernel void conv2d_direct_dw(__global float *part, __global const float *grid,
                               __global const float *image, const int N, const int per_slice,
                               const int db_mode, const int pstride)
{
    const int id = (int)get_global_id(0);
    const int slice = (int)get_global_id(1);
    const int ic = id % IC, k0 = (id / IC) * BLK;
    if (k0 >= GC) return;
    const int n0 = slice * per_slice;
    const int n1 = n0 + per_slice < N ? n0 + per_slice : N;
    float8 acc[BLK][R][S];
#pragma unroll
    for (int k = 0; k < BLK; k++)
#pragma unroll
        for (int r = 0; r < R; r++)
#pragma unroll
            for (int s = 0; s < S; s++) acc[k][r][s] = (float8)(0.0f);
    float8 bacc[BLK];
    const int grid_bias = db_mode == 1 && ic == 0;
#pragma unroll
    for (int k = 0; k < BLK; k++) bacc[k] = (float8)(0.0f);
    for (int n = n0; n < n1; n++) {
        for (int gy = 0; gy < GH; gy++) {
            for (int bx = 0; bx < NBXG; bx++) {
                const int q0 = bx * VW;
                float8 a[BLK];
#pragma unroll
                for (int k = 0; k < BLK; k++) {
                    const int kk = k0 + k < GC ? k0 + k : GC - 1;
                    __global const float *grow = grid + ((n * GC + kk) * GH + gy) * GW;
                    a[k] = q0 + VW <= GW ? vload8(0, grow + q0)
                                         : load_grid(grid, ((n * GC + kk) * GH + gy) * GW, q0,
                                                     N * GC * GH * GW);
                }
                if (grid_bias) {
#pragma unroll
                    for (int k = 0; k < BLK; k++) bacc[k] += a[k];
                }
                const int x0 = q0 * SW - PL;
                const int inside = x0 >= 0 && x0 + (S - 1) + SPAN <= IW;
#pragma unroll
                for (int r = 0; r < R; r++) {
                    const int h = gy * SH + r - PT;
                    if (h < 0 || h >= IH) continue;
                    const int row = (n * IC + ic) * (IH * IW) + h * IW;
#pragma unroll
                    for (int s = 0; s < S; s++) {
                        const float8 v = inside ? LOADV(image + row + x0 + s)
                                                : load_img(image, row, x0 + s, N * IC * IH * IW);
#pragma unroll
                        for (int k = 0; k < BLK; k++) acc[k][r][s] = fma(a[k], v, acc[k][r][s]);
                    }
                }
            }
        }
    }
    /* Lanes beyond GW multiplied zeros from the masked loads: they add nothing. */
#pragma unroll
    for (int k = 0; k < BLK; k++) {
        if (k0 + k < GC) {
            __global float *dst = part + slice * pstride + ((k0 + k) * IC + ic) * (R * S);
#pragma unroll
            for (int r = 0; r < R; r++)
#pragma unroll
                for (int s = 0; s < S; s++) dst[r * S + s] = hsum8(acc[k][r][s]);
            if (grid_bias) part[slice * pstride + GC * IC * R * S + k0 + k] = hsum8(bacc[k]);
        }
    }
    if (db_mode == 2 && k0 == 0) {
        float8 b8 = (float8)(0.0f);
        float b1 = 0.0f;
        for (int n = n0; n < n1; n++) {
            __global const float *plane = image + (n * IC + ic) * (IH * IW);
            int i = 0;
            for (; i + VW <= IH * IW; i += VW) b8 += vload8(0, plane + i);
            for (; i < IH * IW; i++) b1 += plane[i];
        }
        part[slice * pstride + GC * IC * R * S + ic] = hsum8(b8) + b1;
    }
}
#endif

/* dw (nw) += and db (nb) += the sums over slices of part (nslices rows of
 * nw + nb floats: weights, then biases), in slice order. */
__kernel void conv2d_direct_dw_sum(__global float *dw, __global float *db,
                                   __global const float *part, const int nw, const int nb,
                                   const int nslices)
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
