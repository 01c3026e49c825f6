/* Batch normalization (Keras BatchNormalization, PyTorch BatchNorm2d) over
 * x (N, C, HW), per channel c; twins of src/host/ref/batch_norm.c.
 * stats (4C floats): [0, C) the mean, [C, 2C) 1 / sqrt(var + eps), then the
 * backward pass's sums: [2C, 3C) sum of dy, [3C, 4C) sum of dy * x_hat.
 *
 * The reductions: one work-group per channel (its size a power of two),
 * each work-item sums a fixed strided subset, then a tree in local memory;
 * the order depends only on the sizes and the group size, so repeated runs
 * give identical bits (no atomics). */

/* Sums part[0..L) into part[0]; every work-item returns it. */
static float group_sum(__local float *part, float s)
{
    const int l = get_local_id(0), L = get_local_size(0);
    part[l] = s;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int off = L / 2; off > 0; off >>= 1) {
        if (l < off) part[l] += part[l + off];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    const float total = part[0];
    barrier(CLK_LOCAL_MEM_FENCE); /* everyone has read it before part is reused */
    return total;
}

/* A training step's statistics: the batch's mean and biased variance per
 * channel (two passes: the mean, then the squared deviations), and, when
 * update, the moving ones: moving = momentum * moving + (1 - momentum) * batch. */
__kernel void batch_norm_stats(__global float *stats, __global float *run_mean,
                               __global float *run_var, __global const float *x, const int N,
                               const int C, const int HW, const float momentum, const float eps,
                               const int update, __local float *part)
{
    const int c = get_group_id(0), l = get_local_id(0), L = get_local_size(0);
    const int total = N * HW;
    float s = 0.0f;
    for (int i = l; i < total; i += L) {
        const int n = i / HW, j = i - n * HW;
        s += x[((long)n * C + c) * HW + j];
    }
    const float mean = group_sum(part, s) / (float)total;
    s = 0.0f;
    for (int i = l; i < total; i += L) {
        const int n = i / HW, j = i - n * HW;
        const float d = x[((long)n * C + c) * HW + j] - mean;
        s += d * d;
    }
    const float var = group_sum(part, s) / (float)total;
    if (l != 0) return;
    stats[c] = mean;
    stats[C + c] = 1.0f / sqrt(var + eps);
    if (update) {
        run_mean[c] = momentum * run_mean[c] + (1.0f - momentum) * mean;
        run_var[c] = momentum * run_var[c] + (1.0f - momentum) * var;
    }
}

/* Inference: the statistics from the moving ones; one work-item per channel. */
__kernel void batch_norm_moving(__global float *stats, __global const float *run_mean,
                                __global const float *run_var, const int C, const float eps)
{
    const int c = get_global_id(0);
    if (c >= C) return;
    stats[c] = run_mean[c];
    stats[C + c] = 1.0f / sqrt(run_var[c] + eps);
}

/* y = (x - mean) / sqrt(var + eps) * gamma + beta; gamma (beta) is 1 (0)
 * where has_gamma (has_beta) is 0. One work-item per element. */
__kernel void batch_norm_apply(__global float *y, __global const float *x,
                               __global const float *stats, __global const float *gamma,
                               __global const float *beta, const int N, const int C, const int HW,
                               const int has_gamma, const int has_beta)
{
    const int i = get_global_id(0);
    if (i >= N * C * HW) return;
    const int c = (i / HW) % C;
    float v = (x[i] - stats[c]) * stats[C + c];
    if (has_gamma) v *= gamma[c];
    if (has_beta) v += beta[c];
    y[i] = v;
}

/* The backward pass's sums per channel into stats[2C..4C), and into the
 * parameter gradients: dgamma += sum dy * x_hat, dbeta += sum dy (where
 * present). One work-group per channel. */
__kernel void batch_norm_grad_sums(__global float *stats, __global float *dgamma,
                                   __global float *dbeta, __global const float *dy,
                                   __global const float *x, const int N, const int C,
                                   const int HW, const int has_gamma, const int has_beta,
                                   __local float *part)
{
    const int c = get_group_id(0), l = get_local_id(0), L = get_local_size(0);
    const int total = N * HW;
    const float mean = stats[c], inv = stats[C + c];
    float s1 = 0.0f, s2 = 0.0f;
    for (int i = l; i < total; i += L) {
        const int n = i / HW, j = i - n * HW;
        const long at = ((long)n * C + c) * HW + j;
        s1 += dy[at];
        s2 += dy[at] * ((x[at] - mean) * inv);
    }
    s1 = group_sum(part, s1);
    s2 = group_sum(part, s2);
    if (l != 0) return;
    stats[2 * C + c] = s1;
    stats[3 * C + c] = s2;
    if (has_gamma) dgamma[c] += s2;
    if (has_beta) dbeta[c] += s1;
}

/* dx = gamma / sqrt(var + eps) * (dy - sum dy / M - x_hat * sum(dy x_hat) / M),
 * M = N * HW. One work-item per element. */
__kernel void batch_norm_grad_input(__global float *dx, __global const float *dy,
                                    __global const float *x, __global const float *stats,
                                    __global const float *gamma, const int N, const int C,
                                    const int HW, const int has_gamma)
{
    const int i = get_global_id(0);
    if (i >= N * C * HW) return;
    const int c = (i / HW) % C;
    const float M = (float)(N * HW), inv = stats[C + c];
    const float xhat = (x[i] - stats[c]) * inv;
    const float g = has_gamma ? gamma[c] : 1.0f;
    dx[i] = g * inv * (dy[i] - stats[2 * C + c] / M - xhat * (stats[3 * C + c] / M));
}
