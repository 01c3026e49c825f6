/* Direct convolution kernels for conv2d and conv2d_transpose, specialised
 * per shape: every size is a compile-time constant (-D options from
 * src/host/ops/conv2d_direct.c), so loops over taps and output channels
 * unroll and the weights sit in __constant memory. Each work-item computes
 * VW (8 or 16) neighbouring pixels along the width as one vector; the conv
 * kind on a grid of 8-pixel rows with VW 16 takes two rows per vector (RP).
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
 * Fused passes (src/host/ops/conv2d_fused.c; the net takes them in
 * training steps):
 *   conv2d_direct_conv_pool (DC_KIND 4): the conv kind, its activation and
 *       a 2x2 stride-2 max-pool in one pass, writing only the pooled values
 *       and their argmax (maxpool_forward's layout), not the conv output.
 *   the dw kind's GSRC: where its grid (conv2d's dout) comes from. 0: read
 *       as it is; 1: rebuilt from the pool after the layer (its dout, argmax
 *       and pooled values, times the layer's activation's derivative:
 *       maxpool_backward's values); 2: the loss's gradient through the
 *       layer's activation (the layer's output y and the target, as
 *       mse.cl's loss_step; the ic == 0 work-items also sum the loss). With
 *       WDOUT the ic == 0 work-items store the rebuilt grid for the input
 *       gradient that runs next. With GSTAGE (a work-group holds all of a
 *       slice's work-items) the group first rebuilds its slice's grid into
 *       dout, each row once, then reads it back as GSRC 0 reads its grid:
 *       without it every image channel's work-items rebuild the same rows.
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
#ifndef CB
#define CB 1 /* conv kind: VW-column vectors per work-item (BLK * CB independent FMA chains) */
#endif
#ifndef TB
#define TB 1 /* tconv kind: column blocks per work-item (BLK * TB independent FMA chains) */
#endif
#ifndef PP
#define PP 0 /* tconv kind with SW 2: a work-item computes both column phases (PP 1) */
#endif
#ifndef RP
#define RP 1 /* conv kind: grid rows per vector (2: a float16 holds two rows of 8, GW == 8) */
#endif
#ifndef WMEM
#define WMEM __constant /* __global when the weights exceed the constant buffer */
#endif
#ifndef EPI
#define EPI 0 /* 0 none, 1 out = act(x), 2 out = x * act'(y) */
#endif
#ifndef GSRC
#define GSRC 0 /* dw kind: 0 grid as given, 1 rebuilt from a pool, 2 a loss's gradient */
#endif
#ifndef WDOUT
#define WDOUT 0 /* dw kind with GSRC 1 or 2: store the rebuilt grid */
#endif
#ifndef GSTAGE
#define GSTAGE 0 /* dw kind with GSRC 1 or 2: the group rebuilds its slice's grid into dout first */
#endif

#include "act.clh"
#include "loss.clh"

/* Pixels per work-item along the width: VW (8 or 16) neighbouring pixels as
 * one floatv. On CPUs a float8 is one AVX2 register and a float16 one
 * AVX-512 register (conv2d_direct.c picks 16 where the device's native float
 * width is 16 and the row holds 16); PoCL does not vectorise across
 * work-items around these loops. On GPUs the lanes are independent FMA
 * chains of one work-item. Loads and stores go through vloadN/vstoreN, which
 * need only float alignment (any offset), never a cast to floatN *.
 * floath is half a vector (the pooled lanes of a 2x2 window pair). */
#ifndef VW
#define VW 8
#endif
#if VW == 16
#define floatv float16
#define intv int16
#define floath float8
#define inth int8
#define VLOADV vload16
#define VSTOREV vstore16
#define VLOADH vload8
#define VSTOREH vstore8
#define as_floatv as_float16
#define as_intv as_int16
#define as_floath as_float8
#define as_inth as_int8
#define act_fv act_f16
#define act_gradv act_grad16
#define elem_lossv elem_loss16
#define elem_gradv elem_grad16
#define LANES ((int16)(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15))
#define HLANES ((int8)(0, 1, 2, 3, 4, 5, 6, 7))
#define DUPH(v) ((v).s0011223344556677)
/* the lanes of a and b alternating: a.s0, b.s0, a.s1, ... (ZIPLO: the first halves) */
#define ZIPLO(a, b)                                                                        \
    ((float16)((a).s0, (b).s0, (a).s1, (b).s1, (a).s2, (b).s2, (a).s3, (b).s3, (a).s4,     \
               (b).s4, (a).s5, (b).s5, (a).s6, (b).s6, (a).s7, (b).s7))
#define ZIPHI(a, b)                                                                        \
    ((float16)((a).s8, (b).s8, (a).s9, (b).s9, (a).sa, (b).sa, (a).sb, (b).sb, (a).sc,     \
               (b).sc, (a).sd, (b).sd, (a).se, (b).se, (a).sf, (b).sf))
#else
#define floatv float8
#define intv int8
#define floath float4
#define inth int4
#define VLOADV vload8
#define VSTOREV vstore8
#define VLOADH vload4
#define VSTOREH vstore4
#define as_floatv as_float8
#define as_intv as_int8
#define as_floath as_float4
#define as_inth as_int4
#define act_fv act_f8
#define act_gradv act_grad8
#define elem_lossv elem_loss
#define elem_gradv elem_grad
#define LANES ((int8)(0, 1, 2, 3, 4, 5, 6, 7))
#define HLANES ((int4)(0, 1, 2, 3))
#define DUPH(v) ((v).s00112233)
#define ZIPLO(a, b) ((float8)((a).s0, (b).s0, (a).s1, (b).s1, (a).s2, (b).s2, (a).s3, (b).s3))
#define ZIPHI(a, b) ((float8)((a).s4, (b).s4, (a).s5, (b).s5, (a).s6, (b).s6, (a).s7, (b).s7))
#endif

/* VW values p[0], p[SW], ..., p[(VW-1)*SW]; all must be readable. */
#if SW == 1
#define LOADV(p) VLOADV(0, (p))
#elif SW == 2
#define LOADV_NEEDS_2VW 1
/* two vloads of VW, not one of 2 VW: a float16 returned by a call warns on
 * x86 without AVX-512 (clang: "changes the ABI"), and there is no float32 */
#define LOADV(p) ((floatv)(VLOADV(0, (p)).even, VLOADV(0, (p) + VW).even))
#else
#define LOADV(p) load_strided(p)
#endif
/* Image columns a strided VW-vector starting at column x touches: x .. x+SPAN-1. */
#ifdef LOADV_NEEDS_2VW
#define SPAN (2 * VW)
#else
#define SPAN ((VW - 1) * SW + 1)
#endif

/* p[0], p[SW], ... as one vector (strides other than 1 and 2). */
static inline floatv load_strided(__global const float *p)
{
    float t[VW];
    for (int j = 0; j < VW; j++) t[j] = p[j * SW];
    return VLOADV(0, t);
}

/* row[x + j*step] for j < VW, zero where the column is outside [0, lim). */
static inline floatv load_guard(__global const float *row, int x, int step, int lim)
{
    float t[VW];
    for (int j = 0; j < VW; j++) {
        int c = x + j * step;
        t[j] = (c >= 0 && c < lim) ? row[c] : 0.0f;
    }
    return VLOADV(0, t);
}

/* All ones in the lanes whose column col is inside [0, lim), zero in the
 * others. Integer arithmetic: (col | (lim - 1 - col)) has its sign bit set
 * exactly when col < 0 or col >= lim, and >> 31 spreads it over the lane.
 * Not select() on a vector comparison: clang may fold a comparison whose
 * lanes it can prove equal into a splat of one scalar bool, and oclgrind
 * (21.10 and 26.03) sign-extends such a vector to 1 instead of -1, so the
 * select silently zeroes every lane on the simulator (README, "Checking the
 * kernels on a simulated GPU"). Same instructions on every device. */
static inline intv cols_inside(intv col, int lim)
{
    return ~((col | ((intv)(lim - 1) - col)) >> 31);
}

/* v with the lanes whose column is outside [0, lim) set to 0.0f. */
static inline floatv mask_cols(floatv v, intv col, int lim)
{
    return as_floatv(as_intv(v) & cols_inside(col, lim));
}

/* Image row at flat offset `at` of a tensor of `total` floats: the VW
 * columns x, x+SW, ..., zero where outside [0, IW). Near the edges one
 * vector load still works (it reads neighbouring rows, whose lanes are then
 * masked to zero) unless it would leave the tensor. */
static inline floatv load_img(__global const float *t, int at, int x, int total)
{
    if (at + x >= 0 && at + x + SPAN <= total)
        return mask_cols(LOADV(t + at + x), (intv)(x) + LANES * SW, IW);
    return load_guard(t + at, x, SW, IW);
}

/* load_img with its lane mask given: keep, cols_inside of the VW columns
 * x, x+SW, ... (the dw kind computes it once per column block), and none
 * applied where the caller knows every column is inside the row. */
static inline floatv load_tap(__global const float *t, int at, int x, intv keep, int inside,
                              int total)
{
    if (inside) return LOADV(t + at + x);
    if (at + x >= 0 && at + x + SPAN <= total) return as_floatv(as_intv(LOADV(t + at + x)) & keep);
    return load_guard(t + at, x, SW, IW);
}

/* Half a vector of an image row (the conv kind's RP 2): the VW / 2 columns
 * x, x+SW, ..., zero where outside [0, IW) (as load_img). */
static inline floath load_img_half(__global const float *t, int at, int x, int total)
{
    const inth col = (inth)(x) + HLANES * SW;
    const inth out = (col | ((inth)(IW - 1) - col)) >> 31;
#if SW == 1
    if (at + x >= 0 && at + x + VW / 2 <= total)
        return as_floath(as_inth(VLOADH(0, t + at + x)) & ~out);
#elif SW == 2
    if (at + x >= 0 && at + x + VW <= total)
        return as_floath(as_inth(VLOADV(0, t + at + x).even) & ~out);
#endif
    float tmp[VW / 2];
    for (int j = 0; j < VW / 2; j++) {
        const int c = x + j * SW;
        tmp[j] = (c >= 0 && c < IW) ? t[at + c] : 0.0f;
    }
    return VLOADH(0, tmp);
}

/* The same for a grid row (width GW, unit stride). */
static inline floatv load_grid(__global const float *t, int at, int x, int total)
{
    if (at + x >= 0 && at + x + VW <= total)
        return mask_cols(VLOADV(0, t + at + x), (intv)(x) + LANES, GW);
    return load_guard(t + at, x, 1, GW);
}

/* Sum of the lanes in a fixed order. */
static inline float hsum8(float8 t)
{
    const float4 h4 = t.lo + t.hi;
    const float2 h2 = h4.lo + h4.hi;
    return h2.x + h2.y;
}
#if VW == 16
static inline float hsumv(float16 t) { return hsum8(t.lo + t.hi); }
#else
#define hsumv hsum8
#endif

/* Store the first `count` lanes of v at dst[0], dst[step], ... */
static inline void store_part(__global float *dst, floatv v, int step, int count)
{
    float t[VW];
    VSTOREV(v, 0, t);
    for (int j = 0; j < VW; j++)
        if (j < count) dst[j * step] = t[j];
}

/* The epilogue on the lanes of v that go to dst[j * step], j < count: the
 * activation (EPI 1) or the derivative (EPI 2) with y[j * step] the saved
 * activation at the same place. */
static inline floatv epilogue(floatv v, __global const float *y, int step, int count)
{
#if EPI == 0
    return v;
#elif EPI == 1
    return act_fv(ACT, v, ALPHA);
#else
    floatv yv;
    if (step == 1 && count == VW) {
        yv = VLOADV(0, y);
    } else { /* lanes past count are not stored: any value */
        float t[VW];
        for (int j = 0; j < VW; j++) t[j] = j < count ? y[j * step] : 0.0f;
        yv = VLOADV(0, t);
    }
    return act_gradv(ACT, v, yv, ALPHA);
#endif
}

#define NBLK_CONV ((GC + BLK - 1) / BLK)
#define NBLK_TCONV ((IC + BLK - 1) / BLK)

#if (DC_KIND == 0 || DC_KIND == 1) && RP == 2
/* The conv kind on a grid of 8-pixel rows with VW 16 (RP 2): each float16
 * holds grid rows 2pp (lanes 0-7) and 2pp + 1 (lanes 8-15), the 16
 * outputs contiguous in memory (GW == VW / 2, GH even), so a float16 FMA
 * does the work of two float8 ones where a row alone would fill half a
 * register. Each output sums its taps in the conv kind's order (c, r, s).
 * Global (1, GH / 2, N * NBLK_CONV). */
__kernel void conv2d_direct_conv(__global float *grid, __global const float *image,
                                 WMEM const float *w, __global const float *bias,
                                 const int has_bias, const int N, __global const float *y)
{
    const int p0 = 2 * (int)get_global_id(1);
    const int z = (int)get_global_id(2);
    const int n = z / NBLK_CONV, k0 = (z % NBLK_CONV) * BLK;
    if (get_global_id(0) != 0 || p0 >= GH) return;
    floatv acc[BLK];
#pragma unroll
    for (int k = 0; k < BLK; k++) {
        const int kk = k0 + k < GC ? k0 + k : GC - 1;
        acc[k] = (floatv)(has_bias ? bias[kk] : 0.0f);
    }
    const int total = N * IC * IH * IW;
    for (int c = 0; c < IC; c++) {
        const int plane = (n * IC + c) * (IH * IW);
#pragma unroll
        for (int r = 0; r < R; r++) {
            const int h0 = p0 * SH + r - PT, h1 = h0 + SH;
            const int ok0 = h0 >= 0 && h0 < IH, ok1 = h1 >= 0 && h1 < IH;
            if (!ok0 && !ok1) continue;
#pragma unroll
            for (int s = 0; s < S; s++) {
                const floath lo = ok0 ? load_img_half(image, plane + h0 * IW, s - PL, total)
                                      : (floath)(0.0f);
                const floath hi = ok1 ? load_img_half(image, plane + h1 * IW, s - PL, total)
                                      : (floath)(0.0f);
                const floatv v = (floatv)(lo, hi);
#pragma unroll
                for (int k = 0; k < BLK; k++) {
                    const int kk = k0 + k < GC ? k0 + k : GC - 1;
                    acc[k] = fma(v, (floatv)(w[((kk * IC + c) * R + r) * S + s]), acc[k]);
                }
            }
        }
    }
#pragma unroll
    for (int k = 0; k < BLK; k++) {
        if (k0 + k < GC) {
            const int at = ((n * GC + k0 + k) * GH + p0) * GW;
            VSTOREV(epilogue(acc[k], y + at, 1, VW), 0, grid + at);
        }
    }
}
#elif DC_KIND == 0 || DC_KIND == 1
/* grid (N,GC,GH,GW) = bias + sum over ic, r, s of w[gc][ic][r][s] * image.
 * A work-item takes CB vectors of VW columns side by side (more independent
 * FMA chains where BLK is small; each output's sum in the same order
 * whatever CB). Global (ceil(GW/(VW*CB)), GH, N * NBLK_CONV). */
__kernel void conv2d_direct_conv(__global float *grid, __global const float *image,
                                 WMEM const float *w, __global const float *bias,
                                 const int has_bias, const int N, __global const float *y)
{
    const int q0 = (int)get_global_id(0) * (VW * CB);
    const int p = (int)get_global_id(1);
    const int z = (int)get_global_id(2);
    const int n = z / NBLK_CONV, k0 = (z % NBLK_CONV) * BLK;
    if (q0 >= GW || p >= GH) return;
    floatv acc[CB][BLK];
#pragma unroll
    for (int k = 0; k < BLK; k++) {
        const int kk = k0 + k < GC ? k0 + k : GC - 1;
#pragma unroll
        for (int j = 0; j < CB; j++) acc[j][k] = (floatv)(has_bias ? bias[kk] : 0.0f);
    }
    const int x0 = q0 * SW - PL;
    /* Every column any tap of any of the CB vectors reads is inside the
     * image: unguarded loads. */
    const int inside = x0 >= 0 && x0 + (S - 1) + (CB - 1) * VW * SW + SPAN <= IW;
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
#pragma unroll
                for (int j = 0; j < CB; j++) {
                    const int xj = x0 + s + j * VW * SW;
                    const floatv v =
                        inside ? LOADV(image + row + xj) : load_img(image, row, xj, total);
#pragma unroll
                    for (int k = 0; k < BLK; k++) {
                        const int kk = k0 + k < GC ? k0 + k : GC - 1;
                        acc[j][k] =
                            fma(v, (floatv)(w[((kk * IC + c) * R + r) * S + s]), acc[j][k]);
                    }
                }
            }
        }
    }
#pragma unroll
    for (int j = 0; j < CB; j++) {
        const int qj = q0 + j * VW;
        if (qj >= GW) break;
        const int count = GW - qj < VW ? GW - qj : VW;
#pragma unroll
        for (int k = 0; k < BLK; k++) {
            if (k0 + k < GC) {
                const int at = ((n * GC + k0 + k) * GH + p) * GW + qj;
                const floatv v = epilogue(acc[j][k], y + at, 1, count);
                if (count == VW)
                    VSTOREV(v, 0, grid + at);
                else
                    store_part(grid + at, v, 1, count);
            }
        }
    }
}
#endif

#if DC_KIND == 0 || DC_KIND == 4
/* The 2x2 windows of activated rows t (row 2pp) and b (row 2pp + 1), lanes
 * (2j, 2j + 1) each: their max and its flat index in the plane (c0: the
 * index of lane 0 of row t), in maxpool_forward_2x2's order (strict >: ties
 * keep the first). */
static inline floath pool2x2(floatv t, floatv b, int c0, inth *arg)
{
    const inth i0 = (inth)(c0) + 2 * HLANES;
    floath best = t.even;
    inth bi = i0;
    inth m = t.odd > best;
    best = select(best, t.odd, m);
    bi = select(bi, i0 + 1, m);
    m = b.even > best;
    best = select(best, b.even, m);
    bi = select(bi, i0 + GW, m);
    m = b.odd > best;
    best = select(best, b.odd, m);
    bi = select(bi, i0 + GW + 1, m);
    *arg = bi;
    return best;
}

/* The conv kind's grid rows 2pp and 2pp + 1 (activated) max-pooled 2x2/2:
 * pooled (N,GC,GH/2,GW/2) and its argmax idx (GH, GW even). The taps of
 * both rows come from the R + SH image rows they span, each loaded once;
 * every output sums its taps in the conv kind's order (c, r, s), so the
 * values pooled are the conv kind's bits. Global (ceil(GW/VW), GH/2,
 * N * NBLK_CONV). */
__kernel void conv2d_direct_conv_pool(__global float *pooled, __global int *idx,
                                      __global const float *image, WMEM const float *w,
                                      __global const float *bias, const int has_bias, const int N)
{
    const int q0 = (int)get_global_id(0) * VW;
    const int pp = (int)get_global_id(1);
    const int z = (int)get_global_id(2);
    const int n = z / NBLK_CONV, k0 = (z % NBLK_CONV) * BLK;
    if (q0 >= GW || pp >= GH / 2) return;
    floatv top[BLK], bot[BLK];
#pragma unroll
    for (int k = 0; k < BLK; k++) {
        const int kk = k0 + k < GC ? k0 + k : GC - 1;
        top[k] = bot[k] = (floatv)(has_bias ? bias[kk] : 0.0f);
    }
    const int x0 = q0 * SW - PL;
    const int inside = x0 >= 0 && x0 + (S - 1) + SPAN <= IW;
    const int total = N * IC * IH * IW;
    for (int c = 0; c < IC; c++) {
        const int plane = (n * IC + c) * (IH * IW);
#pragma unroll
        for (int rr = 0; rr < R + SH; rr++) { /* image row 2pp*SH + rr - PT */
            const int h = 2 * pp * SH + rr - PT;
            if (h < 0 || h >= IH) continue;
            const int row = plane + h * IW;
#pragma unroll
            for (int s = 0; s < S; s++) {
                const floatv v =
                    inside ? LOADV(image + row + x0 + s) : load_img(image, row, x0 + s, total);
#pragma unroll
                for (int k = 0; k < BLK; k++) {
                    const int kk = k0 + k < GC ? k0 + k : GC - 1;
                    if (rr < R) /* tap (rr, s) of row 2pp */
                        top[k] = fma(v, (floatv)(w[((kk * IC + c) * R + rr) * S + s]), top[k]);
                    if (rr >= SH && rr - SH < R) /* tap (rr - SH, s) of row 2pp + 1 */
                        bot[k] = fma(v, (floatv)(w[((kk * IC + c) * R + rr - SH) * S + s]),
                                     bot[k]);
                }
            }
        }
    }
    const int PW = GW / 2, count = (GW - q0 < VW ? GW - q0 : VW) / 2;
#pragma unroll
    for (int k = 0; k < BLK; k++) {
        if (k0 + k < GC) {
            inth arg;
            const floath best = pool2x2(act_fv(ACT, top[k], ALPHA), act_fv(ACT, bot[k], ALPHA),
                                        2 * pp * GW + q0, &arg);
            const int at = ((n * GC + k0 + k) * (GH / 2) + pp) * PW + q0 / 2;
            if (count == VW / 2) {
                VSTOREH(best, 0, pooled + at);
                VSTOREH(arg, 0, idx + at);
            } else {
                float b4[VW / 2];
                int a4[VW / 2];
                VSTOREH(best, 0, b4);
                VSTOREH(arg, 0, a4);
                for (int j = 0; j < count; j++) {
                    pooled[at + j] = b4[j];
                    idx[at + j] = a4[j];
                }
            }
        }
    }
}
#endif

#if DC_KIND == 0 || DC_KIND == 2
/* image (N,IC,IH,IW) = bias + sum over gc and the taps (r,s) landing on the
 * pixel of w[gc][ic][r][s] * grid. Work-items own output columns of one
 * phase x = ph + SW*(VW*b + j), j < VW, so the grid columns they read are
 * contiguous; each takes TB such blocks b side by side (more independent
 * FMA chains where BLK is small; each output's sum in the same order
 * whatever TB). Global (SW * ceil(NBX/TB), IH, N * NBLK_TCONV),
 * NBX = ceil(ceil(IW/SW)/VW). With PP (SW 2) a work-item owns both phases
 * of its columns: every tap (r, s) lands on one of them, and the two
 * phases' sums interleave into contiguous stores; global (ceil(NBX/TB),
 * IH, N * NBLK_TCONV). Each output's sum is the same either way. */
#define NBX (((IW + SW - 1) / SW + VW - 1) / VW)
#if PP
/* PP: the BLK channels' two phases (e: columns x, x+2, ...; o: x+1, ...)
 * interleaved into image[at + c*IH*IW ...], 2 VW columns of which `cols`
 * are in the row, through the epilogue; `chans` channels are in the layer. */
static inline void store_phase_pair(__global float *image, __global const float *y, int at,
                                    int chans, int cols, const floatv *e, const floatv *o)
{
#pragma unroll
    for (int k = 0; k < BLK; k++) {
        if (k >= chans) break;
        const int ak = at + k * (IH * IW);
        const int c0 = cols < VW ? cols : VW, c1 = cols - VW < VW ? cols - VW : VW;
        const floatv lo = epilogue(ZIPLO(e[k], o[k]), y + ak, 1, c0);
        if (c0 == VW)
            VSTOREV(lo, 0, image + ak);
        else
            store_part(image + ak, lo, 1, c0);
        if (c1 <= 0) continue;
        const floatv hi = epilogue(ZIPHI(e[k], o[k]), y + ak + VW, 1, c1);
        if (c1 == VW)
            VSTOREV(hi, 0, image + ak + VW);
        else
            store_part(image + ak + VW, hi, 1, c1);
    }
}
#define NPH 2
#else
#define NPH 1
#endif

__kernel void conv2d_direct_tconv(__global float *image, __global const float *grid,
                                  WMEM const float *w, __global const float *bias,
                                  const int has_bias, const int N, __global const float *y)
{
    const int gx = (int)get_global_id(0);
#if PP
    const int ph = 0, b0 = gx * TB;
#else
    const int ph = gx % SW, b0 = (gx / SW) * TB;
#endif
    const int oy = (int)get_global_id(1);
    const int z = (int)get_global_id(2);
    const int n = z / NBLK_TCONV, k0 = (z % NBLK_TCONV) * BLK;
    const int x0 = ph + SW * VW * b0; /* first output column */
    if (x0 >= IW || oy >= IH) return;
    floatv acc[NPH][TB][BLK];
#pragma unroll
    for (int k = 0; k < BLK; k++) {
        const int kk = k0 + k < IC ? k0 + k : IC - 1;
#pragma unroll
        for (int p = 0; p < NPH; p++)
#pragma unroll
            for (int j = 0; j < TB; j++) acc[p][j][k] = (floatv)(has_bias ? bias[kk] : 0.0f);
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
#if PP /* the phase tap s lands on */
            const int p = ((s - PL) % 2 + 2) % 2;
#else
            const int p = 0;
#endif
            const int nx = x0 + p + PL - s;
            if (nx % SW != 0) continue;
            const int xs = nx / SW; /* grid column of lane 0 of block b0 */
            __global const float *row = grid + (n * GC * GH + h) * GW;
            if (xs >= 0 && xs + TB * VW <= GW) {
                for (int c = 0; c < GC; c++) {
#pragma unroll
                    for (int j = 0; j < TB; j++) {
                        const floatv v = VLOADV(0, row + c * (GH * GW) + xs + j * VW);
#pragma unroll
                        for (int k = 0; k < BLK; k++) {
                            const int kk = k0 + k < IC ? k0 + k : IC - 1;
                            acc[p][j][k] = fma(v, (floatv)(w[((c * IC + kk) * R + r) * S + s]),
                                               acc[p][j][k]);
                        }
                    }
                }
            } else {
                const int total = N * GC * GH * GW;
                const int at = (n * GC * GH + h) * GW;
                for (int c = 0; c < GC; c++) {
#pragma unroll
                    for (int j = 0; j < TB; j++) {
                        const floatv v = load_grid(grid, at + c * (GH * GW), xs + j * VW, total);
#pragma unroll
                        for (int k = 0; k < BLK; k++) {
                            const int kk = k0 + k < IC ? k0 + k : IC - 1;
                            acc[p][j][k] = fma(v, (floatv)(w[((c * IC + kk) * R + r) * S + s]),
                                               acc[p][j][k]);
                        }
                    }
                }
            }
        }
    }
#pragma unroll
    for (int j = 0; j < TB; j++) {
        const int xj = x0 + SW * VW * j;
        if (xj >= IW) break;
#if PP
        store_phase_pair(image, y, ((n * IC + k0) * IH + oy) * IW + xj, IC - k0, IW - xj, acc[0][j],
                         acc[1][j]);
#else
        const int count = (IW - xj + SW - 1) / SW < VW ? (IW - xj + SW - 1) / SW : VW;
#pragma unroll
        for (int k = 0; k < BLK; k++) {
            if (k0 + k < IC) {
                const int at = ((n * IC + k0 + k) * IH + oy) * IW + xj;
                const floatv v = epilogue(acc[0][j][k], y + at, SW, count);
                if (SW == 1 && count == VW)
                    VSTOREV(v, 0, image + at);
                else
                    store_part(image + at, v, SW, count);
            }
        }
#endif
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
 * work-items so they share its data in cache (GSTAGE needs it to). */
#define NBLK_DW ((GC + BLK - 1) / BLK)
#define NBXG ((GW + VW - 1) / VW)

/* The grid's VW columns q0.. of row gy, channel k, image n of a grid tensor
 * as it is (zero past GW). */
static inline floatv grid_plain(__global const float *grid, const int N, const int n,
                                const int k, const int gy, const int q0)
{
    const int at = ((n * GC + k) * GH + gy) * GW;
    return q0 + VW <= GW ? VLOADV(0, grid + at + q0) : load_grid(grid, at, q0, N * GC * GH * GW);
}

/* The grid's VW columns q0.. of row gy, channel k, image n (zero past GW),
 * from where GSRC says (the file's header); GSRC 2 also gives the loss of
 * those elements in *loss (zero past GW). Arguments as conv2d_direct_dw's. */
static inline floatv grid_vec(__global const float *grid, __global const int *gidx,
                              __global const float *gaux, const int N, const int lcount,
                              const int n, const int k, const int gy, const int q0, floatv *loss)
{
    const intv lane = LANES;
#if GSRC == 0
    return grid_plain(grid, N, n, k, gy, q0);
#elif GSRC == 1
    /* grid (GH x GW, even) max-pooled 2x2/2 into PH x PW: grid[gy][q0 + j]
     * is its window's dout times act'(pooled value) where the window's
     * argmax is that pixel, else 0 */
    const int PH = GH / 2, PW = GW / 2;
    const int at = ((n * GC + k) * PH + gy / 2) * PW + q0 / 2;
    floath dp, py;
    inth ix;
    if (q0 + VW <= GW) {
        dp = VLOADH(0, grid + at);
        py = VLOADH(0, gaux + at);
        ix = VLOADH(0, gidx + at);
    } else { /* the windows past PW: argmax -1, never a pixel */
        float d4[VW / 2], y4[VW / 2];
        int i4[VW / 2];
        for (int j = 0; j < VW / 2; j++) {
            const int in = q0 / 2 + j < PW;
            d4[j] = in ? grid[at + j] : 0.0f;
            y4[j] = in ? gaux[at + j] : 0.0f;
            i4[j] = in ? gidx[at + j] : -1;
        }
        dp = VLOADH(0, d4);
        py = VLOADH(0, y4);
        ix = VLOADH(0, i4);
    }
    const floatv g = act_gradv(ACT, DUPH(dp), DUPH(py), ALPHA);
    return select((floatv)(0.0f), g, DUPH(ix) == (intv)(gy * GW + q0) + lane);
#else
    /* the loss's gradient through the activation, as mse.cl's loss_step */
    const int at = ((n * GC + k) * GH + gy) * GW + q0;
    floatv y, t;
    if (q0 + VW <= GW) {
        y = VLOADV(0, grid + at);
        t = VLOADV(0, gaux + at);
    } else {
        float y8[VW], t8[VW];
        for (int j = 0; j < VW; j++) {
            y8[j] = q0 + j < GW ? grid[at + j] : 0.5f;
            t8[j] = q0 + j < GW ? gaux[at + j] : 0.5f;
        }
        y = VLOADV(0, y8);
        t = VLOADV(0, t8);
    }
    *loss = mask_cols(elem_lossv(y, t), (intv)(q0) + lane, GW);
    return mask_cols(act_gradv(ACT, elem_gradv(y, t, lcount), y, ALPHA), (intv)(q0) + lane, GW);
#endif
}

#if GSTAGE
/* GSTAGE: the work-group (all NBLK_DW * IC work-items of one slice) rebuilds
 * the slice's grid rows (image, channel, row) into dout, work-item w taking
 * rows w, w + W, ... (W: the group's size); GSRC 2 also stores each
 * work-item's loss sum, W of them after the weights and biases. The barrier
 * makes the rows visible to the whole group. */
static inline void stage_grid(__global float *part, __global const float *grid,
                              __global const int *gidx, __global const float *gaux,
                              __global float *dout, const int N, const int lcount,
                              const int pstride, const int slice, const int n0, const int n1)
{
    const int w = (int)get_local_id(0), W = (int)get_local_size(0);
    floatv lacc = (floatv)(0.0f);
    for (int row = w; row < (n1 - n0) * GC * GH; row += W) {
        const int n = n0 + row / (GC * GH), k = row / GH % GC, gy = row % GH;
        const int at = ((n * GC + k) * GH + gy) * GW;
        for (int bx = 0; bx < NBXG; bx++) {
            const int q0 = bx * VW;
            floatv l8 = (floatv)(0.0f);
            const floatv a = grid_vec(grid, gidx, gaux, N, lcount, n, k, gy, q0, &l8);
            lacc += l8;
            if (q0 + VW <= GW)
                VSTOREV(a, 0, dout + at + q0);
            else
                store_part(dout + at + q0, a, 1, GW - q0);
        }
    }
#if GSRC == 2
    part[(slice + 1) * pstride - W + w] = hsumv(lacc);
#endif
    barrier(CLK_GLOBAL_MEM_FENCE);
}
#endif

__kernel void conv2d_direct_dw(__global float *part, __global const float *grid,
                               __global const float *image, const int N, const int per_slice,
                               const int db_mode, const int pstride, __global const int *gidx,
                               __global const float *gaux, __global float *dout,
                               const int lcount)
{
    const int id = (int)get_global_id(0);
    const int slice = (int)get_global_id(1);
    /* Neighbouring work-items share the larger tensor's plane and cycle
     * through the smaller one's blocks, which then stay in cache. */
#if IC * IH * IW > GC * GH * GW
    const int ic = id / NBLK_DW, k0 = id % NBLK_DW * BLK;
#else
    const int ic = id % IC, k0 = (id / IC) * BLK;
#endif
    const int n0 = slice * per_slice;
    const int n1 = n0 + per_slice < N ? n0 + per_slice : N;
#if GSTAGE
    stage_grid(part, grid, gidx, gaux, dout, N, lcount, pstride, slice, n0, n1);
#endif
    if (k0 >= GC) return;
    floatv acc[BLK][R][S];
#pragma unroll
    for (int k = 0; k < BLK; k++)
#pragma unroll
        for (int r = 0; r < R; r++)
#pragma unroll
            for (int s = 0; s < S; s++) acc[k][r][s] = (floatv)(0.0f);
    floatv bacc[BLK];
    floatv lacc = (floatv)(0.0f); /* GSRC 2: the loss over the block's channels */
    const int grid_bias = db_mode == 1 && ic == 0;
#pragma unroll
    for (int k = 0; k < BLK; k++) bacc[k] = (floatv)(0.0f);
    /* column blocks outermost: a block's tap masks are computed once */
    for (int bx = 0; bx < NBXG; bx++) {
        const int q0 = bx * VW;
        const int x0 = q0 * SW - PL;
        const int inside = x0 >= 0 && x0 + (S - 1) + SPAN <= IW;
        intv keep[S];
#pragma unroll
        for (int s = 0; s < S; s++) keep[s] = cols_inside((intv)(x0 + s) + LANES * SW, IW);
        for (int n = n0; n < n1; n++) {
            for (int gy = 0; gy < GH; gy++) {
                floatv a[BLK];
#pragma unroll
                for (int k = 0; k < BLK; k++) {
                    const int kk = k0 + k < GC ? k0 + k : GC - 1;
#if GSTAGE
                    a[k] = grid_plain(dout, N, n, kk, gy, q0);
#else
                    floatv l8 = (floatv)(0.0f);
                    a[k] = grid_vec(grid, gidx, gaux, N, lcount, n, kk, gy, q0, &l8);
#endif
#if GSRC == 2 && !GSTAGE
                    if (ic == 0 && k0 + k < GC) lacc += l8;
#endif
#if WDOUT && !GSTAGE
                    if (ic == 0 && k0 + k < GC) {
                        const int at = ((n * GC + kk) * GH + gy) * GW + q0;
                        if (q0 + VW <= GW)
                            VSTOREV(a[k], 0, dout + at);
                        else
                            store_part(dout + at, a[k], 1, GW - q0);
                    }
#endif
                }
                if (grid_bias) {
#pragma unroll
                    for (int k = 0; k < BLK; k++) bacc[k] += a[k];
                }
#pragma unroll
                for (int r = 0; r < R; r++) {
                    const int h = gy * SH + r - PT;
                    if (h < 0 || h >= IH) continue;
                    const int row = (n * IC + ic) * (IH * IW) + h * IW;
#pragma unroll
                    for (int s = 0; s < S; s++) {
                        const floatv v = load_tap(image, row, x0 + s, keep[s], inside,
                                                  N * IC * IH * IW);
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
                for (int s = 0; s < S; s++) dst[r * S + s] = hsumv(acc[k][r][s]);
            if (grid_bias) part[slice * pstride + GC * IC * R * S + k0 + k] = hsumv(bacc[k]);
        }
    }
#if GSRC == 2 && !GSTAGE
    /* after the weights and biases (nb of them): one loss sum per block */
    if (ic == 0) part[(slice + 1) * pstride - NBLK_DW + k0 / BLK] = hsumv(lacc);
#endif
    if (db_mode == 2 && k0 == 0) {
        floatv b8 = (floatv)(0.0f);
        float b1 = 0.0f;
        for (int n = n0; n < n1; n++) {
            __global const float *plane = image + (n * IC + ic) * (IH * IW);
            int i = 0;
            for (; i + VW <= IH * IW; i += VW) b8 += VLOADV(0, plane + i);
            for (; i < IH * IW; i++) b1 += plane[i];
        }
        part[slice * pstride + GC * IC * R * S + ic] = hsumv(b8) + b1;
    }
}
#endif

/* dw (nw) += and db (nb) += the sums over slices of part (nslices rows of
 * nw + nb + nl floats: weights, biases, then nl loss sums), in slice order;
 * with nl > 0 work-item nw + nb also writes loss[0] = the sum of the loss
 * sums (slice by slice, each in order) / lcount. */
__kernel void conv2d_direct_dw_sum(__global float *dw, __global float *db,
                                   __global const float *part, const int nw, const int nb,
                                   const int nslices, const int nl, __global float *loss,
                                   const int lcount)
{
    const int i = (int)get_global_id(0);
    const int row = nw + nb + nl;
    if (i > nw + nb || (i == nw + nb && nl == 0)) return;
    float acc = 0.0f;
    if (i == nw + nb) {
        for (int sl = 0; sl < nslices; sl++)
            for (int j = 0; j < nl; j++) acc += part[sl * row + i + j];
        loss[0] = acc / (float)lcount;
        return;
    }
    for (int sl = 0; sl < nslices; sl++) acc += part[sl * row + i];
    if (i < nw)
        dw[i] += acc;
    else
        db[i - nw] += acc;
}
