/* Keras Adam update, with decoupled weight decay (Keras AdamW, PyTorch
 * AdamW) and a gradient scale (global clipping); twin of
 * src/host/ref/adam.c. lr_t (the bias-corrected step size) and wd_lr (lr *
 * weight_decay) come from the host, computed in double by clae_adam_lr_t
 * and clae_adam_wd_lr: as arguments, or (adam_update_dev, in a recorded
 * step whose arguments are fixed, or with clipping) in device memory,
 * hp = {lr_t, wd_lr, gradient scale}, written before each step (the scale
 * by grad_clip_scale below, after the host's 1). Elements from decay_from
 * on are decayed ([train] freeze keeps the layers before). */

static inline void adam_at(__global float *p, __global float *m, __global float *v,
                           __global const float *g, const int i, const float lr_t, const float b1,
                           const float b2, const float eps, const float wd_lr,
                           const int decay_from, const float gs)
{
    float gi = g[i] * gs;
    float mi = b1 * m[i] + (1.0f - b1) * gi;
    float vi = b2 * v[i] + (1.0f - b2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    float pi = p[i];
    if (wd_lr != 0.0f && i >= decay_from) pi -= pi * wd_lr; /* before the step, as AdamW */
    p[i] = pi - lr_t * mi / (sqrt(vi) + eps);
}

__kernel void adam_update(__global float *p, __global float *m, __global float *v,
                          __global const float *g, const int n, const float lr_t, const float b1,
                          const float b2, const float eps, const float wd_lr,
                          const int decay_from)
{
    int i = get_global_id(0);
    if (i < n) adam_at(p, m, v, g, i, lr_t, b1, b2, eps, wd_lr, decay_from, 1.0f);
}

__kernel void adam_update_dev(__global float *p, __global float *m, __global float *v,
                              __global const float *g, const int n, __global const float *hp,
                              const float b1, const float b2, const float eps,
                              const int decay_from)
{
    int i = get_global_id(0);
    if (i < n) adam_at(p, m, v, g, i, hp[0], b1, b2, eps, hp[1], decay_from, hp[2]);
}

/* Global gradient clipping (PyTorch clip_grad_norm_, Keras global_clipnorm)
 * in two fixed-order stages, no atomics and no local memory (the same bits
 * every run): work-item w of G sums g[i]^2 for i = w, w + G, ... into
 * partial[w]; grad_clip_scale adds the G partials in order and writes
 * hp[2] = min(1, clipnorm / (sqrt(sum) + 1e-6)). */
__kernel void grad_sumsq(__global float *partial, __global const float *g, const int n,
                         const int G)
{
    const int w = (int)get_global_id(0);
    if (w >= G) return;
    float s = 0.0f;
    for (int i = w; i < n; i += G) s += g[i] * g[i];
    partial[w] = s;
}

__kernel void grad_clip_scale(__global float *hp, __global const float *partial, const int G,
                              const float clipnorm)
{
    if (get_global_id(0) != 0) return;
    float s = 0.0f;
    for (int w = 0; w < G; w++) s += partial[w];
    hp[2] = fmin(1.0f, clipnorm / (sqrt(s) + 1e-6f));
}
