/* Host side of Gaussian noise: the launch wrapper for src/kernels/noise.cl,
 * the keys of a step's draws, and the dispatch to the reference twin. */
#include <limits.h>
#include <stdio.h>

#include "clae/ops.h"

clae_gaussian_noise clae_gaussian_noise_params(float stddev, uint64_t seed, int layer, long step)
{
    /* dropout's mixing with other constants: a noise layer's draws owe
     * nothing to a dropout layer's masks */
    uint64_t a = seed ^ (0xC2B2AE3D27D4EB4FULL * (uint64_t)(layer + 1));
    uint64_t b = (uint64_t)step * 0x165667B19E3779F9ULL + 0x27D4EB2F165667C5ULL;
    return (clae_gaussian_noise){.stddev = stddev, .key0 = (uint32_t)(a ^ (a >> 32)),
                                 .key1 = (uint32_t)(b ^ (b >> 32))};
}

clae_status gaussian_noise_forward_cl(clae_device *d, cl_mem out, cl_mem in, size_t n,
                                      const clae_gaussian_noise *p)
{
    /* the keys change every step: a recorded step cannot hold them */
    if (clae_record_refuse(d)) return CLAE_OK;
    cl_kernel k;
    CLAE_TRY(clae_kernel(d, "gaussian_noise_forward", &k));
    CL_ARG(k, 0, cl_mem, out);
    CL_ARG(k, 1, cl_mem, in);
    CL_ARG(k, 2, cl_int, (cl_int)n);
    CL_ARG(k, 3, cl_float, p->stddev);
    CL_ARG(k, 4, cl_uint, p->key0);
    CL_ARG(k, 5, cl_uint, p->key1);
    return clae_launch1d(d, k, n);
}

/* ---- backends: the op once per backend (clae_device.be picks) ------------ */

static clae_status gaussian_noise_forward_opencl(clae_device *d, clae_buf out, clae_buf in,
                                                 size_t n, const clae_gaussian_noise *p)
{
    return gaussian_noise_forward_cl(d, out.d, in.d, n, p);
}

static clae_status gaussian_noise_forward_host(clae_device *d, clae_buf out, clae_buf in,
                                               size_t n, const clae_gaussian_noise *p)
{
    gaussian_noise_forward_ref(out.h, in.h, n, p);
    return CLAE_OK;
}

static const struct gaussian_noise_backend {
    clae_status (*forward)(clae_device *, clae_buf, clae_buf, size_t,
                           const clae_gaussian_noise *);
} BACKENDS[CLAE_BACKENDS] = {
    [CLAE_BACKEND_OPENCL] = {.forward = gaussian_noise_forward_opencl},
    [CLAE_BACKEND_HOST] = {.forward = gaussian_noise_forward_host},
};

/* ---- entry point (clae/ops.h) ---------------------------------------------- */

clae_status gaussian_noise_forward(clae_device *d, clae_buf out, clae_buf in, size_t n,
                                   const clae_gaussian_noise *p)
{
    if (n > INT_MAX) {
        fprintf(stderr, "clae: gaussian_noise: %zu elements is more than supported\n", n);
        return CLAE_ERR_SHAPE;
    }
    return BACKENDS[d->be->id].forward(d, out, in, n, p);
}
