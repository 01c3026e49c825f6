/* Inverted dropout; twin of src/host/ref/dropout.c. Element i is kept when
 * the hash of (i, key0, key1) falls at or above the rate: the same integer
 * arithmetic on every device and in the twin, so the masks are identical
 * and need no buffer (the backward pass recomputes them). key0, key1 name
 * the run's seed, the layer and the step. */

static uint dropout_hash(uint i, uint key0, uint key1)
{
    uint h = i * 0x9E3779B1u ^ key0;
    h ^= h >> 16;
    h *= 0x85EBCA6Bu;
    h ^= key1 + (h >> 13);
    h *= 0xC2B2AE35u;
    h ^= h >> 16;
    return h;
}

/* keep: u = top 24 bits of the hash / 2^24 >= rate */
static bool dropout_keep(uint i, uint key0, uint key1, float rate)
{
    return (float)(dropout_hash(i, key0, key1) >> 8) * (1.0f / 16777216.0f) >= rate;
}

__kernel void dropout_forward(__global float *out, __global const float *in, const int n,
                              const float rate, const float scale, const uint key0,
                              const uint key1)
{
    int i = get_global_id(0);
    if (i >= n) return;
    out[i] = dropout_keep((uint)i, key0, key1, rate) ? in[i] * scale : 0.0f;
}

__kernel void dropout_backward(__global float *din, __global const float *dout, const int n,
                               const float rate, const float scale, const uint key0,
                               const uint key1)
{
    int i = get_global_id(0);
    if (i >= n) return;
    din[i] = dropout_keep((uint)i, key0, key1, rate) ? dout[i] * scale : 0.0f;
}
