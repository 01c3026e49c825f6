/* Host side of the per-channel bias: launch wrappers for src/kernels/bias.cl. */
#include <limits.h>
#include <stdio.h>

#include "clae/ops.h"

static clae_status bias_check(int N, int C, int HW)
{
    if (N < 0 || C < 0 || HW < 0 || (double)N * C * HW > INT_MAX) {
        fprintf(stderr, "clae: bias: sizes out of range (N=%d C=%d HW=%d)\n", N, C, HW);
        return CLAE_ERR_SHAPE;
    }
    return CLAE_OK;
}

clae_status bias_forward_cl(clae_device *d, cl_mem x, cl_mem b, int N, int C, int HW)
{
    CLAE_TRY(bias_check(N, C, HW));
    cl_kernel k;
    CLAE_TRY(clae_kernel(d, "bias_forward", &k));
    CL_ARG(k, 0, cl_mem, x);
    CL_ARG(k, 1, cl_mem, b);
    CL_ARG(k, 2, cl_int, (cl_int)N);
    CL_ARG(k, 3, cl_int, (cl_int)C);
    CL_ARG(k, 4, cl_int, (cl_int)HW);
    return clae_launch1d(d, k, (size_t)N * C * HW);
}

clae_status bias_backward_cl(clae_device *d, cl_mem db, cl_mem dout, int N, int C, int HW)
{
    CLAE_TRY(bias_check(N, C, HW));
    if (C == 0) return CLAE_OK;
    cl_kernel k;
    CLAE_TRY(clae_kernel(d, "bias_backward", &k));
    size_t L;
    CLAE_TRY(clae_group_size(d, k, 256, &L));
    /* A work-item loops over N * HW / L elements, then the tree: on a
     * device that stops long loops, as many images a launch as fit. */
    int tree = 1;
    while ((size_t)1 << tree < L) tree++;
    int Nc = clae_loop_units(d, 1 + tree, (double)HW / (double)L, N);
    if (N == 0) Nc = 1; /* one launch that adds nothing, as for any N */
    if (Nc < 1) return clae_loop_check(d, "bias gradient", 2 + tree + (long)(HW / L));
    CL_ARG(k, 0, cl_mem, db);
    CL_ARG(k, 1, cl_mem, dout);
    CL_ARG(k, 4, cl_int, (cl_int)C);
    CL_ARG(k, 5, cl_int, (cl_int)HW);
    CL_CHECK(clSetKernelArg(k, 6, L * sizeof(cl_float), NULL));
    size_t global = (size_t)C * L;
    int n0 = 0;
    do {
        CL_ARG(k, 2, cl_int, (cl_int)n0);
        CL_ARG(k, 3, cl_int, (cl_int)(N - n0 < Nc ? N - n0 : Nc));
        CLAE_TRY(clae_launch(d, k, 1, &global, &L));
        n0 += Nc;
    } while (n0 < N);
    return CLAE_OK;
}
