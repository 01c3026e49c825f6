/* Keras Adam update; twin of src/host/ref/adam.c. lr_t (the bias-corrected
 * step size) comes from the host, computed in double by clae_adam_lr_t:
 * as an argument, or (adam_update_dev, in a recorded step whose arguments
 * are fixed) in device memory, written before each replay. */

static inline void adam_at(__global float *p, __global float *m, __global float *v,
                           __global const float *g, const int i, const float lr_t, const float b1,
                           const float b2, const float eps)
{
    float gi = g[i];
    float mi = b1 * m[i] + (1.0f - b1) * gi;
    float vi = b2 * v[i] + (1.0f - b2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    p[i] -= lr_t * mi / (sqrt(vi) + eps);
}

__kernel void adam_update(__global float *p, __global float *m, __global float *v,
                          __global const float *g, const int n, const float lr_t, const float b1,
                          const float b2, const float eps)
{
    int i = get_global_id(0);
    if (i < n) adam_at(p, m, v, g, i, lr_t, b1, b2, eps);
}

__kernel void adam_update_dev(__global float *p, __global float *m, __global float *v,
                              __global const float *g, const int n,
                              __global const float *lr_t, const float b1, const float b2,
                              const float eps)
{
    int i = get_global_id(0);
    if (i < n) adam_at(p, m, v, g, i, lr_t[0], b1, b2, eps);
}
