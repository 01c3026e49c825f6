/* Minimal reproducer of an oclgrind defect (seen in 21.10, still in the
 * 26.03 source): sign extension of an i1 vector whose lanes came from a
 * scalar comparison.
 *
 * OpenCL C gives -1 (all bits) for a true lane of a vector comparison, and
 * select(a, b, c) takes b where c's most significant bit is set. The kernel
 * below adds three masked loads of the same row at columns q0-1, q0, q0+1.
 * For the middle one clang proves that every lane of the comparison equals
 * the scalar (q0 < 32), because q0 is a multiple of 8 below 32, and emits
 *   %s = icmp ult i32 %q0, 32
 *   %v = shufflevector (insertelement <8 x i1> poison, i1 %s, 0), zeroinitializer
 *   %m = sext <8 x i1> %v to <8 x i32>
 * Oclgrind stores a scalar true as 1 and a vector-comparison true as -1; its
 * sext turns 1 into -1 only when the operand type is 1 bit wide, which an
 * <8 x i1> is not (getPrimitiveSizeInBits() is 8). So the mask lanes are 1,
 * select() takes a, and the middle term silently vanishes from every sum
 * on the simulator (out[0] = 2 instead of 3); PoCL computes them exactly.
 *
 * src/kernels/conv2d_direct.cl masks its edge loads with integer arithmetic
 * instead (mask_cols), which the simulator gets right.
 *
 * Usage: sim_vector_bool  (under oclgrind or any OpenCL device)
 * Exit 0 and "ok" when the device computes the kernel right, 1 and
 * "DEFECT" when it does not, 2 when OpenCL itself fails. */
#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>
#include <stdio.h>

static const char *SRC =
    "static inline float8 load(__global const float *t, int x)\n"
    "{\n"
    "    const int8 col = (int8)(x) + (int8)(0, 1, 2, 3, 4, 5, 6, 7);\n"
    "    const int8 ok = col >= (int8)(0) && col < (int8)(32);\n"
    "    return select((float8)(0.0f), vload8(0, t + x), ok);\n"
    "}\n"
    "__kernel void k(__global float *out, __global const float *in)\n"
    "{\n"
    "    const int q0 = (int)get_global_id(0) * 8;\n"
    "    if (q0 >= 32) return;\n"
    "    float8 acc = (float8)(0.0f);\n"
    "#pragma unroll\n"
    "    for (int s = 0; s < 3; s++) acc += load(in + 8, q0 - 1 + s);\n"
    "    vstore8(acc, 0, out + q0);\n"
    "}\n";

#define CHECK(what, err)                                                         \
    do {                                                                         \
        if ((err) != CL_SUCCESS) {                                               \
            fprintf(stderr, "sim_vector_bool: %s failed: %d\n", what, (int)(err)); \
            return 2;                                                            \
        }                                                                        \
    } while (0)

int main(void)
{
    cl_platform_id plat;
    cl_device_id dev;
    cl_int err = clGetPlatformIDs(1, &plat, NULL);
    CHECK("clGetPlatformIDs", err);
    err = clGetDeviceIDs(plat, CL_DEVICE_TYPE_ALL, 1, &dev, NULL);
    CHECK("clGetDeviceIDs", err);
    char name[256] = "";
    clGetDeviceInfo(dev, CL_DEVICE_NAME, sizeof name, name, NULL);
    cl_context ctx = clCreateContext(NULL, 1, &dev, NULL, NULL, &err);
    CHECK("clCreateContext", err);
    cl_command_queue q = clCreateCommandQueue(ctx, dev, 0, &err);
    CHECK("clCreateCommandQueue", err);
    cl_program prog = clCreateProgramWithSource(ctx, 1, &SRC, NULL, &err);
    CHECK("clCreateProgramWithSource", err);
    err = clBuildProgram(prog, 1, &dev, "", NULL, NULL);
    CHECK("clBuildProgram", err);
    cl_kernel k = clCreateKernel(prog, "k", &err);
    CHECK("clCreateKernel", err);

    /* A row of 32 values 1..32 with 8 zeros either side; out[i] is the sum
     * of the row at columns i-1, i, i+1 that exist. */
    float in[48], want[32], got[32];
    for (int i = 0; i < 48; i++) in[i] = i >= 8 && i < 40 ? (float)(i - 7) : 0.0f;
    for (int i = 0; i < 32; i++) {
        want[i] = 0.0f;
        for (int s = -1; s <= 1; s++)
            if (i + s >= 0 && i + s < 32) want[i] += in[8 + i + s];
    }
    cl_mem m_in = clCreateBuffer(ctx, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, sizeof in, in, &err);
    CHECK("clCreateBuffer", err);
    cl_mem m_out = clCreateBuffer(ctx, CL_MEM_WRITE_ONLY, sizeof got, NULL, &err);
    CHECK("clCreateBuffer", err);
    CHECK("clSetKernelArg", clSetKernelArg(k, 0, sizeof m_out, &m_out));
    CHECK("clSetKernelArg", clSetKernelArg(k, 1, sizeof m_in, &m_in));
    size_t global = 4;
    err = clEnqueueNDRangeKernel(q, k, 1, NULL, &global, NULL, 0, NULL, NULL);
    CHECK("clEnqueueNDRangeKernel", err);
    err = clEnqueueReadBuffer(q, m_out, CL_TRUE, 0, sizeof got, got, 0, NULL, NULL);
    CHECK("clEnqueueReadBuffer", err);
    int bad = 0;
    for (int i = 0; i < 32; i++) bad += got[i] != want[i];

    clReleaseMemObject(m_in);
    clReleaseMemObject(m_out);
    clReleaseKernel(k);
    clReleaseProgram(prog);
    clReleaseCommandQueue(q);
    clReleaseContext(ctx);
    if (bad) {
        printf("DEFECT %s: select() on a uniform vector comparison: %d of 32 sums wrong "
               "(out[0] = %g, want %g)\n", name, bad, (double)got[0], (double)want[0]);
        return 1;
    }
    printf("ok %s: select() on a uniform vector comparison\n", name);
    return 0;
}
