/* Keras Adam update; twin of src/host/ref/adam.c. lr_t (the bias-corrected
 * step size) comes from the host, computed in double by clae_adam_lr_t. */

__kernel void adam_update(__global float *p, __global float *m, __global float *v,
                          __global const float *g, const int n, const float lr_t, const float b1,
                          const float b2, const float eps)
{
    int i = get_global_id(0);
    if (i >= n) return;
    float gi = g[i];
    float mi = b1 * m[i] + (1.0f - b1) * gi;
    float vi = b2 * v[i] + (1.0f - b2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    p[i] -= lr_t * mi / (sqrt(vi) + eps);
}
