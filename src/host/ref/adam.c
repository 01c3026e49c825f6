/* Reference twin: Keras Adam update. */
#include <math.h>

#include "clae/ops.h"

/* p, m, v, g (n): m, v updated, p -= lr_t m / (sqrt(v) + eps) */
void adam_update_ref(float *p, float *m, float *v, const float *g, size_t n, const clae_adam *h,
                     long t)
{
    const float lr_t = clae_adam_lr_t(h, t), b1 = h->beta1, b2 = h->beta2, eps = h->eps;
    for (size_t i = 0; i < n; i++) {
        float gi = g[i];
        float mi = b1 * m[i] + (1.0f - b1) * gi;
        float vi = b2 * v[i] + (1.0f - b2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        p[i] -= lr_t * mi / (sqrtf(vi) + eps);
    }
}
