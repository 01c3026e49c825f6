/* Minimal reproducers of defects found in OpenCL implementations: a few
 * lines of kernel each, no clae code. What clae does about each is in
 * README ("Correct on every implementation").
 *
 * vector_bool (oclgrind 21.10, still in the 26.03 source): sign extension
 *   of an i1 vector whose lanes came from a scalar comparison. OpenCL C
 *   gives -1 for a true lane of a vector comparison, and select(a, b, c)
 *   takes b where c's top bit is set. The kernel adds three masked loads of
 *   one row at columns q0-1, q0, q0+1; for the middle one clang proves
 *   every lane equal to the scalar (q0 < 32) and emits
 *     %s = icmp ult i32 %q0, 32
 *     %v = shufflevector (insertelement <8 x i1> poison, i1 %s, 0), zeroinitializer
 *     %m = sext <8 x i1> %v to <8 x i32>
 *   Oclgrind stores a scalar true as 1 and sign-extends only operands one
 *   bit wide, which <8 x i1> is not: the lanes are 1, select() takes a, and
 *   the middle term vanishes (out[0] = 2, not 3). clae's kernels mask with
 *   integer arithmetic instead (conv2d_direct.cl, mask_cols).
 * loop_limit (Mesa 22.3 rusticl on llvmpipe): one work-item steps a
 *   generator 100,000 times in a loop; llvmpipe ends every loop of a
 *   work-item once 65,535 iterations have run in all (gallivm's
 *   LP_MAX_TGSI_LOOP_ITERATIONS), silently. clae probes the limit when a
 *   device opens and keeps its kernels under it (src/host/device/probe.c).
 * fma_signed_zero (Mesa 22.3 rusticl on llvmpipe): fma(-q, 255, x) with
 *   q = x = +0.0f at run time is -0.0f there; IEEE 754 (and OpenCL's fma)
 *   gives -0 + +0 = +0. clae's byte-to-float conversion clears the sign
 *   of its (never negative) results (convert.cl).
 *
 * Usage: impl_defects [DEVICE]  (DEVICE: a flat index over every platform's
 * devices, as `clae devices` numbers them; default 0)
 * One line per reproducer, "ok NAME: ..." or "DEFECT NAME: ...". Exit 0
 * when none shows, 1 when one does, 2 when OpenCL itself fails. */
#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *SRC =
    "static inline float8 load(__global const float *t, int x)\n"
    "{\n"
    "    const int8 col = (int8)(x) + (int8)(0, 1, 2, 3, 4, 5, 6, 7);\n"
    "    const int8 ok = col >= (int8)(0) && col < (int8)(32);\n"
    "    return select((float8)(0.0f), vload8(0, t + x), ok);\n"
    "}\n"
    "__kernel void vector_bool(__global float *out, __global const float *in)\n"
    "{\n"
    "    const int q0 = (int)get_global_id(0) * 8;\n"
    "    if (q0 >= 32) return;\n"
    "    float8 acc = (float8)(0.0f);\n"
    "#pragma unroll\n"
    "    for (int s = 0; s < 3; s++) acc += load(in + 8, q0 - 1 + s);\n"
    "    vstore8(acc, 0, out + q0);\n"
    "}\n"
    "__kernel void loop_limit(__global uint *out, const int n)\n"
    "{\n"
    "    uint x = 0;\n"
    "    for (int i = 0; i < n; i++) x = x * 1664525u + 1013904223u;\n"
    "    out[0] = x;\n"
    "}\n"
    "__kernel void fma_signed_zero(__global float *out, __global const float *in)\n"
    "{\n"
    "    out[0] = fma(-in[0], 255.0f, in[1]);\n"
    "}\n";

typedef struct cl_env {
    cl_device_id dev;
    cl_context ctx;
    cl_command_queue q;
    cl_program prog;
    char name[256];
} cl_env;

#define CHECK(what, err)                                                        \
    do {                                                                        \
        if ((err) != CL_SUCCESS) {                                              \
            fprintf(stderr, "impl_defects: %s failed: %d\n", what, (int)(err)); \
            return 2;                                                           \
        }                                                                       \
    } while (0)

/* Run kernel `name` once over `global` work-items with args (out, in) or
 * (out, n); read `out_bytes` back into out. */
static int run(cl_env *e, const char *name, size_t global, void *out, size_t out_bytes,
               const void *in, size_t in_bytes, int n)
{
    cl_int err;
    cl_kernel k = clCreateKernel(e->prog, name, &err);
    CHECK("clCreateKernel", err);
    cl_mem m_out = clCreateBuffer(e->ctx, CL_MEM_READ_WRITE, out_bytes, NULL, &err);
    CHECK("clCreateBuffer", err);
    cl_mem m_in = NULL;
    CHECK("clSetKernelArg", clSetKernelArg(k, 0, sizeof m_out, &m_out));
    if (in) {
        m_in = clCreateBuffer(e->ctx, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, in_bytes,
                              (void *)in, &err);
        CHECK("clCreateBuffer", err);
        CHECK("clSetKernelArg", clSetKernelArg(k, 1, sizeof m_in, &m_in));
    } else {
        CHECK("clSetKernelArg", clSetKernelArg(k, 1, sizeof n, &n));
    }
    CHECK("clEnqueueNDRangeKernel",
          clEnqueueNDRangeKernel(e->q, k, 1, NULL, &global, NULL, 0, NULL, NULL));
    CHECK("clEnqueueReadBuffer",
          clEnqueueReadBuffer(e->q, m_out, CL_TRUE, 0, out_bytes, out, 0, NULL, NULL));
    if (m_in) clReleaseMemObject(m_in);
    clReleaseMemObject(m_out);
    clReleaseKernel(k);
    return 0;
}

/* Each reproducer: 0 ok, 1 defect (a line printed either way), 2 OpenCL failed. */
static int vector_bool(cl_env *e)
{
    /* A row of 32 values 1..32 with 8 zeros either side; out[i] is the sum
     * of the row at columns i-1, i, i+1 that exist. */
    float in[48], want[32], got[32];
    for (int i = 0; i < 48; i++) in[i] = i >= 8 && i < 40 ? (float)(i - 7) : 0.0f;
    for (int i = 0; i < 32; i++) {
        want[i] = 0.0f;
        for (int s = -1; s <= 1; s++)
            if (i + s >= 0 && i + s < 32) want[i] += in[8 + i + s];
    }
    if (run(e, "vector_bool", 4, got, sizeof got, in, sizeof in, 0)) return 2;
    int bad = 0;
    for (int i = 0; i < 32; i++) bad += got[i] != want[i];
    printf("%s vector_bool: select() on a uniform vector comparison: %d of 32 sums wrong "
           "(out[0] = %g, want %g)\n", bad ? "DEFECT" : "ok", bad, (double)got[0],
           (double)want[0]);
    return bad != 0;
}

static int loop_limit(cl_env *e)
{
    const int n = 100000;
    cl_uint got;
    if (run(e, "loop_limit", 1, &got, sizeof got, NULL, 0, n)) return 2;
    uint32_t x = 0;
    int ran = -1;
    for (int i = 0; i <= n && ran < 0; i++) {
        if (x == got) ran = i;
        x = x * 1664525u + 1013904223u;
    }
    printf("%s loop_limit: a work-item's loop of %d iterations ran %d\n",
           ran == n ? "ok" : "DEFECT", n, ran);
    return ran != n;
}

static int fma_signed_zero(cl_env *e)
{
    const float in[2] = {0.0f, 0.0f};
    float got;
    if (run(e, "fma_signed_zero", 1, &got, sizeof got, in, sizeof in, 0)) return 2;
    uint32_t bits;
    memcpy(&bits, &got, sizeof bits);
    printf("%s fma_signed_zero: fma(-0.0f, 255.0f, +0.0f) = %s0 (IEEE 754: +0)\n",
           bits ? "DEFECT" : "ok", bits >> 31 ? "-" : "+");
    return bits != 0;
}

/* The device of flat index `want` over every platform. */
static int find_device(int want, cl_device_id *out)
{
    cl_platform_id plats[16];
    cl_uint np = 0;
    CHECK("clGetPlatformIDs", clGetPlatformIDs(16, plats, &np));
    int seen = 0;
    for (cl_uint p = 0; p < np && p < 16; p++) {
        cl_device_id devs[64];
        cl_uint nd = 0;
        if (clGetDeviceIDs(plats[p], CL_DEVICE_TYPE_ALL, 64, devs, &nd) != CL_SUCCESS) continue;
        for (cl_uint i = 0; i < nd && i < 64; i++, seen++)
            if (seen == want) {
                *out = devs[i];
                return 0;
            }
    }
    fprintf(stderr, "impl_defects: no device %d (%d found)\n", want, seen);
    return 2;
}

int main(int argc, char **argv)
{
    cl_env e;
    cl_int err;
    if (find_device(argc > 1 ? atoi(argv[1]) : 0, &e.dev)) return 2;
    clGetDeviceInfo(e.dev, CL_DEVICE_NAME, sizeof e.name, e.name, NULL);
    e.ctx = clCreateContext(NULL, 1, &e.dev, NULL, NULL, &err);
    CHECK("clCreateContext", err);
    e.q = clCreateCommandQueue(e.ctx, e.dev, 0, &err);
    CHECK("clCreateCommandQueue", err);
    e.prog = clCreateProgramWithSource(e.ctx, 1, &SRC, NULL, &err);
    CHECK("clCreateProgramWithSource", err);
    CHECK("clBuildProgram", clBuildProgram(e.prog, 1, &e.dev, "", NULL, NULL));
    printf("device: %s\n", e.name);
    int worst = 0, r;
    int (*const probes[])(cl_env *) = {vector_bool, loop_limit, fma_signed_zero};
    for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++)
        if ((r = probes[i](&e)) > worst) worst = r;
    clReleaseProgram(e.prog);
    clReleaseCommandQueue(e.q);
    clReleaseContext(e.ctx);
    return worst;
}
