/* Reference twin: per-image normalisation (src/kernels/normalize.cl), the
 * same sums in the same order (so the same bits up to the division's
 * rounding, which OpenCL does not promise to be correct). */
#include <math.h>

#include "clae/ops.h"

#define NCHUNK GCN_NCHUNK

/* The sum over x[0..P) of f(x[j] - shift) (f: |.| when absval, else the
 * identity): chunk c holds the elements j with j % NCHUNK == c, summed in
 * increasing j, then the chunk sums are added in a tree of offsets 32 .. 1. */
static float image_sum(const float *x, int P, float shift, int absval)
{
    float part[NCHUNK];
    for (int c = 0; c < NCHUNK; c++) {
        float s = 0.0f;
        for (int j = c; j < P; j += NCHUNK) {
            const float v = x[j] - shift;
            s += absval ? fabsf(v) : v;
        }
        part[c] = s;
    }
    for (int off = NCHUNK / 2; off > 0; off >>= 1)
        for (int c = 0; c < off; c++) part[c] = part[c] + part[c + off];
    return part[0];
}

void gcn_l1_stats_ref(const float *x, int P, float *mean, float *scale)
{
    const float m = image_sum(x, P, 0.0f, 0) / (float)P;
    const float s = image_sum(x, P, m, 1) / (float)P;
    *mean = m;
    *scale = s == 0.0f ? 1.0f : s; /* a constant image: y = 0 */
}

/* x (N, P) in place: ((x - mean) / scale - lo) / (hi - lo), per image */
void gcn_minmax_ref(float *x, int N, int P, float lo, float hi)
{
    const float range = hi - lo;
    for (int n = 0; n < N; n++) {
        float *img = x + (size_t)n * (size_t)P, mean, scale;
        gcn_l1_stats_ref(img, P, &mean, &scale);
        for (int j = 0; j < P; j++) img[j] = ((img[j] - mean) / scale - lo) / range;
    }
}
