/* Host side of dropout: launch wrappers for src/kernels/dropout.cl and the
 * dispatch to the reference twin. */
#include <limits.h>
#include <stdio.h>

#include "clae/ops.h"

clae_dropout clae_dropout_params(float rate, uint64_t seed, int layer, long step)
{
    uint64_t a = seed ^ (0x9E3779B97F4A7C15ULL * (uint64_t)(layer + 1));
    uint64_t b = (uint64_t)step * 0xD1B54A32D192ED03ULL;
    return (clae_dropout){.rate = rate, .scale = 1.0f / (1.0f - rate),
                          .key0 = (uint32_t)(a ^ (a >> 32)), .key1 = (uint32_t)(b ^ (b >> 32))};
}

static clae_status launch(clae_device *d, const char *name, cl_mem out, cl_mem in, size_t n,
                          const clae_dropout *p)
{
    if (n > INT_MAX) {
        fprintf(stderr, "clae: dropout: %zu elements is more than supported\n", n);
        return CLAE_ERR_SHAPE;
    }
    /* the mask's keys change every step: a recorded step cannot hold it */
    if (clae_record_refuse(d)) return CLAE_OK;
    cl_kernel k;
    CLAE_TRY(clae_kernel(d, name, &k));
    CL_ARG(k, 0, cl_mem, out);
    CL_ARG(k, 1, cl_mem, in);
    CL_ARG(k, 2, cl_int, (cl_int)n);
    CL_ARG(k, 3, cl_float, p->rate);
    CL_ARG(k, 4, cl_float, p->scale);
    CL_ARG(k, 5, cl_uint, p->key0);
    CL_ARG(k, 6, cl_uint, p->key1);
    return clae_launch1d(d, k, n);
}

clae_status dropout_forward_cl(clae_device *d, cl_mem out, cl_mem in, size_t n,
                               const clae_dropout *p)
{
    return launch(d, "dropout_forward", out, in, n, p);
}

clae_status dropout_backward_cl(clae_device *d, cl_mem din, cl_mem dout, size_t n,
                                const clae_dropout *p)
{
    return launch(d, "dropout_backward", din, dout, n, p);
}

/* ---- backends: each op once per backend (clae_device.be picks) ----------- */

/* OpenCL: the launchers above, on the buffers' cl_mem. */
static clae_status dropout_forward_opencl(clae_device *d, clae_buf out, clae_buf in, size_t n,
                                          const clae_dropout *p)
{
    return dropout_forward_cl(d, out.d, in.d, n, p);
}

static clae_status dropout_backward_opencl(clae_device *d, clae_buf din, clae_buf dout, size_t n,
                                           const clae_dropout *p)
{
    return dropout_backward_cl(d, din.d, dout.d, n, p);
}

/* Host: the reference twins (src/host/ref/dropout.c), on the buffers' host memory. */
static clae_status dropout_forward_host(clae_device *d, clae_buf out, clae_buf in, size_t n,
                                        const clae_dropout *p)
{
    dropout_forward_ref(out.h, in.h, n, p);
    return CLAE_OK;
}

static clae_status dropout_backward_host(clae_device *d, clae_buf din, clae_buf dout, size_t n,
                                         const clae_dropout *p)
{
    dropout_backward_ref(din.h, dout.h, n, p);
    return CLAE_OK;
}

static const struct dropout_backend {
    clae_status (*dropout_forward)(clae_device *, clae_buf, clae_buf, size_t, const clae_dropout *);
    clae_status (*dropout_backward)(clae_device *, clae_buf, clae_buf, size_t,
                                    const clae_dropout *);
} BACKENDS[CLAE_BACKENDS] = {
    [CLAE_BACKEND_OPENCL] = {.dropout_forward = dropout_forward_opencl,
                             .dropout_backward = dropout_backward_opencl},
    [CLAE_BACKEND_HOST] = {.dropout_forward = dropout_forward_host,
                           .dropout_backward = dropout_backward_host},
};

/* ---- entry points (clae/ops.h): the checks every backend shares, one dispatch - */

clae_status dropout_forward(clae_device *d, clae_buf out, clae_buf in, size_t n,
                            const clae_dropout *p)
{
    return BACKENDS[d->be->id].dropout_forward(d, out, in, n, p);
}

clae_status dropout_backward(clae_device *d, clae_buf din, clae_buf dout, size_t n,
                             const clae_dropout *p)
{
    return BACKENDS[d->be->id].dropout_backward(d, din, dout, n, p);
}
