/* Reference twin: Keras Adam update, with decoupled weight decay (Keras
 * AdamW, PyTorch AdamW) and global gradient clipping's scale (PyTorch
 * clip_grad_norm_). */
#include <math.h>

#include "clae/ops.h"

/* p, m, v, g (n): g scaled by gscale; m, v updated; p decayed from
 * decay_from on, then p -= lr_t m / (sqrt(v) + eps) */
void adamw_update_ref(float *p, float *m, float *v, const float *g, size_t n, size_t decay_from,
                      const clae_adam *h, long t, float gscale)
{
    const float lr_t = clae_adam_lr_t(h, t), b1 = h->beta1, b2 = h->beta2, eps = h->eps;
    const float wd_lr = clae_adam_wd_lr(h);
    for (size_t i = 0; i < n; i++) {
        float gi = g[i] * gscale;
        float mi = b1 * m[i] + (1.0f - b1) * gi;
        float vi = b2 * v[i] + (1.0f - b2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        float pi = p[i];
        if (wd_lr != 0.0f && i >= decay_from) pi -= pi * wd_lr;
        p[i] = pi - lr_t * mi / (sqrtf(vi) + eps);
    }
}

void adam_update_ref(float *p, float *m, float *v, const float *g, size_t n, const clae_adam *h,
                     long t)
{
    adamw_update_ref(p, m, v, g, n, 0, h, t, 1.0f);
}

/* min(1, clipnorm / (||g|| + 1e-6)), the norm summed in double */
float grad_clip_scale_ref(const float *g, size_t n, float clipnorm)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++) s += (double)g[i] * (double)g[i];
    const double c = (double)clipnorm / (sqrt(s) + 1e-6);
    return c < 1.0 ? (float)c : 1.0f;
}
