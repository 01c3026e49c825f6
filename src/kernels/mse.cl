/* Losses: mean squared error, mean absolute error and binary cross-entropy
 * (Keras); twins of src/host/ref/mse.c. The loss is reduced on the device in
 * two fixed-order stages (no atomics, identical bits every run):
 * <loss>_forward_partial writes one partial sum per work-group,
 * mse_forward_final sums those in one work-group and writes loss[0] (the
 * mean). Group sizes: powers of two. */

static float tree_sum(__local float *part, float s)
{
    int l = get_local_id(0), L = get_local_size(0);
    part[l] = s;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int off = L / 2; off > 0; off >>= 1) {
        if (l < off) part[l] += part[l + off];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    return part[0];
}

#define BCE_EPS 1e-7f /* Keras's epsilon: predictions clipped to [eps, 1 - eps] */

static float elem_mse(float y, float t)
{
    float e = y - t;
    return e * e;
}

static float elem_mae(float y, float t) { return fabs(y - t); }

static float elem_bce(float y, float t)
{
    float c = clamp(y, BCE_EPS, 1.0f - BCE_EPS);
    return -(t * log(c + BCE_EPS) + (1.0f - t) * log(1.0f - c + BCE_EPS));
}

#define LOSS_PARTIAL(kind)                                                                  \
    __kernel void kind##_forward_partial(__global float *partial, __global const float *y,  \
                                         __global const float *t, const int n,              \
                                         __local float *part)                               \
    {                                                                                       \
        int L = get_local_size(0), G = get_num_groups(0), g = get_group_id(0);              \
        float s = 0.0f;                                                                     \
        for (int i = g * L + get_local_id(0); i < n; i += G * L) s += elem_##kind(y[i], t[i]); \
        float total = tree_sum(part, s);                                                    \
        if (get_local_id(0) == 0) partial[g] = total;                                       \
    }

LOSS_PARTIAL(mse)
LOSS_PARTIAL(mae)
LOSS_PARTIAL(bce)

__kernel void mse_forward_final(__global float *loss, __global const float *partial,
                                const int ngroups, const int n, __local float *part)
{
    float s = 0.0f;
    for (int i = get_local_id(0); i < ngroups; i += get_local_size(0)) s += partial[i];
    float total = tree_sum(part, s);
    if (get_local_id(0) == 0) loss[0] = n > 0 ? total / (float)n : 0.0f;
}

__kernel void mse_backward(__global float *dy, __global const float *y, __global const float *t,
                           const int n)
{
    int i = get_global_id(0);
    if (i >= n) return;
    dy[i] = 2.0f * (y[i] - t[i]) / (float)n;
}

__kernel void mae_backward(__global float *dy, __global const float *y, __global const float *t,
                           const int n)
{
    int i = get_global_id(0);
    if (i >= n) return;
    float e = y[i] - t[i];
    dy[i] = (e > 0.0f ? 1.0f : e < 0.0f ? -1.0f : 0.0f) / (float)n;
}

/* d/dy of the clipped loss: zero where the clip holds y */
__kernel void bce_backward(__global float *dy, __global const float *y, __global const float *t,
                           const int n)
{
    int i = get_global_id(0);
    if (i >= n) return;
    float v = y[i], tt = t[i];
    dy[i] = v < BCE_EPS || v > 1.0f - BCE_EPS
                ? 0.0f
                : -(tt / (v + BCE_EPS) - (1.0f - tt) / (1.0f - v + BCE_EPS)) / (float)n;
}
