/* Host side of max-unpooling: launch wrappers for src/kernels/unpool.cl and
 * the dispatch between them and the reference twins. */
#include <limits.h>
#include <stdio.h>

#include "clae/ops.h"

static clae_status unpool_args(cl_kernel k, const clae_conv_shape *g, size_t *n)
{
    double nc = (double)g->N * g->C, hw = (double)g->H * g->W, pq = (double)g->P * g->Q;
    if (g->N < 1 || g->C < 1 || nc * hw > INT_MAX || nc * pq > INT_MAX || hw > pq) {
        fprintf(stderr, "clae: max_unpool: shape out of range\n");
        return CLAE_ERR_SHAPE;
    }
    CL_ARG(k, 3, cl_int, (cl_int)(g->N * g->C));
    CL_ARG(k, 4, cl_int, (cl_int)(g->H * g->W));
    CL_ARG(k, 5, cl_int, (cl_int)(g->P * g->Q));
    *n = (size_t)(nc * hw);
    return CLAE_OK;
}

clae_status max_unpool_forward_cl(clae_device *d, cl_mem out, cl_mem in, cl_mem idx,
                                  const clae_conv_shape *g)
{
    cl_kernel k;
    size_t n;
    CLAE_TRY(clae_kernel(d, "max_unpool_forward", &k));
    CL_ARG(k, 0, cl_mem, out);
    CL_ARG(k, 1, cl_mem, in);
    CL_ARG(k, 2, cl_mem, idx);
    CLAE_TRY(unpool_args(k, g, &n));
    CLAE_TRY(clae_fill0(d, out, (size_t)g->N * g->C * g->P * g->Q * sizeof(float)));
    return clae_launch1d(d, k, n);
}

clae_status max_unpool_backward_cl(clae_device *d, cl_mem din, cl_mem dout, cl_mem idx,
                                   const clae_conv_shape *g)
{
    cl_kernel k;
    size_t n;
    CLAE_TRY(clae_kernel(d, "max_unpool_backward", &k));
    CL_ARG(k, 0, cl_mem, din);
    CL_ARG(k, 1, cl_mem, dout);
    CL_ARG(k, 2, cl_mem, idx);
    CLAE_TRY(unpool_args(k, g, &n));
    return clae_launch1d(d, k, n);
}

/* ---- backends: each op once per backend (clae_device.be picks) ----------- */

/* OpenCL: the launchers above, on the buffers' cl_mem. */
static clae_status max_unpool_forward_opencl(clae_device *d, clae_buf out, clae_buf in,
                                             clae_buf idx, const clae_conv_shape *g)
{
    return max_unpool_forward_cl(d, out.d, in.d, idx.d, g);
}

static clae_status max_unpool_backward_opencl(clae_device *d, clae_buf din, clae_buf dout,
                                              clae_buf idx, const clae_conv_shape *g)
{
    return max_unpool_backward_cl(d, din.d, dout.d, idx.d, g);
}

/* Host: the reference twins (src/host/ref/unpool.c), on the buffers' host memory. */
static clae_status max_unpool_forward_host(clae_device *d, clae_buf out, clae_buf in, clae_buf idx,
                                           const clae_conv_shape *g)
{
    max_unpool_forward_ref(out.h, in.h, idx.h, g);
    return CLAE_OK;
}

static clae_status max_unpool_backward_host(clae_device *d, clae_buf din, clae_buf dout,
                                            clae_buf idx, const clae_conv_shape *g)
{
    max_unpool_backward_ref(din.h, dout.h, idx.h, g);
    return CLAE_OK;
}

static const struct unpool_backend {
    clae_status (*max_unpool_forward)(clae_device *, clae_buf, clae_buf, clae_buf,
                                      const clae_conv_shape *);
    clae_status (*max_unpool_backward)(clae_device *, clae_buf, clae_buf, clae_buf,
                                       const clae_conv_shape *);
} BACKENDS[CLAE_BACKENDS] = {
    [CLAE_BACKEND_OPENCL] = {.max_unpool_forward = max_unpool_forward_opencl,
                             .max_unpool_backward = max_unpool_backward_opencl},
    [CLAE_BACKEND_HOST] = {.max_unpool_forward = max_unpool_forward_host,
                           .max_unpool_backward = max_unpool_backward_host},
};

/* ---- entry points (clae/ops.h): the checks every backend shares, one dispatch - */

clae_status max_unpool_forward(clae_device *d, clae_buf out, clae_buf in, clae_buf idx,
                               const clae_conv_shape *g)
{
    return BACKENDS[d->be->id].max_unpool_forward(d, out, in, idx, g);
}

clae_status max_unpool_backward(clae_device *d, clae_buf din, clae_buf dout, clae_buf idx,
                                const clae_conv_shape *g)
{
    return BACKENDS[d->be->id].max_unpool_backward(d, din, dout, idx, g);
}
