/* Host side of the record conversion: launch wrapper for src/kernels/convert.cl. */
#include <limits.h>
#include <stdio.h>

#include "clae/ops.h"

clae_status cifar_to_float_cl(clae_device *d, cl_mem out, cl_mem records, int N, int C, int H,
                              int W)
{
    const long P = (long)C * H * W;
    /* the kernel counts work-items and pixels in int, offsets in long */
    if (N < 0 || C < 1 || H < 1 || W < 1 || P > INT_MAX - 8 ||
        (long)N * ((P + 7) / 8) > INT_MAX) {
        fprintf(stderr, "clae: cifar_to_float: bad record count %d or shape %dx%dx%d\n", N, C,
                H, W);
        return CLAE_ERR_ARG;
    }
    cl_kernel k;
    CLAE_TRY(clae_kernel(d, "cifar_to_float", &k));
    CL_ARG(k, 0, cl_mem, out);
    CL_ARG(k, 1, cl_mem, records);
    CL_ARG(k, 2, cl_int, (cl_int)N);
    CL_ARG(k, 3, cl_int, (cl_int)P);
    return clae_launch1d(d, k, (size_t)N * (size_t)((P + 7) / 8)); /* 8 pixels a work-item */
}

/* ---- backends: each op once per backend (clae_device.be picks) ----------- */

/* OpenCL: the launchers above, on the buffers' cl_mem. */
static clae_status cifar_to_float_opencl(clae_device *d, clae_buf out, clae_buf records, int N,
                                         int C, int H, int W)
{
    return cifar_to_float_cl(d, out.d, records.d, N, C, H, W);
}

/* Host: the reference twins (src/host/ref/convert.c), on the buffers' host memory. */
static clae_status cifar_to_float_host(clae_device *d, clae_buf out, clae_buf records, int N, int C,
                                       int H, int W)
{
    cifar_to_float_ref(out.h, records.h, N, C, H, W);
    return CLAE_OK;
}

static const struct convert_backend {
    clae_status (*cifar_to_float)(clae_device *, clae_buf, clae_buf, int, int, int, int);
} BACKENDS[CLAE_BACKENDS] = {
    [CLAE_BACKEND_OPENCL] = {.cifar_to_float = cifar_to_float_opencl},
    [CLAE_BACKEND_HOST] = {.cifar_to_float = cifar_to_float_host},
};

/* ---- entry points (clae/ops.h): the checks every backend shares, one dispatch - */

clae_status cifar_to_float(clae_device *d, clae_buf out, clae_buf records, int N, int C, int H,
                           int W)
{
    return BACKENDS[d->be->id].cifar_to_float(d, out, records, N, C, H, W);
}
