/* Host side of the Adam update (with AdamW's decay and global gradient
 * clipping): launch wrappers for src/kernels/adam.cl. */
#include <limits.h>
#include <stdio.h>

#include "clae/ops.h"

clae_status adamw_update_cl(clae_device *d, cl_mem p, cl_mem m, cl_mem v, cl_mem g, size_t n,
                            size_t decay_from, const clae_adam *h, long t)
{
    if (n > INT_MAX || t < 1 || decay_from > n) {
        fprintf(stderr, "clae: adam: bad size %zu, step %ld or decay start %zu\n", n, t,
                decay_from);
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
    CL_ARG(k, 9, cl_float, clae_adam_wd_lr(h));
    CL_ARG(k, 10, cl_int, (cl_int)decay_from);
    return clae_launch1d(d, k, n);
}

clae_status adam_update_cl(clae_device *d, cl_mem p, cl_mem m, cl_mem v, cl_mem g, size_t n,
                           const clae_adam *h, long t)
{
    return adamw_update_cl(d, p, m, v, g, n, 0, h, t);
}

clae_status adam_update_dev_cl(clae_device *d, cl_mem p, cl_mem m, cl_mem v, cl_mem g, size_t n,
                               size_t decay_from, const clae_adam *h, cl_mem hp)
{
    if (n > INT_MAX || decay_from > n) {
        fprintf(stderr, "clae: adam: bad size %zu or decay start %zu\n", n, decay_from);
        return CLAE_ERR_ARG;
    }
    cl_kernel k;
    CLAE_TRY(clae_kernel(d, "adam_update_dev", &k));
    CL_ARG(k, 0, cl_mem, p);
    CL_ARG(k, 1, cl_mem, m);
    CL_ARG(k, 2, cl_mem, v);
    CL_ARG(k, 3, cl_mem, g);
    CL_ARG(k, 4, cl_int, (cl_int)n);
    CL_ARG(k, 5, cl_mem, hp);
    CL_ARG(k, 6, cl_float, h->beta1);
    CL_ARG(k, 7, cl_float, h->beta2);
    CL_ARG(k, 8, cl_float, h->eps);
    CL_ARG(k, 9, cl_int, (cl_int)decay_from);
    return clae_launch1d(d, k, n);
}

/* Work-items of the sum of squares (each a strided share; grad_clip_scale
 * adds their partials in order). The count depends only on n, so the
 * scale's bits do not depend on the device's group sizes. */
#define CLIP_ITEMS 2048

clae_status grad_clip_cl(clae_device *d, cl_mem g, size_t n, float clipnorm, cl_mem hp)
{
    if (n == 0 || n > INT_MAX || !(clipnorm > 0.0f)) {
        fprintf(stderr, "clae: clip: bad size %zu or norm %g\n", n, (double)clipnorm);
        return CLAE_ERR_ARG;
    }
    size_t items = n < CLIP_ITEMS ? n : CLIP_ITEMS;
    CLAE_TRY(clae_loop_check(d, "clip", (long)((n + items - 1) / items) + 32 + (long)items));
    /* the loss's scratch slot: its partials are consumed by then, in queue order */
    cl_mem partial;
    CLAE_TRY(clae_scratch(d, CLAE_SCRATCH_MSE, items * sizeof(cl_float), &partial));
    cl_kernel k, kf;
    CLAE_TRY(clae_kernel(d, "grad_sumsq", &k));
    CL_ARG(k, 0, cl_mem, partial);
    CL_ARG(k, 1, cl_mem, g);
    CL_ARG(k, 2, cl_int, (cl_int)n);
    CL_ARG(k, 3, cl_int, (cl_int)items);
    CLAE_TRY(clae_launch1d(d, k, items));
    CLAE_TRY(clae_kernel(d, "grad_clip_scale", &kf));
    CL_ARG(kf, 0, cl_mem, hp);
    CL_ARG(kf, 1, cl_mem, partial);
    CL_ARG(kf, 2, cl_int, (cl_int)items);
    CL_ARG(kf, 3, cl_float, clipnorm);
    return clae_launch1d(d, kf, 1);
}

/* ---- backends: each op once per backend (clae_device.be picks) ----------- */

/* OpenCL: the launchers above, on the buffers' cl_mem. */
static clae_status adamw_update_opencl(clae_device *d, clae_buf p, clae_buf m, clae_buf v,
                                       clae_buf g, size_t n, size_t from, const clae_adam *h,
                                       long t)
{
    return adamw_update_cl(d, p.d, m.d, v.d, g.d, n, from, h, t);
}

static clae_status adamw_update_hp_opencl(clae_device *d, clae_buf p, clae_buf m, clae_buf v,
                                          clae_buf g, size_t n, size_t from, const clae_adam *h,
                                          long t, clae_buf hp)
{
    (void)t; /* lr_t is hp[0] */
    return adam_update_dev_cl(d, p.d, m.d, v.d, g.d, n, from, h, hp.d);
}

static clae_status grad_clip_opencl(clae_device *d, clae_buf g, size_t n, float c, clae_buf hp)
{
    return grad_clip_cl(d, g.d, n, c, hp.d);
}

/* Host: the reference twins (src/host/ref/adam.c), on the buffers' host memory. */
static clae_status adamw_update_host(clae_device *d, clae_buf p, clae_buf m, clae_buf v,
                                     clae_buf g, size_t n, size_t from, const clae_adam *h, long t)
{
    adamw_update_ref(p.h, m.h, v.h, g.h, n, from, h, t, 1.0f);
    return CLAE_OK;
}

static clae_status adamw_update_hp_host(clae_device *d, clae_buf p, clae_buf m, clae_buf v,
                                        clae_buf g, size_t n, size_t from, const clae_adam *h,
                                        long t, clae_buf hp)
{
    adamw_update_ref(p.h, m.h, v.h, g.h, n, from, h, t, ((const float *)hp.h)[2]);
    return CLAE_OK;
}

static clae_status grad_clip_host(clae_device *d, clae_buf g, size_t n, float c, clae_buf hp)
{
    ((float *)hp.h)[2] = grad_clip_scale_ref(g.h, n, c);
    return CLAE_OK;
}

static const struct adam_backend {
    clae_status (*adamw_update)(clae_device *, clae_buf, clae_buf, clae_buf, clae_buf, size_t,
                                size_t, const clae_adam *, long);
    clae_status (*adamw_update_hp)(clae_device *, clae_buf, clae_buf, clae_buf, clae_buf, size_t,
                                   size_t, const clae_adam *, long, clae_buf);
    clae_status (*grad_clip)(clae_device *, clae_buf, size_t, float, clae_buf);
} BACKENDS[CLAE_BACKENDS] = {
    [CLAE_BACKEND_OPENCL] = {.adamw_update = adamw_update_opencl,
                             .adamw_update_hp = adamw_update_hp_opencl,
                             .grad_clip = grad_clip_opencl},
    [CLAE_BACKEND_HOST] = {.adamw_update = adamw_update_host,
                           .adamw_update_hp = adamw_update_hp_host,
                           .grad_clip = grad_clip_host},
};

/* ---- entry points (clae/ops.h): the checks every backend shares, one dispatch - */

clae_status adamw_update(clae_device *d, clae_buf p, clae_buf m, clae_buf v, clae_buf g, size_t n,
                         size_t decay_from, const clae_adam *h, long t)
{
    if (decay_from > n) return CLAE_ERR_ARG;
    return BACKENDS[d->be->id].adamw_update(d, p, m, v, g, n, decay_from, h, t);
}

clae_status adam_update(clae_device *d, clae_buf p, clae_buf m, clae_buf v, clae_buf g, size_t n,
                        const clae_adam *h, long t)
{
    return adamw_update(d, p, m, v, g, n, 0, h, t);
}

clae_status adamw_update_hp(clae_device *d, clae_buf p, clae_buf m, clae_buf v, clae_buf g,
                            size_t n, size_t decay_from, const clae_adam *h, long t, clae_buf hp)
{
    if (decay_from > n) return CLAE_ERR_ARG;
    return BACKENDS[d->be->id].adamw_update_hp(d, p, m, v, g, n, decay_from, h, t, hp);
}

clae_status grad_clip(clae_device *d, clae_buf g, size_t n, float clipnorm, clae_buf hp)
{
    if (n == 0 || !(clipnorm > 0.0f)) return CLAE_ERR_ARG;
    return BACKENDS[d->be->id].grad_clip(d, g, n, clipnorm, hp);
}
