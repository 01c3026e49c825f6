/* Reference twins: conv2d_transpose, straight from the definition
 * out[n,k,h*sh+r-pt, w*sw+s-pl] += in[n,c,h,w] * w[c,k,r,s], plus b[k];
 * positions outside [0,P) x [0,Q) are cropped. */
#include <string.h>

#include "clae/ops.h"

/* in (N,C,H,W), w (C,K,R,S), b (K) or NULL, out (N,K,P,Q) */
void conv2d_transpose_forward_ref(float *out, const float *in, const float *w, const float *b,
                                  const clae_conv_shape *g)
{
    size_t PQ = (size_t)g->P * g->Q;
    for (int n = 0; n < g->N; n++)
        for (int k = 0; k < g->K; k++)
            for (size_t i = 0; i < PQ; i++)
                out[((size_t)n * g->K + k) * PQ + i] = b ? b[k] : 0.0f;
    for (int n = 0; n < g->N; n++)
        for (int c = 0; c < g->C; c++)
            for (int h = 0; h < g->H; h++)
                for (int x = 0; x < g->W; x++) {
                    float v = in[(((size_t)n * g->C + c) * g->H + h) * g->W + x];
                    for (int k = 0; k < g->K; k++)
                        for (int r = 0; r < g->R; r++) {
                            int p = h * g->sh + r - g->pt;
                            if (p < 0 || p >= g->P) continue;
                            for (int s = 0; s < g->S; s++) {
                                int q = x * g->sw + s - g->pl;
                                if (q < 0 || q >= g->Q) continue;
                                out[(((size_t)n * g->K + k) * g->P + p) * g->Q + q] +=
                                    v * w[(((size_t)c * g->K + k) * g->R + r) * g->S + s];
                            }
                        }
                }
}

/* dout (N,K,P,Q), in (N,C,H,W), w (C,K,R,S) -> din =, dw (C,K,R,S) +=, db (K) += */
void conv2d_transpose_backward_ref(float *din, float *dw, float *db, const float *dout,
                                   const float *in, const float *w, const clae_conv_shape *g)
{
    const size_t PQ = (size_t)g->P * g->Q;
    /* db and dw sum over the whole batch: accumulate in double. */
    if (db)
        for (int k = 0; k < g->K; k++) {
            double acc = 0.0;
            for (int n = 0; n < g->N; n++)
                for (size_t i = 0; i < PQ; i++) acc += dout[((size_t)n * g->K + k) * PQ + i];
            db[k] += (float)acc;
        }
    if (dw)
        for (int c = 0; c < g->C; c++)
            for (int k = 0; k < g->K; k++)
                for (int r = 0; r < g->R; r++)
                    for (int s = 0; s < g->S; s++) {
                        double acc = 0.0;
                        for (int n = 0; n < g->N; n++)
                            for (int h = 0; h < g->H; h++) {
                                int p = h * g->sh + r - g->pt;
                                if (p < 0 || p >= g->P) continue;
                                for (int x = 0; x < g->W; x++) {
                                    int q = x * g->sw + s - g->pl;
                                    if (q < 0 || q >= g->Q) continue;
                                    acc += (double)in[(((size_t)n * g->C + c) * g->H + h) * g->W +
                                                      x] *
                                           dout[(((size_t)n * g->K + k) * g->P + p) * g->Q + q];
                                }
                            }
                        dw[(((size_t)c * g->K + k) * g->R + r) * g->S + s] += (float)acc;
                    }
    if (!din) return;
    /* din[n,c,h,x] = sum_{k,r,s} dout[n,k,h*sh+r-pt, x*sw+s-pl] * w[c,k,r,s] */
    for (int n = 0; n < g->N; n++)
        for (int c = 0; c < g->C; c++)
            for (int h = 0; h < g->H; h++)
                for (int x = 0; x < g->W; x++) {
                    float acc = 0.0f;
                    for (int k = 0; k < g->K; k++)
                        for (int r = 0; r < g->R; r++) {
                            int p = h * g->sh + r - g->pt;
                            if (p < 0 || p >= g->P) continue;
                            for (int s = 0; s < g->S; s++) {
                                int q = x * g->sw + s - g->pl;
                                if (q < 0 || q >= g->Q) continue;
                                acc += dout[(((size_t)n * g->K + k) * g->P + p) * g->Q + q] *
                                       w[(((size_t)c * g->K + k) * g->R + r) * g->S + s];
                            }
                        }
                    din[(((size_t)n * g->C + c) * g->H + h) * g->W + x] = acc;
                }
}
