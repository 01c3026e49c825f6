/* Host side of the loss terms beside the reconstruction loss: launch
 * wrappers for src/kernels/penalty.cl and the dispatch to the reference
 * twins (src/host/ref/penalty.c). */
#include <limits.h>
#include <stdio.h>

#include "clae/ops.h"

/* Work-items of a term's first pass: each sums a strided share. */
enum { PENALTY_ITEMS = 1024 };

static clae_status too_big(const char *op, size_t n)
{
    if (n <= INT_MAX) return CLAE_OK;
    fprintf(stderr, "clae: %s: %zu elements is more than supported\n", op, n);
    return CLAE_ERR_SHAPE;
}

clae_status penalty_sum_cl(clae_device *d, cl_mem terms, int slot, float scale, cl_mem x,
                           size_t x_off, size_t n, clae_pen_f f)
{
    CLAE_TRY(too_big("loss term", x_off + n));
    if (n == 0) return CLAE_OK;
    size_t items = n < PENALTY_ITEMS ? n : PENALTY_ITEMS;
    CLAE_TRY(clae_loop_check(d, "loss term", (long)((n + items - 1) / items + items)));
    cl_mem part;
    CLAE_TRY(clae_scratch(d, CLAE_SCRATCH_PENALTY, items * sizeof(cl_float), &part));
    cl_kernel k, kf;
    CLAE_TRY(clae_kernel(d, "penalty_partial", &k));
    CLAE_TRY(clae_kernel(d, "penalty_final", &kf));
    CL_ARG(k, 0, cl_mem, part);
    CL_ARG(k, 1, cl_mem, x);
    CL_ARG(k, 2, cl_int, (cl_int)x_off);
    CL_ARG(k, 3, cl_int, (cl_int)n);
    CL_ARG(k, 4, cl_int, (cl_int)items);
    CL_ARG(k, 5, cl_int, f == CLAE_PEN_ABS);
    CLAE_TRY(clae_launch1d(d, k, items));
    CL_ARG(kf, 0, cl_mem, terms);
    CL_ARG(kf, 1, cl_int, slot);
    CL_ARG(kf, 2, cl_float, scale);
    CL_ARG(kf, 3, cl_mem, part);
    CL_ARG(kf, 4, cl_int, (cl_int)items);
    return clae_launch1d(d, kf, 1);
}

clae_status loss_terms_cl(clae_device *d, cl_mem loss, cl_mem terms, int nterms)
{
    cl_kernel k;
    CLAE_TRY(clae_kernel(d, "loss_terms", &k));
    CL_ARG(k, 0, cl_mem, loss);
    CL_ARG(k, 1, cl_mem, terms);
    CL_ARG(k, 2, cl_int, nterms);
    return clae_launch1d(d, k, 1);
}

clae_status activity_l1_backward_cl(clae_device *d, cl_mem dy, cl_mem y, size_t n, float scale)
{
    CLAE_TRY(too_big("activity_l1", n));
    cl_kernel k;
    CLAE_TRY(clae_kernel(d, "activity_l1_backward", &k));
    CL_ARG(k, 0, cl_mem, dy);
    CL_ARG(k, 1, cl_mem, y);
    CL_ARG(k, 2, cl_int, (cl_int)n);
    CL_ARG(k, 3, cl_float, scale);
    return clae_launch1d(d, k, n);
}

clae_status sampling_forward_cl(clae_device *d, cl_mem z, cl_mem aux, cl_mem x, int N, int L,
                                int HW, const clae_sampling *p, int training)
{
    size_t n = (size_t)N * L * HW;
    CLAE_TRY(too_big("sampling", 2 * n));
    /* eps changes every step: a recorded step cannot hold it */
    if (training && clae_record_refuse(d)) return CLAE_OK;
    cl_kernel k;
    CLAE_TRY(clae_kernel(d, "sampling_forward", &k));
    CL_ARG(k, 0, cl_mem, z);
    CL_ARG(k, 1, cl_mem, aux);
    CL_ARG(k, 2, cl_mem, x);
    CL_ARG(k, 3, cl_int, N);
    CL_ARG(k, 4, cl_int, L * HW);
    CL_ARG(k, 5, cl_uint, p->key0);
    CL_ARG(k, 6, cl_uint, p->key1);
    CL_ARG(k, 7, cl_int, training != 0);
    return clae_launch1d(d, k, n);
}

clae_status sampling_backward_cl(clae_device *d, cl_mem dx, cl_mem dz, cl_mem x, cl_mem aux,
                                 int N, int L, int HW, float w)
{
    size_t n = (size_t)N * L * HW;
    CLAE_TRY(too_big("sampling", 2 * n));
    cl_kernel k;
    CLAE_TRY(clae_kernel(d, "sampling_backward", &k));
    CL_ARG(k, 0, cl_mem, dx);
    CL_ARG(k, 1, cl_mem, dz);
    CL_ARG(k, 2, cl_mem, x);
    CL_ARG(k, 3, cl_mem, aux);
    CL_ARG(k, 4, cl_int, N);
    CL_ARG(k, 5, cl_int, L * HW);
    CL_ARG(k, 6, cl_float, w);
    return clae_launch1d(d, k, n);
}

/* tmp (3U): per unit the weight row's squared norm, the batch's sum of
 * s^2, and their product */
static clae_status contractive_rows(clae_device *d, cl_mem *tmp, cl_mem h, cl_mem w, int N, int I,
                                    int U)
{
    CLAE_TRY(too_big("contractive", (size_t)N * U));
    CLAE_TRY(too_big("contractive", (size_t)U * I));
    CLAE_TRY(clae_loop_check(d, "contractive", (long)I + N));
    CLAE_TRY(clae_scratch(d, CLAE_SCRATCH_ROWS, 3 * (size_t)U * sizeof(cl_float), tmp));
    cl_kernel k;
    CLAE_TRY(clae_kernel(d, "contractive_rows", &k));
    CL_ARG(k, 0, cl_mem, *tmp);
    CL_ARG(k, 1, cl_mem, h);
    CL_ARG(k, 2, cl_mem, w);
    CL_ARG(k, 3, cl_int, N);
    CL_ARG(k, 4, cl_int, I);
    CL_ARG(k, 5, cl_int, U);
    return clae_launch1d(d, k, (size_t)U);
}

clae_status contractive_forward_cl(clae_device *d, cl_mem terms, int slot, float scale, cl_mem h,
                                   cl_mem w, int N, int I, int U)
{
    cl_mem tmp;
    CLAE_TRY(contractive_rows(d, &tmp, h, w, N, I, U));
    return penalty_sum_cl(d, terms, slot, scale, tmp, 2 * (size_t)U, (size_t)U, CLAE_PEN_SUM);
}

clae_status contractive_backward_cl(clae_device *d, cl_mem dz, cl_mem dw, float scale, cl_mem h,
                                    cl_mem w, int N, int I, int U)
{
    cl_mem tmp;
    CLAE_TRY(contractive_rows(d, &tmp, h, w, N, I, U));
    cl_kernel kz, kw;
    CLAE_TRY(clae_kernel(d, "contractive_dz", &kz));
    CLAE_TRY(clae_kernel(d, "contractive_dw", &kw));
    CL_ARG(kz, 0, cl_mem, dz);
    CL_ARG(kz, 1, cl_mem, h);
    CL_ARG(kz, 2, cl_mem, tmp);
    CL_ARG(kz, 3, cl_int, N);
    CL_ARG(kz, 4, cl_int, U);
    CL_ARG(kz, 5, cl_float, scale);
    CLAE_TRY(clae_launch1d(d, kz, (size_t)N * U));
    CL_ARG(kw, 0, cl_mem, dw);
    CL_ARG(kw, 1, cl_mem, w);
    CL_ARG(kw, 2, cl_mem, tmp);
    CL_ARG(kw, 3, cl_int, I);
    CL_ARG(kw, 4, cl_int, U);
    CL_ARG(kw, 5, cl_float, scale);
    return clae_launch1d(d, kw, (size_t)U * I);
}

/* ---- backends: each op once per backend (clae_device.be picks) ----------- */

/* OpenCL: the launchers above, on the buffers' cl_mem. */
static clae_status penalty_sum_opencl(clae_device *d, clae_buf terms, int slot, float scale,
                                      clae_buf x, size_t x_off, size_t n, clae_pen_f f)
{
    return penalty_sum_cl(d, terms.d, slot, scale, x.d, x_off, n, f);
}

static clae_status loss_terms_opencl(clae_device *d, clae_buf loss, clae_buf terms, int nterms)
{
    return loss_terms_cl(d, loss.d, terms.d, nterms);
}

static clae_status activity_l1_backward_opencl(clae_device *d, clae_buf dy, clae_buf y, size_t n,
                                               float scale)
{
    return activity_l1_backward_cl(d, dy.d, y.d, n, scale);
}

static clae_status sampling_forward_opencl(clae_device *d, clae_buf z, clae_buf aux, clae_buf x,
                                           int N, int L, int HW, const clae_sampling *p,
                                           int training)
{
    return sampling_forward_cl(d, z.d, aux.d, x.d, N, L, HW, p, training);
}

static clae_status sampling_backward_opencl(clae_device *d, clae_buf dx, clae_buf dz, clae_buf x,
                                            clae_buf aux, int N, int L, int HW, float w)
{
    return sampling_backward_cl(d, dx.d, dz.d, x.d, aux.d, N, L, HW, w);
}

static clae_status contractive_forward_opencl(clae_device *d, clae_buf terms, int slot, float scale,
                                              clae_buf h, clae_buf w, int N, int I, int U)
{
    return contractive_forward_cl(d, terms.d, slot, scale, h.d, w.d, N, I, U);
}

static clae_status contractive_backward_opencl(clae_device *d, clae_buf dz, clae_buf dw,
                                               float scale, clae_buf h, clae_buf w, int N, int I,
                                               int U)
{
    return contractive_backward_cl(d, dz.d, dw.d, scale, h.d, w.d, N, I, U);
}

/* Host: the reference twins (src/host/ref/penalty.c), on the buffers' host memory. */
static clae_status penalty_sum_host(clae_device *d, clae_buf terms, int slot, float scale,
                                    clae_buf x, size_t x_off, size_t n, clae_pen_f f)
{
    penalty_sum_ref(terms.h, slot, scale, (const float *)x.h + x_off, n, f);
    return CLAE_OK;
}

static clae_status loss_terms_host(clae_device *d, clae_buf loss, clae_buf terms, int nterms)
{
    loss_terms_ref(loss.h, terms.h, nterms);
    return CLAE_OK;
}

static clae_status activity_l1_backward_host(clae_device *d, clae_buf dy, clae_buf y, size_t n,
                                             float scale)
{
    activity_l1_backward_ref(dy.h, y.h, n, scale);
    return CLAE_OK;
}

static clae_status sampling_forward_host(clae_device *d, clae_buf z, clae_buf aux, clae_buf x,
                                         int N, int L, int HW, const clae_sampling *p, int training)
{
    sampling_forward_ref(z.h, aux.h, x.h, N, L, HW, p, training);
    return CLAE_OK;
}

static clae_status sampling_backward_host(clae_device *d, clae_buf dx, clae_buf dz, clae_buf x,
                                          clae_buf aux, int N, int L, int HW, float w)
{
    sampling_backward_ref(dx.h, dz.h, x.h, aux.h, N, L, HW, w);
    return CLAE_OK;
}

static clae_status contractive_forward_host(clae_device *d, clae_buf terms, int slot, float scale,
                                            clae_buf h, clae_buf w, int N, int I, int U)
{
    contractive_forward_ref(terms.h, slot, scale, h.h, w.h, N, I, U);
    return CLAE_OK;
}

static clae_status contractive_backward_host(clae_device *d, clae_buf dz, clae_buf dw, float scale,
                                             clae_buf h, clae_buf w, int N, int I, int U)
{
    contractive_backward_ref(dz.h, dw.h, scale, h.h, w.h, N, I, U);
    return CLAE_OK;
}

static const struct penalty_backend {
    clae_status (*penalty_sum)(clae_device *, clae_buf, int, float, clae_buf, size_t, size_t,
                               clae_pen_f);
    clae_status (*loss_terms)(clae_device *, clae_buf, clae_buf, int);
    clae_status (*activity_l1_backward)(clae_device *, clae_buf, clae_buf, size_t, float);
    clae_status (*sampling_forward)(clae_device *, clae_buf, clae_buf, clae_buf, int, int, int,
                                    const clae_sampling *, int);
    clae_status (*sampling_backward)(clae_device *, clae_buf, clae_buf, clae_buf, clae_buf, int,
                                     int, int, float);
    clae_status (*contractive_forward)(clae_device *, clae_buf, int, float, clae_buf, clae_buf, int,
                                       int, int);
    clae_status (*contractive_backward)(clae_device *, clae_buf, clae_buf, float, clae_buf,
                                        clae_buf, int, int, int);
} BACKENDS[CLAE_BACKENDS] = {
    [CLAE_BACKEND_OPENCL] = {.penalty_sum = penalty_sum_opencl,
                             .loss_terms = loss_terms_opencl,
                             .activity_l1_backward = activity_l1_backward_opencl,
                             .sampling_forward = sampling_forward_opencl,
                             .sampling_backward = sampling_backward_opencl,
                             .contractive_forward = contractive_forward_opencl,
                             .contractive_backward = contractive_backward_opencl},
    [CLAE_BACKEND_HOST] = {.penalty_sum = penalty_sum_host,
                           .loss_terms = loss_terms_host,
                           .activity_l1_backward = activity_l1_backward_host,
                           .sampling_forward = sampling_forward_host,
                           .sampling_backward = sampling_backward_host,
                           .contractive_forward = contractive_forward_host,
                           .contractive_backward = contractive_backward_host},
};

/* ---- entry points (clae/ops.h): the checks every backend shares, one dispatch - */

clae_status penalty_sum(clae_device *d, clae_buf terms, int slot, float scale, clae_buf x,
                        size_t x_off, size_t n, clae_pen_f f)
{
    return BACKENDS[d->be->id].penalty_sum(d, terms, slot, scale, x, x_off, n, f);
}

clae_status loss_terms(clae_device *d, clae_buf loss, clae_buf terms, int nterms)
{
    return BACKENDS[d->be->id].loss_terms(d, loss, terms, nterms);
}

clae_status activity_l1_backward(clae_device *d, clae_buf dy, clae_buf y, size_t n, float scale)
{
    return BACKENDS[d->be->id].activity_l1_backward(d, dy, y, n, scale);
}

clae_status sampling_forward(clae_device *d, clae_buf z, clae_buf aux, clae_buf x, int N, int L,
                             int HW, const clae_sampling *p, int training)
{
    return BACKENDS[d->be->id].sampling_forward(d, z, aux, x, N, L, HW, p, training);
}

clae_status sampling_backward(clae_device *d, clae_buf dx, clae_buf dz, clae_buf x, clae_buf aux,
                              int N, int L, int HW, float w)
{
    return BACKENDS[d->be->id].sampling_backward(d, dx, dz, x, aux, N, L, HW, w);
}

clae_status contractive_forward(clae_device *d, clae_buf terms, int slot, float scale, clae_buf h,
                                clae_buf w, int N, int I, int U)
{
    return BACKENDS[d->be->id].contractive_forward(d, terms, slot, scale, h, w, N, I, U);
}

clae_status contractive_backward(clae_device *d, clae_buf dz, clae_buf dw, float scale, clae_buf h,
                                 clae_buf w, int N, int I, int U)
{
    return BACKENDS[d->be->id].contractive_backward(d, dz, dw, scale, h, w, N, I, U);
}
