/* Helpers for conv2d and conv2d_transpose (src/host/ops/conv2d*.c); the
 * GEMMs in between run through CLBlast.
 *
 * A lowering views an image (C channels, H x W) through an R x S window
 * placed on a P x Q grid: grid point (p,q), tap (r,s) reads pixel
 * (p*sh + r - pt, q*sw + s - pl), zero outside the image. The column matrix
 * col has rows (c,r,s) and columns (n,p,q): col (C*R*S, Nc*P*Q) for a chunk
 * of Nc images. conv2d lowers its input on its output grid; conv2d_transpose
 * lowers its output (the image) on its input grid.
 * Offsets (img_off, ...) are in floats: where the chunk's first image starts. */

/* img (Nc,C,H,W) at img_off -> col (C*R*S, Nc*P*Q) */
__kernel void conv2d_im2col(__global float *col, __global const float *img, const int img_off,
                            const int C, const int H, const int W, const int P, const int Q,
                            const int R, const int S, const int sh, const int sw, const int pt,
                            const int pl, const int Nc)
{
    int i = get_global_id(0);
    int ncols = Nc * P * Q;
    if (i >= C * R * S * ncols) return;
    int j = i % ncols, row = i / ncols;
    int q = j % Q, p = (j / Q) % P, n = j / (P * Q);
    int s = row % S, r = (row / S) % R, c = row / (R * S);
    int h = p * sh + r - pt, w = q * sw + s - pl;
    float v = 0.0f;
    if (h >= 0 && h < H && w >= 0 && w < W) v = img[img_off + ((n * C + c) * H + h) * W + w];
    col[i] = v;
}

/* col (C*R*S, Nc*P*Q) -> img (Nc,C,H,W) at img_off = bias[c] (if has_bias)
 * + sum of every column entry that reads this pixel. A gather: one work-item
 * per pixel, no atomics, fixed order. */
__kernel void conv2d_col2im(__global float *img, const int img_off, __global const float *col,
                            __global const float *bias, const int has_bias, const int C,
                            const int H, const int W, const int P, const int Q, const int R,
                            const int S, const int sh, const int sw, const int pt, const int pl,
                            const int Nc)
{
    int i = get_global_id(0);
    if (i >= Nc * C * H * W) return;
    int w = i % W, h = (i / W) % H, c = (i / (W * H)) % C, n = i / (W * H * C);
    int ncols = Nc * P * Q;
    float acc = has_bias ? bias[c] : 0.0f;
    for (int r = 0; r < R; r++) {
        int y = h + pt - r;
        if (y < 0 || y % sh != 0) continue;
        int p = y / sh;
        if (p >= P) continue;
        for (int s = 0; s < S; s++) {
            int x = w + pl - s;
            if (x < 0 || x % sw != 0) continue;
            int q = x / sw;
            if (q >= Q) continue;
            acc += col[((c * R + r) * S + s) * ncols + (n * P + p) * Q + q];
        }
    }
    img[img_off + i] = acc;
}

/* src (Nc,C,HW) at src_off -> dst (C, Nc*HW) */
__kernel void conv2d_to_cnhw(__global float *dst, __global const float *src, const int src_off,
                             const int C, const int HW, const int Nc)
{
    int i = get_global_id(0);
    int ncols = Nc * HW;
    if (i >= C * ncols) return;
    int j = i % ncols, c = i / ncols;
    int n = j / HW, x = j % HW;
    dst[i] = src[src_off + (n * C + c) * HW + x];
}

/* src (C, Nc*HW) -> dst (Nc,C,HW) at dst_off, + bias[c] if has_bias */
__kernel void conv2d_from_cnhw(__global float *dst, const int dst_off, __global const float *src,
                               __global const float *bias, const int has_bias, const int C,
                               const int HW, const int Nc)
{
    int i = get_global_id(0);
    if (i >= Nc * C * HW) return;
    int x = i % HW, c = (i / HW) % C, n = i / (HW * C);
    float v = src[(c * Nc + n) * HW + x];
    dst[dst_off + i] = has_bias ? v + bias[c] : v;
}

/* dout (.., K, PQ) -> db (K) += sum over n0 <= n < n1 and pq. One
 * work-group per channel, a power-of-two local size; strided partial sums
 * then a tree in local memory: deterministic for a given local size, no
 * atomics. The whole batch, or parts of it on a device that stops long
 * loops (ops/gemm.c). */
__kernel void conv2d_bias_grad(__global float *db, __global const float *dout, const int n0,
                               const int n1, const int K, const int PQ, __local float *part)
{
    int k = get_group_id(0);
    int l = get_local_id(0), L = get_local_size(0);
    float acc = 0.0f;
    for (int n = n0; n < n1; n++) {
        __global const float *plane = dout + (n * K + k) * PQ;
        for (int x = l; x < PQ; x += L) acc += plane[x];
    }
    part[l] = acc;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int m = L / 2; m > 0; m >>= 1) {
        if (l < m) part[l] += part[l + m];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (l == 0) db[k] += part[0];
}
