/* Reference twin: CIFAR-10 records to floats. */
#include "clae/ops.h"

#define CIFAR_PIXELS 3072
#define CIFAR_RECORD 3073

/* records (N,3073) uint8, label byte first -> out (N,3,32,32) = pixel / 255 */
void cifar_to_float_ref(float *out, const uint8_t *records, int N)
{
    for (int n = 0; n < N; n++) {
        const uint8_t *px = records + (size_t)n * CIFAR_RECORD + 1;
        float *o = out + (size_t)n * CIFAR_PIXELS;
        for (int j = 0; j < CIFAR_PIXELS; j++) o[j] = (float)px[j] / 255.0f;
    }
}
