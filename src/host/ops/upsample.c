/* Host side of upsampling (nearest, bilinear, bed of nails): launch wrappers
 * for src/kernels/upsample.cl and the dispatch to the reference twins. */
#include <limits.h>
#include <stdio.h>

#include "clae/ops.h"

static const char *const FWD[] = {"upsample_nearest_forward", "upsample_bilinear_forward",
                                  "bed_of_nails_forward"};
static const char *const BWD[] = {"upsample_nearest_backward", "upsample_bilinear_backward",
                                  "bed_of_nails_backward"};

static clae_status launch(clae_device *d, const char *name, cl_mem out, cl_mem in,
                          const clae_conv_shape *g, size_t n)
{
    double outs = (double)g->N * g->C * g->P * g->Q;
    if (g->N < 1 || g->C < 1 || g->sh < 1 || g->sw < 1 || g->P != g->H * g->sh ||
        g->Q != g->W * g->sw || outs > INT_MAX) {
        fprintf(stderr, "clae: upsample: shape out of range\n");
        return CLAE_ERR_SHAPE;
    }
    /* the bilinear adjoint visits 3 x 3 input cells' worth of outputs */
    CLAE_TRY(clae_loop_check(d, "upsample", (long)(3 * g->sh + 2) * (3 * g->sw + 2)));
    cl_kernel k;
    CLAE_TRY(clae_kernel(d, name, &k));
    CL_ARG(k, 0, cl_mem, out);
    CL_ARG(k, 1, cl_mem, in);
    CL_ARG(k, 2, cl_int, (cl_int)(g->N * g->C));
    CL_ARG(k, 3, cl_int, (cl_int)g->H);
    CL_ARG(k, 4, cl_int, (cl_int)g->W);
    CL_ARG(k, 5, cl_int, (cl_int)g->sh);
    CL_ARG(k, 6, cl_int, (cl_int)g->sw);
    return clae_launch1d(d, k, n);
}

clae_status upsample_forward_cl(clae_device *d, clae_upsample mode, cl_mem out, cl_mem in,
                                const clae_conv_shape *g)
{
    if ((unsigned)mode > CLAE_UP_NAILS) return CLAE_ERR_ARG;
    return launch(d, FWD[mode], out, in, g, (size_t)g->N * g->C * g->P * g->Q);
}

clae_status upsample_backward_cl(clae_device *d, clae_upsample mode, cl_mem din, cl_mem dout,
                                 const clae_conv_shape *g)
{
    if ((unsigned)mode > CLAE_UP_NAILS) return CLAE_ERR_ARG;
    return launch(d, BWD[mode], din, dout, g, (size_t)g->N * g->C * g->H * g->W);
}

/* ---- backends: each op once per backend (clae_device.be picks) ----------- */

/* OpenCL: the launchers above, on the buffers' cl_mem. */
static clae_status upsample_forward_opencl(clae_device *d, clae_upsample mode, clae_buf out,
                                           clae_buf in, const clae_conv_shape *g)
{
    return upsample_forward_cl(d, mode, out.d, in.d, g);
}

static clae_status upsample_backward_opencl(clae_device *d, clae_upsample mode, clae_buf din,
                                            clae_buf dout, const clae_conv_shape *g)
{
    return upsample_backward_cl(d, mode, din.d, dout.d, g);
}

/* Host: the reference twins (src/host/ref/upsample.c), on the buffers' host memory. */
static clae_status upsample_forward_host(clae_device *d, clae_upsample mode, clae_buf out,
                                         clae_buf in, const clae_conv_shape *g)
{
    switch (mode) {
    case CLAE_UP_NEAREST: upsample_nearest_forward_ref(out.h, in.h, g); break;
    case CLAE_UP_BILINEAR: upsample_bilinear_forward_ref(out.h, in.h, g); break;
    case CLAE_UP_NAILS: bed_of_nails_forward_ref(out.h, in.h, g); break;
    default: return CLAE_ERR_ARG;
    }
    return CLAE_OK;
}

static clae_status upsample_backward_host(clae_device *d, clae_upsample mode, clae_buf din,
                                          clae_buf dout, const clae_conv_shape *g)
{
    switch (mode) {
    case CLAE_UP_NEAREST: upsample_nearest_backward_ref(din.h, dout.h, g); break;
    case CLAE_UP_BILINEAR: upsample_bilinear_backward_ref(din.h, dout.h, g); break;
    case CLAE_UP_NAILS: bed_of_nails_backward_ref(din.h, dout.h, g); break;
    default: return CLAE_ERR_ARG;
    }
    return CLAE_OK;
}

static const struct upsample_backend {
    clae_status (*upsample_forward)(clae_device *, clae_upsample, clae_buf, clae_buf,
                                    const clae_conv_shape *);
    clae_status (*upsample_backward)(clae_device *, clae_upsample, clae_buf, clae_buf,
                                     const clae_conv_shape *);
} BACKENDS[CLAE_BACKENDS] = {
    [CLAE_BACKEND_OPENCL] = {.upsample_forward = upsample_forward_opencl,
                             .upsample_backward = upsample_backward_opencl},
    [CLAE_BACKEND_HOST] = {.upsample_forward = upsample_forward_host,
                           .upsample_backward = upsample_backward_host},
};

/* ---- entry points (clae/ops.h): the checks every backend shares, one dispatch - */

clae_status upsample_forward(clae_device *d, clae_upsample mode, clae_buf out, clae_buf in,
                             const clae_conv_shape *g)
{
    return BACKENDS[d->be->id].upsample_forward(d, mode, out, in, g);
}

clae_status upsample_backward(clae_device *d, clae_upsample mode, clae_buf din, clae_buf dout,
                              const clae_conv_shape *g)
{
    return BACKENDS[d->be->id].upsample_backward(d, mode, din, dout, g);
}
