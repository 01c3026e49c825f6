/* Elementwise sums for residual connections; twins of src/host/ref/add.c. */

__kernel void add_forward(__global float *out, __global const float *a, __global const float *b,
                          const int n)
{
    int i = get_global_id(0);
    if (i >= n) return;
    out[i] = a[i] + b[i];
}

/* y += x */
__kernel void add_into(__global float *y, __global const float *x, const int n)
{
    int i = get_global_id(0);
    if (i >= n) return;
    y[i] += x[i];
}
