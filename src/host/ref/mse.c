/* Reference twins: the losses (mean squared error, mean absolute error,
 * binary cross-entropy as Keras). */
#include <math.h>

#include "clae/ops.h"

/* y, t (n) -> loss[0] = mean((y - t)^2), summed in double */
void mse_forward_ref(float *loss, const float *y, const float *t, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++) {
        double e = (double)y[i] - t[i];
        s += e * e;
    }
    loss[0] = n ? (float)(s / (double)n) : 0.0f;
}

/* y, t (n) -> dy (n) = 2 (y - t) / n */
void mse_backward_ref(float *dy, const float *y, const float *t, size_t n)
{
    for (size_t i = 0; i < n; i++) dy[i] = 2.0f * (y[i] - t[i]) / (float)n;
}

/* y, t (n) -> loss[0] = mean(|y - t|) */
void mae_forward_ref(float *loss, const float *y, const float *t, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++) s += fabsf(y[i] - t[i]);
    loss[0] = n ? (float)(s / (double)n) : 0.0f;
}

/* dy = sign(y - t) / n (0 where equal, as TensorFlow) */
void mae_backward_ref(float *dy, const float *y, const float *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        float e = y[i] - t[i];
        dy[i] = (e > 0.0f ? 1.0f : e < 0.0f ? -1.0f : 0.0f) / (float)n;
    }
}

#define BCE_EPS 1e-7f

/* loss[0] = mean(-(t log(c + eps) + (1 - t) log(1 - c + eps))), c = clip(y, eps, 1 - eps) */
void bce_forward_ref(float *loss, const float *y, const float *t, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++) {
        float c = y[i] < BCE_EPS ? BCE_EPS : y[i] > 1.0f - BCE_EPS ? 1.0f - BCE_EPS : y[i];
        s += -(t[i] * logf(c + BCE_EPS) + (1.0f - t[i]) * logf(1.0f - c + BCE_EPS));
    }
    loss[0] = n ? (float)(s / (double)n) : 0.0f;
}

/* dy = -(t / (y + eps) - (1 - t) / (1 - y + eps)) / n, 0 where the clip holds y */
void bce_backward_ref(float *dy, const float *y, const float *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        float v = y[i];
        dy[i] = v < BCE_EPS || v > 1.0f - BCE_EPS
                    ? 0.0f
                    : -(t[i] / (v + BCE_EPS) - (1.0f - t[i]) / (1.0f - v + BCE_EPS)) / (float)n;
    }
}
