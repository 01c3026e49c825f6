/* Dropout: OpenCL vs reference bit for bit (the masks are hashed the same
 * way everywhere), the fraction dropped, the scale, a different mask per
 * step and layer and the same one again for the same keys, and the
 * backward pass as the forward's adjoint. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clae/net.h"
#include "testutil.h"

static const float RATES[] = {0.1f, 0.5f, 0.9f};

START_TEST(test_dropout_cl_vs_ref)
{
    float rate = RATES[_i];
    size_t n = 100003;
    uint64_t seed = 5;
    clae_dropout p = clae_dropout_params(rate, 42, 3, 17);
    float *x = tu_alloc_rand(n, 0.5f, 1.5f, &seed), *g = tu_alloc_rand(n, -1.0f, 1.0f, &seed);
    float *yr = tu_alloc0(n), *dr = tu_alloc0(n), *yc = tu_alloc0(n), *dc = tu_alloc0(n);
    dropout_forward_ref(yr, x, n, &p);
    dropout_backward_ref(dr, g, n, &p);
    clae_device *d = tu_device();
    cl_mem mx = tu_upload(x, n * 4), mg = tu_upload(g, n * 4), my, md;
    ck_assert_int_eq(clae_buffer(d, n * 4, &my), CLAE_OK);
    ck_assert_int_eq(clae_buffer(d, n * 4, &md), CLAE_OK);
    ck_assert_int_eq(dropout_forward_cl(d, my, mx, n, &p), CLAE_OK);
    ck_assert_int_eq(dropout_backward_cl(d, md, mg, n, &p), CLAE_OK);
    tu_download(my, yc, n * 4);
    tu_download(md, dc, n * 4);
    char what[64];
    snprintf(what, sizeof what, "dropout %.1f forward", (double)rate);
    ck_assert_close(what, yc, yr, n, TOL_EXACT_ABS, TOL_EXACT_REL);
    snprintf(what, sizeof what, "dropout %.1f backward", (double)rate);
    ck_assert_close(what, dc, dr, n, TOL_EXACT_ABS, TOL_EXACT_REL);
    /* the fraction dropped is the rate (5 standard deviations), kept values scaled */
    size_t dropped = 0;
    for (size_t i = 0; i < n; i++) {
        if (yr[i] == 0.0f) dropped++;
        else ck_assert(yr[i] == x[i] * (1.0f / (1.0f - rate)));
        ck_assert((yr[i] == 0.0f) == (dr[i] == 0.0f || g[i] == 0.0f)); /* the same mask */
    }
    double frac = (double)dropped / (double)n, sd = sqrt(rate * (1.0 - rate) / (double)n);
    printf("  dropout %.1f: %.4f dropped (%.1f standard deviations off)\n", (double)rate, frac,
           fabs(frac - rate) / sd);
    ck_assert(fabs(frac - rate) < 5 * sd);
    clReleaseMemObject(mx), clReleaseMemObject(mg), clReleaseMemObject(my), clReleaseMemObject(md);
    free(x), free(g), free(yr), free(dr), free(yc), free(dc);
}
END_TEST

/* Masks: a function of (seed, layer, step) only. */
START_TEST(test_dropout_masks)
{
    clae_dropout a = clae_dropout_params(0.5f, 42, 3, 17), b = clae_dropout_params(0.5f, 42, 3, 17);
    clae_dropout s = clae_dropout_params(0.5f, 42, 3, 18), l = clae_dropout_params(0.5f, 42, 4, 17);
    clae_dropout e = clae_dropout_params(0.5f, 43, 3, 17);
    int same = 0, step = 0, layer = 0, seed = 0;
    for (uint32_t i = 0; i < 4096; i++) {
        same += clae_dropout_keep(i, &a) == clae_dropout_keep(i, &b);
        step += clae_dropout_keep(i, &a) == clae_dropout_keep(i, &s);
        layer += clae_dropout_keep(i, &a) == clae_dropout_keep(i, &l);
        seed += clae_dropout_keep(i, &a) == clae_dropout_keep(i, &e);
    }
    printf("  masks agree on 4096 values: same keys %d, next step %d, next layer %d, other seed "
           "%d\n", same, step, layer, seed);
    ck_assert_int_eq(same, 4096);
    ck_assert(step < 2300 && layer < 2300 && seed < 2300); /* about half by chance */
}
END_TEST

/* <dropout(x), y> = <x, dropout_backward(y)>: the backward is the adjoint. */
START_TEST(test_dropout_adjoint)
{
    size_t n = 4097;
    uint64_t seed = 9;
    clae_dropout p = clae_dropout_params(0.3f, 1, 0, 5);
    float *x = tu_alloc_rand(n, -1.0f, 1.0f, &seed), *y = tu_alloc_rand(n, -1.0f, 1.0f, &seed);
    float *fx = tu_alloc0(n), *by = tu_alloc0(n);
    dropout_forward_ref(fx, x, n, &p);
    dropout_backward_ref(by, y, n, &p);
    double a = 0, b = 0;
    for (size_t i = 0; i < n; i++) a += (double)fx[i] * y[i], b += (double)x[i] * by[i];
    float fa = (float)a, fb = (float)b;
    ck_assert_close("dropout backward is the forward's adjoint", &fb, &fa, 1, TOL_SUM_ABS,
                    TOL_SUM_REL);
    free(x), free(y), free(fx), free(by);
}
END_TEST

/* In a net: a training step's forward drops, inference does not. */
START_TEST(test_dropout_in_net)
{
    clae_device ref;
    ck_assert_int_eq(clae_device_open(&ref, "ref"), CLAE_OK);
    clae_model m;
    ck_assert_int_eq(clae_model_load("tests/models/dropout.cfg", &m), CLAE_OK);
    clae_rng r;
    clae_rng_seed(&r, 3);
    ck_assert_int_eq(clae_model_init(&m, &r), CLAE_OK);
    clae_net n;
    ck_assert_int_eq(clae_net_create(&n, &m, &ref, 2), CLAE_OK);
    size_t cnt = 2 * clae_model_in_count(&m);
    uint64_t seed = 4;
    float *x = tu_alloc_rand(cnt, 0.0f, 1.0f, &seed), *a = tu_alloc0(cnt), *b = tu_alloc0(cnt);
    ck_assert_int_eq(clae_net_infer(&n, x, a, 2), CLAE_OK);
    n.training = 1;
    ck_assert_int_eq(clae_net_infer(&n, x, b, 2), CLAE_OK);
    n.training = 0;
    size_t differ = 0;
    for (size_t i = 0; i < cnt; i++) differ += a[i] != b[i];
    printf("  dropout in a net: %zu of %zu outputs differ between training and inference\n",
           differ, cnt);
    ck_assert(differ > cnt / 2);
    ck_assert_int_eq(clae_net_infer(&n, x, b, 2), CLAE_OK); /* inference again: the same */
    ck_assert_close("dropout: inference is deterministic", b, a, cnt, TOL_EXACT_ABS,
                    TOL_EXACT_REL);
    clae_net_free(&n);
    clae_model_free(&m);
    free(x), free(a), free(b);
}
END_TEST

static Suite *dropout_suite(void)
{
    Suite *s = suite_create("dropout");
    TCase *tc = tu_tcase("dropout", 120, 1); /* all of it under oclgrind */
    tcase_add_loop_test(tc, test_dropout_cl_vs_ref, 0, 3);
    tcase_add_test(tc, test_dropout_masks);
    tcase_add_test(tc, test_dropout_adjoint);
    tcase_add_test(tc, test_dropout_in_net);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run(dropout_suite()); }
