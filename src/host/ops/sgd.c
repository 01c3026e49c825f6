/* Host side of the SGD update: launch wrapper for src/kernels/sgd.cl and the
 * dispatch to the reference twin. */
#include <limits.h>
#include <stdio.h>

#include "clae/ops.h"

clae_status sgd_update_cl(clae_device *d, cl_mem p, cl_mem v, cl_mem g, size_t n,
                          const clae_sgd *h)
{
    if (n > INT_MAX) {
        fprintf(stderr, "clae: sgd: %zu parameters is more than supported\n", n);
        return CLAE_ERR_SHAPE;
    }
    cl_kernel k;
    CLAE_TRY(clae_kernel(d, "sgd_update", &k));
    CL_ARG(k, 0, cl_mem, p);
    CL_ARG(k, 1, cl_mem, v);
    CL_ARG(k, 2, cl_mem, g);
    CL_ARG(k, 3, cl_int, (cl_int)n);
    CL_ARG(k, 4, cl_float, h->lr);
    CL_ARG(k, 5, cl_float, h->momentum);
    CL_ARG(k, 6, cl_int, (cl_int)h->nesterov);
    return clae_launch1d(d, k, n);
}

clae_status sgd_update(clae_device *d, clae_buf p, clae_buf v, clae_buf g, size_t n,
                       const clae_sgd *h)
{
    if (!d->is_ref) return sgd_update_cl(d, p.d, v.d, g.d, n, h);
    sgd_update_ref(p.h, v.h, g.h, n, h);
    return CLAE_OK;
}
