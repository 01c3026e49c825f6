/* Augmentation: flips, 90-degree rotations, the recipe's -30 degree rotation,
 * whole- and half-pixel shifts under every fill mode, zoom, seeded draws, the
 * recipe dataset, and (printed, not asserted) the time to make 15,000 images. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clae/augment.h"
#include "testutil.h"

enum { S = 32, C = 3, N = C * S * S };

static uint8_t pattern(int c, int r, int q)
{
    return (uint8_t)((c * 37 + r * 7 + q * 3 + r * q) & 255);
}

static void fill_pattern(uint8_t *x)
{
    for (int c = 0; c < C; c++)
        for (int r = 0; r < S; r++)
            for (int q = 0; q < S; q++) x[(c * S + r) * S + q] = pattern(c, r, q);
}

START_TEST(test_augment_flips)
{
    static uint8_t in[N], out[N], out2[N];
    fill_pattern(in);
    clae_recipe_apply(out, in, CLAE_RECIPE_FLIPLR, C, S, S);
    for (int c = 0; c < C; c++)
        for (int r = 0; r < S; r++)
            for (int q = 0; q < S; q++)
                ck_assert_uint_eq(out[(c * S + r) * S + q], pattern(c, r, S - 1 - q));
    clae_affine t = clae_affine_identity();
    t.flip_h = 1;
    clae_affine_apply_u8(out2, in, C, S, S, &t, CLAE_FILL_CONSTANT, 0, CLAE_INTERP_BILINEAR);
    ck_assert_mem_eq(out, out2, N);
    clae_recipe_apply(out, in, CLAE_RECIPE_FLIPUD, C, S, S);
    for (int c = 0; c < C; c++)
        for (int r = 0; r < S; r++)
            for (int q = 0; q < S; q++)
                ck_assert_uint_eq(out[(c * S + r) * S + q], pattern(c, S - 1 - r, q));
    t = clae_affine_identity();
    t.flip_v = 1;
    clae_affine_apply_u8(out2, in, C, S, S, &t, CLAE_FILL_NEAREST, 0, CLAE_INTERP_NEAREST);
    ck_assert_mem_eq(out, out2, N);
    printf("flips: fliplr, flipud exact (recipe and affine)\n");
}
END_TEST

/* theta = +90: out[r][q] = in[W-1-q][r] (transpose, then left-right flip: the
 * top-left corner goes to the top-right, clockwise on screen);
 * theta = -90: out[r][q] = in[q][H-1-r]. Exact with nearest (float and bytes)
 * and, on bytes, with bilinear too (weights 0/1 up to 1e-16). */
START_TEST(test_augment_rot90)
{
    static uint8_t in[N], out[N];
    static float fin[N], fout[N];
    fill_pattern(in);
    for (int i = 0; i < N; i++) fin[i] = in[i];
    for (int sgn = -1; sgn <= 1; sgn += 2)
        for (int fill = CLAE_FILL_CONSTANT; fill <= CLAE_FILL_GRID_CONSTANT; fill++) {
            clae_affine t = clae_affine_identity();
            t.theta = 90.0 * sgn;
            clae_affine_apply(fout, fin, C, S, S, &t, (clae_fill)fill, 7, CLAE_INTERP_NEAREST);
            clae_affine_apply_u8(out, in, C, S, S, &t, (clae_fill)fill, 7, CLAE_INTERP_BILINEAR);
            for (int c = 0; c < C; c++)
                for (int r = 0; r < S; r++)
                    for (int q = 0; q < S; q++) {
                        uint8_t want =
                            sgn > 0 ? pattern(c, S - 1 - q, r) : pattern(c, q, S - 1 - r);
                        ck_assert_float_eq(fout[(c * S + r) * S + q], (float)want);
                        ck_assert_uint_eq(out[(c * S + r) * S + q], want);
                    }
        }
    printf("rot90: +-90 degrees == transpose + flip, every fill mode\n");
}
END_TEST

/* A 255 dot at (row 15, col 26), i.e. (dy, dx) = (-0.5, +10.5) from the
 * centre (15.5, 15.5). Rotating by -30 degrees (counter-clockwise on screen)
 * moves it to x = c + cos30 dx + sin30 dy = 24.343,
 *            y = c - sin30 dx + cos30 dy = 9.817 (up and slightly left).
 * Output pixel (10, 24) samples input (c + cos30 (r-c) + sin30 (q-c),
 * c - sin30 (r-c) + cos30 (q-c)) = (14.987, 25.611): bilinear weight of the
 * dot (1 - 0.013)(1 - 0.389) -> 255 * 0.603 = 153.8 -> 154.
 * A centred 2x2 block keeps its centroid at (15.5, 15.5). */
START_TEST(test_augment_rot_m30_dot)
{
    static uint8_t in[N], out[N];
    memset(in, 0, sizeof in);
    for (int c = 0; c < C; c++) in[(c * S + 15) * S + 26] = 255;
    clae_recipe_apply(out, in, CLAE_RECIPE_ROT_M30, C, S, S);
    const double cc = 15.5, c30 = cos(M_PI / 6), s30 = 0.5, dx = 10.5, dy = -0.5;
    const double wx = cc + c30 * dx + s30 * dy, wy = cc - s30 * dx + c30 * dy;
    double sum = 0, my = 0, mx = 0;
    int best = 0;
    for (int i = 0; i < S * S; i++) {
        sum += out[i], my += out[i] * (double)(i / S), mx += out[i] * (double)(i % S);
        if (out[i] > out[best]) best = i;
        for (int c = 1; c < C; c++) ck_assert_uint_eq(out[c * S * S + i], out[i]);
    }
    my /= sum, mx /= sum;
    printf("dot (15,26) rotated -30: formula (%.3f, %.3f), brightest (%d, %d), centroid (%.3f, "
           "%.3f)\n",
           wy, wx, best / S, best % S, my, mx);
    ck_assert_int_eq(best / S, (int)floor(wy + 0.5));
    ck_assert_int_eq(best % S, (int)floor(wx + 0.5));
    ck_assert_msg(fabs(my - wy) < 0.25 && fabs(mx - wx) < 0.25, "centroid off the formula");
    /* the one pixel by hand */
    double ry = cc + c30 * (10 - cc) + s30 * (24 - cc), rx = cc - s30 * (10 - cc) + c30 * (24 - cc);
    double v = 255 * (1 - fabs(ry - 15)) * (1 - fabs(rx - 26));
    printf("pixel (10,24): samples (%.4f, %.4f), want %.3f -> %d, got %d\n", ry, rx, v,
           (int)floor(v + 0.5), out[10 * S + 24]);
    ck_assert_int_eq(out[10 * S + 24], (int)floor(v + 0.5));

    memset(in, 0, sizeof in);
    for (int c = 0; c < C; c++)
        for (int r = 15; r <= 16; r++)
            for (int q = 15; q <= 16; q++) in[(c * S + r) * S + q] = 200;
    clae_recipe_apply(out, in, CLAE_RECIPE_ROT_M30, C, S, S);
    sum = my = mx = 0;
    for (int i = 0; i < S * S; i++)
        sum += out[i], my += out[i] * (double)(i / S), mx += out[i] * (double)(i % S);
    printf("centred 2x2 block rotated -30: centroid (%.4f, %.4f)\n", my / sum, mx / sum);
    ck_assert(fabs(my / sum - 15.5) < 1e-9 && fabs(mx / sum - 15.5) < 1e-9);
}
END_TEST

/* Row [10 20 30 40] (1x4), column shift ty (out[q] = in[q + ty]), cval 99. */
START_TEST(test_augment_shift_fill)
{
    const float row[4] = {10, 20, 30, 40};
    const clae_fill fills[5] = {CLAE_FILL_CONSTANT, CLAE_FILL_NEAREST, CLAE_FILL_REFLECT,
                                CLAE_FILL_WRAP, CLAE_FILL_GRID_CONSTANT};
    const char *names[5] = {"constant", "nearest", "reflect", "wrap", "grid-constant"};
    const float want_m2[5][4] = {{99, 99, 10, 20}, /* ty = -2: content moves right */
                                 {10, 10, 10, 20},
                                 {20, 10, 10, 20},
                                 {30, 40, 10, 20},
                                 {99, 99, 10, 20}};
    const float want_p1[5][4] = {{20, 30, 40, 99}, /* ty = +1: content moves left */
                                 {20, 30, 40, 40},
                                 {20, 30, 40, 40},
                                 {20, 30, 40, 10},
                                 {20, 30, 40, 99}};
    const float want_half[5][4] = {{15, 25, 35, 99}, /* ty = +0.5, bilinear */
                                   {15, 25, 35, 40},
                                   {15, 25, 35, 40},
                                   {15, 25, 35, 25},
                                   {15, 25, 35, 69.5f}};
    for (int f = 0; f < 5; f++)
        for (int it = 0; it < 2; it++) {
            clae_interp ip = it ? CLAE_INTERP_BILINEAR : CLAE_INTERP_NEAREST;
            float out[4];
            char what[80];
            clae_affine t = clae_affine_identity();
            t.ty = -2;
            clae_affine_apply(out, row, 1, 1, 4, &t, fills[f], 99, ip);
            snprintf(what, sizeof what, "shift -2 %s %s", names[f], it ? "bilinear" : "nearest");
            ck_assert_close(what, out, want_m2[f], 4, TOL_HAND_ABS, TOL_HAND_REL);
            t.ty = 1;
            clae_affine_apply(out, row, 1, 1, 4, &t, fills[f], 99, ip);
            snprintf(what, sizeof what, "shift +1 %s %s", names[f], it ? "bilinear" : "nearest");
            ck_assert_close(what, out, want_p1[f], 4, TOL_HAND_ABS, TOL_HAND_REL);
            if (it) {
                t.ty = 0.5;
                clae_affine_apply(out, row, 1, 1, 4, &t, fills[f], 99, ip);
                snprintf(what, sizeof what, "shift +0.5 %s bilinear", names[f]);
                ck_assert_close(what, out, want_half[f], 4, TOL_HAND_ABS, TOL_HAND_REL);
            }
        }
    /* the same along rows: a 4x1 column, tx = -2, reflect */
    float out[4];
    clae_affine t = clae_affine_identity();
    t.tx = -2;
    clae_affine_apply(out, row, 1, 4, 1, &t, CLAE_FILL_REFLECT, 99, CLAE_INTERP_NEAREST);
    ck_assert_close("column shift -2 reflect", out, want_m2[2], 4, TOL_HAND_ABS, TOL_HAND_REL);
}
END_TEST

/* zoom 1 (and the identity) is exact; zoom zy = 2 on a 1x5 row [1..5]:
 * c_in = 2 + 2 (q - 2) = -2, 0, 2, 4, 6 -> nearest fill [1 1 3 5 5]. */
START_TEST(test_augment_zoom)
{
    static uint8_t in[N], out[N];
    static float fin[N], fout[N];
    fill_pattern(in);
    for (int i = 0; i < N; i++) fin[i] = in[i] / 255.0f;
    clae_augment_cfg cfg;
    clae_augment_defaults(&cfg);
    clae_augment_set_zoom(&cfg, 0.0);
    clae_rng rng;
    clae_rng_seed(&rng, 3);
    clae_affine t;
    clae_augment_draw(&t, &cfg, S, S, &rng);
    ck_assert(t.zx == 1 && t.zy == 1 && t.theta == 0 && !t.flip_h);
    for (int it = 0; it < 2; it++) {
        clae_affine_apply(fout, fin, C, S, S, &t, CLAE_FILL_CONSTANT, 0, (clae_interp)it);
        clae_affine_apply_u8(out, in, C, S, S, &t, CLAE_FILL_CONSTANT, 0, (clae_interp)it);
        ck_assert_mem_eq(fout, fin, sizeof fin);
        ck_assert_mem_eq(out, in, sizeof in);
    }
    const float row[5] = {1, 2, 3, 4, 5}, want[5] = {1, 1, 3, 5, 5};
    float o5[5];
    t = clae_affine_identity();
    t.zy = 2;
    clae_affine_apply(o5, row, 1, 1, 5, &t, CLAE_FILL_NEAREST, 0, CLAE_INTERP_BILINEAR);
    ck_assert_close("zoom 2 row", o5, want, 5, TOL_HAND_ABS, TOL_HAND_REL);
    printf("zoom 1: identity exact\n");
}
END_TEST

/* Draw ranges and seeded determinism of the Keras-style generator. */
START_TEST(test_augment_random)
{
    clae_augment_cfg cfg;
    clae_augment_defaults(&cfg);
    cfg.rotation_range = 20, cfg.width_shift_range = 0.1, cfg.height_shift_range = 2;
    cfg.shear_range = 10, cfg.horizontal_flip = cfg.vertical_flip = 1;
    clae_augment_set_zoom(&cfg, 0.2);
    clae_rng rng;
    clae_rng_seed(&rng, 17);
    int flips_h = 0, flips_v = 0;
    double tmin = 1e9, tmax = -1e9;
    for (int i = 0; i < 2000; i++) {
        clae_affine t;
        clae_augment_draw(&t, &cfg, S, S, &rng);
        ck_assert(fabs(t.theta) <= 20 && fabs(t.ty) <= 3.2 && fabs(t.tx) <= 2);
        ck_assert(fabs(t.shear) <= 10 && t.zx >= 0.8 && t.zx <= 1.2 && t.zy >= 0.8 && t.zy <= 1.2);
        tmin = fmin(tmin, t.theta), tmax = fmax(tmax, t.theta);
        flips_h += t.flip_h, flips_v += t.flip_v;
    }
    printf("2000 draws: theta in [%.2f, %.2f], flip_h %d, flip_v %d\n", tmin, tmax, flips_h,
           flips_v);
    ck_assert(tmin < -19 && tmax > 19);
    /* binomial(2000, 1/2): sd 22.4, allow 5 sd */
    ck_assert(abs(flips_h - 1000) < 112 && abs(flips_v - 1000) < 112);

    static uint8_t px[N];
    static float a[N], b[N], d[N];
    fill_pattern(px);
    cfg.rescale = 1.0f / 255;
    cfg.fill_mode = CLAE_FILL_REFLECT;
    clae_rng r1, r2, r3;
    clae_rng_seed(&r1, 5), clae_rng_seed(&r2, 5), clae_rng_seed(&r3, 6);
    for (int k = 0; k < 3; k++) {
        clae_augment_image(a, px, &cfg, &r1);
        clae_augment_image(b, px, &cfg, &r2);
        clae_augment_image(d, px, &cfg, &r3);
        ck_assert_mem_eq(a, b, sizeof a);
        ck_assert(memcmp(a, d, sizeof a) != 0);
        for (int i = 0; i < N; i++) ck_assert(a[i] >= 0.0f && a[i] <= 1.0f);
    }
    printf("seeded: same seed identical, other seed differs; rescaled into [0,1]\n");
}
END_TEST

/* n random records of H x W x C (labels i % 10) */
static clae_dataset make_set_of(size_t n, uint64_t seed, int H, int W, int Cn)
{
    clae_dataset d = {.n = n, .H = H, .W = W, .C = Cn};
    const size_t R = clae_dataset_record_bytes(&d);
    d.records = malloc(n * R);
    ck_assert_ptr_nonnull(d.records);
    clae_rng r;
    clae_rng_seed(&r, seed);
    for (size_t i = 0; i < n * R; i++) d.records[i] = (uint8_t)clae_rng_next(&r);
    for (size_t i = 0; i < n; i++) d.records[i * R] = (uint8_t)(i % 10);
    return d;
}

static clae_dataset make_set(size_t n, uint64_t seed) { return make_set_of(n, seed, S, S, C); }

/* 10 images -> 13: originals first, then 3 made as the seeded draws say. */
START_TEST(test_augment_recipe)
{
    clae_dataset in = make_set(10, 1), out, out2;
    size_t counts[3];
    ck_assert_int_eq(clae_augment_recipe(&out, &in, 0.3, 42, counts), CLAE_OK);
    ck_assert_uint_eq(out.n, 13);
    ck_assert_mem_eq(out.records, in.records, 10 * CLAE_CIFAR_RECORD);
    ck_assert_uint_eq(counts[0] + counts[1] + counts[2], 3);
    clae_rng rng;
    clae_rng_seed(&rng, 42);
    static uint8_t want[N];
    for (size_t k = 0; k < 3; k++) {
        size_t src = (size_t)clae_rng_below(&rng, 10);
        clae_recipe_op op = (clae_recipe_op)clae_rng_below(&rng, 3);
        clae_recipe_apply(want, clae_dataset_pixels(&in, src), op, C, S, S);
        printf("extra %zu: image %zu, op %d, label %d\n", k, src, (int)op,
               clae_dataset_label(&out, 10 + k));
        ck_assert_int_eq(clae_dataset_label(&out, 10 + k), clae_dataset_label(&in, src));
        ck_assert_mem_eq(clae_dataset_pixels(&out, 10 + k), want, N);
    }
    ck_assert_int_eq(clae_augment_recipe(&out2, &in, 0.3, 42, NULL), CLAE_OK);
    ck_assert_mem_eq(out.records, out2.records, 13 * CLAE_CIFAR_RECORD);
    clae_dataset_free(&out2);
    ck_assert_int_eq(clae_augment_recipe(&out2, &in, 0.3, 43, NULL), CLAE_OK);
    ck_assert(memcmp(out.records, out2.records, 13 * CLAE_CIFAR_RECORD) != 0);
    clae_dataset_free(&out2);
    clae_dataset_free(&out);
    ck_assert_int_eq(clae_augment_recipe(&out, &in, -0.1, 42, NULL), CLAE_ERR_ARG);
    ck_assert_ptr_null(out.records);
    clae_dataset_free(&in);

    /* 1000 -> 1300, every op used about a third of the time */
    in = make_set(1000, 2);
    ck_assert_int_eq(clae_augment_recipe(&out, &in, 0.3, 7, counts), CLAE_OK);
    ck_assert_uint_eq(out.n, 1300);
    printf("1000 -> %zu: fliplr %zu, flipud %zu, rot-30 %zu\n", out.n, counts[0], counts[1],
           counts[2]);
    for (int i = 0; i < 3; i++) ck_assert(counts[i] > 60 && counts[i] < 140);
    clae_dataset_free(&out);
    clae_dataset_free(&in);
}
END_TEST

/* The recipe on a non-square image of 2 channels, H 24 x W 40: flips exact;
 * the -30 degree rotation about the centre (11.5, 19.5) moves a dot where
 * the formula says and keeps a centred block's centroid; a dataset of
 * 48x64x2 images keeps its shape and labels through clae_augment_recipe. */
START_TEST(test_augment_nonsquare)
{
    enum { C2 = 2, H = 24, W = 40, N2 = C2 * H * W };
    static uint8_t in[N2], out[N2];
    for (int c = 0; c < C2; c++)
        for (int r = 0; r < H; r++)
            for (int q = 0; q < W; q++) in[(c * H + r) * W + q] = pattern(c, r, q);
    clae_recipe_apply(out, in, CLAE_RECIPE_FLIPLR, C2, H, W);
    for (int c = 0; c < C2; c++)
        for (int r = 0; r < H; r++)
            for (int q = 0; q < W; q++)
                ck_assert_uint_eq(out[(c * H + r) * W + q], pattern(c, r, W - 1 - q));
    clae_recipe_apply(out, in, CLAE_RECIPE_FLIPUD, C2, H, W);
    for (int c = 0; c < C2; c++)
        for (int r = 0; r < H; r++)
            for (int q = 0; q < W; q++)
                ck_assert_uint_eq(out[(c * H + r) * W + q], pattern(c, H - 1 - r, q));

    /* a dot at (11, 30): (dy, dx) = (-0.5, +10.5) from the centre, as in rot_m30_dot */
    memset(in, 0, sizeof in);
    for (int c = 0; c < C2; c++) in[(c * H + 11) * W + 30] = 255;
    clae_recipe_apply(out, in, CLAE_RECIPE_ROT_M30, C2, H, W);
    const double cy = 11.5, cx = 19.5, c30 = cos(M_PI / 6), s30 = 0.5, dx = 10.5, dy = -0.5;
    const double wx = cx + c30 * dx + s30 * dy, wy = cy - s30 * dx + c30 * dy;
    double sum = 0, my = 0, mx = 0;
    int best = 0;
    for (int i = 0; i < H * W; i++) {
        sum += out[i], my += out[i] * (double)(i / W), mx += out[i] * (double)(i % W);
        if (out[i] > out[best]) best = i;
        ck_assert_uint_eq(out[H * W + i], out[i]);
    }
    my /= sum, mx /= sum;
    printf("24x40 dot (11,30) rotated -30: formula (%.3f, %.3f), brightest (%d, %d), centroid "
           "(%.3f, %.3f)\n", wy, wx, best / W, best % W, my, mx);
    ck_assert_int_eq(best / W, (int)floor(wy + 0.5));
    ck_assert_int_eq(best % W, (int)floor(wx + 0.5));
    ck_assert_msg(fabs(my - wy) < 0.25 && fabs(mx - wx) < 0.25, "centroid off the formula");
    memset(in, 0, sizeof in);
    for (int r = 11; r <= 12; r++)
        for (int q = 19; q <= 20; q++) in[r * W + q] = 200;
    clae_recipe_apply(out, in, CLAE_RECIPE_ROT_M30, C2, H, W);
    sum = my = mx = 0;
    for (int i = 0; i < H * W; i++)
        sum += out[i], my += out[i] * (double)(i / W), mx += out[i] * (double)(i % W);
    printf("24x40 centred 2x2 block rotated -30: centroid (%.4f, %.4f)\n", my / sum, mx / sum);
    ck_assert(fabs(my / sum - cy) < 1e-9 && fabs(mx / sum - cx) < 1e-9);

    clae_dataset d = make_set_of(20, 5, 48, 64, 2), aug;
    const size_t R = clae_dataset_record_bytes(&d);
    ck_assert_uint_eq(R, 1 + 2 * 48 * 64);
    ck_assert_int_eq(clae_augment_recipe(&aug, &d, 0.5, 3, NULL), CLAE_OK);
    ck_assert_uint_eq(aug.n, 30);
    ck_assert(aug.H == 48 && aug.W == 64 && aug.C == 2);
    ck_assert_mem_eq(aug.records, d.records, 20 * R);
    static uint8_t want[2 * 48 * 64];
    clae_rng rng;
    clae_rng_seed(&rng, 3);
    for (size_t k = 0; k < 10; k++) {
        size_t src = (size_t)clae_rng_below(&rng, 20);
        clae_recipe_op op = (clae_recipe_op)clae_rng_below(&rng, 3);
        clae_recipe_apply(want, clae_dataset_pixels(&d, src), op, 2, 48, 64);
        ck_assert_int_eq(clae_dataset_label(&aug, 20 + k), clae_dataset_label(&d, src));
        ck_assert_mem_eq(clae_dataset_pixels(&aug, 20 + k), want, 2 * 48 * 64);
    }
    printf("48x64x2 dataset: 20 -> 30 records of %zu bytes, extras as drawn\n", R);
    clae_dataset_free(&aug);
    clae_dataset_free(&d);
}
END_TEST

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Not asserted: the time to make 15,000 recipe images (single thread), and
 * 15,000 Keras-style random transforms. */
START_TEST(test_augment_timing)
{
    clae_dataset in = make_set(5000, 3), out;
    double t0 = now_s();
    ck_assert_int_eq(clae_augment_recipe(&out, &in, 3.0, 1, NULL), CLAE_OK);
    double t1 = now_s();
    ck_assert_uint_eq(out.n, 20000);
    printf("timing: recipe, 15000 augmented images in %.3f s (%.1f us/image)\n", t1 - t0,
           (t1 - t0) / 15000 * 1e6);
    static float f[N];
    clae_augment_cfg cfg;
    clae_augment_defaults(&cfg);
    cfg.rotation_range = 20, cfg.width_shift_range = cfg.height_shift_range = 0.1;
    cfg.shear_range = 10, cfg.horizontal_flip = 1, cfg.rescale = 1.0f / 255;
    clae_augment_set_zoom(&cfg, 0.1);
    clae_rng rng;
    clae_rng_seed(&rng, 9);
    t0 = now_s();
    for (int i = 0; i < 15000; i++)
        clae_augment_image(f, clae_dataset_pixels(&in, i % 5000), &cfg, &rng);
    t1 = now_s();
    printf("timing: keras-style random affine, 15000 images in %.3f s (%.1f us/image)\n", t1 - t0,
           (t1 - t0) / 15000 * 1e6);
    clae_dataset_free(&out);
    clae_dataset_free(&in);
}
END_TEST

static Suite *augment_suite(void)
{
    Suite *s = suite_create("augment");
    TCase *tc = tcase_create("augment");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_augment_flips);
    tcase_add_test(tc, test_augment_rot90);
    tcase_add_test(tc, test_augment_rot_m30_dot);
    tcase_add_test(tc, test_augment_shift_fill);
    tcase_add_test(tc, test_augment_zoom);
    tcase_add_test(tc, test_augment_random);
    tcase_add_test(tc, test_augment_recipe);
    tcase_add_test(tc, test_augment_nonsquare);
    tcase_add_test(tc, test_augment_timing);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run(augment_suite()); }
