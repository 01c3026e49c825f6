/* Host side of a classification head: launch wrappers for
 * src/kernels/classify.cl and the dispatch to the reference twins. */
#include <limits.h>
#include <stdio.h>

#include "clae/ops.h"

static clae_status too_big(const char *op, size_t n)
{
    if (n <= INT_MAX) return CLAE_OK;
    fprintf(stderr, "clae: %s: %zu elements is more than supported\n", op, n);
    return CLAE_ERR_SHAPE;
}

clae_status softmax_forward_cl(clae_device *d, cl_mem out, cl_mem in, size_t rows, int K)
{
    CLAE_TRY(too_big("softmax", rows * (size_t)K));
    CLAE_TRY(clae_loop_check(d, "softmax", 3L * K));
    cl_kernel k;
    CLAE_TRY(clae_kernel(d, "softmax_rows", &k));
    CL_ARG(k, 0, cl_mem, out);
    CL_ARG(k, 1, cl_mem, in);
    CL_ARG(k, 2, cl_int, (cl_int)rows);
    CL_ARG(k, 3, cl_int, K);
    return clae_launch1d(d, k, rows);
}

clae_status cce_step_cl(clae_device *d, cl_mem loss, cl_mem dz, cl_mem p, cl_mem t, size_t rows,
                        int K)
{
    size_t n = rows * (size_t)K;
    CLAE_TRY(too_big("categorical_crossentropy", n));
    cl_mem term;
    CLAE_TRY(clae_scratch(d, CLAE_SCRATCH_CCE, n * sizeof(cl_float), &term));
    cl_kernel k;
    CLAE_TRY(clae_kernel(d, "cce_elems", &k));
    CL_ARG(k, 0, cl_mem, term);
    CL_ARG_OPT(k, 1, dz, term);
    CL_ARG(k, 2, cl_mem, p);
    CL_ARG(k, 3, cl_mem, t);
    CL_ARG(k, 4, cl_int, (cl_int)n);
    CL_ARG(k, 5, cl_int, (cl_int)rows);
    CL_ARG(k, 6, cl_int, dz != NULL);
    CLAE_TRY(clae_launch1d(d, k, n));
    if (!loss) return CLAE_OK;
    CLAE_TRY(clae_fill0(d, loss, sizeof(cl_float)));
    return penalty_sum_cl(d, loss, 0, 1.0f / (float)rows, term, 0, n, CLAE_PEN_SUM);
}

clae_status labels_onehot_cl(clae_device *d, cl_mem t, cl_mem records, int N, int K, int C,
                             int H, int W)
{
    CLAE_TRY(too_big("one-hot labels", (size_t)N * (size_t)K));
    CLAE_TRY(too_big("a record's pixels", (size_t)C * (size_t)H * (size_t)W));
    cl_kernel k;
    CLAE_TRY(clae_kernel(d, "labels_onehot", &k));
    CL_ARG(k, 0, cl_mem, t);
    CL_ARG(k, 1, cl_mem, records);
    CL_ARG(k, 2, cl_int, N);
    CL_ARG(k, 3, cl_int, K);
    CL_ARG(k, 4, cl_int, (cl_int)(C * H * W));
    return clae_launch1d(d, k, (size_t)N * (size_t)K);
}

/* ---- backends: each op once per backend (clae_device.be picks) ----------- */

/* OpenCL: the launchers above, on the buffers' cl_mem. */
static clae_status softmax_forward_opencl(clae_device *d, clae_buf out, clae_buf in, size_t rows,
                                          int K)
{
    return softmax_forward_cl(d, out.d, in.d, rows, K);
}

static clae_status cce_step_opencl(clae_device *d, clae_buf loss, clae_buf dz, clae_buf p,
                                   clae_buf t, size_t rows, int K)
{
    return cce_step_cl(d, loss.d, dz.d, p.d, t.d, rows, K);
}

static clae_status labels_onehot_opencl(clae_device *d, clae_buf t, clae_buf records, int N, int K,
                                        int C, int H, int W)
{
    return labels_onehot_cl(d, t.d, records.d, N, K, C, H, W);
}

/* Host: the reference twins (src/host/ref/classify.c), on the buffers' host memory. */
static clae_status softmax_forward_host(clae_device *d, clae_buf out, clae_buf in, size_t rows,
                                        int K)
{
    softmax_forward_ref(out.h, in.h, rows, K);
    return CLAE_OK;
}

static clae_status cce_step_host(clae_device *d, clae_buf loss, clae_buf dz, clae_buf p, clae_buf t,
                                 size_t rows, int K)
{
    cce_step_ref(loss.h, dz.h, p.h, t.h, rows, K);
    return CLAE_OK;
}

static clae_status labels_onehot_host(clae_device *d, clae_buf t, clae_buf records, int N, int K,
                                      int C, int H, int W)
{
    labels_onehot_ref(t.h, records.h, N, K, C, H, W);
    return CLAE_OK;
}

static const struct classify_backend {
    clae_status (*softmax_forward)(clae_device *, clae_buf, clae_buf, size_t, int);
    clae_status (*cce_step)(clae_device *, clae_buf, clae_buf, clae_buf, clae_buf, size_t, int);
    clae_status (*labels_onehot)(clae_device *, clae_buf, clae_buf, int, int, int, int, int);
} BACKENDS[CLAE_BACKENDS] = {
    [CLAE_BACKEND_OPENCL] = {.softmax_forward = softmax_forward_opencl,
                             .cce_step = cce_step_opencl,
                             .labels_onehot = labels_onehot_opencl},
    [CLAE_BACKEND_HOST] = {.softmax_forward = softmax_forward_host,
                           .cce_step = cce_step_host,
                           .labels_onehot = labels_onehot_host},
};

/* ---- entry points (clae/ops.h): the checks every backend shares, one dispatch - */

clae_status softmax_forward(clae_device *d, clae_buf out, clae_buf in, size_t rows, int K)
{
    return BACKENDS[d->be->id].softmax_forward(d, out, in, rows, K);
}

clae_status cce_step(clae_device *d, clae_buf loss, clae_buf dz, clae_buf p, clae_buf t,
                     size_t rows, int K)
{
    return BACKENDS[d->be->id].cce_step(d, loss, dz, p, t, rows, K);
}

clae_status labels_onehot(clae_device *d, clae_buf t, clae_buf records, int N, int K, int C, int H,
                          int W)
{
    return BACKENDS[d->be->id].labels_onehot(d, t, records, N, K, C, H, W);
}
