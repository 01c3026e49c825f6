/* Reference twins: batch normalization (clae/ops.h), sums in double. */
#include <math.h>

#include "clae/ops.h"

void batch_norm_stats_ref(float *stats, float *run_mean, float *run_var, const float *x, int N,
                          int C, int HW, const clae_batch_norm *p)
{
    const double M = (double)N * HW;
    for (int c = 0; c < C; c++) {
        double s = 0.0, q = 0.0;
        for (int n = 0; n < N; n++)
            for (int j = 0; j < HW; j++) s += x[((size_t)n * C + c) * HW + j];
        const double mean = s / M;
        for (int n = 0; n < N; n++)
            for (int j = 0; j < HW; j++) {
                const double d = x[((size_t)n * C + c) * HW + j] - mean;
                q += d * d;
            }
        const double var = q / M;
        stats[c] = (float)mean;
        stats[C + c] = (float)(1.0 / sqrt(var + p->eps));
        if (!run_mean) continue;
        run_mean[c] = (float)(p->momentum * (double)run_mean[c] + (1.0 - p->momentum) * mean);
        run_var[c] = (float)(p->momentum * (double)run_var[c] + (1.0 - p->momentum) * var);
    }
}

void batch_norm_moving_ref(float *stats, const float *run_mean, const float *run_var, int C,
                           float eps)
{
    for (int c = 0; c < C; c++) {
        stats[c] = run_mean[c];
        stats[C + c] = (float)(1.0 / sqrt((double)run_var[c] + eps));
    }
}

void batch_norm_apply_ref(float *y, const float *x, const float *stats, const float *gamma,
                          const float *beta, int N, int C, int HW)
{
    for (int n = 0; n < N; n++)
        for (int c = 0; c < C; c++) {
            const size_t at = ((size_t)n * C + c) * HW;
            const float g = gamma ? gamma[c] : 1.0f, b = beta ? beta[c] : 0.0f;
            for (int j = 0; j < HW; j++) y[at + j] = (x[at + j] - stats[c]) * stats[C + c] * g + b;
        }
}

void batch_norm_backward_ref(float *dx, float *dgamma, float *dbeta, float *stats,
                             const float *dy, const float *x, const float *gamma, int N, int C,
                             int HW)
{
    const double M = (double)N * HW;
    for (int c = 0; c < C; c++) {
        const double mean = stats[c], inv = stats[C + c];
        double s1 = 0.0, s2 = 0.0;
        for (int n = 0; n < N; n++)
            for (int j = 0; j < HW; j++) {
                const size_t at = ((size_t)n * C + c) * HW + j;
                s1 += dy[at];
                s2 += dy[at] * ((x[at] - mean) * inv);
            }
        stats[2 * C + c] = (float)s1;
        stats[3 * C + c] = (float)s2;
        if (dgamma) dgamma[c] += (float)s2;
        if (dbeta) dbeta[c] += (float)s1;
        if (!dx) continue;
        const double g = gamma ? gamma[c] : 1.0;
        for (int n = 0; n < N; n++)
            for (int j = 0; j < HW; j++) {
                const size_t at = ((size_t)n * C + c) * HW + j;
                const double xhat = (x[at] - mean) * inv;
                dx[at] = (float)(g * inv * (dy[at] - s1 / M - xhat * s2 / M));
            }
    }
}
