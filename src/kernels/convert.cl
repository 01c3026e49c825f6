/* CIFAR-10 records to floats; twin of src/host/ref/convert.c.
 * OpenCL does not promise a correctly rounded x / 255.0f, so the quotient is
 * taken as x * (1/255) plus one exact-residual correction (two fma), which
 * gives exactly the IEEE quotient for every byte value 0..255.
 * One work-item per 8 consecutive pixels of an image (3072 = 384 * 8): one
 * 8-byte load, one float8 store. */

__kernel void cifar_to_float(__global float *out, __global const uchar *records, const int N)
{
    const int b = get_global_id(0); /* block of 8 pixels */
    if (b >= N * 384) return;
    const int n = b / 384, j = (b - n * 384) * 8;
    const float8 x = convert_float8(vload8(0, records + (long)n * 3073 + 1 + j));
    const float8 q = x * (1.0f / 255.0f);
    const float8 r = fma(-q, (float8)(255.0f), x); /* exact: x - q*255 */
    vstore8(fma(r, (float8)(1.0f / 255.0f), q), b, out);
}
