/* Dataset records to floats; twin of src/host/ref/convert.c.
 * A record is 1 label byte and P = C*H*W pixel bytes (CIFAR-10: P = 3072).
 * OpenCL does not promise a correctly rounded x / 255.0f, so the quotient is
 * taken as x * (1/255) plus one exact-residual correction (two fma), which
 * gives exactly the IEEE quotient for every byte value 0..255. The result
 * goes through fabs(), which changes no quotient (none is negative) but
 * turns -0.0f into +0.0f: Mesa's rusticl (22.3, llvmpipe) computes
 * fma(-0.0f, 255.0f, 0.0f) as -0.0f where IEEE 754 gives +0.0f, and a zero
 * byte then became -0.0f (tests/repro_fma_zero.c).
 * One work-item per 8 consecutive pixels of an image (CIFAR-10: 384 a
 * record): one 8-byte load, one float8 store; an image's last block, when P
 * is not a multiple of 8, pixel by pixel with the same arithmetic. */

__kernel void cifar_to_float(__global float *out, __global const uchar *records, const int N,
                             const int P)
{
    const int blocks = (P + 7) / 8; /* per image */
    const int b = get_global_id(0);
    if (b >= N * blocks) return;
    const int n = b / blocks, j = (b - n * blocks) * 8;
    __global const uchar *src = records + (long)n * (P + 1) + 1 + j;
    __global float *dst = out + (long)n * P + j;
    if (j + 8 <= P) {
        const float8 x = convert_float8(vload8(0, src));
        const float8 q = x * (1.0f / 255.0f);
        const float8 r = fma(-q, (float8)(255.0f), x); /* exact: x - q*255 */
        vstore8(fabs(fma(r, (float8)(1.0f / 255.0f), q)), 0, dst);
        return;
    }
    for (int k = 0; k < P - j; k++) {
        const float x = (float)src[k];
        const float q = x * (1.0f / 255.0f);
        const float r = fma(-q, 255.0f, x);
        dst[k] = fabs(fma(r, 1.0f / 255.0f, q));
    }
}
