/* Reference twins of clae bench's peak probes (src/kernels/bench.cl). */
#include "clae/ops.h"

/* out (n): 128 lanes per item, iters steps of x * a + b, summed as the kernel */
void bench_fma_ref(float *out, int n, int iters, float a, float b)
{
    for (int i = 0; i < n; i++) {
        float x[128];
        for (int j = 0; j < 128; j++) x[j] = (float)(i % 1024) + (float)j;
        for (int t = 0; t < iters; t++)
            for (int j = 0; j < 128; j++) x[j] = x[j] * a + b;
        /* chain c of the kernel is x[8c .. 8c+7]; the kernel's summation order */
        float s[8];
        for (int l = 0; l < 8; l++) {
            const float *y = x + 64;
            s[l] = (((x[l] + x[8 + l]) + (x[16 + l] + x[24 + l])) +
                    ((x[32 + l] + x[40 + l]) + (x[48 + l] + x[56 + l]))) +
                   (((y[l] + y[8 + l]) + (y[16 + l] + y[24 + l])) +
                    ((y[32 + l] + y[40 + l]) + (y[48 + l] + y[56 + l])));
        }
        out[i] = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
    }
}

/* src (n) -> dst (n) */
void bench_copy_ref(float *dst, const float *src, size_t n)
{
    for (size_t i = 0; i < n; i++) dst[i] = src[i];
}
