/* Reference twin: max-unpooling with a max pool's saved indices. */
#include <string.h>

#include "clae/ops.h"

void max_unpool_forward_ref(float *out, const float *in, const int32_t *idx,
                            const clae_conv_shape *g)
{
    const long NC = (long)g->N * g->C, HW = (long)g->H * g->W, PQ = (long)g->P * g->Q;
    memset(out, 0, (size_t)(NC * PQ) * sizeof *out);
    for (long nc = 0; nc < NC; nc++)
        for (long i = 0; i < HW; i++) {
            int32_t j = idx[nc * HW + i];
            if (j >= 0) out[nc * PQ + j] = in[nc * HW + i];
        }
}

void max_unpool_backward_ref(float *din, const float *dout, const int32_t *idx,
                             const clae_conv_shape *g)
{
    const long NC = (long)g->N * g->C, HW = (long)g->H * g->W, PQ = (long)g->P * g->Q;
    for (long nc = 0; nc < NC; nc++)
        for (long i = 0; i < HW; i++) {
            int32_t j = idx[nc * HW + i];
            din[nc * HW + i] = j >= 0 ? dout[nc * PQ + j] : 0.0f;
        }
}
