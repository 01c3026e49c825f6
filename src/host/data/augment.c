/* Data augmentation: Keras ImageDataGenerator-style affine transforms and
 * the experiment's flip / flip / rotate recipe. Conventions: augment.h. */
#include "clae/augment.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PI 3.14159265358979323846
#define EDGE_SLACK 1e-9 /* CONSTANT fill: coordinates this far outside still count as inside */

clae_affine clae_affine_identity(void)
{
    return (clae_affine){.theta = 0, .tx = 0, .ty = 0, .shear = 0, .zx = 1, .zy = 1};
}

void clae_augment_defaults(clae_augment_cfg *c)
{
    *c = (clae_augment_cfg){0};
    c->zoom_lo = c->zoom_hi = 1.0;
    c->fill_mode = CLAE_FILL_NEAREST;
    c->interp = CLAE_INTERP_BILINEAR;
}

void clae_augment_set_zoom(clae_augment_cfg *c, double z)
{
    c->zoom_lo = 1.0 - z;
    c->zoom_hi = 1.0 + z;
}

static double uniform(clae_rng *rng, double lo, double hi)
{
    return lo + (hi - lo) * (double)clae_rng_uniform(rng);
}

void clae_augment_draw(clae_affine *t, const clae_augment_cfg *c, int H, int W, clae_rng *rng)
{
    *t = clae_affine_identity();
    if (c->rotation_range != 0) t->theta = uniform(rng, -c->rotation_range, c->rotation_range);
    if (c->height_shift_range != 0) {
        t->tx = uniform(rng, -c->height_shift_range, c->height_shift_range);
        if (fabs(c->height_shift_range) < 1) t->tx *= H;
    }
    if (c->width_shift_range != 0) {
        t->ty = uniform(rng, -c->width_shift_range, c->width_shift_range);
        if (fabs(c->width_shift_range) < 1) t->ty *= W;
    }
    if (c->shear_range != 0) t->shear = uniform(rng, -c->shear_range, c->shear_range);
    if (c->zoom_lo != 1 || c->zoom_hi != 1) {
        t->zx = uniform(rng, c->zoom_lo, c->zoom_hi);
        t->zy = uniform(rng, c->zoom_lo, c->zoom_hi);
    }
    if (c->horizontal_flip) t->flip_h = clae_rng_uniform(rng) < 0.5f;
    if (c->vertical_flip) t->flip_v = clae_rng_uniform(rng) < 0.5f;
}

/* 2x3 map from output (r, c) to input coordinates, Keras's matrix product
 * R T Sh Z moved to the centre o. */
static void affine_matrix(double m[2][3], const clae_affine *t, int H, int W)
{
    double th = t->theta * PI / 180.0, sh = t->shear * PI / 180.0;
    double R[3][3] = {{cos(th), -sin(th), 0}, {sin(th), cos(th), 0}, {0, 0, 1}};
    double T[3][3] = {{1, 0, t->tx}, {0, 1, t->ty}, {0, 0, 1}};
    double S[3][3] = {{1, -sin(sh), 0}, {0, cos(sh), 0}, {0, 0, 1}};
    double Z[3][3] = {{t->zx, 0, 0}, {0, t->zy, 0}, {0, 0, 1}};
    const double(*F[3])[3] = {T, S, Z};
    double A[3][3];
    memcpy(A, R, sizeof A);
    for (int f = 0; f < 3; f++) {
        double B[3][3];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) {
                double s = 0;
                for (int k = 0; k < 3; k++) s += A[i][k] * F[f][k][j];
                B[i][j] = s;
            }
        memcpy(A, B, sizeof A);
    }
    /* offset o: in = o + A2 (out - o) + a  ->  in = A2 out + (a + o - A2 o) */
    const double o[2] = {H / 2.0 - 0.5, W / 2.0 - 0.5};
    for (int i = 0; i < 2; i++) {
        m[i][0] = A[i][0], m[i][1] = A[i][1];
        m[i][2] = A[i][2] + o[i] - A[i][0] * o[0] - A[i][1] * o[1];
    }
}

/* Integer index i extended past [0, len) by the fill mode; -1 = "cval". */
static int extend(int i, int len, clae_fill fill)
{
    if (i >= 0 && i < len) return i;
    switch (fill) {
    case CLAE_FILL_NEAREST: return i < 0 ? 0 : len - 1;
    case CLAE_FILL_REFLECT: { /* period 2 len: abcd dcba */
        int p = i % (2 * len);
        if (p < 0) p += 2 * len;
        return p < len ? p : 2 * len - 1 - p;
    }
    case CLAE_FILL_WRAP: {
        int p = i % len;
        return p < 0 ? p + len : p;
    }
    case CLAE_FILL_CONSTANT: return i < 0 ? 0 : len - 1; /* in-range points only: clamp */
    case CLAE_FILL_GRID_CONSTANT: return -1;
    }
    return -1;
}

/* Value k of a plane held as floats (pf) or bytes (pb). */
#define PX(k) (pf ? (double)pf[k] : (double)pb[k])

/* Plane (H,W), floats pf or bytes pb, at input coordinate (y, x). */
static double sample(const float *pf, const uint8_t *pb, int H, int W, double y, double x,
                     clae_fill fill, float cval, clae_interp interp)
{
    if (fill == CLAE_FILL_CONSTANT &&
        (y < -EDGE_SLACK || y > H - 1 + EDGE_SLACK || x < -EDGE_SLACK || x > W - 1 + EDGE_SLACK))
        return cval;
    /* keep floor() within int range for absurd coordinates */
    y = fmax(fmin(y, 4.0 * H + 4), -4.0 * H - 4);
    x = fmax(fmin(x, 4.0 * W + 4), -4.0 * W - 4);
    if (interp == CLAE_INTERP_NEAREST) {
        int i = extend((int)floor(y + 0.5), H, fill), j = extend((int)floor(x + 0.5), W, fill);
        return i < 0 || j < 0 ? cval : PX(i * W + j);
    }
    double fy = floor(y), fx = floor(x), wy = y - fy, wx = x - fx;
    int i0 = extend((int)fy, H, fill), i1 = extend((int)fy + 1, H, fill);
    int j0 = extend((int)fx, W, fill), j1 = extend((int)fx + 1, W, fill);
    double v00 = i0 < 0 || j0 < 0 ? cval : PX(i0 * W + j0);
    double v01 = i0 < 0 || j1 < 0 ? cval : PX(i0 * W + j1);
    double v10 = i1 < 0 || j0 < 0 ? cval : PX(i1 * W + j0);
    double v11 = i1 < 0 || j1 < 0 ? cval : PX(i1 * W + j1);
    return (1 - wy) * ((1 - wx) * v00 + wx * v01) + wy * ((1 - wx) * v10 + wx * v11);
}

static uint8_t to_u8(double v)
{
    v = floor(v + 0.5);
    return v <= 0 ? 0 : v >= 255 ? 255 : (uint8_t)v;
}

/* in (C,H,W) floats fin or bytes bin -> out (C,H,W) floats fout or bytes bout */
static void warp(float *fout, uint8_t *bout, const float *fin, const uint8_t *bin, int C, int H,
                 int W, const clae_affine *t, clae_fill fill, float cval, clae_interp interp)
{
    double m[2][3];
    affine_matrix(m, t, H, W);
    for (int c = 0; c < C; c++) {
        const size_t off = (size_t)c * H * W;
        for (int r = 0; r < H; r++)
            for (int q = 0; q < W; q++) {
                double y = m[0][0] * r + m[0][1] * q + m[0][2];
                double x = m[1][0] * r + m[1][1] * q + m[1][2];
                double v = sample(fin ? fin + off : NULL, bin ? bin + off : NULL, H, W, y, x, fill,
                                  cval, interp);
                /* flips after the warp: warped (r, q) lands at (ro, qo) */
                int ro = t->flip_v ? H - 1 - r : r, qo = t->flip_h ? W - 1 - q : q;
                size_t o = off + (size_t)ro * W + qo;
                if (fout)
                    fout[o] = (float)v;
                else
                    bout[o] = to_u8(v);
            }
    }
}

/* in (C,H,W) -> out (C,H,W) */
void clae_affine_apply(float *out, const float *in, int C, int H, int W, const clae_affine *t,
                       clae_fill fill, float cval, clae_interp interp)
{
    warp(out, NULL, in, NULL, C, H, W, t, fill, cval, interp);
}

/* in (C,H,W) bytes -> out (C,H,W) bytes */
void clae_affine_apply_u8(uint8_t *out, const uint8_t *in, int C, int H, int W,
                          const clae_affine *t, clae_fill fill, float cval, clae_interp interp)
{
    warp(NULL, out, NULL, in, C, H, W, t, fill, cval, interp);
}

/* pixels (3,32,32) bytes -> out (3,32,32) floats */
void clae_augment_image(float *out, const uint8_t *pixels, const clae_augment_cfg *c, clae_rng *rng)
{
    enum { S = CLAE_CIFAR_SIDE, N = CLAE_CIFAR_PIXELS };
    float in[N];
    for (int i = 0; i < N; i++) in[i] = pixels[i];
    clae_affine t;
    clae_augment_draw(&t, c, S, S, rng);
    clae_affine_apply(out, in, CLAE_CIFAR_CHANNELS, S, S, &t, c->fill_mode, c->cval, c->interp);
    if (c->rescale != 0)
        for (int i = 0; i < N; i++) out[i] *= c->rescale;
}

/* in (C,H,W) bytes -> out (C,H,W) bytes */
void clae_recipe_apply(uint8_t *out, const uint8_t *in, clae_recipe_op op, int C, int H, int W)
{
    switch (op) {
    case CLAE_RECIPE_FLIPLR:
        for (int c = 0; c < C; c++)
            for (int r = 0; r < H; r++) {
                const size_t row = ((size_t)c * H + r) * W;
                for (int q = 0; q < W; q++) out[row + q] = in[row + W - 1 - q];
            }
        return;
    case CLAE_RECIPE_FLIPUD:
        for (int c = 0; c < C; c++)
            for (int r = 0; r < H; r++)
                memcpy(out + ((size_t)c * H + r) * W, in + ((size_t)c * H + H - 1 - r) * W,
                       (size_t)W);
        return;
    case CLAE_RECIPE_ROT_M30: {
        clae_affine t = clae_affine_identity();
        t.theta = CLAE_RECIPE_ROTATE_DEG;
        clae_affine_apply_u8(out, in, C, H, W, &t, CLAE_FILL_GRID_CONSTANT, 0.0f,
                             CLAE_INTERP_BILINEAR);
        return;
    }
    }
}

clae_status clae_augment_recipe(clae_dataset *out, const clae_dataset *in, double fraction,
                                uint64_t seed, size_t op_counts[3])
{
    *out = (clae_dataset){.records = NULL, .n = 0, .H = in->H, .W = in->W, .C = in->C};
    if (op_counts) op_counts[0] = op_counts[1] = op_counts[2] = 0;
    if (!in->records || in->n == 0 || !(fraction >= 0) || !isfinite(fraction) ||
        fraction * (double)in->n > 1e12) {
        fprintf(stderr, "augment: need at least one record and a fraction >= 0 (got %zu, %g)\n",
                in->n, fraction);
        return CLAE_ERR_ARG;
    }
    const size_t extra = (size_t)llround(fraction * (double)in->n), total = in->n + extra;
    const size_t R = clae_dataset_record_bytes(in);
    uint8_t *rec = malloc(total * R);
    if (!rec) {
        fprintf(stderr, "augment: cannot allocate %zu records\n", total);
        return CLAE_ERR_NOMEM;
    }
    memcpy(rec, in->records, in->n * R);
    clae_rng rng;
    clae_rng_seed(&rng, seed);
    for (size_t k = 0; k < extra; k++) {
        size_t src = (size_t)clae_rng_below(&rng, in->n);
        clae_recipe_op op = (clae_recipe_op)clae_rng_below(&rng, 3);
        const uint8_t *s = clae_dataset_record(in, src);
        uint8_t *d = rec + (in->n + k) * R;
        d[0] = s[0];
        clae_recipe_apply(d + 1, s + 1, op, in->C, in->H, in->W);
        if (op_counts) op_counts[op]++;
    }
    out->records = rec;
    out->n = total;
    return CLAE_OK;
}
