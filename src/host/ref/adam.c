/* Reference twin: Keras Adam update. */
#include <math.h>

#include "clae/ops.h"

/* Keras's bias-corrected step size (clae/ops.h); the OpenCL launchers
 * (src/host/ops/adam.c) and the trainer's recorded step take it from here. */
float clae_adam_lr_t(const clae_adam *h, long t)
{
    double b1t = pow((double)h->beta1, (double)t);
    double b2t = pow((double)h->beta2, (double)t);
    return (float)((double)h->lr * sqrt(1.0 - b2t) / (1.0 - b1t));
}

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
