/* Host side of conv2d: im2col + one CLBlast GEMM per chunk of images.
 * Forward:  col (CRS, Nc*PQ) = im2col(in); y (K, Nc*PQ) = w (K,CRS) . col;
 *           out = permute(y) to NCHW + b.
 * Backward: dp (K, Nc*PQ) = permute(dout); dw += dp . col^T;
 *           dcol = w^T . dp; din = col2im(dcol) (a gather, no atomics);
 *           db += sum of dout over n, p, q.
 * Scratch slots: 0 column buffer, 1 the (K, Nc*PQ) matrix.
 * clae_conv_use_direct (conv2d_direct.c) sends most shapes to the direct
 * kernels instead; this GEMM path is the general fallback. */
#include "ops/conv2d_direct.h"
#include "ops/gemm.h"

static clae_lowering conv_lowering(const clae_conv_shape *g)
{
    return (clae_lowering){.C = g->C, .H = g->H, .W = g->W, .P = g->P, .Q = g->Q, .R = g->R,
                           .S = g->S, .sh = g->sh, .sw = g->sw, .pt = g->pt, .pl = g->pl};
}

static size_t max_sz(size_t a, size_t b) { return a > b ? a : b; }

clae_status conv2d_forward_cl(clae_device *d, cl_mem out, cl_mem in, cl_mem w, cl_mem b,
                              const clae_conv_shape *g, clae_epi act)
{
    CLAE_TRY(clae_conv_check(g, "conv2d"));
    if (clae_conv_use_direct(d, g, 0)) return conv2d_forward_direct(d, out, in, w, b, g, act);
    const clae_lowering L = conv_lowering(g);
    const size_t CRS = (size_t)g->C * g->R * g->S, PQ = (size_t)g->P * g->Q,
                 HW = (size_t)g->H * g->W, K = (size_t)g->K, C = (size_t)g->C;
    int Nc;
    CLAE_TRY(clae_conv_chunk(d, "conv2d", max_sz(CRS, K) * PQ, g->N, &Nc));
    cl_mem col, y;
    CLAE_TRY(clae_scratch(d, CLAE_SCRATCH_COL, CRS * PQ * Nc * sizeof(float), &col));
    CLAE_TRY(clae_scratch(d, CLAE_SCRATCH_GEMM, K * PQ * Nc * sizeof(float), &y));
    for (int n0 = 0; n0 < g->N; n0 += Nc) {
        int nc = g->N - n0 < Nc ? g->N - n0 : Nc;
        size_t cols = (size_t)nc * PQ;
        CLAE_TRY(clae_im2col(d, col, in, (size_t)n0 * C * HW, &L, nc));
        CLAE_TRY(clae_gemm(d, 0, 0, K, cols, CRS, 1.0f, w, 0, CRS, col, 0, cols, 0.0f, y, 0,
                           cols));
        CLAE_TRY(clae_from_cnhw(d, out, (size_t)n0 * K * PQ, y, b, g->K, (int)PQ, nc));
    }
    /* the fused epilogue of the direct kernels, as a pass of its own */
    if (act.act == CLAE_ACT_NONE) return CLAE_OK;
    return act_forward_cl(d, out, out, (size_t)g->N * K * PQ, act.act, act.alpha);
}

clae_status conv2d_backward_cl(clae_device *d, cl_mem din, cl_mem dw, cl_mem db, cl_mem dout,
                               cl_mem in, cl_mem w, const clae_conv_shape *g, clae_epi act)
{
    CLAE_TRY(clae_conv_check(g, "conv2d"));
    if (clae_conv_use_direct(d, g, 0))
        return conv2d_backward_direct(d, din, dw, db, dout, in, w, g, act);
    const clae_lowering L = conv_lowering(g);
    const size_t CRS = (size_t)g->C * g->R * g->S, PQ = (size_t)g->P * g->Q,
                 HW = (size_t)g->H * g->W, K = (size_t)g->K, C = (size_t)g->C;
    if (db) CLAE_TRY(clae_conv_bias_grad(d, db, dout, g->N, g->K, (int)PQ));
    if (!din && !dw) return CLAE_OK;
    int Nc;
    CLAE_TRY(clae_conv_chunk(d, "conv2d", max_sz(CRS, K) * PQ, g->N, &Nc));
    cl_mem col, dp;
    CLAE_TRY(clae_scratch(d, CLAE_SCRATCH_COL, CRS * PQ * Nc * sizeof(float), &col));
    CLAE_TRY(clae_scratch(d, CLAE_SCRATCH_GEMM, K * PQ * Nc * sizeof(float), &dp));
    for (int n0 = 0; n0 < g->N; n0 += Nc) {
        int nc = g->N - n0 < Nc ? g->N - n0 : Nc;
        size_t cols = (size_t)nc * PQ;
        CLAE_TRY(clae_to_cnhw(d, dp, dout, (size_t)n0 * K * PQ, g->K, (int)PQ, nc));
        if (dw) {
            CLAE_TRY(clae_im2col(d, col, in, (size_t)n0 * C * HW, &L, nc));
            CLAE_TRY(clae_gemm(d, 0, 1, K, CRS, cols, 1.0f, dp, 0, cols, col, 0, cols, 1.0f, dw,
                               0, CRS));
        }
        if (din) {
            /* dcol reuses the column buffer (the in-order queue finished dw). */
            CLAE_TRY(clae_gemm(d, 1, 0, CRS, cols, K, 1.0f, w, 0, CRS, dp, 0, cols, 0.0f, col, 0,
                               cols));
            CLAE_TRY(clae_col2im(d, din, (size_t)n0 * C * HW, col, NULL, &L, nc));
        }
    }
    if (din && act.act != CLAE_ACT_NONE)
        CLAE_TRY(act_backward_cl(d, din, din, in, (size_t)g->N * C * HW, act.act, act.alpha));
    return CLAE_OK;
}

/* ---- backends: each op once per backend (clae_device.be picks) ----------- */

/* OpenCL: the launchers above, on the buffers' cl_mem. */
static clae_status conv2d_forward_opencl(clae_device *d, clae_buf out, clae_buf in, clae_buf w,
                                         clae_buf b, const clae_conv_shape *g, clae_epi act)
{
    return conv2d_forward_cl(d, out.d, in.d, w.d, b.d, g, act);
}

static clae_status conv2d_backward_opencl(clae_device *d, clae_buf din, clae_buf dw, clae_buf db,
                                          clae_buf dout, clae_buf in, clae_buf w,
                                          const clae_conv_shape *g, clae_epi act)
{
    return conv2d_backward_cl(d, din.d, dw.d, db.d, dout.d, in.d, w.d, g, act);
}

/* Host: the reference twins (src/host/ref/conv2d.c), on the buffers' host memory. */
static clae_status conv2d_forward_host(clae_device *d, clae_buf out, clae_buf in, clae_buf w,
                                       clae_buf b, const clae_conv_shape *g, clae_epi act)
{
    conv2d_forward_ref(out.h, in.h, w.h, b.h, g);
    if (act.act != CLAE_ACT_NONE)
        act_forward_ref(out.h, out.h, (size_t)g->N * g->K * g->P * g->Q, act.act, act.alpha);
    return CLAE_OK;
}

static clae_status conv2d_backward_host(clae_device *d, clae_buf din, clae_buf dw, clae_buf db,
                                        clae_buf dout, clae_buf in, clae_buf w,
                                        const clae_conv_shape *g, clae_epi act)
{
    conv2d_backward_ref(din.h, dw.h, db.h, dout.h, in.h, w.h, g);
    if (din.h && act.act != CLAE_ACT_NONE)
        act_backward_ref(din.h, din.h, in.h, (size_t)g->N * g->C * g->H * g->W, act.act, act.alpha);
    return CLAE_OK;
}

static const struct conv2d_backend {
    clae_status (*conv2d_forward)(clae_device *, clae_buf, clae_buf, clae_buf, clae_buf,
                                  const clae_conv_shape *, clae_epi);
    clae_status (*conv2d_backward)(clae_device *, clae_buf, clae_buf, clae_buf, clae_buf, clae_buf,
                                   clae_buf, const clae_conv_shape *, clae_epi);
} BACKENDS[CLAE_BACKENDS] = {
    [CLAE_BACKEND_OPENCL] = {.conv2d_forward = conv2d_forward_opencl,
                             .conv2d_backward = conv2d_backward_opencl},
    [CLAE_BACKEND_HOST] = {.conv2d_forward = conv2d_forward_host,
                           .conv2d_backward = conv2d_backward_host},
};

/* ---- entry points (clae/ops.h): the checks every backend shares, one dispatch - */

clae_status conv2d_forward(clae_device *d, clae_buf out, clae_buf in, clae_buf w, clae_buf b,
                           const clae_conv_shape *g, clae_epi act)
{
    return BACKENDS[d->be->id].conv2d_forward(d, out, in, w, b, g, act);
}

clae_status conv2d_backward(clae_device *d, clae_buf din, clae_buf dw, clae_buf db, clae_buf dout,
                            clae_buf in, clae_buf w, const clae_conv_shape *g, clae_epi act)
{
    return BACKENDS[d->be->id].conv2d_backward(d, din, dw, db, dout, in, w, g, act);
}
