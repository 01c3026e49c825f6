/* Reference twin: the Keras SGD update. */
#include "clae/ops.h"

void sgd_update_ref(float *p, float *v, const float *g, size_t n, const clae_sgd *h)
{
    for (size_t i = 0; i < n; i++) {
        float gi = g[i];
        if (h->momentum == 0.0f) {
            p[i] -= h->lr * gi;
            continue;
        }
        float vi = h->momentum * v[i] - h->lr * gi;
        v[i] = vi;
        p[i] += h->nesterov ? h->momentum * vi - h->lr * gi : vi;
    }
}
