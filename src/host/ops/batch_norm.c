/* Host side of batch normalization: launch wrappers for
 * src/kernels/batch_norm.cl and the dispatch to the reference twins. */
#include <limits.h>
#include <stdio.h>

#include "clae/ops.h"

static clae_status bn_check(int N, int C, int HW)
{
    if (N < 1 || C < 1 || HW < 1 || (double)N * C * HW > INT_MAX) {
        fprintf(stderr, "clae: batch_norm: sizes out of range (N=%d C=%d HW=%d)\n", N, C, HW);
        return CLAE_ERR_SHAPE;
    }
    return CLAE_OK;
}

/* A reduction kernel's work-group size (a power of two) and its local
 * memory argument; its work-items loop over N * HW / L values twice. */
static clae_status reduce_group(clae_device *d, cl_kernel k, cl_uint local_arg, const char *op,
                                int N, int HW, size_t *L)
{
    CLAE_TRY(clae_group_size(d, k, 256, L));
    int tree = 1;
    while ((size_t)1 << tree < *L) tree++;
    CLAE_TRY(clae_loop_check(d, op, 2 * ((long)N * HW / (long)*L + 1) + 2 * tree));
    CL_CHECK(clSetKernelArg(k, local_arg, *L * sizeof(cl_float), NULL));
    return CLAE_OK;
}

clae_status batch_norm_stats_cl(clae_device *d, cl_mem stats, cl_mem run_mean, cl_mem run_var,
                                cl_mem x, int N, int C, int HW, const clae_batch_norm *p)
{
    CLAE_TRY(bn_check(N, C, HW));
    cl_kernel k;
    size_t L;
    CLAE_TRY(clae_kernel(d, "batch_norm_stats", &k));
    CLAE_TRY(reduce_group(d, k, 10, "batch_norm statistics", N, HW, &L));
    CL_ARG(k, 0, cl_mem, stats);
    CL_ARG(k, 1, cl_mem, run_mean);
    CL_ARG(k, 2, cl_mem, run_var);
    CL_ARG(k, 3, cl_mem, x);
    CL_ARG(k, 4, cl_int, (cl_int)N);
    CL_ARG(k, 5, cl_int, (cl_int)C);
    CL_ARG(k, 6, cl_int, (cl_int)HW);
    CL_ARG(k, 7, cl_float, p->momentum);
    CL_ARG(k, 8, cl_float, p->eps);
    CL_ARG(k, 9, cl_int, (cl_int)(run_mean != NULL));
    size_t global = (size_t)C * L;
    return clae_launch(d, k, 1, &global, &L);
}

clae_status batch_norm_moving_cl(clae_device *d, cl_mem stats, cl_mem run_mean, cl_mem run_var,
                                 int C, float eps)
{
    CLAE_TRY(bn_check(1, C, 1));
    cl_kernel k;
    CLAE_TRY(clae_kernel(d, "batch_norm_moving", &k));
    CL_ARG(k, 0, cl_mem, stats);
    CL_ARG(k, 1, cl_mem, run_mean);
    CL_ARG(k, 2, cl_mem, run_var);
    CL_ARG(k, 3, cl_int, (cl_int)C);
    CL_ARG(k, 4, cl_float, eps);
    return clae_launch1d(d, k, (size_t)C);
}

clae_status batch_norm_apply_cl(clae_device *d, cl_mem y, cl_mem x, cl_mem stats, cl_mem gamma,
                                cl_mem beta, int N, int C, int HW)
{
    CLAE_TRY(bn_check(N, C, HW));
    cl_kernel k;
    CLAE_TRY(clae_kernel(d, "batch_norm_apply", &k));
    CL_ARG(k, 0, cl_mem, y);
    CL_ARG(k, 1, cl_mem, x);
    CL_ARG(k, 2, cl_mem, stats);
    CL_ARG(k, 3, cl_mem, gamma);
    CL_ARG(k, 4, cl_mem, beta);
    CL_ARG(k, 5, cl_int, (cl_int)N);
    CL_ARG(k, 6, cl_int, (cl_int)C);
    CL_ARG(k, 7, cl_int, (cl_int)HW);
    CL_ARG(k, 8, cl_int, (cl_int)(gamma != NULL));
    CL_ARG(k, 9, cl_int, (cl_int)(beta != NULL));
    return clae_launch1d(d, k, (size_t)N * C * HW);
}

clae_status batch_norm_backward_cl(clae_device *d, cl_mem dx, cl_mem dgamma, cl_mem dbeta,
                                   cl_mem stats, cl_mem dy, cl_mem x, cl_mem gamma, int N, int C,
                                   int HW)
{
    CLAE_TRY(bn_check(N, C, HW));
    cl_kernel k;
    size_t L;
    CLAE_TRY(clae_kernel(d, "batch_norm_grad_sums", &k));
    CLAE_TRY(reduce_group(d, k, 10, "batch_norm gradient", N, HW, &L));
    CL_ARG(k, 0, cl_mem, stats);
    CL_ARG(k, 1, cl_mem, dgamma);
    CL_ARG(k, 2, cl_mem, dbeta);
    CL_ARG(k, 3, cl_mem, dy);
    CL_ARG(k, 4, cl_mem, x);
    CL_ARG(k, 5, cl_int, (cl_int)N);
    CL_ARG(k, 6, cl_int, (cl_int)C);
    CL_ARG(k, 7, cl_int, (cl_int)HW);
    CL_ARG(k, 8, cl_int, (cl_int)(dgamma != NULL));
    CL_ARG(k, 9, cl_int, (cl_int)(dbeta != NULL));
    size_t global = (size_t)C * L;
    CLAE_TRY(clae_launch(d, k, 1, &global, &L));
    if (!dx) return CLAE_OK;
    CLAE_TRY(clae_kernel(d, "batch_norm_grad_input", &k));
    CL_ARG(k, 0, cl_mem, dx);
    CL_ARG(k, 1, cl_mem, dy);
    CL_ARG(k, 2, cl_mem, x);
    CL_ARG(k, 3, cl_mem, stats);
    CL_ARG(k, 4, cl_mem, gamma);
    CL_ARG(k, 5, cl_int, (cl_int)N);
    CL_ARG(k, 6, cl_int, (cl_int)C);
    CL_ARG(k, 7, cl_int, (cl_int)HW);
    CL_ARG(k, 8, cl_int, (cl_int)(gamma != NULL));
    return clae_launch1d(d, k, (size_t)N * C * HW);
}

/* ---- backends: each op once per backend (clae_device.be picks) ----------- */

static int has(clae_buf b) { return b.h || b.d; }

/* OpenCL: the launchers above, on the buffers' cl_mem. */
static clae_status forward_opencl(clae_device *d, clae_buf y, clae_buf x, clae_buf stats,
                                  clae_buf gamma, clae_buf beta, clae_buf run_mean,
                                  clae_buf run_var, int N, int C, int HW,
                                  const clae_batch_norm *p, int training)
{
    if (training)
        CLAE_TRY(batch_norm_stats_cl(d, stats.d, run_mean.d, run_var.d, x.d, N, C, HW, p));
    else
        CLAE_TRY(batch_norm_moving_cl(d, stats.d, run_mean.d, run_var.d, C, p->eps));
    return batch_norm_apply_cl(d, y.d, x.d, stats.d, gamma.d, beta.d, N, C, HW);
}

static clae_status backward_opencl(clae_device *d, clae_buf dx, clae_buf dgamma, clae_buf dbeta,
                                   clae_buf stats, clae_buf dy, clae_buf x, clae_buf gamma, int N,
                                   int C, int HW)
{
    return batch_norm_backward_cl(d, dx.d, dgamma.d, dbeta.d, stats.d, dy.d, x.d, gamma.d, N, C,
                                  HW);
}

/* Host: the reference twins (src/host/ref/batch_norm.c), on the buffers' host memory. */
static clae_status forward_host(clae_device *d, clae_buf y, clae_buf x, clae_buf stats,
                                clae_buf gamma, clae_buf beta, clae_buf run_mean,
                                clae_buf run_var, int N, int C, int HW, const clae_batch_norm *p,
                                int training)
{
    if (training)
        batch_norm_stats_ref(stats.h, run_mean.h, run_var.h, x.h, N, C, HW, p);
    else
        batch_norm_moving_ref(stats.h, run_mean.h, run_var.h, C, p->eps);
    batch_norm_apply_ref(y.h, x.h, stats.h, gamma.h, beta.h, N, C, HW);
    return CLAE_OK;
}

static clae_status backward_host(clae_device *d, clae_buf dx, clae_buf dgamma, clae_buf dbeta,
                                 clae_buf stats, clae_buf dy, clae_buf x, clae_buf gamma, int N,
                                 int C, int HW)
{
    batch_norm_backward_ref(dx.h, dgamma.h, dbeta.h, stats.h, dy.h, x.h, gamma.h, N, C, HW);
    return CLAE_OK;
}

static const struct batch_norm_backend {
    clae_status (*forward)(clae_device *, clae_buf, clae_buf, clae_buf, clae_buf, clae_buf,
                           clae_buf, clae_buf, int, int, int, const clae_batch_norm *, int);
    clae_status (*backward)(clae_device *, clae_buf, clae_buf, clae_buf, clae_buf, clae_buf,
                            clae_buf, clae_buf, int, int, int);
} BACKENDS[CLAE_BACKENDS] = {
    [CLAE_BACKEND_OPENCL] = {.forward = forward_opencl, .backward = backward_opencl},
    [CLAE_BACKEND_HOST] = {.forward = forward_host, .backward = backward_host},
};

/* ---- entry points (clae/ops.h): the checks every backend shares, one dispatch - */

clae_status batch_norm_forward(clae_device *d, clae_buf y, clae_buf x, clae_buf stats,
                               clae_buf gamma, clae_buf beta, clae_buf run_mean, clae_buf run_var,
                               int N, int C, int HW, const clae_batch_norm *p, int training)
{
    if (!has(stats) || (!training && (!has(run_mean) || !has(run_var))) ||
        has(run_mean) != has(run_var)) {
        fprintf(stderr, "clae: batch_norm: %s\n",
                has(stats) ? "inference needs the moving statistics" : "no statistics buffer");
        return CLAE_ERR_ARG;
    }
    return BACKENDS[d->be->id].forward(d, y, x, stats, gamma, beta, run_mean, run_var, N, C, HW,
                                       p, training);
}

clae_status batch_norm_backward(clae_device *d, clae_buf dx, clae_buf dgamma, clae_buf dbeta,
                                clae_buf stats, clae_buf dy, clae_buf x, clae_buf gamma, int N,
                                int C, int HW)
{
    return BACKENDS[d->be->id].backward(d, dx, dgamma, dbeta, stats, dy, x, gamma, N, C, HW);
}
