/* Reference twins: mean squared error loss. */
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
