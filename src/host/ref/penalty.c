/* Reference twins: loss terms beside the reconstruction loss (activity L1,
 * the VAE's sampling and KL term, the contractive penalty). */
#include <math.h>

#include "clae/ops.h"

void penalty_sum_ref(float *terms, int slot, float scale, const float *x, size_t n, clae_pen_f f)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++) s += f == CLAE_PEN_ABS ? fabs((double)x[i]) : (double)x[i];
    terms[slot] += (float)((double)scale * s);
}

void loss_terms_ref(float *loss, float *terms, int nterms)
{
    terms[0] = loss[0];
    float s = 0.0f;
    for (int i = 0; i < nterms; i++) s += terms[i];
    loss[0] = s;
}

void activity_l1_backward_ref(float *dy, const float *y, size_t n, float scale)
{
    for (size_t i = 0; i < n; i++) dy[i] += y[i] > 0.0f ? scale : y[i] < 0.0f ? -scale : 0.0f;
}

/* ---- sampling ------------------------------------------------------------ */

static uint32_t sampling_hash(uint32_t i, uint32_t key0, uint32_t key1)
{
    uint32_t h = i * 0x9E3779B1u ^ key0;
    h ^= h >> 16;
    h *= 0x85EBCA6Bu;
    h ^= key1 + (h >> 13);
    h *= 0xC2B2AE35u;
    h ^= h >> 16;
    return h;
}

clae_sampling clae_sampling_params(uint64_t seed, int layer, long step)
{
    /* other constants than dropout's: a dropout layer and a sampling layer
     * at the same index draw unrelated streams */
    uint64_t a = seed ^ (0xBF58476D1CE4E5B9ULL * (uint64_t)(layer + 1));
    uint64_t b = ((uint64_t)step + 1) * 0x94D049BB133111EBULL;
    return (clae_sampling){.key0 = (uint32_t)(a ^ (a >> 32)), .key1 = (uint32_t)(b ^ (b >> 32))};
}

float clae_sampling_normal(uint32_t i, const clae_sampling *p)
{
    /* u1 in (0, 1] (the log is finite), u2 in [0, 1) */
    float u1 = ((float)(sampling_hash(2u * i, p->key0, p->key1) >> 8) + 1.0f) * (1.0f / 16777216.0f);
    float u2 = (float)(sampling_hash(2u * i + 1u, p->key0, p->key1) >> 8) * (1.0f / 16777216.0f);
    return sqrtf(-2.0f * logf(u1)) * cosf(6.28318530718f * u2);
}

void sampling_forward_ref(float *z, float *aux, const float *x, int N, int L, int HW,
                          const clae_sampling *p, int training)
{
    size_t per = (size_t)L * HW, n = (size_t)N * per;
    for (size_t o = 0; o < n; o++) {
        size_t img = o / per, r = o % per;
        float mu = x[img * 2 * per + r], lv = x[img * 2 * per + per + r];
        float e = training ? clae_sampling_normal((uint32_t)o, p) : 0.0f;
        float ev = expf(lv);
        aux[o] = e;
        aux[n + o] = -0.5f * (1.0f + lv - mu * mu - ev);
        z[o] = mu + sqrtf(ev) * e;
    }
}

void sampling_backward_ref(float *dx, const float *dz, const float *x, const float *aux, int N,
                           int L, int HW, float w)
{
    size_t per = (size_t)L * HW, n = (size_t)N * per;
    for (size_t o = 0; o < n; o++) {
        size_t img = o / per, r = o % per;
        size_t im = img * 2 * per + r, il = im + per;
        float mu = x[im], lv = x[il], ev = expf(lv);
        dx[im] = dz[o] + w * mu;
        dx[il] = 0.5f * dz[o] * aux[o] * sqrtf(ev) + 0.5f * w * (ev - 1.0f);
    }
}

/* ---- contractive --------------------------------------------------------- */

void contractive_forward_ref(float *terms, int slot, float scale, const float *h, const float *w,
                             int N, int I, int U)
{
    double p = 0.0;
    for (int j = 0; j < U; j++) {
        double wn = 0.0, s2 = 0.0;
        for (int i = 0; i < I; i++) wn += (double)w[(size_t)j * I + i] * w[(size_t)j * I + i];
        for (int n = 0; n < N; n++) {
            double hv = h[(size_t)n * U + j], s = hv * (1.0 - hv);
            s2 += s * s;
        }
        p += wn * s2;
    }
    terms[slot] += (float)((double)scale * p);
}

void contractive_backward_ref(float *dz, float *dw, float scale, const float *h, const float *w,
                              int N, int I, int U)
{
    for (int j = 0; j < U; j++) {
        double wn = 0.0, s2 = 0.0;
        for (int i = 0; i < I; i++) wn += (double)w[(size_t)j * I + i] * w[(size_t)j * I + i];
        for (int n = 0; n < N; n++) {
            double hv = h[(size_t)n * U + j], s = hv * (1.0 - hv);
            s2 += s * s;
            dz[(size_t)n * U + j] += (float)(2.0 * scale * s * s * (1.0 - 2.0 * hv) * wn);
        }
        for (int i = 0; i < I; i++)
            dw[(size_t)j * I + i] += (float)(2.0 * scale * w[(size_t)j * I + i] * s2);
    }
}
