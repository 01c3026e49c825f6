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
    size_t PQ = (size_t)g->P * g->Q;
    if (db)
        for (int n = 0; n < g->N; n++)
            for (int k = 0; k < g->K; k++)
                for (size_t i = 0; i < PQ; i++) db[k] += dout[((size_t)n * g->K + k) * PQ + i];
    for (int n = 0; n < g->N; n++)
        for (int c = 0; c < g->C; c++)
            for (int h = 0; h < g->H; h++)
                for (int x = 0; x < g->W; x++) {
                    size_t ii = (((size_t)n * g->C + c) * g->H + h) * g->W + x;
                    float acc = 0.0f;
                    for (int k = 0; k < g->K; k++)
                        for (int r = 0; r < g->R; r++) {
                            int p = h * g->sh + r - g->pt;
                            if (p < 0 || p >= g->P) continue;
                            for (int s = 0; s < g->S; s++) {
                                int q = x * g->sw + s - g->pl;
                                if (q < 0 || q >= g->Q) continue;
                                float gy = dout[(((size_t)n * g->K + k) * g->P + p) * g->Q + q];
                                size_t wi = (((size_t)c * g->K + k) * g->R + r) * g->S + s;
                                acc += gy * w[wi];
                                if (dw) dw[wi] += gy * in[ii];
                            }
                        }
                    if (din) din[ii] = acc;
                }
}
