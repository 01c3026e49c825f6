/* Host side of the MSE loss: launch wrappers for src/kernels/mse.cl. The
 * forward pass leaves the loss in a 1-float device buffer; nothing is read back. */
#include <limits.h>
#include <stdio.h>

#include "clae/ops.h"

#define MSE_MAX_GROUPS 512

static clae_status mse_check(size_t n)
{
    if (n > INT_MAX) {
        fprintf(stderr, "clae: mse: %zu elements is more than supported\n", n);
        return CLAE_ERR_SHAPE;
    }
    return CLAE_OK;
}

static const char *const PARTIAL[] = {"mse_forward_partial", "mae_forward_partial",
                                      "bce_forward_partial"};
static const char *const BACKWARD[] = {"mse_backward", "mae_backward", "bce_backward"};

clae_status loss_forward_cl(clae_device *d, clae_loss kind, cl_mem loss, cl_mem y, cl_mem t,
                            size_t n)
{
    CLAE_TRY(mse_check(n));
    if ((unsigned)kind > CLAE_LOSS_BCE) return CLAE_ERR_ARG;
    cl_kernel kp, kf;
    CLAE_TRY(clae_kernel(d, PARTIAL[kind], &kp));
    CLAE_TRY(clae_kernel(d, "mse_forward_final", &kf));
    size_t Lp, Lf;
    CLAE_TRY(clae_group_size(d, kp, 256, &Lp));
    CLAE_TRY(clae_group_size(d, kf, 256, &Lf));
    /* The number of groups depends only on n and the group size. */
    size_t groups = (n + Lp - 1) / Lp;
    if (groups > MSE_MAX_GROUPS) groups = MSE_MAX_GROUPS;
    if (groups < 1) groups = 1;
    cl_mem partial;
    CLAE_TRY(clae_scratch(d, CLAE_SCRATCH_MSE, groups * sizeof(cl_float), &partial));

    CL_ARG(kp, 0, cl_mem, partial);
    CL_ARG(kp, 1, cl_mem, y);
    CL_ARG(kp, 2, cl_mem, t);
    CL_ARG(kp, 3, cl_int, (cl_int)n);
    CL_CHECK(clSetKernelArg(kp, 4, Lp * sizeof(cl_float), NULL));
    size_t global = groups * Lp;
    CLAE_TRY(clae_launch(d, kp, 1, &global, &Lp));

    CL_ARG(kf, 0, cl_mem, loss);
    CL_ARG(kf, 1, cl_mem, partial);
    CL_ARG(kf, 2, cl_int, (cl_int)groups);
    CL_ARG(kf, 3, cl_int, (cl_int)n);
    CL_CHECK(clSetKernelArg(kf, 4, Lf * sizeof(cl_float), NULL));
    return clae_launch(d, kf, 1, &Lf, &Lf);
}

clae_status loss_backward_cl(clae_device *d, clae_loss kind, cl_mem dy, cl_mem y, cl_mem t,
                             size_t n)
{
    CLAE_TRY(mse_check(n));
    if ((unsigned)kind > CLAE_LOSS_BCE) return CLAE_ERR_ARG;
    cl_kernel k;
    CLAE_TRY(clae_kernel(d, BACKWARD[kind], &k));
    CL_ARG(k, 0, cl_mem, dy);
    CL_ARG(k, 1, cl_mem, y);
    CL_ARG(k, 2, cl_mem, t);
    CL_ARG(k, 3, cl_int, (cl_int)n);
    return clae_launch1d(d, k, n);
}

clae_status mse_forward_cl(clae_device *d, cl_mem loss, cl_mem y, cl_mem t, size_t n)
{
    return loss_forward_cl(d, CLAE_LOSS_MSE, loss, y, t, n);
}

clae_status mse_backward_cl(clae_device *d, cl_mem dy, cl_mem y, cl_mem t, size_t n)
{
    return loss_backward_cl(d, CLAE_LOSS_MSE, dy, y, t, n);
}

clae_status loss_forward(clae_device *d, clae_loss kind, clae_buf loss, clae_buf y, clae_buf t,
                         size_t n)
{
    if (!d->is_ref) return loss_forward_cl(d, kind, loss.d, y.d, t.d, n);
    switch (kind) {
    case CLAE_LOSS_MSE: mse_forward_ref(loss.h, y.h, t.h, n); break;
    case CLAE_LOSS_MAE: mae_forward_ref(loss.h, y.h, t.h, n); break;
    case CLAE_LOSS_BCE: bce_forward_ref(loss.h, y.h, t.h, n); break;
    default: return CLAE_ERR_ARG;
    }
    return CLAE_OK;
}

clae_status loss_backward(clae_device *d, clae_loss kind, clae_buf dy, clae_buf y, clae_buf t,
                          size_t n)
{
    if (!d->is_ref) return loss_backward_cl(d, kind, dy.d, y.d, t.d, n);
    switch (kind) {
    case CLAE_LOSS_MSE: mse_backward_ref(dy.h, y.h, t.h, n); break;
    case CLAE_LOSS_MAE: mae_backward_ref(dy.h, y.h, t.h, n); break;
    case CLAE_LOSS_BCE: bce_backward_ref(dy.h, y.h, t.h, n); break;
    default: return CLAE_ERR_ARG;
    }
    return CLAE_OK;
}
