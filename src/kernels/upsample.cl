/* Upsampling by an integer factor (sh, sw): nearest neighbour and bilinear
 * (Keras UpSampling2D; bilinear as tf.image.resize: half-pixel centres,
 * edges clamped) and bed of nails; twins of src/host/ref/upsample.c.
 * in (NC,H,W), out (NC,P,Q) with P = H*sh, Q = W*sw. Forward: one
 * work-item per output; backward: one per input pixel, gathering the
 * outputs that read it (no atomics). */

#define UP_GEOM const int NC, const int H, const int W, const int sh, const int sw

__kernel void upsample_nearest_forward(__global float *out, __global const float *in, UP_GEOM)
{
    int P = H * sh, Q = W * sw;
    int i = get_global_id(0);
    if (i >= NC * P * Q) return;
    int q = i % Q, p = (i / Q) % P, nc = i / (P * Q);
    out[i] = in[((long)nc * H + p / sh) * W + q / sw];
}

__kernel void upsample_nearest_backward(__global float *din, __global const float *dout, UP_GEOM)
{
    int P = H * sh, Q = W * sw;
    int i = get_global_id(0);
    if (i >= NC * H * W) return;
    int w = i % W, h = (i / W) % H, nc = i / (H * W);
    __global const float *d = dout + (long)nc * P * Q;
    float s = 0.0f;
    for (int a = 0; a < sh; a++)
        for (int b = 0; b < sw; b++) s += d[(h * sh + a) * Q + w * sw + b];
    din[i] = s;
}

__kernel void bed_of_nails_forward(__global float *out, __global const float *in, UP_GEOM)
{
    int P = H * sh, Q = W * sw;
    int i = get_global_id(0);
    if (i >= NC * P * Q) return;
    int q = i % Q, p = (i / Q) % P, nc = i / (P * Q);
    out[i] = p % sh == 0 && q % sw == 0 ? in[((long)nc * H + p / sh) * W + q / sw] : 0.0f;
}

__kernel void bed_of_nails_backward(__global float *din, __global const float *dout, UP_GEOM)
{
    int P = H * sh, Q = W * sw;
    int i = get_global_id(0);
    if (i >= NC * H * W) return;
    int w = i % W, h = (i / W) % H, nc = i / (H * W);
    din[i] = dout[((long)nc * P + h * sh) * Q + w * sw];
}

/* Output o of n_out along an axis of n_in reads inputs lo and hi with
 * weights 1 - t and t (TensorFlow's compute_interpolation_weights). */
static void lerp_index(int o, int n_in, int n_out, int *lo, int *hi, float *t)
{
    float scale = (float)n_in / (float)n_out;
    float x = ((float)o + 0.5f) * scale - 0.5f;
    float xf = floor(x);
    *lo = max((int)xf, 0);
    *hi = min((int)ceil(x), n_in - 1);
    *t = x - xf;
}

__kernel void upsample_bilinear_forward(__global float *out, __global const float *in, UP_GEOM)
{
    int P = H * sh, Q = W * sw;
    int i = get_global_id(0);
    if (i >= NC * P * Q) return;
    int q = i % Q, p = (i / Q) % P, nc = i / (P * Q);
    int y0, y1, x0, x1;
    float ty, tx;
    lerp_index(p, H, P, &y0, &y1, &ty);
    lerp_index(q, W, Q, &x0, &x1, &tx);
    __global const float *x = in + (long)nc * H * W;
    float top = x[y0 * W + x0] + (x[y0 * W + x1] - x[y0 * W + x0]) * tx;
    float bot = x[y1 * W + x0] + (x[y1 * W + x1] - x[y1 * W + x0]) * tx;
    out[i] = top + (bot - top) * ty;
}

/* The weight with which output o reads input j along an axis (0 if not). */
static float lerp_weight(int o, int j, int n_in, int n_out)
{
    int lo, hi;
    float t;
    lerp_index(o, n_in, n_out, &lo, &hi, &t);
    return (lo == j ? 1.0f - t : 0.0f) + (hi == j ? t : 0.0f);
}

__kernel void upsample_bilinear_backward(__global float *din, __global const float *dout,
                                         UP_GEOM)
{
    int P = H * sh, Q = W * sw;
    int i = get_global_id(0);
    if (i >= NC * H * W) return;
    int w = i % W, h = (i / W) % H, nc = i / (H * W);
    __global const float *d = dout + (long)nc * P * Q;
    /* outputs within (h - 1) * sh .. (h + 2) * sh read row h (and columns alike) */
    int p0 = max((h - 1) * sh, 0), p1 = min((h + 2) * sh, P);
    int q0 = max((w - 1) * sw, 0), q1 = min((w + 2) * sw, Q);
    float s = 0.0f;
    for (int p = p0; p < p1; p++) {
        float wy = lerp_weight(p, h, H, P);
        if (wy == 0.0f) continue;
        for (int q = q0; q < q1; q++) {
            float wx = lerp_weight(q, w, W, Q);
            if (wx != 0.0f) s += wy * wx * d[p * Q + q];
        }
    }
    din[i] = s;
}
