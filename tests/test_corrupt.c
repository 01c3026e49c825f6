/* Corruptions: Gaussian noise and salt-and-pepper against statistical bounds
 * computed from the sample size (5 standard errors), masks exactly where the
 * drawn rectangles are, blur against hand values and blur_forward_ref, seeded
 * determinism, and the config / compact-form parser. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clae/corrupt.h"
#include "testutil.h"

enum { N = 4, C = 3, H = 32, W = 32, IMG = C * H * W, ALL = N * IMG };

static float *filled(size_t n, float v)
{
    float *x = tu_alloc0(n);
    for (size_t i = 0; i < n; i++) x[i] = v;
    return x;
}

/* sigma 0.05 on 0.5: never clipped (10 sigma), so y - 0.5 is the noise.
 * mean within 5 sigma/sqrt(n); variance within 5 sigma^2 sqrt(2/(n-1));
 * the fraction within one sigma within 5 sqrt(p(1-p)/n) of 0.6827. */
START_TEST(test_corrupt_noise_stats)
{
    const double sigma = 0.05;
    float *x = filled(ALL, 0.5f);
    clae_rng rng;
    clae_rng_seed(&rng, 1);
    clae_corrupt_noise(x, ALL, sigma, &rng);
    double s = 0, ss = 0;
    size_t in1 = 0;
    for (int i = 0; i < ALL; i++) {
        double e = x[i] - 0.5;
        s += e, ss += e * e;
        in1 += fabs(e) <= sigma;
    }
    const double n = ALL, mean = s / n, var = (ss - n * mean * mean) / (n - 1);
    const double p1 = 0.682689492, frac = in1 / n;
    printf("noise n=%d: mean %.6f (bound %.6f), var %.7f (want %.7f +- %.7f), within 1 sd %.4f "
           "(want %.4f +- %.4f)\n",
           ALL, mean, 5 * sigma / sqrt(n), var, sigma * sigma,
           5 * sigma * sigma * sqrt(2 / (n - 1)), frac, p1, 5 * sqrt(p1 * (1 - p1) / n));
    ck_assert(fabs(mean) <= 5 * sigma / sqrt(n));
    ck_assert(fabs(var - sigma * sigma) <= 5 * sigma * sigma * sqrt(2 / (n - 1)));
    ck_assert(fabs(frac - p1) <= 5 * sqrt(p1 * (1 - p1) / n));
    free(x);
}
END_TEST

/* Clipping: on 0 with sigma 1 half the values clip to exactly 0, the rest lie
 * in (0, 1]; on 1 nothing exceeds 1. sigma 0 changes nothing. */
START_TEST(test_corrupt_noise_clip)
{
    float *x = filled(ALL, 0.0f), *y = filled(ALL, 1.0f);
    clae_rng rng;
    clae_rng_seed(&rng, 2);
    clae_corrupt_noise(x, ALL, 1.0, &rng);
    clae_corrupt_noise(y, ALL, 1.0, &rng);
    size_t zeros = 0, ones = 0;
    for (int i = 0; i < ALL; i++) {
        ck_assert(x[i] >= 0.0f && x[i] <= 1.0f && y[i] >= 0.0f && y[i] <= 1.0f);
        zeros += x[i] == 0.0f, ones += y[i] == 1.0f;
    }
    const double bound = 5 * sqrt(0.25 / ALL);
    printf("noise clip: %.4f of 0s stay 0, %.4f of 1s stay 1 (want 0.5 +- %.4f)\n",
           (double)zeros / ALL, (double)ones / ALL, bound);
    ck_assert(fabs((double)zeros / ALL - 0.5) <= bound && fabs((double)ones / ALL - 0.5) <= bound);
    uint64_t seed = 3;
    float *a = tu_alloc_rand(ALL, 0.0f, 1.0f, &seed), *b = tu_alloc0(ALL);
    memcpy(b, a, ALL * sizeof *a);
    clae_corrupt_noise(b, ALL, 0.0, &rng);
    ck_assert_mem_eq(a, b, ALL * sizeof *a);
    free(x), free(y), free(a), free(b);
}
END_TEST

/* rate 0.2 on 0.5 grey: changed pixels (all channels equal, 0 or 1) are a
 * fraction 0.2 +- 5 sqrt(.2 .8 / pixels); salt is half of them +- 5 sqrt(.25/k);
 * untouched pixels stay 0.5 in every channel. rate 0 / 1: none / all. */
START_TEST(test_corrupt_saltpepper)
{
    const double rate = 0.2;
    const int pixels = N * H * W;
    float *x = filled(ALL, 0.5f);
    clae_rng rng;
    clae_rng_seed(&rng, 4);
    clae_corrupt_saltpepper(x, N, C, H, W, rate, &rng);
    int changed = 0, salt = 0;
    for (int n = 0; n < N; n++)
        for (int i = 0; i < H * W; i++) {
            const float *p = x + n * IMG + i;
            float v = p[0];
            for (int c = 1; c < C; c++) ck_assert(p[c * H * W] == v);
            ck_assert(v == 0.5f || v == 0.0f || v == 1.0f);
            changed += v != 0.5f, salt += v == 1.0f;
        }
    double fc = (double)changed / pixels, fs = (double)salt / changed;
    double bc = 5 * sqrt(rate * (1 - rate) / pixels), bs = 5 * sqrt(0.25 / changed);
    printf("saltpepper rate 0.2 over %d pixels: changed %.4f (+- %.4f), salt share %.4f (+- "
           "%.4f)\n",
           pixels, fc, bc, fs, bs);
    ck_assert(fabs(fc - rate) <= bc && fabs(fs - 0.5) <= bs);
    float *y = filled(ALL, 0.5f);
    clae_corrupt_saltpepper(y, N, C, H, W, 0.0, &rng);
    for (int i = 0; i < ALL; i++) ck_assert(y[i] == 0.5f);
    clae_corrupt_saltpepper(y, N, C, H, W, 1.0, &rng);
    for (int i = 0; i < ALL; i++) ck_assert(y[i] == 0.0f || y[i] == 1.0f);
    free(x), free(y);
}
END_TEST

/* Masked pixels are exactly 0 in every channel, everything else unchanged,
 * the mask is the union of the rectangles the same seed draws, rectangles
 * have sizes in [min, max] and lie inside the image. */
START_TEST(test_corrupt_mask)
{
    const int count = 3, lo = 4, hi = 10;
    uint64_t seed = 5;
    float *x0 = tu_alloc_rand(ALL, 0.1f, 1.0f, &seed), *x = tu_alloc0(ALL);
    memcpy(x, x0, ALL * sizeof *x);
    uint8_t *mask = malloc(N * H * W), *want = calloc(N * H * W, 1);
    clae_rng rng, again;
    clae_rng_seed(&rng, 6), clae_rng_seed(&again, 6);
    clae_corrupt_mask(x, mask, N, C, H, W, count, lo, hi, &rng);
    for (int n = 0; n < N; n++)
        for (int k = 0; k < count; k++) {
            int rc[4];
            clae_mask_rect(rc, H, W, lo, hi, &again);
            ck_assert(rc[2] >= lo && rc[2] <= hi && rc[3] >= lo && rc[3] <= hi);
            ck_assert(rc[0] >= 0 && rc[0] + rc[2] <= H && rc[1] >= 0 && rc[1] + rc[3] <= W);
            if (n == 0)
                printf("image 0 rect %d: row %d col %d, %dx%d\n", k, rc[0], rc[1], rc[2], rc[3]);
            for (int r = rc[0]; r < rc[0] + rc[2]; r++)
                for (int q = rc[1]; q < rc[1] + rc[3]; q++) want[(n * H + r) * W + q] = 1;
        }
    ck_assert_mem_eq(mask, want, N * H * W);
    size_t masked = 0;
    for (int n = 0; n < N; n++)
        for (int c = 0; c < C; c++)
            for (int i = 0; i < H * W; i++) {
                size_t o = (size_t)n * IMG + c * H * W + i;
                if (mask[n * H * W + i])
                    ck_assert(x[o] == 0.0f), masked++;
                else
                    ck_assert(x[o] == x0[o]);
            }
    printf("mask: %zu values zeroed, the rest unchanged\n", masked);
    ck_assert(masked > 0);
    /* rectangles larger than the image are clipped to it: all zero */
    float *s = filled(2 * 5 * 5, 0.7f);
    clae_corrupt_mask(s, NULL, 1, 2, 5, 5, 1, 8, 8, &rng);
    for (int i = 0; i < 50; i++) ck_assert(s[i] == 0.0f);
    free(x0), free(x), free(mask), free(want), free(s);
}
END_TEST

/* ksize 3, sigma 1: k = [e^-.5, 1, e^-.5] / (1 + 2 e^-.5) = [.274069, .451863, .274069].
 * A centred delta in 5x5 becomes k k^T around the centre; a constant stays. */
START_TEST(test_corrupt_blur)
{
    float x[25] = {0}, y[25];
    x[12] = 1.0f;
    const double a = 0.274068619, b = 0.451862762;
    float want[25] = {0};
    const double k[3] = {a, b, a};
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) want[(1 + i) * 5 + 1 + j] = (float)(k[i] * k[j]);
    ck_assert_int_eq(clae_corrupt_blur(y, x, 1, 1, 5, 5, 3, 1.0), CLAE_OK);
    ck_assert_close("blur delta 3x3 sigma 1", y, want, 25, TOL_HAND_ABS, TOL_HAND_REL);
    printf("blur centre %.6f (hand %.6f), edge %.6f (%.6f), corner %.6f (%.6f)\n", y[12], b * b,
           y[7], a * b, y[6], a * a);
    ck_assert_int_eq(clae_corrupt_blur(x, x, 1, 1, 5, 5, 3, 1.0), CLAE_OK); /* in place */
    ck_assert_close("blur delta in place", x, want, 25, TOL_HAND_ABS, TOL_HAND_REL);

    /* the batch path == blur_forward_ref with clae_gaussian_kernel */
    uint64_t seed = 8;
    float *in = tu_alloc_rand(ALL, 0.0f, 1.0f, &seed), *out = tu_alloc0(ALL), *ref = tu_alloc0(ALL);
    float kk[5];
    clae_gaussian_kernel(kk, 5, 1.1);
    blur_forward_ref(ref, in, kk, 5, N, C, H, W);
    clae_corrupt c;
    clae_corrupt_defaults(&c);
    ck_assert_int_eq(clae_corrupt_parse(&c, "blur"), CLAE_OK);
    ck_assert_int_eq(clae_corrupt_apply(out, in, N, C, H, W, &c, NULL), CLAE_OK);
    ck_assert_mem_eq(out, ref, ALL * sizeof *out);
    float *g = filled(ALL, 0.25f);
    ck_assert_int_eq(clae_corrupt_apply(g, g, N, C, H, W, &c, NULL), CLAE_OK);
    float *q = filled(ALL, 0.25f);
    ck_assert_close("blur constant", g, q, ALL, TOL_HAND_ABS, TOL_HAND_REL);
    ck_assert_int_eq(clae_corrupt_blur(out, in, N, C, H, W, 4, 1.0), CLAE_ERR_ARG);
    free(in), free(out), free(ref), free(g), free(q);
}
END_TEST

/* Same seed, same result; another seed, another; none is a copy. */
START_TEST(test_corrupt_determinism)
{
    const char *specs[] = {"noise:0.2", "saltpepper:0.1", "mask:2,3,9", "blur:3,0.8", "none"};
    uint64_t seed = 9;
    float *in = tu_alloc_rand(ALL, 0.0f, 1.0f, &seed);
    float *a = tu_alloc0(ALL), *b = tu_alloc0(ALL), *d = tu_alloc0(ALL);
    for (int s = 0; s < 5; s++) {
        clae_corrupt c;
        clae_corrupt_defaults(&c);
        ck_assert_int_eq(clae_corrupt_parse(&c, specs[s]), CLAE_OK);
        clae_rng r1, r2, r3;
        clae_rng_seed(&r1, 100), clae_rng_seed(&r2, 100), clae_rng_seed(&r3, 101);
        ck_assert_int_eq(clae_corrupt_apply(a, in, N, C, H, W, &c, &r1), CLAE_OK);
        ck_assert_int_eq(clae_corrupt_apply(b, in, N, C, H, W, &c, &r2), CLAE_OK);
        ck_assert_int_eq(clae_corrupt_apply(d, in, N, C, H, W, &c, &r3), CLAE_OK);
        ck_assert_mem_eq(a, b, ALL * sizeof *a);
        int differs = memcmp(a, d, ALL * sizeof *a) != 0, changed = memcmp(a, in, ALL * 4) != 0;
        printf("%-16s same seed identical, other seed %s, input %s\n", specs[s],
               differs ? "differs" : "same", changed ? "changed" : "unchanged");
        int random = c.kind != CLAE_CORRUPT_BLUR && c.kind != CLAE_CORRUPT_NONE;
        ck_assert_int_eq(differs, random);
        ck_assert_int_eq(changed, c.kind != CLAE_CORRUPT_NONE);
        memcpy(b, in, ALL * sizeof *b); /* in place == out of place */
        clae_rng_seed(&r1, 100);
        ck_assert_int_eq(clae_corrupt_apply(b, b, N, C, H, W, &c, &r1), CLAE_OK);
        ck_assert_mem_eq(a, b, ALL * sizeof *a);
    }
    free(in), free(a), free(b), free(d);
}
END_TEST

static int same(const clae_corrupt *a, const clae_corrupt *b)
{
    return a->kind == b->kind && a->blur_size == b->blur_size && a->blur_sigma == b->blur_sigma &&
           a->noise_sigma == b->noise_sigma && a->sp_rate == b->sp_rate &&
           a->mask_count == b->mask_count && a->mask_min == b->mask_min &&
           a->mask_max == b->mask_max;
}

START_TEST(test_corrupt_parse)
{
    clae_corrupt c, d;
    clae_corrupt_defaults(&c);
    ck_assert_int_eq(c.kind, CLAE_CORRUPT_NONE);
    ck_assert_int_eq(clae_corrupt_parse(&c, "blur:7,2.5"), CLAE_OK);
    ck_assert(c.kind == CLAE_CORRUPT_BLUR && c.blur_size == 7 && c.blur_sigma == 2.5);
    ck_assert_int_eq(clae_corrupt_parse(&c, "noise:0.3"), CLAE_OK);
    ck_assert(c.kind == CLAE_CORRUPT_NOISE && c.noise_sigma == 0.3);
    ck_assert_int_eq(clae_corrupt_parse(&c, "saltpepper:0.05"), CLAE_OK);
    ck_assert(c.kind == CLAE_CORRUPT_SALTPEPPER && c.sp_rate == 0.05);
    ck_assert_int_eq(clae_corrupt_parse(&c, "mask:2,4,12"), CLAE_OK);
    ck_assert(c.kind == CLAE_CORRUPT_MASK && c.mask_count == 2 && c.mask_min == 4 &&
              c.mask_max == 12);
    ck_assert_int_eq(clae_corrupt_parse(&c, "mask:5"), CLAE_OK); /* others kept */
    ck_assert(c.mask_count == 5 && c.mask_min == 4 && c.mask_max == 12);
    ck_assert_int_eq(clae_corrupt_parse(&c, "none"), CLAE_OK);
    ck_assert_int_eq(c.kind, CLAE_CORRUPT_NONE);
    ck_assert_str_eq(clae_corrupt_name(CLAE_CORRUPT_SALTPEPPER), "saltpepper");
    ck_assert_int_eq(clae_corrupt_set(&c, "corrupt", "noise"), CLAE_OK);
    ck_assert_int_eq(clae_corrupt_set(&c, "noise_sigma", "0.125"), CLAE_OK);
    ck_assert(c.kind == CLAE_CORRUPT_NOISE && c.noise_sigma == 0.125);
    const char *bad[] = {"fog",         "blur:4,1",  "blur:5,0",  "blur:5,1,2",
                         "noise:-1",    "noise:abc", "noise:",    "saltpepper:1.5",
                         "mask:1,10,5", "mask:-1",   "noise:nan", "blur:3.5"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        d = c;
        ck_assert_msg(clae_corrupt_parse(&c, bad[i]) == CLAE_ERR_ARG, "'%s' accepted", bad[i]);
        ck_assert_msg(same(&c, &d), "'%s' changed the config", bad[i]);
    }
    ck_assert_int_eq(clae_corrupt_set(&c, "blur_size", "6"), CLAE_ERR_ARG);
    ck_assert_int_eq(clae_corrupt_set(&c, "sp_rate", "2"), CLAE_ERR_ARG);
    ck_assert_int_eq(clae_corrupt_set(&c, "mask_max", "0"), CLAE_ERR_ARG);
    ck_assert_int_eq(clae_corrupt_set(&c, "fog_level", "1"), CLAE_ERR_ARG);
    ck_assert(same(&c, &d));
}
END_TEST

static Suite *corrupt_suite(void)
{
    Suite *s = suite_create("corrupt");
    TCase *tc = tcase_create("corrupt");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_corrupt_noise_stats);
    tcase_add_test(tc, test_corrupt_noise_clip);
    tcase_add_test(tc, test_corrupt_saltpepper);
    tcase_add_test(tc, test_corrupt_mask);
    tcase_add_test(tc, test_corrupt_blur);
    tcase_add_test(tc, test_corrupt_determinism);
    tcase_add_test(tc, test_corrupt_parse);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run(corrupt_suite()); }
