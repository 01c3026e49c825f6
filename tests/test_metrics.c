/* Metrics: hand-worked MSE / PSNR / SSIM / channel-argmax accuracy, SSIM
 * against a direct (non-separable) evaluation of Wang et al.'s formula, and
 * the batch accumulator against single calls. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "clae/metrics.h"
#include "testutil.h"

/* Scalar comparison printed like tu_close. */
static int close_d(const char *what, double got, double want, double abs_tol, double rel_tol)
{
    double err = fabs(got - want), tol = abs_tol + rel_tol * fmax(fabs(got), fabs(want));
    int ok = err <= tol;
    printf("%s: got %.10g want %.10g, abs err %.3g (tol %.3g) %s\n", what, got, want, err, tol,
           ok ? "ok" : "FAIL");
    return ok;
}
#define ck_close_d(what, got, want, a, r)                                                          \
    ck_assert_msg(close_d((what), (got), (want), (a), (r)), "%s differs", (what))

enum { C3 = 3, S = 32, IMG = C3 * S * S };

START_TEST(test_metrics_identical)
{
    uint64_t seed = 11;
    float *x = tu_alloc_rand(2 * IMG, 0.0f, 1.0f, &seed);
    clae_metrics acc;
    ck_assert_int_eq(clae_metrics_init(&acc, C3, S, S), CLAE_OK);
    clae_metrics_add(&acc, x, x, 2);
    clae_metrics_summary r = clae_metrics_result(&acc);
    ck_assert_uint_eq(r.images, 2);
    ck_close_d("identical mse", r.mse, 0.0, TOL_HAND_ABS, TOL_HAND_REL);
    ck_close_d("identical psnr (capped)", r.psnr, CLAE_PSNR_CAP_DB, TOL_HAND_ABS, TOL_HAND_REL);
    ck_close_d("identical psnr_global (capped)", r.psnr_global, CLAE_PSNR_CAP_DB, TOL_HAND_ABS,
               TOL_HAND_REL);
    ck_assert_uint_eq(r.psnr_capped, 2);
    ck_close_d("identical ssim", r.ssim, 1.0, TOL_HAND_ABS, TOL_HAND_REL);
    ck_close_d("identical accuracy", r.accuracy, 1.0, TOL_HAND_ABS, TOL_HAND_REL);
    ck_assert(isfinite(clae_psnr_from_mse(0.0)));
    free(x);
}
END_TEST

/* Two images, offsets 1/8 and 1/4 (exact in float): mse_i = 1/64, 1/16.
 * per-image PSNR: 10 log10 64 = 18.0618, 10 log10 16 = 12.0412, mean 15.0515;
 * whole-set mse = 5/128, PSNR 10 log10 25.6 = 14.0824. */
START_TEST(test_metrics_psnr_offset)
{
    float *x = tu_alloc0(2 * IMG), *y = tu_alloc0(2 * IMG);
    for (int i = 0; i < 2 * IMG; i++) {
        x[i] = (float)((i * 37) % 128) / 256.0f; /* multiples of 1/256 in [0, 0.5) */
        y[i] = x[i] + (i < IMG ? 0.125f : 0.25f);
    }
    ck_close_d("mse offset 1/8", clae_mse(x, y, IMG), 1.0 / 64, TOL_HAND_ABS, TOL_HAND_REL);
    ck_close_d("psnr offset 1/8", clae_psnr_from_mse(clae_mse(x, y, IMG)), 10 * log10(64.0),
               TOL_HAND_ABS, TOL_HAND_REL);
    ck_close_d("psnr offset 1/8 (18.0618 dB)", clae_psnr_from_mse(1.0 / 64), 18.0617997398,
               TOL_HAND_ABS, TOL_HAND_REL);
    clae_metrics acc;
    ck_assert_int_eq(clae_metrics_init(&acc, C3, S, S), CLAE_OK);
    clae_metrics_add(&acc, y, x, 1);
    clae_metrics_add(&acc, y + IMG, x + IMG, 1);
    clae_metrics_summary r = clae_metrics_result(&acc);
    ck_close_d("set mse", r.mse, 5.0 / 128, TOL_HAND_ABS, TOL_HAND_REL);
    ck_close_d("per-image psnr mean", r.psnr, 15.0514997832, TOL_HAND_ABS, TOL_HAND_REL);
    ck_close_d("whole-set psnr", r.psnr_global, 14.0823996531, TOL_HAND_ABS, TOL_HAND_REL);
    ck_assert_uint_eq(r.psnr_capped, 0);
    free(x), free(y);
}
END_TEST

/* y = x + d with x a linear ramp per channel: every local variance and
 * covariance are equal (cs = 1) and the Gaussian-weighted local mean of a
 * linear function is its value at the window centre m, so at each valid
 * position SSIM = (2 m (m+d) + C1) / (m^2 + (m+d)^2 + C1). All values are
 * multiples of 1/1024 (exact). Also the constant image: one value. */
START_TEST(test_metrics_ssim_shift)
{
    const double C1 = 1e-4, d = 0.125;
    float *x = tu_alloc0(IMG), *y = tu_alloc0(IMG);
    double want = 0.0;
    for (int c = 0; c < C3; c++)
        for (int h = 0; h < S; h++)
            for (int w = 0; w < S; w++) {
                int v = 100 + 150 * c + 8 * h + 4 * w * (c == 1 ? -1 : 1) + (c == 1 ? 124 : 0);
                x[(c * S + h) * S + w] = (float)v / 1024.0f;
                y[(c * S + h) * S + w] = (float)v / 1024.0f + 0.125f;
            }
    for (int c = 0; c < C3; c++)
        for (int p = 0; p < S - 10; p++)
            for (int q = 0; q < S - 10; q++) {
                double m = x[(c * S + p + 5) * S + q + 5];
                want += (2 * m * (m + d) + C1) / (m * m + (m + d) * (m + d) + C1);
            }
    want /= C3 * 22.0 * 22.0;
    ck_close_d("ssim ramp vs ramp + 1/8", clae_ssim_image(x, y, C3, S, S), want, TOL_HAND_ABS,
               TOL_HAND_REL);
    for (int i = 0; i < IMG; i++) x[i] = 0.25f, y[i] = 0.5f;
    /* (2*.25*.5 + 1e-4) / (.0625 + .25 + 1e-4) = 0.2501 / 0.3126 */
    ck_close_d("ssim constant 0.25 vs 0.5", clae_ssim_image(x, y, C3, S, S), 0.2501 / 0.3126,
               TOL_HAND_ABS, TOL_HAND_REL);
    ck_close_d("ssim constant 0.25 vs 0.5 (0.800064)", 0.2501 / 0.3126, 0.8000639795, TOL_HAND_ABS,
               TOL_HAND_REL);
    free(x), free(y);
}
END_TEST

/* Direct evaluation: 2-D window w(r,s) = g(r) g(s), Wang's formula with
 * centred (population) moments, per position, per channel. */
static double ssim_direct(const float *x, const float *y, int C, int H, int W)
{
    double g[11], sum = 0;
    for (int i = 0; i < 11; i++) sum += g[i] = exp(-(i - 5.0) * (i - 5.0) / (2 * 1.5 * 1.5));
    for (int i = 0; i < 11; i++) g[i] /= sum;
    const double C1 = 0.01 * 0.01, C2 = 0.03 * 0.03;
    double total = 0;
    for (int c = 0; c < C; c++)
        for (int p = 0; p + 11 <= H; p++)
            for (int q = 0; q + 11 <= W; q++) {
                double mx = 0, my = 0, vx = 0, vy = 0, cxy = 0;
                for (int r = 0; r < 11; r++)
                    for (int s = 0; s < 11; s++) {
                        size_t o = ((size_t)c * H + p + r) * W + q + s;
                        mx += g[r] * g[s] * x[o], my += g[r] * g[s] * y[o];
                    }
                for (int r = 0; r < 11; r++)
                    for (int s = 0; s < 11; s++) {
                        size_t o = ((size_t)c * H + p + r) * W + q + s;
                        double a = x[o] - mx, b = y[o] - my;
                        vx += g[r] * g[s] * a * a, vy += g[r] * g[s] * b * b;
                        cxy += g[r] * g[s] * a * b;
                    }
                total += (2 * mx * my + C1) * (2 * cxy + C2) /
                         ((mx * mx + my * my + C1) * (vx + vy + C2));
            }
    return total / (C * (H - 10.0) * (W - 10.0));
}

/* Noise: SSIM < 1, symmetric, equal to the direct formula; more noise,
 * lower SSIM. Odd sizes. */
START_TEST(test_metrics_ssim_noise)
{
    const int C = 2, H = 13, W = 17, n = C * H * W;
    uint64_t seed = 5;
    float *x = tu_alloc_rand(n, 0.0f, 1.0f, &seed), *y = tu_alloc0(n), *z = tu_alloc0(n);
    float *e = tu_alloc_rand(n, -0.1f, 0.1f, &seed);
    for (int i = 0; i < n; i++) y[i] = x[i] + e[i], z[i] = x[i] + 3 * e[i];
    double xy = clae_ssim_image(x, y, C, H, W), yx = clae_ssim_image(y, x, C, H, W);
    double xz = clae_ssim_image(x, z, C, H, W);
    printf("ssim noise 0.1: %.6f, noise 0.3: %.6f\n", xy, xz);
    ck_close_d("ssim symmetric", xy, yx, TOL_HAND_ABS, TOL_HAND_REL);
    ck_close_d("ssim vs direct formula", xy, ssim_direct(x, y, C, H, W), TOL_HAND_ABS,
               TOL_HAND_REL);
    ck_close_d("ssim vs direct formula (more noise)", xz, ssim_direct(x, z, C, H, W), TOL_HAND_ABS,
               TOL_HAND_REL);
    ck_assert(xy < 1.0 && xy > 0.0);
    ck_assert(xz < xy);
    ck_assert(isnan(clae_ssim_image(x, y, C, 10, 30)));
    free(x), free(y), free(z), free(e);
}
END_TEST

/* Channel argmax, ties -> first channel. Image 0 pixels (R,G,B):
 *   out    (.9,.1,.1)->0  (.2,.2,.1)->0 tie  (.1,.5,.5)->1 tie  (.3,.3,.3)->0 tie
 *   target (.5,.6,.1)->1  (.4,.4,.4)->0 tie  (.1,.7,.2)->1      (.1,.1,.9)->2
 *   equal:  no             yes                yes                no       -> 2 of 4
 * Image 1: out == target -> 4 of 4. Total 6 of 8. */
START_TEST(test_metrics_accuracy_hand)
{
    const float out0[12] = {.9f, .2f, .1f, .3f, .1f, .2f, .5f, .3f, .1f, .1f, .5f, .3f};
    const float tgt0[12] = {.5f, .4f, .1f, .1f, .6f, .4f, .7f, .1f, .1f, .4f, .2f, .9f};
    float out[24], tgt[24];
    for (int i = 0; i < 12; i++) out[i] = out0[i], tgt[i] = tgt0[i];
    for (int i = 0; i < 12; i++) out[12 + i] = tgt[12 + i] = tgt0[i];
    ck_assert_uint_eq(clae_argmax_equal(out0, tgt0, 1, 3, 1, 4), 2);
    ck_assert_uint_eq(clae_argmax_equal(out0, tgt0, 1, 3, 2, 2), 2); /* same pixels as 2x2 */
    ck_assert_uint_eq(clae_argmax_equal(out, tgt, 2, 3, 1, 4), 6);
    printf("accuracy hand: 6 of 8 pixels\n");
}
END_TEST

/* Batches added in pieces == one call == the single-image functions. */
START_TEST(test_metrics_accumulator)
{
    enum { N = 5 };
    uint64_t seed = 99;
    float *t = tu_alloc_rand(N * IMG, 0.0f, 1.0f, &seed);
    float *o = tu_alloc_rand(N * IMG, -0.2f, 0.2f, &seed);
    for (int i = 0; i < N * IMG; i++) o[i] += t[i];
    clae_metrics a, b;
    ck_assert_int_eq(clae_metrics_init(&a, C3, S, S), CLAE_OK);
    ck_assert_int_eq(clae_metrics_init(&b, C3, S, S), CLAE_OK);
    clae_metrics_add(&a, o, t, 2);
    clae_metrics_add(&a, o + 2 * IMG, t + 2 * IMG, 0);
    clae_metrics_add(&a, o + 2 * IMG, t + 2 * IMG, 3);
    clae_metrics_add(&b, o, t, N);
    clae_metrics_summary ra = clae_metrics_result(&a), rb = clae_metrics_result(&b);
    double psnr = 0, ssim = 0;
    for (int i = 0; i < N; i++) {
        psnr += clae_psnr_from_mse(clae_mse(o + i * IMG, t + i * IMG, IMG)) / N;
        ssim += clae_ssim_image(o + i * IMG, t + i * IMG, C3, S, S) / N;
    }
    double mse = clae_mse(o, t, (size_t)N * IMG);
    double accu = (double)clae_argmax_equal(o, t, N, C3, S, S) / (N * S * S);
    ck_assert_uint_eq(ra.images, N);
    ck_close_d("acc mse (batches)", ra.mse, mse, TOL_HAND_ABS, TOL_HAND_REL);
    ck_close_d("acc mse (one call)", rb.mse, mse, TOL_HAND_ABS, TOL_HAND_REL);
    ck_close_d("acc psnr", ra.psnr, psnr, TOL_HAND_ABS, TOL_HAND_REL);
    ck_close_d("acc psnr_global", ra.psnr_global, 10 * log10(1 / mse), TOL_HAND_ABS, TOL_HAND_REL);
    ck_close_d("acc ssim", ra.ssim, ssim, TOL_HAND_ABS, TOL_HAND_REL);
    ck_close_d("acc ssim (one call)", rb.ssim, ssim, TOL_HAND_ABS, TOL_HAND_REL);
    ck_close_d("acc accuracy", ra.accuracy, accu, TOL_HAND_ABS, TOL_HAND_REL);
    ck_assert(ra.psnr > ra.psnr_global); /* Jensen */
    ck_assert(ra.accuracy > 0.3 && ra.accuracy < 1.0);
    printf("noisy set: mse %.6f psnr %.4f (global %.4f) ssim %.4f accuracy %.4f\n", ra.mse, ra.psnr,
           ra.psnr_global, ra.ssim, ra.accuracy);
    clae_metrics e;
    ck_assert_int_eq(clae_metrics_init(&e, C3, S, S), CLAE_OK);
    clae_metrics_summary re = clae_metrics_result(&e);
    ck_assert_uint_eq(re.images, 0);
    ck_assert_int_eq(clae_metrics_init(&e, 3, 8, 32), CLAE_ERR_SHAPE);
    free(t), free(o);
}
END_TEST

/* ROC-AUC by hand: positives score 0.35 and 0.8, negatives 0.1 and 0.4:
 * of the four (positive, negative) pairs, three rank the positive higher:
 * 0.75. Ties count a half; no positive (or no negative): NAN. */
START_TEST(test_metrics_roc_auc_hand)
{
    const double s[4] = {0.1, 0.4, 0.35, 0.8};
    const uint8_t pos[4] = {0, 0, 1, 1};
    ck_assert_double_eq_tol(clae_roc_auc(s, pos, 4), 0.75, 1e-12);
    const uint8_t flip[4] = {1, 1, 0, 0};
    ck_assert_double_eq_tol(clae_roc_auc(s, flip, 4), 0.25, 1e-12);
    const double tie[4] = {1, 1, 2, 0}; /* pos 1 (tie with a negative: 1/2), 2: above both */
    const uint8_t tp[4] = {1, 0, 1, 0};
    ck_assert_double_eq_tol(clae_roc_auc(tie, tp, 4), (0.5 + 1 + 1 + 1) / 4.0, 1e-12);
    const uint8_t none[4] = {0, 0, 0, 0};
    ck_assert(isnan(clae_roc_auc(s, none, 4)));
    /* 1,000 scores: positives shifted up by a known amount, AUC from the pairs directly */
    enum { N = 1000 };
    double *x = malloc(N * sizeof *x);
    uint8_t *p = malloc(N);
    uint64_t seed = 5;
    float u[N];
    tu_rand(u, N, 0, 1, &seed);
    for (int i = 0; i < N; i++) p[i] = i % 3 == 0, x[i] = u[i] + (p[i] ? 0.3 : 0.0);
    double above = 0, pairs = 0;
    for (int i = 0; i < N; i++)
        for (int j = 0; p[i] && j < N; j++)
            if (!p[j]) above += x[i] > x[j] ? 1 : x[i] == x[j] ? 0.5 : 0, pairs++;
    ck_assert_double_eq_tol(clae_roc_auc(x, p, N), above / pairs, 1e-12);
    free(x), free(p);
}
END_TEST

static Suite *metrics_suite(void)
{
    Suite *s = suite_create("metrics");
    TCase *tc = tcase_create("metrics");
    tcase_add_test(tc, test_metrics_identical);
    tcase_add_test(tc, test_metrics_psnr_offset);
    tcase_add_test(tc, test_metrics_ssim_shift);
    tcase_add_test(tc, test_metrics_ssim_noise);
    tcase_add_test(tc, test_metrics_accuracy_hand);
    tcase_add_test(tc, test_metrics_accumulator);
    tcase_add_test(tc, test_metrics_roc_auc_hand);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run(metrics_suite()); }
