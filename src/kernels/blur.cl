/* Separable blur with reflect-101 borders; twin of src/host/ref/blur.c.
 * blur_forward_rows filters along W into a scratch tensor, blur_forward_cols
 * along H from it into out. One work-item per element. */

/* OpenCV BORDER_REFLECT_101, repeated for images narrower than the radius. */
static int reflect101(int p, int len)
{
    if (len == 1) return 0;
    while (p < 0 || p >= len) p = p < 0 ? -p : 2 * len - 2 - p;
    return p;
}

__kernel void blur_forward_rows(__global float *tmp, __global const float *in,
                                __global const float *k, const int ksize, const int total,
                                const int W)
{
    int i = get_global_id(0);
    if (i >= total) return;
    int w = i % W;
    __global const float *row = in + (i - w);
    int r = ksize / 2;
    float acc = 0.0f;
    for (int j = 0; j < ksize; j++) acc += k[j] * row[reflect101(w + j - r, W)];
    tmp[i] = acc;
}

__kernel void blur_forward_cols(__global float *out, __global const float *tmp,
                                __global const float *k, const int ksize, const int total,
                                const int H, const int W)
{
    int i = get_global_id(0);
    if (i >= total) return;
    int w = i % W, h = (i / W) % H;
    __global const float *plane = tmp + (i - h * W - w);
    int r = ksize / 2;
    float acc = 0.0f;
    for (int j = 0; j < ksize; j++) acc += k[j] * plane[reflect101(h + j - r, H) * W + w];
    out[i] = acc;
}
