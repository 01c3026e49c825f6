/* Reference twin: a fully connected layer (PyTorch nn.Linear layout). */
#include "clae/ops.h"

/* in (N,I), w (U,I), b (U) -> out (N,U) = in w^T + b */
void dense_forward_ref(float *out, const float *in, const float *w, const float *b, int N, int I,
                       int U)
{
    for (int n = 0; n < N; n++)
        for (int u = 0; u < U; u++) {
            float s = b ? b[u] : 0.0f;
            for (int i = 0; i < I; i++) s += in[(size_t)n * I + i] * w[(size_t)u * I + i];
            out[(size_t)n * U + u] = s;
        }
}

/* dout (N,U) -> din (N,I) = dout w (if din), dw (U,I) += dout^T in, db (U) += sum_n dout */
void dense_backward_ref(float *din, float *dw, float *db, const float *dout, const float *in,
                        const float *w, int N, int I, int U)
{
    if (din)
        for (int n = 0; n < N; n++)
            for (int i = 0; i < I; i++) {
                float s = 0.0f;
                for (int u = 0; u < U; u++) s += dout[(size_t)n * U + u] * w[(size_t)u * I + i];
                din[(size_t)n * I + i] = s;
            }
    if (dw)
        for (int u = 0; u < U; u++)
            for (int i = 0; i < I; i++) {
                float s = 0.0f;
                for (int n = 0; n < N; n++) s += dout[(size_t)n * U + u] * in[(size_t)n * I + i];
                dw[(size_t)u * I + i] += s;
            }
    if (db)
        for (int u = 0; u < U; u++) {
            float s = 0.0f;
            for (int n = 0; n < N; n++) s += dout[(size_t)n * U + u];
            db[u] += s;
        }
}

void dense_transpose_ref(float *dst, const float *src, int R, int C)
{
    for (int r = 0; r < R; r++)
        for (int c = 0; c < C; c++) dst[(size_t)c * R + r] = src[(size_t)r * C + c];
}
