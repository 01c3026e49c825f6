/* Activations; twins of src/host/ref/act.c. One kernel per activation (the
 * kind a constant, so no branch inside and compilers vectorise them):
 * act_forward_<kind>, act_backward_<kind>, kind none|relu|sigmoid|tanh|
 * leaky_relu (alpha: its slope, 0 <= alpha <= 1; the others ignore it).
 * Backward uses the saved output y = f(x). The formulas are act.clh's,
 * which the fused kernels share. */
#include "act.clh"

#define ACT_KERNELS(kind, id)                                                               \
    __kernel void act_forward_##kind(__global float *out, __global const float *in,         \
                                     const int n, const float alpha)                        \
    {                                                                                       \
        int i = get_global_id(0);                                                           \
        if (i >= n) return;                                                                 \
        out[i] = act_f(id, in[i], alpha);                                                   \
    }                                                                                       \
    __kernel void act_backward_##kind(__global float *din, __global const float *dout,      \
                                      __global const float *out, const int n,               \
                                      const float alpha)                                    \
    {                                                                                       \
        int i = get_global_id(0);                                                           \
        if (i >= n) return;                                                                 \
        din[i] = act_grad(id, dout[i], out[i], alpha);                                      \
    }

ACT_KERNELS(none, 0)
ACT_KERNELS(relu, 1)
ACT_KERNELS(sigmoid, 2)
ACT_KERNELS(tanh, 3)
ACT_KERNELS(leaky_relu, 4)
