/* Per-channel bias; twins of src/host/ref/bias.c. */

/* x (N,C,HW) += b (C); one work-item per element. */
__kernel void bias_forward(__global float *x, __global const float *b, const int N, const int C,
                           const int HW)
{
    int i = get_global_id(0);
    if (i >= N * C * HW) return;
    x[i] += b[(i / HW) % C];
}

/* db (C) += sum over n0 <= n < n0 + N and hw of dout (.., C, HW). One
 * work-group per channel (group size a power of two): each work-item sums a
 * fixed strided subset, then a tree reduction in local memory. The order
 * depends only on the sizes and the group size, so repeated runs give
 * identical bits (no atomics). The host passes the whole batch (n0 = 0), or
 * parts of it on a device that stops long loops (ops/bias.c). */
__kernel void bias_backward(__global float *db, __global const float *dout, const int n0,
                            const int N, const int C, const int HW, __local float *part)
{
    int c = get_group_id(0), l = get_local_id(0), L = get_local_size(0);
    int total = N * HW;
    float s = 0.0f;
    for (int i = l; i < total; i += L) {
        int n = i / HW, j = i - n * HW;
        s += dout[((long)(n0 + n) * C + c) * HW + j];
    }
    part[l] = s;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int off = L / 2; off > 0; off >>= 1) {
        if (l < off) part[l] += part[l + off];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (l == 0) db[c] += part[0];
}
