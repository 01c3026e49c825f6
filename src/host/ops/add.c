/* Host side of the elementwise sums: launch wrappers for src/kernels/add.cl
 * and the dispatch to the reference twins. */
#include <limits.h>
#include <stdio.h>

#include "clae/ops.h"

static clae_status check(size_t n)
{
    if (n > INT_MAX) {
        fprintf(stderr, "clae: add: %zu elements is more than supported\n", n);
        return CLAE_ERR_SHAPE;
    }
    return CLAE_OK;
}

clae_status add_forward_cl(clae_device *d, cl_mem out, cl_mem a, cl_mem b, size_t n)
{
    CLAE_TRY(check(n));
    cl_kernel k;
    CLAE_TRY(clae_kernel(d, "add_forward", &k));
    CL_ARG(k, 0, cl_mem, out);
    CL_ARG(k, 1, cl_mem, a);
    CL_ARG(k, 2, cl_mem, b);
    CL_ARG(k, 3, cl_int, (cl_int)n);
    return clae_launch1d(d, k, n);
}

clae_status add_into_cl(clae_device *d, cl_mem y, cl_mem x, size_t n)
{
    CLAE_TRY(check(n));
    cl_kernel k;
    CLAE_TRY(clae_kernel(d, "add_into", &k));
    CL_ARG(k, 0, cl_mem, y);
    CL_ARG(k, 1, cl_mem, x);
    CL_ARG(k, 2, cl_int, (cl_int)n);
    return clae_launch1d(d, k, n);
}

/* ---- backends: each op once per backend (clae_device.be picks) ----------- */

/* OpenCL: the launchers above, on the buffers' cl_mem. */
static clae_status add_forward_opencl(clae_device *d, clae_buf out, clae_buf a, clae_buf b,
                                      size_t n)
{
    return add_forward_cl(d, out.d, a.d, b.d, n);
}

static clae_status add_into_opencl(clae_device *d, clae_buf y, clae_buf x, size_t n)
{
    return add_into_cl(d, y.d, x.d, n);
}

/* Host: the reference twins (src/host/ref/add.c), on the buffers' host memory. */
static clae_status add_forward_host(clae_device *d, clae_buf out, clae_buf a, clae_buf b, size_t n)
{
    add_forward_ref(out.h, a.h, b.h, n);
    return CLAE_OK;
}

static clae_status add_into_host(clae_device *d, clae_buf y, clae_buf x, size_t n)
{
    add_into_ref(y.h, x.h, n);
    return CLAE_OK;
}

static const struct add_backend {
    clae_status (*add_forward)(clae_device *, clae_buf, clae_buf, clae_buf, size_t);
    clae_status (*add_into)(clae_device *, clae_buf, clae_buf, size_t);
} BACKENDS[CLAE_BACKENDS] = {
    [CLAE_BACKEND_OPENCL] = {.add_forward = add_forward_opencl, .add_into = add_into_opencl},
    [CLAE_BACKEND_HOST] = {.add_forward = add_forward_host, .add_into = add_into_host},
};

/* ---- entry points (clae/ops.h): the checks every backend shares, one dispatch - */

clae_status add_forward(clae_device *d, clae_buf out, clae_buf a, clae_buf b, size_t n)
{
    return BACKENDS[d->be->id].add_forward(d, out, a, b, n);
}

clae_status add_into(clae_device *d, clae_buf y, clae_buf x, size_t n)
{
    return BACKENDS[d->be->id].add_into(d, y, x, n);
}
