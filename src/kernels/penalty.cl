/* Loss terms beside the reconstruction loss; twins in src/host/ref/penalty.c.
 * Sums are fixed-order: penalty_partial's work-item g adds elements g,
 * g + items, ... and penalty_final adds the partials in order, so a term is
 * the same every run. */

/* part[g] = sum of f(x[x_off + j]) over j = g, g + items, ... < n; f = |x| when absf */
__kernel void penalty_partial(__global float *part, __global const float *x, const int x_off,
                              const int n, const int items, const int absf)
{
    int g = get_global_id(0);
    if (g >= items) return;
    float s = 0.0f;
    for (int j = g; j < n; j += items) {
        float v = x[x_off + j];
        s += absf ? fabs(v) : v;
    }
    part[g] = s;
}

/* terms[slot] += scale * (part[0] + ... + part[items - 1]) */
__kernel void penalty_final(__global float *terms, const int slot, const float scale,
                            __global const float *part, const int items)
{
    if (get_global_id(0) != 0) return;
    float s = 0.0f;
    for (int g = 0; g < items; g++) s += part[g];
    terms[slot] += scale * s;
}

/* terms[0] = loss[0]; loss[0] = terms[0] + ... + terms[nterms - 1] */
__kernel void loss_terms(__global float *loss, __global float *terms, const int nterms)
{
    if (get_global_id(0) != 0) return;
    terms[0] = loss[0];
    float s = 0.0f;
    for (int i = 0; i < nterms; i++) s += terms[i];
    loss[0] = s;
}

/* dy += scale * sign(y) */
__kernel void activity_l1_backward(__global float *dy, __global const float *y, const int n,
                                   const float scale)
{
    int i = get_global_id(0);
    if (i >= n) return;
    float v = y[i];
    dy[i] += v > 0.0f ? scale : v < 0.0f ? -scale : 0.0f;
}

/* ---- sampling ------------------------------------------------------------ */

static uint sampling_hash(uint i, uint key0, uint key1)
{
    uint h = i * 0x9E3779B1u ^ key0;
    h ^= h >> 16;
    h *= 0x85EBCA6Bu;
    h ^= key1 + (h >> 13);
    h *= 0xC2B2AE35u;
    h ^= h >> 16;
    return h;
}

static float sampling_normal(uint i, uint key0, uint key1)
{
    float u1 = ((float)(sampling_hash(2u * i, key0, key1) >> 8) + 1.0f) * (1.0f / 16777216.0f);
    float u2 = (float)(sampling_hash(2u * i + 1u, key0, key1) >> 8) * (1.0f / 16777216.0f);
    return sqrt(-2.0f * log(u1)) * cos(6.28318530718f * u2);
}

/* x (N, 2L, HW) -> z (N, L, HW); aux: eps (n = N*L*HW), then the KL terms (n) */
__kernel void sampling_forward(__global float *z, __global float *aux, __global const float *x,
                               const int N, const int per, const uint key0, const uint key1,
                               const int training)
{
    int o = get_global_id(0);
    int n = N * per;
    if (o >= n) return;
    int img = o / per, r = o - img * per;
    float mu = x[img * 2 * per + r], lv = x[img * 2 * per + per + r];
    float e = training ? sampling_normal((uint)o, key0, key1) : 0.0f;
    float ev = exp(lv);
    aux[o] = e;
    aux[n + o] = -0.5f * (1.0f + lv - mu * mu - ev);
    z[o] = mu + sqrt(ev) * e;
}

__kernel void sampling_backward(__global float *dx, __global const float *dz,
                                __global const float *x, __global const float *aux, const int N,
                                const int per, const float w)
{
    int o = get_global_id(0);
    if (o >= N * per) return;
    int img = o / per, r = o - img * per;
    int im = img * 2 * per + r, il = im + per;
    float mu = x[im], lv = x[il], ev = exp(lv);
    dx[im] = dz[o] + w * mu;
    dx[il] = 0.5f * dz[o] * aux[o] * sqrt(ev) + 0.5f * w * (ev - 1.0f);
}

/* ---- contractive --------------------------------------------------------- */

/* Per unit j of a dense sigmoid layer, h (N,U), w (U,I): tmp[j] = sum_i
 * w_ji^2, tmp[U + j] = sum_n s_nj^2 (s = h (1 - h)), tmp[2U + j] = their product */
__kernel void contractive_rows(__global float *tmp, __global const float *h,
                               __global const float *w, const int N, const int I, const int U)
{
    int j = get_global_id(0);
    if (j >= U) return;
    float wn = 0.0f, s2 = 0.0f;
    for (int i = 0; i < I; i++) {
        float v = w[j * I + i];
        wn += v * v;
    }
    for (int n = 0; n < N; n++) {
        float hv = h[n * U + j], s = hv * (1.0f - hv);
        s2 += s * s;
    }
    tmp[j] = wn;
    tmp[U + j] = s2;
    tmp[2 * U + j] = wn * s2;
}

/* dz (N,U) += scale * 2 s^2 (1 - 2h) * tmp[j] */
__kernel void contractive_dz(__global float *dz, __global const float *h,
                             __global const float *tmp, const int N, const int U,
                             const float scale)
{
    int k = get_global_id(0);
    if (k >= N * U) return;
    int j = k % U;
    float hv = h[k], s = hv * (1.0f - hv);
    dz[k] += 2.0f * scale * s * s * (1.0f - 2.0f * hv) * tmp[j];
}

/* dw (U,I) += scale * 2 w_ji * tmp[U + j] */
__kernel void contractive_dw(__global float *dw, __global const float *w,
                             __global const float *tmp, const int I, const int U,
                             const float scale)
{
    int k = get_global_id(0);
    if (k >= U * I) return;
    int j = k / I;
    dw[k] += 2.0f * scale * w[k] * tmp[U + j];
}
