/* Host side of the losses (src/kernels/mse.cl): one pass for the loss, its
 * gradient or both, with the last activation's derivative fused in. The
 * loss stays in a 1-float device buffer; nothing is read back. */
#include <limits.h>
#include <stdio.h>

#include "clae/ops.h"

/* Work-items of the loss pass (each sums a strided share of 8-element
 * blocks; loss_final adds their partials serially): enough to fill a GPU, few enough that the final
 * sum is short. The count depends only on n, so a loss's bits do not depend
 * on the device's group sizes. */
#define LOSS_ITEMS 2048

clae_status loss_step_cl(clae_device *d, clae_loss kind, cl_mem loss, cl_mem dy, cl_mem y,
                         cl_mem t, size_t n, clae_epi act)
{
    if (n > INT_MAX) {
        fprintf(stderr, "clae: loss: %zu elements is more than supported\n", n);
        return CLAE_ERR_SHAPE;
    }
    if ((unsigned)kind > CLAE_LOSS_BCE || (unsigned)act.act > CLAE_ACT_LEAKY_RELU)
        return CLAE_ERR_ARG;
    if (!loss && !dy) return CLAE_OK;
    if (!dy) act = CLAE_EPI_NONE;
    if (act.act != CLAE_ACT_LEAKY_RELU) act.alpha = 0.0f;
    char opts[160];
    snprintf(opts, sizeof opts, "-DLK=%d -DWANT_LOSS=%d -DWANT_GRAD=%d -DACT=%d -DALPHA=%.9ef",
             (int)kind, loss != NULL, dy != NULL, (int)act.act, (double)act.alpha);
    cl_kernel k;
    CLAE_TRY(clae_kernel_variant(d, "mse.cl", opts, "loss_step", &k));
    size_t blocks = (n + 7) / 8; /* a work-item takes 8 elements at a time */
    size_t items = blocks < LOSS_ITEMS ? (blocks > 0 ? blocks : 1) : LOSS_ITEMS;
    CLAE_TRY(clae_loop_check(d, "loss", (long)((blocks + items - 1) / items) + 32 + (long)items));
    cl_mem partial = NULL;
    if (loss) CLAE_TRY(clae_scratch(d, CLAE_SCRATCH_MSE, items * sizeof(cl_float), &partial));
    CL_ARG_OPT(k, 0, partial, y);
    CL_ARG_OPT(k, 1, dy, y);
    CL_ARG(k, 2, cl_mem, y);
    CL_ARG(k, 3, cl_mem, t);
    CL_ARG(k, 4, cl_int, (cl_int)n);
    CL_ARG(k, 5, cl_int, (cl_int)items);
    CLAE_TRY(clae_launch1d(d, k, items));
    if (!loss) return CLAE_OK;
    cl_kernel kf;
    CLAE_TRY(clae_kernel(d, "loss_final", &kf));
    CL_ARG(kf, 0, cl_mem, loss);
    CL_ARG(kf, 1, cl_mem, partial);
    CL_ARG(kf, 2, cl_int, (cl_int)items);
    CL_ARG(kf, 3, cl_int, (cl_int)n);
    return clae_launch1d(d, kf, 1);
}

clae_status loss_forward_cl(clae_device *d, clae_loss kind, cl_mem loss, cl_mem y, cl_mem t,
                            size_t n)
{
    return loss_step_cl(d, kind, loss, NULL, y, t, n, CLAE_EPI_NONE);
}

clae_status loss_backward_cl(clae_device *d, clae_loss kind, cl_mem dy, cl_mem y, cl_mem t,
                             size_t n)
{
    return loss_step_cl(d, kind, NULL, dy, y, t, n, CLAE_EPI_NONE);
}

clae_status mse_forward_cl(clae_device *d, cl_mem loss, cl_mem y, cl_mem t, size_t n)
{
    return loss_forward_cl(d, CLAE_LOSS_MSE, loss, y, t, n);
}

clae_status mse_backward_cl(clae_device *d, cl_mem dy, cl_mem y, cl_mem t, size_t n)
{
    return loss_backward_cl(d, CLAE_LOSS_MSE, dy, y, t, n);
}

/* ---- backends: each op once per backend (clae_device.be picks) ----------- */

/* OpenCL: the launchers above, on the buffers' cl_mem. */
static clae_status loss_forward_opencl(clae_device *d, clae_loss kind, clae_buf loss, clae_buf y,
                                       clae_buf t, size_t n)
{
    return loss_forward_cl(d, kind, loss.d, y.d, t.d, n);
}

static clae_status loss_backward_opencl(clae_device *d, clae_loss kind, clae_buf dy, clae_buf y,
                                        clae_buf t, size_t n)
{
    return loss_backward_cl(d, kind, dy.d, y.d, t.d, n);
}

static clae_status loss_step_opencl(clae_device *d, clae_loss kind, clae_buf loss, clae_buf dy,
                                    clae_buf y, clae_buf t, size_t n, clae_epi act)
{
    return loss_step_cl(d, kind, loss.d, dy.d, y.d, t.d, n, act);
}

/* Host: the reference twins (src/host/ref/mse.c), on the buffers' host memory. */
static clae_status loss_forward_host(clae_device *d, clae_loss kind, clae_buf loss, clae_buf y,
                                     clae_buf t, size_t n)
{
    switch (kind) {
    case CLAE_LOSS_MSE: mse_forward_ref(loss.h, y.h, t.h, n); break;
    case CLAE_LOSS_MAE: mae_forward_ref(loss.h, y.h, t.h, n); break;
    case CLAE_LOSS_BCE: bce_forward_ref(loss.h, y.h, t.h, n); break;
    default: return CLAE_ERR_ARG;
    }
    return CLAE_OK;
}

static clae_status loss_backward_host(clae_device *d, clae_loss kind, clae_buf dy, clae_buf y,
                                      clae_buf t, size_t n)
{
    switch (kind) {
    case CLAE_LOSS_MSE: mse_backward_ref(dy.h, y.h, t.h, n); break;
    case CLAE_LOSS_MAE: mae_backward_ref(dy.h, y.h, t.h, n); break;
    case CLAE_LOSS_BCE: bce_backward_ref(dy.h, y.h, t.h, n); break;
    default: return CLAE_ERR_ARG;
    }
    return CLAE_OK;
}

static clae_status loss_step_host(clae_device *d, clae_loss kind, clae_buf loss, clae_buf dy,
                                  clae_buf y, clae_buf t, size_t n, clae_epi act)
{
    if (loss.h) CLAE_TRY(loss_forward_host(d, kind, loss, y, t, n));
    if (!dy.h) return CLAE_OK;
    CLAE_TRY(loss_backward_host(d, kind, dy, y, t, n));
    if (act.act != CLAE_ACT_NONE) act_backward_ref(dy.h, dy.h, y.h, n, act.act, act.alpha);
    return CLAE_OK;
}

static const struct mse_backend {
    clae_status (*loss_forward)(clae_device *, clae_loss, clae_buf, clae_buf, clae_buf, size_t);
    clae_status (*loss_backward)(clae_device *, clae_loss, clae_buf, clae_buf, clae_buf, size_t);
    clae_status (*loss_step)(clae_device *, clae_loss, clae_buf, clae_buf, clae_buf, clae_buf,
                             size_t, clae_epi);
} BACKENDS[CLAE_BACKENDS] = {
    [CLAE_BACKEND_OPENCL] = {.loss_forward = loss_forward_opencl,
                             .loss_backward = loss_backward_opencl,
                             .loss_step = loss_step_opencl},
    [CLAE_BACKEND_HOST] = {.loss_forward = loss_forward_host,
                           .loss_backward = loss_backward_host,
                           .loss_step = loss_step_host},
};

/* ---- entry points (clae/ops.h): the checks every backend shares, one dispatch - */

clae_status loss_forward(clae_device *d, clae_loss kind, clae_buf loss, clae_buf y, clae_buf t,
                         size_t n)
{
    return BACKENDS[d->be->id].loss_forward(d, kind, loss, y, t, n);
}

clae_status loss_backward(clae_device *d, clae_loss kind, clae_buf dy, clae_buf y, clae_buf t,
                          size_t n)
{
    return BACKENDS[d->be->id].loss_backward(d, kind, dy, y, t, n);
}

clae_status loss_step(clae_device *d, clae_loss kind, clae_buf loss, clae_buf dy, clae_buf y,
                      clae_buf t, size_t n, clae_epi act)
{
    return BACKENDS[d->be->id].loss_step(d, kind, loss, dy, y, t, n, act);
}
