/* Host side of the separable blur: launch wrappers for src/kernels/blur.cl
 * (row pass into scratch slot 5, then the column pass into out). */
#include <limits.h>
#include <stdio.h>

#include "clae/ops.h"


clae_status blur_forward_cl(clae_device *d, cl_mem out, cl_mem in, cl_mem k, int ksize, int N,
                            int C, int H, int W)
{
    if (ksize < 1 || ksize % 2 == 0 || N < 0 || C < 0 || H < 1 || W < 1 ||
        (double)N * C * H * W > INT_MAX) {
        fprintf(stderr, "clae: blur: bad kernel size %d or shape %dx%dx%dx%d\n", ksize, N, C, H,
                W);
        return CLAE_ERR_ARG;
    }
    size_t total = (size_t)N * C * H * W;
    if (total == 0) return CLAE_OK;
    cl_mem tmp;
    CLAE_TRY(clae_scratch(d, CLAE_SCRATCH_BLUR, total * sizeof(cl_float), &tmp));
    cl_kernel kr, kc;
    CLAE_TRY(clae_kernel(d, "blur_forward_rows", &kr));
    CLAE_TRY(clae_kernel(d, "blur_forward_cols", &kc));
    CL_ARG(kr, 0, cl_mem, tmp);
    CL_ARG(kr, 1, cl_mem, in);
    CL_ARG(kr, 2, cl_mem, k);
    CL_ARG(kr, 3, cl_int, (cl_int)ksize);
    CL_ARG(kr, 4, cl_int, (cl_int)total);
    CL_ARG(kr, 5, cl_int, (cl_int)W);
    CLAE_TRY(clae_launch1d(d, kr, total));
    CL_ARG(kc, 0, cl_mem, out);
    CL_ARG(kc, 1, cl_mem, tmp);
    CL_ARG(kc, 2, cl_mem, k);
    CL_ARG(kc, 3, cl_int, (cl_int)ksize);
    CL_ARG(kc, 4, cl_int, (cl_int)total);
    CL_ARG(kc, 5, cl_int, (cl_int)H);
    CL_ARG(kc, 6, cl_int, (cl_int)W);
    return clae_launch1d(d, kc, total);
}

clae_status blur_forward(clae_device *d, clae_buf out, clae_buf in, clae_buf k, int ksize, int N,
                         int C, int H, int W)
{
    if (!d->is_ref) return blur_forward_cl(d, out.d, in.d, k.d, ksize, N, C, H, W);
    blur_forward_ref(out.h, in.h, k.h, ksize, N, C, H, W);
    return CLAE_OK;
}
