/* Reference twins: activations. */
#include <math.h>

#include "clae/ops.h"

/* x (n): out = f(in) */
void act_forward_ref(float *out, const float *in, size_t n, clae_act a, float alpha)
{
    for (size_t i = 0; i < n; i++) {
        float x = in[i];
        switch (a) {
        case CLAE_ACT_RELU: out[i] = x > 0.0f ? x : 0.0f; break;
        case CLAE_ACT_SIGMOID: out[i] = 1.0f / (1.0f + expf(-x)); break;
        case CLAE_ACT_TANH: out[i] = tanhf(x); break;
        case CLAE_ACT_LEAKY_RELU: out[i] = x > 0.0f ? x : alpha * x; break;
        case CLAE_ACT_NONE:
        case CLAE_ACT_SOFTMAX: out[i] = x; break; /* softmax: never elementwise (refused above) */
        }
    }
}

/* dout, out (n) -> din = dout * f'(x), with f' written through out = f(x) */
void act_backward_ref(float *din, const float *dout, const float *out, size_t n, clae_act a,
                      float alpha)
{
    for (size_t i = 0; i < n; i++) {
        float y = out[i], dy = dout[i];
        switch (a) {
        case CLAE_ACT_RELU: din[i] = y > 0.0f ? dy : 0.0f; break;
        case CLAE_ACT_SIGMOID: din[i] = dy * y * (1.0f - y); break;
        case CLAE_ACT_TANH: din[i] = dy * (1.0f - y * y); break;
        case CLAE_ACT_LEAKY_RELU: din[i] = y > 0.0f ? dy : alpha * dy; break;
        case CLAE_ACT_NONE:
        case CLAE_ACT_SOFTMAX: din[i] = dy; break;
        }
    }
}
