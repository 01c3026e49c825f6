/* Host side of activations: typed launch wrappers for src/kernels/act.cl. */
#include "clae/ops.h"

clae_status act_forward_cl(clae_device *d, cl_mem out, cl_mem in, size_t n, clae_act a)
{
    cl_kernel k;
    CLAE_TRY(clae_kernel(d, "act_forward", &k));
    CL_ARG(k, 0, cl_mem, out);
    CL_ARG(k, 1, cl_mem, in);
    CL_ARG(k, 2, cl_int, (cl_int)n);
    CL_ARG(k, 3, cl_int, (cl_int)a);
    return clae_launch1d(d, k, n);
}

clae_status act_backward_cl(clae_device *d, cl_mem din, cl_mem dout, cl_mem out, size_t n,
                            clae_act a)
{
    cl_kernel k;
    CLAE_TRY(clae_kernel(d, "act_backward", &k));
    CL_ARG(k, 0, cl_mem, din);
    CL_ARG(k, 1, cl_mem, dout);
    CL_ARG(k, 2, cl_mem, out);
    CL_ARG(k, 3, cl_int, (cl_int)n);
    CL_ARG(k, 4, cl_int, (cl_int)a);
    return clae_launch1d(d, k, n);
}
