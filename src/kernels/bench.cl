/* Peak probes for `clae bench` (not model ops); twins of bench_fma_ref /
 * bench_copy_ref in src/host/ref/bench.c.
 *
 * bench_fma: each work-item runs 16 independent float8 chains of
 * x = fma(x, a, b) for iters steps, all in registers (16 x 8 = 128
 * independent lanes per work-item hide the FMA latency), then writes the sum
 * of its 128 lanes so nothing can be optimised away. a and b are kernel
 * arguments, so the compiler cannot fold the chain. FLOPs: n * iters * 16
 * chains * 8 lanes * 2. Lane j (0..127) of work-item i starts at
 * (i % 1024) + j: chain c, component l is lane 8c + l. float8 rather than
 * float4: PoCL does not vectorise across work-items around the inner loop,
 * and on an AVX-512 CPU float4 chains reached ~56-79 GFLOP/s against ~110 for
 * float8.
 * bench_fma16: the same 128 lanes as 8 float16 chains (chain c, component l
 * is lane 16c + l), for devices whose native float vector is 16 wide
 * (bench_fma_cl picks it there): on PoCL's 2-core AVX-512 Xeon (2026-12-07,
 * quiet) 8 or 16 float8 chains ran at 181-191 GFLOP/s, 8 float16 chains at
 * 338-351: a float8 uses half of each AVX-512 FMA.
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
    float8 y0 = x0 + 64.0f, y1 = x0 + 72.0f, y2 = x0 + 80.0f, y3 = x0 + 88.0f;
    float8 y4 = x0 + 96.0f, y5 = x0 + 104.0f, y6 = x0 + 112.0f, y7 = x0 + 120.0f;
    for (int t = 0; t < iters; t++) {
        x0 = fma(x0, a, b);
        x1 = fma(x1, a, b);
        x2 = fma(x2, a, b);
        x3 = fma(x3, a, b);
        x4 = fma(x4, a, b);
        x5 = fma(x5, a, b);
        x6 = fma(x6, a, b);
        x7 = fma(x7, a, b);
        y0 = fma(y0, a, b);
        y1 = fma(y1, a, b);
        y2 = fma(y2, a, b);
        y3 = fma(y3, a, b);
        y4 = fma(y4, a, b);
        y5 = fma(y5, a, b);
        y6 = fma(y6, a, b);
        y7 = fma(y7, a, b);
    }
    float8 s = (((x0 + x1) + (x2 + x3)) + ((x4 + x5) + (x6 + x7))) +
               (((y0 + y1) + (y2 + y3)) + ((y4 + y5) + (y6 + y7)));
    out[i] = ((s.s0 + s.s1) + (s.s2 + s.s3)) + ((s.s4 + s.s5) + (s.s6 + s.s7));
}

__kernel void bench_fma16(__global float *out, const int n, const int iters, const float a,
                          const float b)
{
    int i = get_global_id(0);
    if (i >= n) return;
    float16 x0 = (float16)((float)(i % 1024)) +
                 (float16)(0.0f, 1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f, 7.0f, 8.0f, 9.0f, 10.0f,
                           11.0f, 12.0f, 13.0f, 14.0f, 15.0f);
    float16 x1 = x0 + 16.0f, x2 = x0 + 32.0f, x3 = x0 + 48.0f;
    float16 x4 = x0 + 64.0f, x5 = x0 + 80.0f, x6 = x0 + 96.0f, x7 = x0 + 112.0f;
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
    const float16 s = ((x0 + x1) + (x2 + x3)) + ((x4 + x5) + (x6 + x7));
    const float8 h = s.lo + s.hi;
    out[i] = ((h.s0 + h.s1) + (h.s2 + h.s3)) + ((h.s4 + h.s5) + (h.s6 + h.s7));
}

__kernel void bench_copy(__global float4 *dst, __global const float4 *src, const int n4)
{
    int i = get_global_id(0);
    if (i >= n4) return;
    dst[i] = src[i];
}
