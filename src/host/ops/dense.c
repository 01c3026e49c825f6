/* Host side of the fully connected layer: the direct kernels (ops/dense_direct.c)
 * where clae_dense_use_direct picks them, else GEMMs through CLBlast and the
 * bias kernels; and the dispatch to the reference twin. */
#include <limits.h>
#include <stdio.h>

#include "clae/ops.h"
#include "ops/dense_direct.h"
#include "ops/gemm.h"

static clae_status dense_check(int N, int I, int U)
{
    if (N < 1 || I < 1 || U < 1 || (double)N * I > INT_MAX || (double)N * U > INT_MAX ||
        (double)U * I > INT_MAX) {
        fprintf(stderr, "clae: dense: shape out of range\n");
        return CLAE_ERR_SHAPE;
    }
    return CLAE_OK;
}

clae_status dense_forward_cl(clae_device *d, cl_mem out, cl_mem in, cl_mem w, cl_mem b, int N,
                             int I, int U, clae_epi act)
{
    CLAE_TRY(dense_check(N, I, U));
    if (clae_dense_use_direct(d, N, I, U))
        return dense_forward_direct(d, out, in, w, b, N, I, U, act);
    /* out (N,U) = in (N,I) . w^T (I,U) */
    CLAE_TRY(clae_gemm(d, 0, 1, (size_t)N, (size_t)U, (size_t)I, 1.0f, in, 0, (size_t)I, w, 0,
                       (size_t)I, 0.0f, out, 0, (size_t)U));
    if (b) CLAE_TRY(bias_forward_cl(d, out, b, N, U, 1));
    /* the direct kernels' epilogue, as a pass of its own */
    if (act.act == CLAE_ACT_NONE) return CLAE_OK;
    return act_forward_cl(d, out, out, (size_t)N * U, act.act, act.alpha);
}

clae_status dense_backward_cl(clae_device *d, cl_mem din, cl_mem dw, cl_mem db, cl_mem dout,
                              cl_mem in, cl_mem w, int N, int I, int U, clae_epi din_act)
{
    CLAE_TRY(dense_check(N, I, U));
    if (clae_dense_use_direct(d, N, I, U))
        return dense_backward_direct(d, din, dw, db, dout, in, w, N, I, U, din_act);
    if (din) /* din (N,I) = dout (N,U) . w (U,I) */
        CLAE_TRY(clae_gemm(d, 0, 0, (size_t)N, (size_t)I, (size_t)U, 1.0f, dout, 0, (size_t)U, w,
                           0, (size_t)I, 0.0f, din, 0, (size_t)I));
    if (din && din_act.act != CLAE_ACT_NONE)
        CLAE_TRY(act_backward_cl(d, din, din, in, (size_t)N * I, din_act.act, din_act.alpha));
    if (dw) /* dw (U,I) += dout^T (U,N) . in (N,I) */
        CLAE_TRY(clae_gemm(d, 1, 0, (size_t)U, (size_t)I, (size_t)N, 1.0f, dout, 0, (size_t)U,
                           in, 0, (size_t)I, 1.0f, dw, 0, (size_t)I));
    return db ? bias_backward_cl(d, db, dout, N, U, 1) : CLAE_OK;
}

/* ---- backends: each op once per backend (clae_device.be picks) ----------- */

/* OpenCL: the launchers above, on the buffers' cl_mem. */
static clae_status dense_forward_opencl(clae_device *d, clae_buf out, clae_buf in, clae_buf w,
                                        clae_buf b, int N, int I, int U, clae_epi act)
{
    return dense_forward_cl(d, out.d, in.d, w.d, b.d, N, I, U, act);
}

static clae_status dense_backward_opencl(clae_device *d, clae_buf din, clae_buf dw, clae_buf db,
                                         clae_buf dout, clae_buf in, clae_buf w, int N, int I,
                                         int U, clae_epi din_act)
{
    return dense_backward_cl(d, din.d, dw.d, db.d, dout.d, in.d, w.d, N, I, U, din_act);
}

/* Host: the reference twins (src/host/ref/dense.c), on the buffers' host memory. */
static clae_status dense_forward_host(clae_device *d, clae_buf out, clae_buf in, clae_buf w,
                                      clae_buf b, int N, int I, int U, clae_epi act)
{
    dense_forward_ref(out.h, in.h, w.h, b.h, N, I, U);
    if (act.act != CLAE_ACT_NONE)
        act_forward_ref(out.h, out.h, (size_t)N * U, act.act, act.alpha);
    return CLAE_OK;
}

static clae_status dense_backward_host(clae_device *d, clae_buf din, clae_buf dw, clae_buf db,
                                       clae_buf dout, clae_buf in, clae_buf w, int N, int I, int U,
                                       clae_epi din_act)
{
    dense_backward_ref(din.h, dw.h, db.h, dout.h, in.h, w.h, N, I, U);
    if (din.h && din_act.act != CLAE_ACT_NONE)
        act_backward_ref(din.h, din.h, in.h, (size_t)N * I, din_act.act, din_act.alpha);
    return CLAE_OK;
}

static const struct dense_backend {
    clae_status (*dense_forward)(clae_device *, clae_buf, clae_buf, clae_buf, clae_buf, int, int,
                                 int, clae_epi);
    clae_status (*dense_backward)(clae_device *, clae_buf, clae_buf, clae_buf, clae_buf, clae_buf,
                                  clae_buf, int, int, int, clae_epi);
} BACKENDS[CLAE_BACKENDS] = {
    [CLAE_BACKEND_OPENCL] = {.dense_forward = dense_forward_opencl,
                             .dense_backward = dense_backward_opencl},
    [CLAE_BACKEND_HOST] = {.dense_forward = dense_forward_host,
                           .dense_backward = dense_backward_host},
};

/* ---- entry points (clae/ops.h): the checks every backend shares, one dispatch - */

clae_status dense_forward(clae_device *d, clae_buf out, clae_buf in, clae_buf w, clae_buf b, int N,
                          int I, int U, clae_epi act)
{
    return BACKENDS[d->be->id].dense_forward(d, out, in, w, b, N, I, U, act);
}

clae_status dense_backward(clae_device *d, clae_buf din, clae_buf dw, clae_buf db, clae_buf dout,
                           clae_buf in, clae_buf w, int N, int I, int U, clae_epi din_act)
{
    return BACKENDS[d->be->id].dense_backward(d, din, dw, db, dout, in, w, N, I, U, din_act);
}
