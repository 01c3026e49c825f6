/* Host side of clae bench's peak probes: launch wrappers for
 * src/kernels/bench.cl, and the probes' sizes, per backend. */
#include "clae/ops.h"

clae_status bench_fma_cl(clae_device *d, cl_mem out, int n, int iters, float a, float b)
{
    cl_kernel k;
    /* float16 chains where the device's native float vector is 16 wide */
    CLAE_TRY(clae_kernel(d, d->native_float >= 16 ? "bench_fma16" : "bench_fma", &k));
    CL_ARG(k, 0, cl_mem, out);
    CL_ARG(k, 1, cl_int, n);
    CL_ARG(k, 2, cl_int, iters);
    CL_ARG(k, 3, cl_float, a);
    CL_ARG(k, 4, cl_float, b);
    return clae_launch1d(d, k, (size_t)n);
}

clae_status bench_copy_cl(clae_device *d, cl_mem dst, cl_mem src, int n4)
{
    cl_kernel k;
    CLAE_TRY(clae_kernel(d, "bench_copy", &k));
    CL_ARG(k, 0, cl_mem, dst);
    CL_ARG(k, 1, cl_mem, src);
    CL_ARG(k, 2, cl_int, n4);
    return clae_launch1d(d, k, (size_t)n4);
}

/* ---- backends: each op once per backend (clae_device.be picks) ----------- */

/* OpenCL: the launchers above, on the buffers' cl_mem. */
static clae_status bench_fma_opencl(clae_device *d, clae_buf out, int n, int iters, float a,
                                    float b)
{
    return bench_fma_cl(d, out.d, n, iters, a, b);
}

static clae_status bench_copy_opencl(clae_device *d, clae_buf dst, clae_buf src, size_t n)
{
    return bench_copy_cl(d, dst.d, src.d, (int)(n / 4));
}

static void bench_sizes_opencl(const clae_device *d, int *fma_n, size_t *copy_bytes)
{
    cl_uint cus = d->compute_units;
    /* enough work-items to fill every compute unit many times over */
    *fma_n = (int)(cus * 2048u > 16384u ? cus * 2048u : 16384u);
    /* past the last-level cache: 64 MiB on a CPU, 256 MiB on a GPU */
    *copy_bytes = (size_t)(d->is_pocl ? 64 : 256) << 20;
    while (*copy_bytes > d->max_alloc && *copy_bytes > ((size_t)1 << 20)) *copy_bytes /= 2;
}

/* Host: the reference twins (src/host/ref/bench.c), on the buffers' host memory. */
static clae_status bench_fma_host(clae_device *d, clae_buf out, int n, int iters, float a,
                                  float b)
{
    bench_fma_ref(out.h, n, iters, a, b);
    return CLAE_OK;
}

static clae_status bench_copy_host(clae_device *d, clae_buf dst, clae_buf src, size_t n)
{
    bench_copy_ref(dst.h, src.h, n);
    return CLAE_OK;
}

/* one thread: a short FMA probe (its iterations are calibrated anyway) */
static void bench_sizes_host(const clae_device *d, int *fma_n, size_t *copy_bytes)
{
    *fma_n = 1024;
    *copy_bytes = (size_t)64 << 20;
}

static const struct bench_backend {
    clae_status (*bench_fma)(clae_device *, clae_buf, int, int, float, float);
    clae_status (*bench_copy)(clae_device *, clae_buf, clae_buf, size_t);
    void (*bench_sizes)(const clae_device *, int *, size_t *);
} BACKENDS[CLAE_BACKENDS] = {
    [CLAE_BACKEND_OPENCL] = {.bench_fma = bench_fma_opencl,
                             .bench_copy = bench_copy_opencl,
                             .bench_sizes = bench_sizes_opencl},
    [CLAE_BACKEND_HOST] = {.bench_fma = bench_fma_host,
                           .bench_copy = bench_copy_host,
                           .bench_sizes = bench_sizes_host},
};

/* ---- entry points (clae/ops.h): one dispatch ------------------------------ */

clae_status bench_fma(clae_device *d, clae_buf out, int n, int iters, float a, float b)
{
    return BACKENDS[d->be->id].bench_fma(d, out, n, iters, a, b);
}

clae_status bench_copy(clae_device *d, clae_buf dst, clae_buf src, size_t n)
{
    return BACKENDS[d->be->id].bench_copy(d, dst, src, n);
}

void bench_sizes(const clae_device *d, int *fma_n, size_t *copy_bytes)
{
    BACKENDS[d->be->id].bench_sizes(d, fma_n, copy_bytes);
}
