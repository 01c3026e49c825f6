/* GEMM through CLBlast, and the launchers of the column-lowering kernels
 * (src/kernels/conv2d.cl) shared by conv2d and conv2d_transpose. */
#include "ops/gemm.h"

#include <clblast_c.h>
#include <limits.h>
#include <stdio.h>

clae_status clae_gemm(clae_device *d, int ta, int tb, size_t M, size_t N, size_t Kd, float alpha,
                      cl_mem A, size_t a_off, size_t lda, cl_mem B, size_t b_off, size_t ldb,
                      float beta, cl_mem C, size_t c_off, size_t ldc)
{
    if (M == 0 || N == 0 || Kd == 0) return CLAE_ERR_ARG;
    if (clae_record_refuse(d)) return CLAE_OK; /* CLBlast enqueues on its own */
    /* CLBlast's kernels loop over Kd in every work-item (on llvmpipe about
     * Kd / 16 iterations: wrong there from Kd = 2^20). On a device with a
     * loop limit Kd goes in parts of at most the loop budget, each added
     * into C (beta 1 after the first). */
    const size_t kmax = d->loop_limit > 0 ? (size_t)clae_loop_budget(d) : Kd;
    for (size_t k0 = 0; k0 < Kd; k0 += kmax) {
        const size_t kn = Kd - k0 < kmax ? Kd - k0 : kmax;
        const size_t ao = a_off + (ta ? k0 * lda : k0), bo = b_off + (tb ? k0 : k0 * ldb);
        /* CLBlast builds its kernels on a first call (PoCL: per size too) */
        const size_t key[6] = {(size_t)ta, (size_t)tb, M, N, kn, 0x6e6d6567}; /* "gemm" */
        double t0;
        CLAE_TRY(clae_first_call_begin(d, key, 6, &t0));
        CLBLAST_CHECK(CLBlastSgemm(CLBlastLayoutRowMajor,
                                   ta ? CLBlastTransposeYes : CLBlastTransposeNo,
                                   tb ? CLBlastTransposeYes : CLBlastTransposeNo, M, N, kn,
                                   alpha, A, ao, lda, B, bo, ldb, k0 ? 1.0f : beta, C, c_off,
                                   ldc, &d->queue, NULL));
        d->gemms++;
        CLAE_TRY(clae_first_call_end(d, t0));
    }
    return CLAE_OK;
}

clae_status clae_conv_check(const clae_conv_shape *g, const char *op)
{
    const double lim = (double)INT_MAX;
    double in = (double)g->N * g->C * g->H * g->W;
    double out = (double)g->N * g->K * g->P * g->Q;
    double w = (double)g->K * g->C * g->R * g->S;
    if (g->N < 1 || g->C < 1 || g->H < 1 || g->W < 1 || g->K < 1 || g->R < 1 || g->S < 1 ||
        g->sh < 1 || g->sw < 1 || g->P < 1 || g->Q < 1) {
        fprintf(stderr, "clae: %s: empty or invalid shape\n", op);
        return CLAE_ERR_SHAPE;
    }
    if (in > lim || out > lim || w > lim) {
        fprintf(stderr, "clae: %s: tensor over %d elements\n", op, INT_MAX);
        return CLAE_ERR_SHAPE;
    }
    return CLAE_OK;
}

clae_status clae_conv_chunk(clae_device *d, const char *op, size_t per_image, int N, int *Nc)
{
    cl_ulong max_alloc = d->max_alloc;
    size_t bytes = per_image * sizeof(float);
    if ((cl_ulong)bytes > max_alloc || per_image > (size_t)INT_MAX) {
        fprintf(stderr, "clae: %s: one image needs a %zu-byte column buffer, over the device's "
                "limit of %llu bytes\n", op, bytes, (unsigned long long)max_alloc);
        return CLAE_ERR_SHAPE;
    }
    size_t limit = CLAE_CONV_SCRATCH_MAX;
    if ((cl_ulong)limit > max_alloc) limit = (size_t)max_alloc;
    size_t n = limit / (bytes ? bytes : 1);
    if (n < 1) n = 1;
    if (n > (size_t)N) n = (size_t)N;
    *Nc = (int)n;
    return CLAE_OK;
}

static clae_status set_lowering_args(cl_kernel k, cl_uint first, const clae_lowering *L, int Nc)
{
    CL_ARG(k, first + 0, cl_int, L->C);
    CL_ARG(k, first + 1, cl_int, L->H);
    CL_ARG(k, first + 2, cl_int, L->W);
    CL_ARG(k, first + 3, cl_int, L->P);
    CL_ARG(k, first + 4, cl_int, L->Q);
    CL_ARG(k, first + 5, cl_int, L->R);
    CL_ARG(k, first + 6, cl_int, L->S);
    CL_ARG(k, first + 7, cl_int, L->sh);
    CL_ARG(k, first + 8, cl_int, L->sw);
    CL_ARG(k, first + 9, cl_int, L->pt);
    CL_ARG(k, first + 10, cl_int, L->pl);
    CL_ARG(k, first + 11, cl_int, Nc);
    return CLAE_OK;
}

clae_status clae_im2col(clae_device *d, cl_mem col, cl_mem img, size_t img_off,
                        const clae_lowering *L, int Nc)
{
    cl_kernel k;
    CLAE_TRY(clae_kernel(d, "conv2d_im2col", &k));
    CL_ARG(k, 0, cl_mem, col);
    CL_ARG(k, 1, cl_mem, img);
    CL_ARG(k, 2, cl_int, (cl_int)img_off);
    CLAE_TRY(set_lowering_args(k, 3, L, Nc));
    return clae_launch1d(d, k, (size_t)L->C * L->R * L->S * Nc * L->P * L->Q);
}

clae_status clae_col2im(clae_device *d, cl_mem img, size_t img_off, cl_mem col, cl_mem bias,
                        const clae_lowering *L, int Nc)
{
    cl_kernel k;
    CLAE_TRY(clae_kernel(d, "conv2d_col2im", &k));
    CL_ARG(k, 0, cl_mem, img);
    CL_ARG(k, 1, cl_int, (cl_int)img_off);
    CL_ARG(k, 2, cl_mem, col);
    CL_ARG_OPT(k, 3, bias, col);
    CL_ARG(k, 4, cl_int, bias != NULL);
    CLAE_TRY(set_lowering_args(k, 5, L, Nc));
    return clae_launch1d(d, k, (size_t)Nc * L->C * L->H * L->W);
}

clae_status clae_to_cnhw(clae_device *d, cl_mem dst, cl_mem src, size_t src_off, int C, int HW,
                         int Nc)
{
    cl_kernel k;
    CLAE_TRY(clae_kernel(d, "conv2d_to_cnhw", &k));
    CL_ARG(k, 0, cl_mem, dst);
    CL_ARG(k, 1, cl_mem, src);
    CL_ARG(k, 2, cl_int, (cl_int)src_off);
    CL_ARG(k, 3, cl_int, C);
    CL_ARG(k, 4, cl_int, HW);
    CL_ARG(k, 5, cl_int, Nc);
    return clae_launch1d(d, k, (size_t)C * HW * Nc);
}

clae_status clae_from_cnhw(clae_device *d, cl_mem dst, size_t dst_off, cl_mem src, cl_mem bias,
                           int C, int HW, int Nc)
{
    cl_kernel k;
    CLAE_TRY(clae_kernel(d, "conv2d_from_cnhw", &k));
    CL_ARG(k, 0, cl_mem, dst);
    CL_ARG(k, 1, cl_int, (cl_int)dst_off);
    CL_ARG(k, 2, cl_mem, src);
    CL_ARG_OPT(k, 3, bias, src);
    CL_ARG(k, 4, cl_int, bias != NULL);
    CL_ARG(k, 5, cl_int, C);
    CL_ARG(k, 6, cl_int, HW);
    CL_ARG(k, 7, cl_int, Nc);
    return clae_launch1d(d, k, (size_t)C * HW * Nc);
}

clae_status clae_conv_bias_grad(clae_device *d, cl_mem db, cl_mem dout, int N, int K, int HW)
{
    cl_kernel k;
    CLAE_TRY(clae_kernel(d, "conv2d_bias_grad", &k));
    size_t local;
    CLAE_TRY(clae_group_size(d, k, 256, &local));
    /* Per image a work-item loops over its plane's share, then the tree: on
     * a device that stops long loops, as many images a launch as fit. */
    int tree = 1;
    while ((size_t)1 << tree < local) tree++;
    const long per_image = 1 + (HW + (long)local - 1) / (long)local;
    int Nc = clae_loop_units(d, 1 + tree, (double)per_image, N);
    if (N == 0) Nc = 1; /* one launch that adds nothing, as for any N */
    if (Nc < 1) return clae_loop_check(d, "bias gradient", 1 + tree + per_image);
    CL_ARG(k, 0, cl_mem, db);
    CL_ARG(k, 1, cl_mem, dout);
    CL_ARG(k, 4, cl_int, K);
    CL_ARG(k, 5, cl_int, HW);
    CL_CHECK(clSetKernelArg(k, 6, local * sizeof(cl_float), NULL));
    size_t global = (size_t)K * local;
    int n0 = 0;
    do {
        CL_ARG(k, 2, cl_int, n0);
        CL_ARG(k, 3, cl_int, N - n0 < Nc ? N : n0 + Nc);
        CLAE_TRY(clae_launch(d, k, 1, &global, &local));
        n0 += Nc;
    } while (n0 < N);
    return CLAE_OK;
}
