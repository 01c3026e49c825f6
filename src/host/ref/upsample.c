/* Reference twins: nearest and bilinear upsampling (Keras UpSampling2D;
 * bilinear as tf.image.resize with half-pixel centres) and bed of nails.
 * Geometry: N, C, H, W (input), sh, sw (the factors), P = H*sh, Q = W*sw. */
#include <math.h>
#include <string.h>

#include "clae/ops.h"

void upsample_nearest_forward_ref(float *out, const float *in, const clae_conv_shape *g)
{
    const int H = g->H, W = g->W, P = g->P, Q = g->Q;
    for (long nc = 0; nc < (long)g->N * g->C; nc++)
        for (int p = 0; p < P; p++)
            for (int q = 0; q < Q; q++)
                out[(nc * P + p) * Q + q] = in[(nc * H + p / g->sh) * W + q / g->sw];
}

void upsample_nearest_backward_ref(float *din, const float *dout, const clae_conv_shape *g)
{
    const int H = g->H, W = g->W, P = g->P, Q = g->Q;
    for (long nc = 0; nc < (long)g->N * g->C; nc++)
        for (int h = 0; h < H; h++)
            for (int w = 0; w < W; w++) {
                float s = 0.0f;
                for (int a = 0; a < g->sh; a++)
                    for (int b = 0; b < g->sw; b++)
                        s += dout[(nc * P + h * g->sh + a) * Q + w * g->sw + b];
                din[(nc * H + h) * W + w] = s;
            }
}

void bed_of_nails_forward_ref(float *out, const float *in, const clae_conv_shape *g)
{
    const int H = g->H, W = g->W, P = g->P, Q = g->Q;
    for (long nc = 0; nc < (long)g->N * g->C; nc++)
        for (int p = 0; p < P; p++)
            for (int q = 0; q < Q; q++)
                out[(nc * P + p) * Q + q] = p % g->sh == 0 && q % g->sw == 0
                                                ? in[(nc * H + p / g->sh) * W + q / g->sw]
                                                : 0.0f;
}

void bed_of_nails_backward_ref(float *din, const float *dout, const clae_conv_shape *g)
{
    const int H = g->H, W = g->W, P = g->P, Q = g->Q;
    for (long nc = 0; nc < (long)g->N * g->C; nc++)
        for (int h = 0; h < H; h++)
            for (int w = 0; w < W; w++)
                din[(nc * H + h) * W + w] = dout[(nc * P + h * g->sh) * Q + w * g->sw];
}

/* Output o of n_out along an axis of n_in reads inputs lo and hi with
 * weights 1 - t and t (TensorFlow's compute_interpolation_weights, in float). */
static void lerp_index(int o, int n_in, int n_out, int *lo, int *hi, float *t)
{
    float scale = (float)n_in / (float)n_out;
    float x = ((float)o + 0.5f) * scale - 0.5f;
    float xf = floorf(x);
    *lo = (int)xf > 0 ? (int)xf : 0;
    int c = (int)ceilf(x);
    *hi = c < n_in - 1 ? c : n_in - 1;
    *t = x - xf;
}

void upsample_bilinear_forward_ref(float *out, const float *in, const clae_conv_shape *g)
{
    const int H = g->H, W = g->W, P = g->P, Q = g->Q;
    for (long nc = 0; nc < (long)g->N * g->C; nc++) {
        const float *x = in + nc * H * W;
        for (int p = 0; p < P; p++) {
            int y0, y1;
            float ty;
            lerp_index(p, H, P, &y0, &y1, &ty);
            for (int q = 0; q < Q; q++) {
                int x0, x1;
                float tx;
                lerp_index(q, W, Q, &x0, &x1, &tx);
                float top = x[y0 * W + x0] + (x[y0 * W + x1] - x[y0 * W + x0]) * tx;
                float bot = x[y1 * W + x0] + (x[y1 * W + x1] - x[y1 * W + x0]) * tx;
                out[(nc * P + p) * Q + q] = top + (bot - top) * ty;
            }
        }
    }
}

/* The adjoint of the forward: every output scatters into the (up to) four
 * inputs it read, with the same weights. */
void upsample_bilinear_backward_ref(float *din, const float *dout, const clae_conv_shape *g)
{
    const int H = g->H, W = g->W, P = g->P, Q = g->Q;
    memset(din, 0, (size_t)g->N * g->C * H * W * sizeof *din);
    for (long nc = 0; nc < (long)g->N * g->C; nc++) {
        float *dx = din + nc * H * W;
        for (int p = 0; p < P; p++) {
            int y0, y1;
            float ty;
            lerp_index(p, H, P, &y0, &y1, &ty);
            for (int q = 0; q < Q; q++) {
                int x0, x1;
                float tx;
                lerp_index(q, W, Q, &x0, &x1, &tx);
                float d = dout[(nc * P + p) * Q + q];
                dx[y0 * W + x0] += d * (1.0f - ty) * (1.0f - tx);
                dx[y0 * W + x1] += d * (1.0f - ty) * tx;
                dx[y1 * W + x0] += d * ty * (1.0f - tx);
                dx[y1 * W + x1] += d * ty * tx;
            }
        }
    }
}
