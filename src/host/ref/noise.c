/* Reference twin: Keras GaussianNoise's training pass with hashed,
 * reproducible draws (src/kernels/noise.cl). */
#include <math.h>

#include "clae/ops.h"

static uint32_t noise_mix(uint32_t x)
{
    x ^= x >> 16;
    x *= 0x7feb352du;
    x ^= x >> 15;
    x *= 0x846ca68bu;
    x ^= x >> 16;
    return x;
}

float clae_gaussian_noise_draw(uint32_t i, const clae_gaussian_noise *p)
{
    uint32_t h1 = noise_mix(noise_mix(i ^ p->key0) ^ p->key1);
    uint32_t h2 = noise_mix(h1 + 0x9E3779B9u);
    float u1 = (float)((h1 >> 8) + 1u) * (1.0f / 16777216.0f);
    float u2 = (float)(h2 >> 8) * (1.0f / 16777216.0f);
    return sqrtf(-2.0f * logf(u1)) * cosf(6.2831853f * u2);
}

void gaussian_noise_forward_ref(float *out, const float *in, size_t n,
                                const clae_gaussian_noise *p)
{
    for (size_t i = 0; i < n; i++)
        out[i] = in[i] + p->stddev * clae_gaussian_noise_draw((uint32_t)i, p);
}
