/* Activations; twins of src/host/ref/act.c. One kernel per activation (no
 * branch on the kind inside the loop, so compilers vectorise them):
 * act_forward_<kind>, act_backward_<kind>, kind none|relu|sigmoid|tanh|
 * leaky_relu (alpha: its slope, 0 <= alpha <= 1; the others ignore it).
 * Backward uses the saved output y = f(x). */

#define ACT_KERNELS(kind, FWD, BWD)                                                         \
    __kernel void act_forward_##kind(__global float *out, __global const float *in,         \
                                     const int n, const float alpha)                        \
    {                                                                                       \
        int i = get_global_id(0);                                                           \
        if (i >= n) return;                                                                 \
        float x = in[i];                                                                    \
        out[i] = FWD;                                                                       \
    }                                                                                       \
    __kernel void act_backward_##kind(__global float *din, __global const float *dout,      \
                                      __global const float *out, const int n,               \
                                      const float alpha)                                    \
    {                                                                                       \
        int i = get_global_id(0);                                                           \
        if (i >= n) return;                                                                 \
        float y = out[i], dy = dout[i];                                                     \
        din[i] = BWD;                                                                       \
    }

ACT_KERNELS(none, x, dy)
ACT_KERNELS(relu, x > 0.0f ? x : 0.0f, y > 0.0f ? dy : 0.0f)
ACT_KERNELS(sigmoid, 1.0f / (1.0f + exp(-x)), dy *y *(1.0f - y))
ACT_KERNELS(tanh, tanh(x), dy *(1.0f - y * y))
ACT_KERNELS(leaky_relu, x > 0.0f ? x : alpha * x, y > 0.0f ? dy : alpha * dy)
