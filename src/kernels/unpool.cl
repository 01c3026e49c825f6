/* Max-unpooling with the indices a max pool saved; twin of
 * src/host/ref/unpool.c. in and idx are (NC, HW) (the pool's output and its
 * argmax, row*W+col within the pool's input plane of PQ elements), out is
 * (NC, PQ). One work-item per input element; the pool's windows do not
 * overlap (the config checks it), so no two of them write one output. */

__kernel void max_unpool_forward(__global float *out, __global const float *in,
                                 __global const int *idx, const int NC, const int HW,
                                 const int PQ)
{
    int i = get_global_id(0);
    if (i >= NC * HW) return;
    int j = idx[i];
    if (j >= 0) out[(long)(i / HW) * PQ + j] = in[i]; /* out is zero-filled first */
}

__kernel void max_unpool_backward(__global float *din, __global const float *dout,
                                  __global const int *idx, const int NC, const int HW,
                                  const int PQ)
{
    int i = get_global_id(0);
    if (i >= NC * HW) return;
    int j = idx[i];
    din[i] = j >= 0 ? dout[(long)(i / HW) * PQ + j] : 0.0f;
}
