/* Host side of the CIFAR conversion: launch wrapper for src/kernels/convert.cl. */
#include <limits.h>
#include <stdio.h>

#include "clae/ops.h"

clae_status cifar_to_float_cl(clae_device *d, cl_mem out, cl_mem records, int N)
{
    if (N < 0 || N > INT_MAX / 3072) { /* the kernel counts floats in int; records in long */
        fprintf(stderr, "clae: cifar_to_float: bad record count %d\n", N);
        return CLAE_ERR_ARG;
    }
    cl_kernel k;
    CLAE_TRY(clae_kernel(d, "cifar_to_float", &k));
    CL_ARG(k, 0, cl_mem, out);
    CL_ARG(k, 1, cl_mem, records);
    CL_ARG(k, 2, cl_int, (cl_int)N);
    return clae_launch1d(d, k, (size_t)N * 384); /* 8 pixels a work-item */
}

clae_status cifar_to_float(clae_device *d, clae_buf out, clae_buf records, int N)
{
    if (!d->is_ref) return cifar_to_float_cl(d, out.d, records.d, N);
    cifar_to_float_ref(out.h, records.h, N);
    return CLAE_OK;
}
