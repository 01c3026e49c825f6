/* CIFAR-10 records to floats; twin of src/host/ref/convert.c.
 * OpenCL does not promise a correctly rounded x / 255.0f, so the quotient is
 * taken as x * (1/255) plus one exact-residual correction (two fma), which
 * gives exactly the IEEE quotient for every byte value 0..255. */

__kernel void cifar_to_float(__global float *out, __global const uchar *records, const int N)
{
    int i = get_global_id(0);
    if (i >= N * 3072) return;
    int n = i / 3072, j = i - n * 3072;
    float x = (float)records[(long)n * 3073 + 1 + j];
    float q = x * (1.0f / 255.0f);
    float r = fma(-q, 255.0f, x); /* exact: x - q*255 */
    out[i] = fma(r, 1.0f / 255.0f, q);
}
