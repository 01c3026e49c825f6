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

/* ---- dispatch ------------------------------------------------------------ */

clae_status penalty_sum(clae_device *d, clae_buf terms, int slot, float scale, clae_buf x,
                        size_t x_off, size_t n, clae_pen_f f)
{
    if (!d->is_ref) return penalty_sum_cl(d, terms.d, slot, scale, x.d, x_off, n, f);
    penalty_sum_ref(terms.h, slot, scale, (const float *)x.h + x_off, n, f);
    return CLAE_OK;
}

clae_status loss_terms(clae_device *d, clae_buf loss, clae_buf terms, int nterms)
{
    if (!d->is_ref) return loss_terms_cl(d, loss.d, terms.d, nterms);
    loss_terms_ref(loss.h, terms.h, nterms);
    return CLAE_OK;
}

clae_status activity_l1_backward(clae_device *d, clae_buf dy, clae_buf y, size_t n, float scale)
{
    if (!d->is_ref) return activity_l1_backward_cl(d, dy.d, y.d, n, scale);
    activity_l1_backward_ref(dy.h, y.h, n, scale);
    return CLAE_OK;
}

clae_status sampling_forward(clae_device *d, clae_buf z, clae_buf aux, clae_buf x, int N, int L,
                             int HW, const clae_sampling *p, int training)
{
    if (!d->is_ref) return sampling_forward_cl(d, z.d, aux.d, x.d, N, L, HW, p, training);
    sampling_forward_ref(z.h, aux.h, x.h, N, L, HW, p, training);
    return CLAE_OK;
}

clae_status sampling_backward(clae_device *d, clae_buf dx, clae_buf dz, clae_buf x, clae_buf aux,
                              int N, int L, int HW, float w)
{
    if (!d->is_ref) return sampling_backward_cl(d, dx.d, dz.d, x.d, aux.d, N, L, HW, w);
    sampling_backward_ref(dx.h, dz.h, x.h, aux.h, N, L, HW, w);
    return CLAE_OK;
}

clae_status contractive_forward(clae_device *d, clae_buf terms, int slot, float scale, clae_buf h,
                                clae_buf w, int N, int I, int U)
{
    if (!d->is_ref) return contractive_forward_cl(d, terms.d, slot, scale, h.d, w.d, N, I, U);
    contractive_forward_ref(terms.h, slot, scale, h.h, w.h, N, I, U);
    return CLAE_OK;
}

clae_status contractive_backward(clae_device *d, clae_buf dz, clae_buf dw, float scale,
                                 clae_buf h, clae_buf w, int N, int I, int U)
{
    if (!d->is_ref) return contractive_backward_cl(d, dz.d, dw.d, scale, h.d, w.d, N, I, U);
    contractive_backward_ref(dz.h, dw.h, scale, h.h, w.h, N, I, U);
    return CLAE_OK;
}
