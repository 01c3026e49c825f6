/* Host side of the separable blur: launch wrappers for src/kernels/blur.cl
 * (row pass into scratch slot 5, then the column pass into out). */
#include <limits.h>
#include <stdio.h>

#include "clae/ops.h"


clae_status blur_forward_cl(clae_device *d, cl_mem out, cl_mem in, cl_mem k, int ksize, int N,
                            int C, int H, int W)
{
    if (ksize < 1 || ksize % 2 == 0 || N < 0 || C < 0 || H < 1 || W < 1 ||
        (double)N * C * H * W > INT_MAX) {
        fprintf(stderr, "clae: blur: bad kernel size %d or shape %dx%dx%dx%d\n", ksize, N, C, H,
                W);
        return CLAE_ERR_ARG;
    }
    size_t total = (size_t)N * C * H * W;
    if (total == 0) return CLAE_OK;
    /* a row work-item copies its reflected row, then filters it 8 at a time */
    const long nbx = (W + 7) / 8;
    CLAE_TRY(clae_loop_check(d, "blur", 2 * (nbx * 8 + ksize + 1) + nbx * (2 + ksize + 8) +
                                            8L * (ksize + 1)));
    cl_mem tmp;
    CLAE_TRY(clae_scratch(d, CLAE_SCRATCH_BLUR, total * sizeof(cl_float), &tmp));
    /* one build per kernel and image size (taps unrolled, no divisions) */
    char opts[64];
    snprintf(opts, sizeof opts, "-DKS=%d -DBH=%d -DBW=%d", ksize, H, W);
    cl_kernel kr, kc;
    CLAE_TRY(clae_kernel_variant(d, "blur.cl", opts, "blur_forward_rows", &kr));
    CLAE_TRY(clae_kernel_variant(d, "blur.cl", opts, "blur_forward_cols", &kc));
    CL_ARG(kr, 0, cl_mem, tmp);
    CL_ARG(kr, 1, cl_mem, in);
    CL_ARG(kr, 2, cl_mem, k);
    size_t rows = (size_t)N * C * H, items = rows * (size_t)((W + 7) / 8);
    CL_ARG(kr, 3, cl_int, (cl_int)rows);
    CLAE_TRY(clae_launch1d(d, kr, rows));
    CL_ARG(kc, 0, cl_mem, out);
    CL_ARG(kc, 1, cl_mem, tmp);
    CL_ARG(kc, 2, cl_mem, k);
    CL_ARG(kc, 3, cl_int, (cl_int)items);
    return clae_launch1d(d, kc, items);
}

/* ---- backends: each op once per backend (clae_device.be picks) ----------- */

/* OpenCL: the launchers above, on the buffers' cl_mem. */
static clae_status blur_forward_opencl(clae_device *d, clae_buf out, clae_buf in, clae_buf k,
                                       int ksize, int N, int C, int H, int W)
{
    return blur_forward_cl(d, out.d, in.d, k.d, ksize, N, C, H, W);
}

/* Host: the reference twins (src/host/ref/blur.c), on the buffers' host memory. */
static clae_status blur_forward_host(clae_device *d, clae_buf out, clae_buf in, clae_buf k,
                                     int ksize, int N, int C, int H, int W)
{
    blur_forward_ref(out.h, in.h, k.h, ksize, N, C, H, W);
    return CLAE_OK;
}

static const struct blur_backend {
    clae_status (*blur_forward)(clae_device *, clae_buf, clae_buf, clae_buf, int, int, int, int,
                                int);
} BACKENDS[CLAE_BACKENDS] = {
    [CLAE_BACKEND_OPENCL] = {.blur_forward = blur_forward_opencl},
    [CLAE_BACKEND_HOST] = {.blur_forward = blur_forward_host},
};

/* ---- entry points (clae/ops.h): the checks every backend shares, one dispatch - */

clae_status blur_forward(clae_device *d, clae_buf out, clae_buf in, clae_buf k, int ksize, int N,
                         int C, int H, int W)
{
    return BACKENDS[d->be->id].blur_forward(d, out, in, k, ksize, N, C, H, W);
}
