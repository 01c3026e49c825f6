/* Host side of max / average pooling: typed launch wrappers for src/kernels/pool.cl. */
#include <limits.h>
#include <stdio.h>

#include "clae/ops.h"

/* Set the 12 geometry arguments (N..pl) starting at argument `first`. */
static clae_status set_geom(cl_kernel k, cl_uint first, const clae_conv_shape *g)
{
    const int v[12] = {g->N, g->C, g->H, g->W, g->R, g->S, g->sh, g->sw, g->P, g->Q, g->pt,
                       g->pl};
    for (cl_uint i = 0; i < 12; i++) CL_ARG(k, first + i, cl_int, (cl_int)v[i]);
    return CLAE_OK;
}

/* Element counts of the input and output tensors; fails on int overflow. */
static clae_status pool_sizes(const clae_conv_shape *g, size_t *n_in, size_t *n_out)
{
    double in = (double)g->N * g->C * g->H * g->W, out = (double)g->N * g->C * g->P * g->Q;
    if (g->N < 1 || g->C < 1 || g->P < 1 || g->Q < 1 || in > INT_MAX || out > INT_MAX) {
        fprintf(stderr, "clae: pooling shape out of range\n");
        return CLAE_ERR_SHAPE;
    }
    *n_in = (size_t)in;
    *n_out = (size_t)out;
    return CLAE_OK;
}

/* An upper bound of the loop iterations of one work-item of any pooling
 * kernel (a window, the windows covering a pixel, the 2x2 kernel's row),
 * checked against the device's loop budget. */
static clae_status pool_loops(const clae_device *d, const clae_conv_shape *g)
{
    const long window = (long)(g->R + 1) * (g->S + 1);
    const long covering = (long)((g->R + g->sh - 1) / g->sh + 2) * ((g->S + g->sw - 1) / g->sw + 2);
    return clae_loop_check(d, "pooling", (window > covering ? window : covering) + g->Q + 16);
}

/* 2x2 windows, stride 2, no padding, covering the input exactly. */
static int tiles_2x2(const clae_conv_shape *g)
{
    return g->R == 2 && g->S == 2 && g->sh == 2 && g->sw == 2 && g->pt == 0 && g->pl == 0 &&
           g->P * 2 == g->H && g->Q * 2 == g->W;
}

clae_status maxpool_forward_cl(clae_device *d, cl_mem out, cl_mem idx, cl_mem in,
                               const clae_conv_shape *g)
{
    size_t n_in, n_out;
    CLAE_TRY(pool_sizes(g, &n_in, &n_out));
    CLAE_TRY(pool_loops(d, g));
    cl_kernel k;
    CLAE_TRY(clae_kernel(d, tiles_2x2(g) ? "maxpool_forward_2x2" : "maxpool_forward", &k));
    CL_ARG(k, 0, cl_mem, out);
    CL_ARG(k, 1, cl_mem, idx);
    CL_ARG(k, 2, cl_mem, in);
    CLAE_TRY(set_geom(k, 3, g));
    return clae_launch1d(d, k, tiles_2x2(g) ? (size_t)g->N * g->C * g->P : n_out);
}

clae_status maxpool_backward_cl(clae_device *d, cl_mem din, cl_mem dout, cl_mem idx, cl_mem in,
                                const clae_conv_shape *g, clae_epi act)
{
    if ((unsigned)act.act > CLAE_ACT_LEAKY_RELU) return CLAE_ERR_ARG;
    size_t n_in, n_out;
    CLAE_TRY(pool_sizes(g, &n_in, &n_out));
    CLAE_TRY(pool_loops(d, g));
    int tiled = g->sh == g->R && g->sw == g->S && g->pt == 0 && g->pl == 0 &&
                g->P * g->R == g->H && g->Q * g->S == g->W;
    cl_kernel k;
    CLAE_TRY(clae_kernel(d,
                         tiles_2x2(g) ? "maxpool_backward_2x2"
                         : tiled      ? "maxpool_backward_tiled"
                                      : "maxpool_backward",
                         &k));
    CL_ARG(k, 0, cl_mem, din);
    CL_ARG(k, 1, cl_mem, dout);
    CL_ARG(k, 2, cl_mem, idx);
    CLAE_TRY(set_geom(k, 3, g));
    CL_ARG(k, 15, cl_mem, in);
    CL_ARG(k, 16, cl_int, (cl_int)act.act);
    CL_ARG(k, 17, cl_float, act.alpha);
    return clae_launch1d(d, k, tiles_2x2(g) ? (size_t)g->N * g->C * g->P : tiled ? n_out : n_in);
}

clae_status avgpool_forward_cl(clae_device *d, cl_mem out, cl_mem in, const clae_conv_shape *g)
{
    size_t n_in, n_out;
    CLAE_TRY(pool_sizes(g, &n_in, &n_out));
    CLAE_TRY(pool_loops(d, g));
    cl_kernel k;
    CLAE_TRY(clae_kernel(d, "avgpool_forward", &k));
    CL_ARG(k, 0, cl_mem, out);
    CL_ARG(k, 1, cl_mem, in);
    CLAE_TRY(set_geom(k, 2, g));
    return clae_launch1d(d, k, n_out);
}

clae_status avgpool_backward_cl(clae_device *d, cl_mem din, cl_mem dout,
                                const clae_conv_shape *g)
{
    size_t n_in, n_out;
    CLAE_TRY(pool_sizes(g, &n_in, &n_out));
    CLAE_TRY(pool_loops(d, g));
    cl_kernel k;
    CLAE_TRY(clae_kernel(d, "avgpool_backward", &k));
    CL_ARG(k, 0, cl_mem, din);
    CL_ARG(k, 1, cl_mem, dout);
    CLAE_TRY(set_geom(k, 2, g));
    return clae_launch1d(d, k, n_in);
}

/* ---- backends: each op once per backend (clae_device.be picks) ----------- */

/* OpenCL: the launchers above, on the buffers' cl_mem. */
static clae_status maxpool_forward_opencl(clae_device *d, clae_buf out, clae_buf idx, clae_buf in,
                                          const clae_conv_shape *g)
{
    return maxpool_forward_cl(d, out.d, idx.d, in.d, g);
}

static clae_status maxpool_backward_opencl(clae_device *d, clae_buf din, clae_buf dout,
                                           clae_buf idx, clae_buf in, const clae_conv_shape *g,
                                           clae_epi act)
{
    return maxpool_backward_cl(d, din.d, dout.d, idx.d, in.d, g, act);
}

static clae_status avgpool_forward_opencl(clae_device *d, clae_buf out, clae_buf in,
                                          const clae_conv_shape *g)
{
    return avgpool_forward_cl(d, out.d, in.d, g);
}

static clae_status avgpool_backward_opencl(clae_device *d, clae_buf din, clae_buf dout,
                                           const clae_conv_shape *g)
{
    return avgpool_backward_cl(d, din.d, dout.d, g);
}

/* Host: the reference twins (src/host/ref/pool.c), on the buffers' host memory. */
static clae_status maxpool_forward_host(clae_device *d, clae_buf out, clae_buf idx, clae_buf in,
                                        const clae_conv_shape *g)
{
    maxpool_forward_ref(out.h, idx.h, in.h, g);
    return CLAE_OK;
}

static clae_status maxpool_backward_host(clae_device *d, clae_buf din, clae_buf dout, clae_buf idx,
                                         clae_buf in, const clae_conv_shape *g, clae_epi act)
{
    maxpool_backward_ref(din.h, dout.h, idx.h, g);
    if (act.act != CLAE_ACT_NONE)
        act_backward_ref(din.h, din.h, in.h, (size_t)g->N * g->C * g->H * g->W, act.act, act.alpha);
    return CLAE_OK;
}

static clae_status avgpool_forward_host(clae_device *d, clae_buf out, clae_buf in,
                                        const clae_conv_shape *g)
{
    avgpool_forward_ref(out.h, in.h, g);
    return CLAE_OK;
}

static clae_status avgpool_backward_host(clae_device *d, clae_buf din, clae_buf dout,
                                         const clae_conv_shape *g)
{
    avgpool_backward_ref(din.h, dout.h, g);
    return CLAE_OK;
}

static const struct pool_backend {
    clae_status (*maxpool_forward)(clae_device *, clae_buf, clae_buf, clae_buf,
                                   const clae_conv_shape *);
    clae_status (*maxpool_backward)(clae_device *, clae_buf, clae_buf, clae_buf, clae_buf,
                                    const clae_conv_shape *, clae_epi);
    clae_status (*avgpool_forward)(clae_device *, clae_buf, clae_buf, const clae_conv_shape *);
    clae_status (*avgpool_backward)(clae_device *, clae_buf, clae_buf, const clae_conv_shape *);
} BACKENDS[CLAE_BACKENDS] = {
    [CLAE_BACKEND_OPENCL] = {.maxpool_forward = maxpool_forward_opencl,
                             .maxpool_backward = maxpool_backward_opencl,
                             .avgpool_forward = avgpool_forward_opencl,
                             .avgpool_backward = avgpool_backward_opencl},
    [CLAE_BACKEND_HOST] = {.maxpool_forward = maxpool_forward_host,
                           .maxpool_backward = maxpool_backward_host,
                           .avgpool_forward = avgpool_forward_host,
                           .avgpool_backward = avgpool_backward_host},
};

/* ---- entry points (clae/ops.h): the checks every backend shares, one dispatch - */

clae_status maxpool_forward(clae_device *d, clae_buf out, clae_buf idx, clae_buf in,
                            const clae_conv_shape *g)
{
    return BACKENDS[d->be->id].maxpool_forward(d, out, idx, in, g);
}

clae_status maxpool_backward(clae_device *d, clae_buf din, clae_buf dout, clae_buf idx, clae_buf in,
                             const clae_conv_shape *g, clae_epi act)
{
    return BACKENDS[d->be->id].maxpool_backward(d, din, dout, idx, in, g, act);
}

clae_status avgpool_forward(clae_device *d, clae_buf out, clae_buf in, const clae_conv_shape *g)
{
    return BACKENDS[d->be->id].avgpool_forward(d, out, in, g);
}

clae_status avgpool_backward(clae_device *d, clae_buf din, clae_buf dout, const clae_conv_shape *g)
{
    return BACKENDS[d->be->id].avgpool_backward(d, din, dout, g);
}
