/* Host side of the per-image normalisation: launch wrapper for
 * src/kernels/normalize.cl, and its backend table. */
#include <math.h>
#include <stdio.h>

#include "clae/ops.h"

/* The work-group a launch takes: GCN_NCHUNK work-items (one chunk each),
 * fewer where the kernel or device allows fewer. */
#define GCN_WG GCN_NCHUNK

clae_status gcn_minmax_cl_wg(clae_device *d, cl_mem x, int N, int P, float lo, float hi,
                             size_t L)
{
    if (N < 0 || P < 1 || L < 1 || !(hi > lo) || !isfinite(lo) || !isfinite(hi)) {
        fprintf(stderr, "clae: gcn_minmax: bad image count %d, size %d, work-group %zu or "
                "min-max pair (%g, %g)\n", N, P, L, lo, hi);
        return CLAE_ERR_ARG;
    }
    if (N == 0) return CLAE_OK;
    cl_kernel k;
    CLAE_TRY(clae_kernel(d, "gcn_minmax", &k));
    size_t kwg;
    CLAE_TRY(clae_kernel_max_wg(d, k, &kwg));
    if (L > kwg) {
        fprintf(stderr, "clae: gcn_minmax: a work-group of %zu, the kernel takes at most %zu\n",
                L, kwg);
        return CLAE_ERR_ARG;
    }
    /* a work-item's loops: its chunks in both sums, the tree, its share of the writes */
    const long chunks = (long)((GCN_NCHUNK + L - 1) / L);
    CLAE_TRY(clae_loop_check(d, "image normalisation",
                             2 * chunks * ((long)P / GCN_NCHUNK + 1) + 12 + (long)P / (long)L + 1));
    CL_ARG(k, 0, cl_mem, x);
    CL_ARG(k, 1, cl_int, (cl_int)P);
    CL_ARG(k, 2, cl_float, lo);
    CL_ARG(k, 3, cl_float, hi);
    CL_CHECK(clSetKernelArg(k, 4, GCN_NCHUNK * sizeof(cl_float), NULL));
    const size_t global = (size_t)N * L; /* one work-group an image */
    return clae_launch(d, k, 1, &global, &L);
}

clae_status gcn_minmax_cl(clae_device *d, cl_mem x, int N, int P, float lo, float hi)
{
    cl_kernel k;
    CLAE_TRY(clae_kernel(d, "gcn_minmax", &k));
    size_t kwg;
    CLAE_TRY(clae_kernel_max_wg(d, k, &kwg));
    return gcn_minmax_cl_wg(d, x, N, P, lo, hi, kwg < GCN_WG ? kwg : GCN_WG);
}

/* ---- backends: each op once per backend (clae_device.be picks) ----------- */

static clae_status gcn_minmax_opencl(clae_device *d, clae_buf x, int N, int P, float lo, float hi)
{
    return gcn_minmax_cl(d, x.d, N, P, lo, hi);
}

/* Host: the reference twin (src/host/ref/normalize.c), on the buffer's host memory. */
static clae_status gcn_minmax_host(clae_device *d, clae_buf x, int N, int P, float lo, float hi)
{
    (void)d;
    gcn_minmax_ref(x.h, N, P, lo, hi);
    return CLAE_OK;
}

static const struct normalize_backend {
    clae_status (*gcn_minmax)(clae_device *, clae_buf, int, int, float, float);
} BACKENDS[CLAE_BACKENDS] = {
    [CLAE_BACKEND_OPENCL] = {.gcn_minmax = gcn_minmax_opencl},
    [CLAE_BACKEND_HOST] = {.gcn_minmax = gcn_minmax_host},
};

/* ---- entry point (clae/ops.h) --------------------------------------------- */

clae_status gcn_minmax(clae_device *d, clae_buf x, int N, int P, float lo, float hi)
{
    return BACKENDS[d->be->id].gcn_minmax(d, x, N, P, lo, hi);
}
