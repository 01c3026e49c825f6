/* Reference twin: inverted dropout with hashed, reproducible masks. */
#include "clae/ops.h"

static uint32_t dropout_hash(uint32_t i, uint32_t key0, uint32_t key1)
{
    uint32_t h = i * 0x9E3779B1u ^ key0;
    h ^= h >> 16;
    h *= 0x85EBCA6Bu;
    h ^= key1 + (h >> 13);
    h *= 0xC2B2AE35u;
    h ^= h >> 16;
    return h;
}

int clae_dropout_keep(uint32_t i, const clae_dropout *p)
{
    return (float)(dropout_hash(i, p->key0, p->key1) >> 8) * (1.0f / 16777216.0f) >= p->rate;
}

void dropout_forward_ref(float *out, const float *in, size_t n, const clae_dropout *p)
{
    for (size_t i = 0; i < n; i++)
        out[i] = clae_dropout_keep((uint32_t)i, p) ? in[i] * p->scale : 0.0f;
}

void dropout_backward_ref(float *din, const float *dout, size_t n, const clae_dropout *p)
{
    for (size_t i = 0; i < n; i++)
        din[i] = clae_dropout_keep((uint32_t)i, p) ? dout[i] * p->scale : 0.0f;
}
