/* Host side of the Adam update: launch wrapper for src/kernels/adam.cl. */
#include <limits.h>
#include <stdio.h>

#include "clae/ops.h"

clae_status adam_update_cl(clae_device *d, cl_mem p, cl_mem m, cl_mem v, cl_mem g, size_t n,
                           const clae_adam *h, long t)
{
    if (n > INT_MAX || t < 1) {
        fprintf(stderr, "clae: adam: bad size %zu or step %ld\n", n, t);
        return CLAE_ERR_ARG;
    }
    cl_kernel k;
    CLAE_TRY(clae_kernel(d, "adam_update", &k));
    CL_ARG(k, 0, cl_mem, p);
    CL_ARG(k, 1, cl_mem, m);
    CL_ARG(k, 2, cl_mem, v);
    CL_ARG(k, 3, cl_mem, g);
    CL_ARG(k, 4, cl_int, (cl_int)n);
    CL_ARG(k, 5, cl_float, clae_adam_lr_t(h, t));
    CL_ARG(k, 6, cl_float, h->beta1);
    CL_ARG(k, 7, cl_float, h->beta2);
    CL_ARG(k, 8, cl_float, h->eps);
    return clae_launch1d(d, k, n);
}

clae_status adam_update_dev_cl(clae_device *d, cl_mem p, cl_mem m, cl_mem v, cl_mem g, size_t n,
                               const clae_adam *h, cl_mem lr_t)
{
    if (n > INT_MAX) {
        fprintf(stderr, "clae: adam: bad size %zu\n", n);
        return CLAE_ERR_ARG;
    }
    cl_kernel k;
    CLAE_TRY(clae_kernel(d, "adam_update_dev", &k));
    CL_ARG(k, 0, cl_mem, p);
    CL_ARG(k, 1, cl_mem, m);
    CL_ARG(k, 2, cl_mem, v);
    CL_ARG(k, 3, cl_mem, g);
    CL_ARG(k, 4, cl_int, (cl_int)n);
    CL_ARG(k, 5, cl_mem, lr_t);
    CL_ARG(k, 6, cl_float, h->beta1);
    CL_ARG(k, 7, cl_float, h->beta2);
    CL_ARG(k, 8, cl_float, h->eps);
    return clae_launch1d(d, k, n);
}

/* ---- backends: each op once per backend (clae_device.be picks) ----------- */

/* OpenCL: the launchers above, on the buffers' cl_mem. */
static clae_status adam_update_opencl(clae_device *d, clae_buf p, clae_buf m, clae_buf v,
                                      clae_buf g, size_t n, const clae_adam *h, long t)
{
    return adam_update_cl(d, p.d, m.d, v.d, g.d, n, h, t);
}

/* Host: the reference twins (src/host/ref/adam.c), on the buffers' host memory. */
static clae_status adam_update_host(clae_device *d, clae_buf p, clae_buf m, clae_buf v, clae_buf g,
                                    size_t n, const clae_adam *h, long t)
{
    adam_update_ref(p.h, m.h, v.h, g.h, n, h, t);
    return CLAE_OK;
}

static const struct adam_backend {
    clae_status (*adam_update)(clae_device *, clae_buf, clae_buf, clae_buf, clae_buf, size_t,
                               const clae_adam *, long);
} BACKENDS[CLAE_BACKENDS] = {
    [CLAE_BACKEND_OPENCL] = {.adam_update = adam_update_opencl},
    [CLAE_BACKEND_HOST] = {.adam_update = adam_update_host},
};

/* ---- entry points (clae/ops.h): the checks every backend shares, one dispatch - */

clae_status adam_update(clae_device *d, clae_buf p, clae_buf m, clae_buf v, clae_buf g, size_t n,
                        const clae_adam *h, long t)
{
    return BACKENDS[d->be->id].adam_update(d, p, m, v, g, n, h, t);
}
