/* Losses: mean squared error, mean absolute error and binary cross-entropy
 * (Keras); twins of src/host/ref/mse.c. One pass computes the loss, its
 * gradient, or both, and (FUSED) multiplies the gradient by the derivative
 * of the activation that produced y (the last layer's: its separate
 * backward pass is not needed).
 *
 * Options (src/host/ops/mse.c builds one variant per use): LK the loss
 * (0 mse, 1 mae, 2 bce), WANT_LOSS, WANT_GRAD, ACT and ALPHA (act.clh).
 * The loss is reduced in two fixed-order stages, no atomics and no local
 * memory (identical bits every run, on any device): work-item g of G sums
 * the 8-element blocks g, g + G, g + 2G, ... as one float8 (explicit SIMD
 * on CPUs; neighbouring work-items read neighbouring blocks, coalesced on
 * GPUs) into partial[g]; loss_final sums the G partials in order and
 * divides by n. */
#include "act.clh"

#include "loss.clh"

#ifndef WANT_LOSS
#define WANT_LOSS 1
#endif
#ifndef WANT_GRAD
#define WANT_GRAD 1
#endif

#define VW 8

/* Work-item g of G takes the VW-element blocks g, g + G, g + 2G, ... (a
 * short last block is padded: its loss adds 0, its gradient is not
 * stored). */
__kernel void loss_step(__global float *partial, __global float *dy, __global const float *y,
                        __global const float *t, const int n, const int G)
{
    const int g = (int)get_global_id(0); /* the launch may pad the G work-items */
    if (g >= G) return;
    const int nblocks = n > 0 ? (n - 1) / VW + 1 : 0;
    float8 s = (float8)(0.0f);
    for (int b = g; b < nblocks; b += G) {
        const int i = b * VW;
        float8 yv, tv;
        if (i + VW <= n) {
            yv = vload8(b, y);
            tv = vload8(b, t);
        } else { /* the tail, padded (its loss masked below) */
            float ys[VW], ts[VW];
            for (int j = 0; j < VW; j++) ys[j] = i + j < n ? y[i + j] : 0.5f;
            for (int j = 0; j < VW; j++) ts[j] = i + j < n ? t[i + j] : 0.5f;
            yv = vload8(0, ys);
            tv = vload8(0, ts);
        }
#if WANT_LOSS
        float8 l = elem_loss(yv, tv);
        if (i + VW > n) {
            float ls[VW];
            vstore8(l, 0, ls);
            for (int j = 0; j < VW; j++)
                if (i + j >= n) ls[j] = 0.0f;
            l = vload8(0, ls);
        }
        s += l;
#endif
#if WANT_GRAD
        const float8 d = act_grad8(ACT, elem_grad(yv, tv, n), yv, ALPHA);
        if (i + VW <= n) {
            vstore8(d, b, dy);
        } else {
            float ds[VW];
            vstore8(d, 0, ds);
            for (int j = 0; j < VW && i + j < n; j++) dy[i + j] = ds[j];
        }
#endif
    }
#if WANT_LOSS
    const float4 h4 = s.lo + s.hi;
    const float2 h2 = h4.lo + h4.hi;
    partial[g] = h2.x + h2.y;
#endif
}

/* loss[0] = (partial[0] + ... + partial[G-1]) / n, in that order. */
__kernel void loss_final(__global float *loss, __global const float *partial, const int G,
                         const int n)
{
    if (get_global_id(0) != 0) return;
    float s = 0.0f;
    for (int g = 0; g < G; g++) s += partial[g];
    loss[0] = n > 0 ? s / (float)n : 0.0f;
}
