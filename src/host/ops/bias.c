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
    CL_ARG(k, 0, cl_mem, db);
    CL_ARG(k, 1, cl_mem, dout);
    CL_ARG(k, 2, cl_int, (cl_int)N);
    CL_ARG(k, 3, cl_int, (cl_int)C);
    CL_ARG(k, 4, cl_int, (cl_int)HW);
    CL_CHECK(clSetKernelArg(k, 5, L * sizeof(cl_float), NULL));
    size_t global = (size_t)C * L;
    return clae_launch(d, k, 1, &global, &L);
}
