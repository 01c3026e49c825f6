/* Reference twins: a classification head's softmax, categorical
 * cross-entropy and one-hot targets from CIFAR labels. */
#include <math.h>

#include "clae/ops.h"

#define CCE_EPS 1e-7f /* Keras's epsilon: probabilities clipped to [eps, 1 - eps] */

void softmax_forward_ref(float *out, const float *in, size_t rows, int K)
{
    for (size_t r = 0; r < rows; r++) {
        const float *x = in + r * (size_t)K;
        float *y = out + r * (size_t)K;
        float mx = x[0], sum = 0.0f;
        for (int k = 1; k < K; k++) mx = x[k] > mx ? x[k] : mx;
        for (int k = 0; k < K; k++) {
            y[k] = expf(x[k] - mx);
            sum += y[k];
        }
        for (int k = 0; k < K; k++) y[k] /= sum;
    }
}

void cce_step_ref(float *loss, float *dz, const float *p, const float *t, size_t rows, int K)
{
    double s = 0.0;
    size_t n = rows * (size_t)K;
    for (size_t i = 0; i < n; i++) {
        float c = p[i] < CCE_EPS ? CCE_EPS : p[i] > 1.0f - CCE_EPS ? 1.0f - CCE_EPS : p[i];
        s += -(double)t[i] * log((double)c);
        if (dz) dz[i] = (p[i] - t[i]) / (float)rows;
    }
    if (loss) loss[0] = (float)(s / (double)rows);
}

void labels_onehot_ref(float *t, const uint8_t *records, int N, int K, int C, int H, int W)
{
    const size_t R = 1 + (size_t)C * H * W; /* record bytes */
    for (int n = 0; n < N; n++) {
        int label = records[(size_t)n * R];
        for (int k = 0; k < K; k++) t[(size_t)n * K + k] = k == label ? 1.0f : 0.0f;
    }
}
