/* Host side of the SGD update: launch wrapper for src/kernels/sgd.cl and the
 * dispatch to the reference twin. */
#include <limits.h>
#include <stdio.h>

#include "clae/ops.h"

clae_status sgd_update_cl(clae_device *d, cl_mem p, cl_mem v, cl_mem g, size_t n,
                          const clae_sgd *h)
{
    if (n > INT_MAX) {
        fprintf(stderr, "clae: sgd: %zu parameters is more than supported\n", n);
        return CLAE_ERR_SHAPE;
    }
    cl_kernel k;
    CLAE_TRY(clae_kernel(d, "sgd_update", &k));
    CL_ARG(k, 0, cl_mem, p);
    CL_ARG(k, 1, cl_mem, v);
    CL_ARG(k, 2, cl_mem, g);
    CL_ARG(k, 3, cl_int, (cl_int)n);
    CL_ARG(k, 4, cl_float, h->lr);
    CL_ARG(k, 5, cl_float, h->momentum);
    CL_ARG(k, 6, cl_int, (cl_int)h->nesterov);
    return clae_launch1d(d, k, n);
}

/* ---- backends: each op once per backend (clae_device.be picks) ----------- */

/* OpenCL: the launchers above, on the buffers' cl_mem. */
static clae_status sgd_update_opencl(clae_device *d, clae_buf p, clae_buf v, clae_buf g, size_t n,
                                     const clae_sgd *h)
{
    return sgd_update_cl(d, p.d, v.d, g.d, n, h);
}

/* Host: the reference twins (src/host/ref/sgd.c), on the buffers' host memory. */
static clae_status sgd_update_host(clae_device *d, clae_buf p, clae_buf v, clae_buf g, size_t n,
                                   const clae_sgd *h)
{
    sgd_update_ref(p.h, v.h, g.h, n, h);
    return CLAE_OK;
}

static const struct sgd_backend {
    clae_status (*sgd_update)(clae_device *, clae_buf, clae_buf, clae_buf, size_t,
                              const clae_sgd *);
} BACKENDS[CLAE_BACKENDS] = {
    [CLAE_BACKEND_OPENCL] = {.sgd_update = sgd_update_opencl},
    [CLAE_BACKEND_HOST] = {.sgd_update = sgd_update_host},
};

/* ---- entry points (clae/ops.h): the checks every backend shares, one dispatch - */

clae_status sgd_update(clae_device *d, clae_buf p, clae_buf v, clae_buf g, size_t n,
                       const clae_sgd *h)
{
    return BACKENDS[d->be->id].sgd_update(d, p, v, g, n, h);
}
