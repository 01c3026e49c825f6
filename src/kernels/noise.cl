/* Keras GaussianNoise's training pass: out = in + stddev * z, z standard
 * normal by Box-Muller from two uniforms hashed from (i, key0, key1); twin
 * of src/host/ref/noise.c. The hashes are the same integer arithmetic on
 * every device and in the twin; log, sqrt and cos are within OpenCL's few-ulp
 * bounds of the twin's libm. key0, key1 name the run's seed, the layer and
 * the step, so the draws need no buffer and a resumed run makes the same. */

static uint noise_mix(uint x)
{
    x ^= x >> 16;
    x *= 0x7feb352du;
    x ^= x >> 15;
    x *= 0x846ca68bu;
    x ^= x >> 16;
    return x;
}

__kernel void gaussian_noise_forward(__global float *out, __global const float *in, const int n,
                                     const float stddev, const uint key0, const uint key1)
{
    int i = get_global_id(0);
    if (i >= n) return;
    uint h1 = noise_mix(noise_mix((uint)i ^ key0) ^ key1);
    uint h2 = noise_mix(h1 + 0x9E3779B9u);
    float u1 = (float)((h1 >> 8) + 1u) * (1.0f / 16777216.0f); /* (0, 1]: log is finite */
    float u2 = (float)(h2 >> 8) * (1.0f / 16777216.0f);        /* [0, 1) */
    float z = sqrt(-2.0f * log(u1)) * cos(6.2831853f * u2);
    out[i] = in[i] + stddev * z;
}
