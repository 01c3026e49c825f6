/* Reference twins: Gaussian kernel and separable blur with reflect-101 borders. */
#include <math.h>

#include "clae/ops.h"

/* k (ksize) = normalised exp(-(i - (ksize-1)/2)^2 / (2 sigma^2)), in double as OpenCV */
void clae_gaussian_kernel(float *k, int ksize, double sigma)
{
    const double scale = -0.5 / (sigma * sigma), c = (ksize - 1) * 0.5;
    double sum = 0.0;
    for (int i = 0; i < ksize; i++) sum += exp(scale * (i - c) * (i - c));
    double inv = 1.0 / sum;
    for (int i = 0; i < ksize; i++) k[i] = (float)(exp(scale * (i - c) * (i - c)) * inv);
}

/* OpenCV BORDER_REFLECT_101 (gfedcb|abcdefgh|gfedcba), repeated for images
 * narrower than the kernel radius; a single pixel reflects onto itself. */
static int reflect101(int p, int len)
{
    if (len == 1) return 0;
    while (p < 0 || p >= len) p = p < 0 ? -p : 2 * len - 2 - p;
    return p;
}

/* in (N,C,H,W) -> out (N,C,H,W) = cols(rows(in)); in != out. The row pass
 * value is recomputed per tap (no scratch), with the same float operations
 * in the same order as a stored intermediate would have. */
void blur_forward_ref(float *out, const float *in, const float *k, int ksize, int N, int C, int H,
                      int W)
{
    const int r = ksize / 2;
    for (long nc = 0; nc < (long)N * C; nc++) {
        const float *x = in + nc * H * W;
        float *y = out + nc * H * W;
        for (int h = 0; h < H; h++)
            for (int w = 0; w < W; w++) {
                float acc = 0.0f;
                for (int j = 0; j < ksize; j++) {
                    const float *row = x + (long)reflect101(h + j - r, H) * W;
                    float t = 0.0f;
                    for (int i = 0; i < ksize; i++) t += k[i] * row[reflect101(w + i - r, W)];
                    acc += k[j] * t;
                }
                y[h * W + w] = acc;
            }
    }
}
