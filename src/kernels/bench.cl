/* Peak probes for `clae bench` (not model ops); twins of bench_fma_ref /
 * bench_copy_ref in src/host/ref/bench.c.
 *
 * bench_fma: each work-item runs 8 independent float8 chains of
 * x = fma(x, a, b) for iters steps, all in registers (8 x 8 = 64 independent
 * lanes per work-item hide the FMA latency), then writes the sum of its 64
 * lanes so nothing can be optimised away. a and b are kernel arguments, so the
 * compiler cannot fold the chain. FLOPs: n * iters * 8 chains * 8 lanes * 2.
 * Lane j (0..63) of work-item i starts at (i % 1024) + j: chain c, component l
 * is lane 8c + l. float8 rather than float4: PoCL does not vectorise across
 * work-items around the inner loop, and on this AVX-512 CPU float4 chains
 * reached ~56-79 GFLOP/s against ~110 for float8 (float16: no better).
 *
 * bench_copy: dst[i] = src[i] over n4 float4s; bytes moved 2 * 16 * n4. */

__kernel void bench_fma(__global float *out, const int n, const int iters, const float a,
                        const float b)
{
    int i = get_global_id(0);
    if (i >= n) return;
    float8 x0 = (float8)((float)(i % 1024)) +
                (float8)(0.0f, 1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f, 7.0f);
    float8 x1 = x0 + 8.0f, x2 = x0 + 16.0f, x3 = x0 + 24.0f;
    float8 x4 = x0 + 32.0f, x5 = x0 + 40.0f, x6 = x0 + 48.0f, x7 = x0 + 56.0f;
    for (int t = 0; t < iters; t++) {
        x0 = fma(x0, a, b);
        x1 = fma(x1, a, b);
        x2 = fma(x2, a, b);
        x3 = fma(x3, a, b);
        x4 = fma(x4, a, b);
        x5 = fma(x5, a, b);
        x6 = fma(x6, a, b);
        x7 = fma(x7, a, b);
    }
    float8 s = ((x0 + x1) + (x2 + x3)) + ((x4 + x5) + (x6 + x7));
    out[i] = ((s.s0 + s.s1) + (s.s2 + s.s3)) + ((s.s4 + s.s5) + (s.s6 + s.s7));
}

__kernel void bench_copy(__global float4 *dst, __global const float4 *src, const int n4)
{
    int i = get_global_id(0);
    if (i >= n4) return;
    dst[i] = src[i];
}
