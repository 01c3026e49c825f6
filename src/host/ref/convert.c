/* Reference twin: dataset records to floats. */
#include "clae/ops.h"

/* records (N, 1 + C*H*W) uint8, label byte first -> out (N,C,H,W) = pixel / 255 */
void cifar_to_float_ref(float *out, const uint8_t *records, int N, int C, int H, int W)
{
    const size_t P = (size_t)C * H * W;
    for (int n = 0; n < N; n++) {
        const uint8_t *px = records + (size_t)n * (P + 1) + 1;
        float *o = out + (size_t)n * P;
        for (size_t j = 0; j < P; j++) o[j] = (float)px[j] / 255.0f;
    }
}
