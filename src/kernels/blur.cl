/* Separable blur with reflect-101 borders; twin of src/host/ref/blur.c.
 * blur_forward_rows filters along W into a scratch tensor, blur_forward_cols
 * along H from it into out. KS (the kernel's size) and BH x BW (the image's)
 * are compile-time constants (src/host/ops/blur.c builds a variant per
 * size), so the taps unroll and indexing needs no division. Taps are summed
 * in the reference's order.
 *   rows: one work-item per image row: the row with its reflected borders
 *         in private memory, then VW outputs at a time as one float8;
 *   cols: one work-item per VW pixels of a row, reading the VW-wide blocks
 *         of the KS (reflected) rows above and below. */
#ifndef KS
#define KS 5
#endif
#ifndef BH
#define BH 4
#endif
#ifndef BW
#define BW 4
#endif
#define RAD (KS / 2)
#define VW 8
#define NBX ((BW + VW - 1) / VW)

/* OpenCV BORDER_REFLECT_101, repeated for images narrower than the radius. */
static int reflect101(int p, int len)
{
    if (len == 1) return 0;
    while (p < 0 || p >= len) p = p < 0 ? -p : 2 * len - 2 - p;
    return p;
}

/* Global: the number of rows (N * C * BH). */
__kernel void blur_forward_rows(__global float *tmp, __global const float *in,
                                __constant float *k, const int rows)
{
    const int row = (int)get_global_id(0);
    if (row >= rows) return;
    __global const float *src = in + (long)row * BW;
    __global float *dst = tmp + (long)row * BW;
    float pad[NBX * VW + 2 * RAD]; /* pad[x + RAD] = the row at x, reflected */
    for (int x = -RAD; x < NBX * VW + RAD; x++)
        pad[x + RAD] = x < BW + RAD ? src[reflect101(x, BW)] : 0.0f;
    for (int b = 0; b < NBX; b++) {
        float8 acc = (float8)(0.0f);
#pragma unroll
        for (int j = 0; j < KS; j++) acc += k[j] * vload8(0, pad + b * VW + j);
        if (b * VW + VW <= BW) {
            vstore8(acc, 0, dst + b * VW);
        } else {
            float t[VW];
            vstore8(acc, 0, t);
            for (int l = 0; l < VW && b * VW + l < BW; l++) dst[b * VW + l] = t[l];
        }
    }
}

/* Global: N * C * BH * NBX (plane, row, block of VW columns). */
__kernel void blur_forward_cols(__global float *out, __global const float *tmp,
                                __constant float *k, const int items)
{
    const int i = (int)get_global_id(0);
    if (i >= items) return;
    const int b = i % NBX, h = (i / NBX) % BH, plane = i / (NBX * BH);
    const int x0 = b * VW;
    __global const float *src = tmp + (long)plane * BH * BW + x0;
    __global float *dst = out + (long)plane * BH * BW + (long)h * BW + x0;
    if (x0 + VW <= BW) {
        float8 acc = (float8)(0.0f);
#pragma unroll
        for (int j = 0; j < KS; j++) acc += k[j] * vload8(0, src + reflect101(h + j - RAD, BH) * BW);
        vstore8(acc, 0, dst);
    } else {
        for (int l = 0; x0 + l < BW; l++) {
            float acc = 0.0f;
            for (int j = 0; j < KS; j++) acc += k[j] * src[reflect101(h + j - RAD, BH) * BW + l];
            dst[l] = acc;
        }
    }
}
