/* Reference twins: conv2d, straight from the definition
 * out[n,k,p,q] = b[k] + sum_{c,r,s} in[n,c,p*sh+r-pt, q*sw+s-pl] * w[k,c,r,s]
 * (zero outside the image). */
#include <string.h>

#include "clae/ops.h"

/* in (N,C,H,W), w (K,C,R,S), b (K) or NULL, out (N,K,P,Q) */
void conv2d_forward_ref(float *out, const float *in, const float *w, const float *b,
                        const clae_conv_shape *g)
{
    for (int n = 0; n < g->N; n++)
        for (int k = 0; k < g->K; k++)
            for (int p = 0; p < g->P; p++)
                for (int q = 0; q < g->Q; q++) {
                    float acc = b ? b[k] : 0.0f;
                    for (int c = 0; c < g->C; c++)
                        for (int r = 0; r < g->R; r++) {
                            int h = p * g->sh + r - g->pt;
                            if (h < 0 || h >= g->H) continue;
                            for (int s = 0; s < g->S; s++) {
                                int x = q * g->sw + s - g->pl;
                                if (x < 0 || x >= g->W) continue;
                                acc += in[(((size_t)n * g->C + c) * g->H + h) * g->W + x] *
                                       w[(((size_t)k * g->C + c) * g->R + r) * g->S + s];
                            }
                        }
                    out[(((size_t)n * g->K + k) * g->P + p) * g->Q + q] = acc;
                }
}

/* dout (N,K,P,Q), in (N,C,H,W), w (K,C,R,S) -> din (N,C,H,W) =, dw (K,C,R,S) +=, db (K) += */
void conv2d_backward_ref(float *din, float *dw, float *db, const float *dout, const float *in,
                         const float *w, const clae_conv_shape *g)
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
        for (int k = 0; k < g->K; k++)
            for (int c = 0; c < g->C; c++)
                for (int r = 0; r < g->R; r++)
                    for (int s = 0; s < g->S; s++) {
                        double acc = 0.0;
                        for (int n = 0; n < g->N; n++)
                            for (int p = 0; p < g->P; p++) {
                                int h = p * g->sh + r - g->pt;
                                if (h < 0 || h >= g->H) continue;
                                for (int q = 0; q < g->Q; q++) {
                                    int x = q * g->sw + s - g->pl;
                                    if (x < 0 || x >= g->W) continue;
                                    acc += (double)dout[(((size_t)n * g->K + k) * g->P + p) *
                                                            g->Q + q] *
                                           in[(((size_t)n * g->C + c) * g->H + h) * g->W + x];
                                }
                            }
                        dw[(((size_t)k * g->C + c) * g->R + r) * g->S + s] += (float)acc;
                    }
    if (!din) return;
    memset(din, 0, (size_t)g->N * g->C * g->H * g->W * sizeof *din);
    for (int n = 0; n < g->N; n++)
        for (int k = 0; k < g->K; k++)
            for (int p = 0; p < g->P; p++)
                for (int q = 0; q < g->Q; q++) {
                    float gy = dout[(((size_t)n * g->K + k) * g->P + p) * g->Q + q];
                    for (int c = 0; c < g->C; c++)
                        for (int r = 0; r < g->R; r++) {
                            int h = p * g->sh + r - g->pt;
                            if (h < 0 || h >= g->H) continue;
                            for (int s = 0; s < g->S; s++) {
                                int x = q * g->sw + s - g->pl;
                                if (x < 0 || x >= g->W) continue;
                                din[(((size_t)n * g->C + c) * g->H + h) * g->W + x] +=
                                    gy * w[(((size_t)k * g->C + c) * g->R + r) * g->S + s];
                            }
                        }
                }
}
