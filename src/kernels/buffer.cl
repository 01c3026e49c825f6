/* Fill and copy as kernels, for recorded steps (src/host/device/opencl.c: a
 * command buffer holds these where the queue would take clEnqueueFillBuffer
 * and clEnqueueCopyBuffer); the fill also for every clae_buf_fill0 on a CPU
 * device, where PoCL's fill command is slower. Twins: memset and memmove
 * (tests/test_device.c). */

__kernel void fill_zero(__global float *p, const int n)
{
    int i = get_global_id(0);
    if (i < n) p[i] = 0.0f;
}

/* dst[dst_off + i] = src[src_off + i]; the two ranges do not overlap (as
 * for clEnqueueCopyBuffer). */
__kernel void copy_floats(__global float *dst, const int dst_off, __global const float *src,
                          const int src_off, const int n)
{
    int i = get_global_id(0);
    if (i < n) dst[dst_off + i] = src[src_off + i];
}
