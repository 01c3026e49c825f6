/* Reference twins: max and average pooling (geometry from clae_conv2d_shape, K == C). */
#include <string.h>

#include "clae/ops.h"

/* in (N,C,H,W) -> out (N,C,P,Q), idx (N,C,P,Q) = argmax row*W+col within the plane */
void maxpool_forward_ref(float *out, int32_t *idx, const float *in, const clae_conv_shape *g)
{
    const int H = g->H, W = g->W, P = g->P, Q = g->Q;
    for (long nc = 0; nc < (long)g->N * g->C; nc++) {
        const float *x = in + nc * H * W;
        for (int p = 0; p < P; p++)
            for (int q = 0; q < Q; q++) {
                float best = 0.0f;
                int32_t bi = -1; /* -1 only if the window holds no in-image element */
                for (int r = 0; r < g->R; r++) {
                    int h = p * g->sh - g->pt + r;
                    if (h < 0 || h >= H) continue;
                    for (int s = 0; s < g->S; s++) {
                        int w = q * g->sw - g->pl + s;
                        if (w < 0 || w >= W) continue;
                        float v = x[h * W + w];
                        if (bi < 0 || v > best) { /* strict: ties keep the first */
                            best = v;
                            bi = h * W + w;
                        }
                    }
                }
                out[nc * P * Q + p * Q + q] = best;
                idx[nc * P * Q + p * Q + q] = bi;
            }
    }
}

/* dout (N,C,P,Q), idx (N,C,P,Q) -> din (N,C,H,W) = sum of dout routed to idx */
void maxpool_backward_ref(float *din, const float *dout, const int32_t *idx,
                          const clae_conv_shape *g)
{
    const long HW = (long)g->H * g->W, PQ = (long)g->P * g->Q;
    memset(din, 0, sizeof *din * (size_t)g->N * g->C * HW);
    for (long nc = 0; nc < (long)g->N * g->C; nc++)
        for (long o = 0; o < PQ; o++) {
            int32_t i = idx[nc * PQ + o];
            if (i >= 0) din[nc * HW + i] += dout[nc * PQ + o];
        }
}

/* Rows [h0, h1) and columns [w0, w1) of output (p, q)'s window inside the image. */
static void window(const clae_conv_shape *g, int p, int q, int *h0, int *h1, int *w0, int *w1)
{
    int hs = p * g->sh - g->pt, ws = q * g->sw - g->pl;
    *h0 = hs < 0 ? 0 : hs;
    *h1 = hs + g->R > g->H ? g->H : hs + g->R;
    *w0 = ws < 0 ? 0 : ws;
    *w1 = ws + g->S > g->W ? g->W : ws + g->S;
}

/* in (N,C,H,W) -> out (N,C,P,Q): mean over the window's in-image elements */
void avgpool_forward_ref(float *out, const float *in, const clae_conv_shape *g)
{
    const int H = g->H, W = g->W, P = g->P, Q = g->Q;
    for (long nc = 0; nc < (long)g->N * g->C; nc++) {
        const float *x = in + nc * H * W;
        for (int p = 0; p < P; p++)
            for (int q = 0; q < Q; q++) {
                int h0, h1, w0, w1;
                window(g, p, q, &h0, &h1, &w0, &w1);
                float sum = 0.0f;
                for (int h = h0; h < h1; h++)
                    for (int w = w0; w < w1; w++) sum += x[h * W + w];
                int cnt = (h1 - h0) * (w1 - w0);
                out[nc * P * Q + p * Q + q] = cnt > 0 ? sum / (float)cnt : 0.0f;
            }
    }
}

/* dout (N,C,P,Q) -> din (N,C,H,W) = sum over covering windows of dout / count */
void avgpool_backward_ref(float *din, const float *dout, const clae_conv_shape *g)
{
    const int H = g->H, W = g->W, P = g->P, Q = g->Q;
    memset(din, 0, sizeof *din * (size_t)g->N * g->C * H * W);
    for (long nc = 0; nc < (long)g->N * g->C; nc++) {
        float *dx = din + nc * H * W;
        for (int p = 0; p < P; p++)
            for (int q = 0; q < Q; q++) {
                int h0, h1, w0, w1;
                window(g, p, q, &h0, &h1, &w0, &w1);
                int cnt = (h1 - h0) * (w1 - w0);
                if (cnt <= 0) continue;
                float v = dout[nc * P * Q + p * Q + q] / (float)cnt;
                for (int h = h0; h < h1; h++)
                    for (int w = w0; w < w1; w++) dx[h * W + w] += v;
            }
    }
}
