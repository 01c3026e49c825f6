/* Max and average pooling; twins of src/host/ref/pool.c. One work-item per
 * output (forward) or per input pixel (backward: a gather over the outputs
 * whose windows cover the pixel, in the reference's row-major order, so
 * overlapping windows need no atomics).
 * The max-pool backward kernels fuse the derivative of the activation that
 * produced the pool's input (clae_epi in include/clae/ops.h): din = dout *
 * act'(in) at the winning pixel, 0 elsewhere (act 0: plain dout, `in`
 * unread and may be NULL). */
#include "act.clh"

#define EPI_ARGS __global const float *in, const int act, const float alpha

#define POOL_GEOM                                                                        \
    const int N, const int C, const int H, const int W, const int R, const int S,        \
        const int sh, const int sw, const int P, const int Q, const int pt, const int pl

__kernel void maxpool_forward(__global float *out, __global int *idx, __global const float *in,
                              POOL_GEOM)
{
    int i = get_global_id(0);
    if (i >= N * C * P * Q) return;
    int q = i % Q, p = (i / Q) % P, nc = i / (P * Q);
    __global const float *x = in + (long)nc * H * W;
    float best = 0.0f;
    int bi = -1;
    for (int r = 0; r < R; r++) {
        int h = p * sh - pt + r;
        if (h < 0 || h >= H) continue;
        for (int s = 0; s < S; s++) {
            int w = q * sw - pl + s;
            if (w < 0 || w >= W) continue;
            float v = x[h * W + w];
            if (bi < 0 || v > best) { /* strict: ties keep the first */
                best = v;
                bi = h * W + w;
            }
        }
    }
    out[i] = best;
    idx[i] = bi;
}

/* Outputs [*p0, *p1] along one axis whose windows cover input position h. */
static void covering(int h, int pad, int k, int stride, int n_out, int *p0, int *p1)
{
    int lo = h + pad - k + 1;
    *p0 = lo <= 0 ? 0 : (lo + stride - 1) / stride;
    int hi = (h + pad) / stride;
    *p1 = hi < n_out - 1 ? hi : n_out - 1;
}

__kernel void maxpool_backward(__global float *din, __global const float *dout,
                               __global const int *idx, POOL_GEOM,
                               EPI_ARGS)
{
    int i = get_global_id(0);
    if (i >= N * C * H * W) return;
    int w = i % W, h = (i / W) % H, nc = i / (H * W);
    int p0, p1, q0, q1;
    covering(h, pt, R, sh, P, &p0, &p1);
    covering(w, pl, S, sw, Q, &q0, &q1);
    int self = h * W + w;
    long base = (long)nc * P * Q;
    float sum = 0.0f;
    for (int p = p0; p <= p1; p++)
        for (int q = q0; q <= q1; q++)
            if (idx[base + p * Q + q] == self) sum += dout[base + p * Q + q];
    din[i] = act ? act_grad(act, sum, in[i], alpha) : sum;
}

/* The same when windows tile the input exactly (stride == window, no padding,
 * P*R == H, Q*S == W): every input pixel lies in exactly one window, so one
 * work-item per output writes its whole window (the common 2x2/2 case,
 * with no search over covering outputs). */
__kernel void maxpool_backward_tiled(__global float *din, __global const float *dout,
                                     __global const int *idx, POOL_GEOM,
                                     EPI_ARGS)
{
    int i = get_global_id(0);
    if (i >= N * C * P * Q) return;
    int q = i % Q, p = (i / Q) % P, nc = i / (P * Q);
    int hit = idx[i];
    __global float *x = din + (long)nc * H * W;
    float g = act ? act_grad(act, dout[i], in[(long)nc * H * W + hit], alpha) : dout[i];
    for (int r = 0; r < R; r++)
        for (int s = 0; s < S; s++) {
            int self = (p * R + r) * W + q * S + s;
            x[self] = self == hit ? g : 0.0f;
        }
}

/* 2x2 windows with stride 2 tiling the input (the denoiser's pools): the
 * same results as maxpool_forward / maxpool_backward_tiled with the window
 * unrolled. One work-item per output row, 8 outputs at a time as float8
 * (the two input rows as 16-float loads split into even and odd columns),
 * the rest of a row one at a time. */
#define MP_VW 8

/* Window q of input rows r0 / r1 (flat index base + 2q): its max and index. */
static void max2x2(__global const float *r0, __global const float *r1, int base, int W, int q,
                   float *best_out, int *bi_out)
{
    float v0 = r0[2 * q], v1 = r0[2 * q + 1], v2 = r1[2 * q], v3 = r1[2 * q + 1];
    float best = v0;
    int bi = base + 2 * q;
    if (v1 > best) { best = v1; bi = base + 2 * q + 1; }
    if (v2 > best) { best = v2; bi = base + W + 2 * q; }
    if (v3 > best) { best = v3; bi = base + W + 2 * q + 1; }
    *best_out = best;
    *bi_out = bi;
}

/* 16 floats at p as two float8 accesses: a call of vload16 / vstore16
 * passes a float16 by value, which x86 without AVX-512 warns about (clang's
 * "changes the ABI", on every build). */
#define MP_LOAD16(p) ((float16)(vload8(0, (p)), vload8(0, (p) + 8)))
#define MP_STORE16(v, p)              \
    do {                              \
        const float16 v16_ = (v);     \
        vstore8(v16_.lo, 0, (p));     \
        vstore8(v16_.hi, 0, (p) + 8); \
    } while (0)

__kernel void maxpool_forward_2x2(__global float *out, __global int *idx,
                                  __global const float *in, POOL_GEOM)
{
    int row = get_global_id(0); /* one output row (n, c, p) per work-item */
    if (row >= N * C * P) return;
    int p = row % P, nc = row / P;
    __global const float *r0 = in + (long)nc * H * W + 2 * p * W, *r1 = r0 + W;
    __global float *o = out + (long)row * Q;
    __global int *ix = idx + (long)row * Q;
    int base = 2 * p * W;
    int q = 0;
    for (; q + MP_VW <= Q; q += MP_VW) { /* strict >: ties keep the first, as below */
        const float16 a = MP_LOAD16(r0 + 2 * q), b = MP_LOAD16(r1 + 2 * q);
        const int8 c0 = (int8)(base + 2 * q) + (int8)(0, 2, 4, 6, 8, 10, 12, 14);
        float8 best = a.even;
        int8 bi = c0;
        int8 m = a.odd > best;
        best = select(best, a.odd, m);
        bi = select(bi, c0 + 1, m);
        m = b.even > best;
        best = select(best, b.even, m);
        bi = select(bi, c0 + W, m);
        m = b.odd > best;
        best = select(best, b.odd, m);
        bi = select(bi, c0 + W + 1, m);
        vstore8(best, 0, o + q);
        vstore8(bi, 0, ix + q);
    }
    for (; q < Q; q++) {
        float best;
        int bi;
        max2x2(r0, r1, base, W, q, &best, &bi);
        o[q] = best;
        ix[q] = bi;
    }
}

__kernel void maxpool_backward_2x2(__global float *din, __global const float *dout,
                                   __global const int *idx, POOL_GEOM,
                                   EPI_ARGS)
{
    int row = get_global_id(0);
    if (row >= N * C * P) return;
    int p = row % P, nc = row / P;
    __global float *r0 = din + (long)nc * H * W + 2 * p * W, *r1 = r0 + W;
    __global const float *g = dout + (long)row * Q;
    __global const int *ix = idx + (long)row * Q;
    int base = 2 * p * W;
    int q = 0;
    for (; q + MP_VW <= Q; q += MP_VW) {
        /* 0, 1 (top row) or W, W + 1 (bottom row) */
        const int8 hit = vload8(0, ix + q) - (int8)(base + 2 * q) -
                         (int8)(0, 2, 4, 6, 8, 10, 12, 14);
        float8 v = vload8(0, g + q);
        if (act) { /* the derivative at the winning input (in is read only then) */
            __global const float *x0 = in + (long)nc * H * W + 2 * p * W + 2 * q;
            const float16 a = MP_LOAD16(x0), b = MP_LOAD16(x0 + W);
            float8 y = select(a.even, a.odd, hit == 1);
            y = select(y, b.even, hit == W);
            y = select(y, b.odd, hit == W + 1);
            v = act_grad8(act, v, y, alpha);
        }
        const float8 z = (float8)(0.0f);
        const float8 t0 = select(z, v, hit == 0), t1 = select(z, v, hit == 1);
        const float8 b0 = select(z, v, hit == W), b1 = select(z, v, hit == W + 1);
        MP_STORE16((float16)(t0.s0, t1.s0, t0.s1, t1.s1, t0.s2, t1.s2, t0.s3, t1.s3, t0.s4,
                             t1.s4, t0.s5, t1.s5, t0.s6, t1.s6, t0.s7, t1.s7),
                   r0 + 2 * q);
        MP_STORE16((float16)(b0.s0, b1.s0, b0.s1, b1.s1, b0.s2, b1.s2, b0.s3, b1.s3, b0.s4,
                             b1.s4, b0.s5, b1.s5, b0.s6, b1.s6, b0.s7, b1.s7),
                   r1 + 2 * q);
    }
    for (; q < Q; q++) {
        int hit = ix[q] - base - 2 * q;
        float v = act ? act_grad(act, g[q], in[(long)nc * H * W + ix[q]], alpha) : g[q];
        r0[2 * q] = hit == 0 ? v : 0.0f;
        r0[2 * q + 1] = hit == 1 ? v : 0.0f;
        r1[2 * q] = hit == W ? v : 0.0f;
        r1[2 * q + 1] = hit == W + 1 ? v : 0.0f;
    }
}

/* In-image element count of output (p, q)'s window. */
static int window_count(int p, int q, int H, int W, int R, int S, int sh, int sw, int pt,
                        int pl)
{
    int hs = p * sh - pt, ws = q * sw - pl;
    int h0 = max(hs, 0), h1 = min(hs + R, H), w0 = max(ws, 0), w1 = min(ws + S, W);
    return (h1 - h0) * (w1 - w0);
}

__kernel void avgpool_forward(__global float *out, __global const float *in, POOL_GEOM)
{
    int i = get_global_id(0);
    if (i >= N * C * P * Q) return;
    int q = i % Q, p = (i / Q) % P, nc = i / (P * Q);
    __global const float *x = in + (long)nc * H * W;
    int hs = p * sh - pt, ws = q * sw - pl;
    int h0 = max(hs, 0), h1 = min(hs + R, H), w0 = max(ws, 0), w1 = min(ws + S, W);
    float sum = 0.0f;
    for (int h = h0; h < h1; h++)
        for (int w = w0; w < w1; w++) sum += x[h * W + w];
    int cnt = (h1 - h0) * (w1 - w0);
    out[i] = cnt > 0 ? sum / (float)cnt : 0.0f;
}

__kernel void avgpool_backward(__global float *din, __global const float *dout, POOL_GEOM)
{
    int i = get_global_id(0);
    if (i >= N * C * H * W) return;
    int w = i % W, h = (i / W) % H, nc = i / (H * W);
    int p0, p1, q0, q1;
    covering(h, pt, R, sh, P, &p0, &p1);
    covering(w, pl, S, sw, Q, &q0, &q1);
    long base = (long)nc * P * Q;
    float sum = 0.0f;
    for (int p = p0; p <= p1; p++)
        for (int q = q0; q <= q1; q++)
            sum += dout[base + p * Q + q] / (float)window_count(p, q, H, W, R, S, sh, sw, pt, pl);
    din[i] = sum;
}
