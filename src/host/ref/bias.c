/* Reference twins: per-channel bias. */
#include "clae/ops.h"

/* x (N,C,HW) += b (C), in place */
void bias_forward_ref(float *x, const float *b, int N, int C, int HW)
{
    for (int n = 0; n < N; n++)
        for (int c = 0; c < C; c++) {
            float *row = x + ((size_t)n * C + c) * HW;
            for (int i = 0; i < HW; i++) row[i] += b[c];
        }
}

/* dout (N,C,HW) -> db (C) += sum over n and hw (summed in double) */
void bias_backward_ref(float *db, const float *dout, int N, int C, int HW)
{
    for (int c = 0; c < C; c++) {
        double s = 0.0;
        for (int n = 0; n < N; n++) {
            const float *row = dout + ((size_t)n * C + c) * HW;
            for (int i = 0; i < HW; i++) s += row[i];
        }
        db[c] = (float)((double)db[c] + s);
    }
}
