/* Adam: two steps worked by hand (reference and OpenCL), and OpenCL vs
 * reference on random data over several steps (p, m and v). */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static const clae_adam KERAS = {0.001f, 0.9f, 0.999f, 1e-7f};

/* p = 1, m = v = 0, Keras defaults.
 * Step 1, g = 0.5:
 *   m = 0.1 * 0.5 = 0.05;  v = 0.001 * 0.25 = 0.00025;  sqrt(v) = 0.0158113883
 *   lr_t = 0.001 * sqrt(1 - 0.999) / (1 - 0.9) = 0.001 * 0.0316227766 / 0.1 = 0.000316227766
 *   step = lr_t * m / (sqrt(v) + 1e-7) = 0.000316227766 * 0.05 / 0.0158114883
 *        = 0.00099999368 (just under lr: Adam's first step is about lr * sign(g))
 *   p = 1 - 0.00099999368 = 0.99900000632
 * Step 2, g = -0.25:
 *   m = 0.9 * 0.05 + 0.1 * (-0.25) = 0.02;  v = 0.999 * 0.00025 + 0.001 * 0.0625 = 0.00031225
 *   sqrt(v) = 0.0176705970;  lr_t = 0.001 * sqrt(1 - 0.998001) / (1 - 0.81) = 0.000235316725
 *   step = 0.000235316725 * 0.02 / 0.0176706970 = 0.000266335532
 *   p = 0.99900000632 - 0.000266335532 = 0.99873367079 */
static const float STEP_G[2] = {0.5f, -0.25f};
static const float WANT[2][3] = {{0.99900000632f, 0.05f, 0.00025f},
                                 {0.99873367079f, 0.02f, 0.00031225f}};

START_TEST(test_adam_hand)
{
    ck_assert_close("adam lr_t step 1", &(float){clae_adam_lr_t(&KERAS, 1)},
                    &(float){0.000316227766f}, 1, TOL_HAND_ABS, TOL_HAND_REL);
    float p = 1.0f, m = 0.0f, v = 0.0f;
    for (int s = 0; s < 2; s++) {
        adam_update_ref(&p, &m, &v, &STEP_G[s], 1, &KERAS, s + 1);
        float got[3] = {p, m, v};
        char what[64];
        snprintf(what, sizeof what, "adam hand ref step %d (p, m, v)", s + 1);
        ck_assert_close(what, got, WANT[s], 3, TOL_HAND_ABS, TOL_HAND_REL);
    }

    clae_device *d = tu_device();
    float zero = 0.0f, one = 1.0f;
    cl_mem m_p = tu_upload(&one, 4), m_m = tu_upload(&zero, 4), m_v = tu_upload(&zero, 4);
    for (int s = 0; s < 2; s++) {
        cl_mem m_g = tu_upload(&STEP_G[s], 4);
        ck_assert_int_eq(adam_update_cl(d, m_p, m_m, m_v, m_g, 1, &KERAS, s + 1), CLAE_OK);
        float got[3];
        tu_download(m_p, &got[0], 4);
        tu_download(m_m, &got[1], 4);
        tu_download(m_v, &got[2], 4);
        char what[64];
        snprintf(what, sizeof what, "adam hand cl step %d (p, m, v)", s + 1);
        ck_assert_close(what, got, WANT[s], 3, TOL_HAND_ABS, TOL_HAND_REL);
        clReleaseMemObject(m_g);
    }
    clReleaseMemObject(m_p);
    clReleaseMemObject(m_m);
    clReleaseMemObject(m_v);
}
END_TEST

static const size_t SIZES[] = {1, 1000, 65537};

/* Four steps with fresh random gradients; other hyper-parameters than
 * Keras's. Steps 3 and 4 through adam_update_dev (the step size read from
 * the device, as a recorded step takes it). */
START_TEST(test_adam_cl_vs_ref)
{
    clae_device *d = tu_device();
    size_t n = SIZES[_i];
    const clae_adam h = _i == 1 ? (clae_adam){0.01f, 0.8f, 0.99f, 1e-5f} : KERAS;
    uint64_t seed = 4000 + n;
    float *p = tu_alloc_rand(n, -1.0f, 1.0f, &seed), *m = tu_alloc0(n), *v = tu_alloc0(n);
    float *pc = tu_alloc0(n), *mc = tu_alloc0(n), *vc = tu_alloc0(n), *g = tu_alloc0(n);
    cl_mem m_p = tu_upload(p, n * 4), m_m = tu_upload(m, n * 4), m_v = tu_upload(v, n * 4), m_g;
    ck_assert_int_eq(clae_buffer(d, n * 4, &m_g), CLAE_OK);
    cl_mem m_lr; /* adam_update_dev's step size, on the device (steps 3 and 4) */
    ck_assert_int_eq(clae_buffer(d, 4, &m_lr), CLAE_OK);
    for (long t = 1; t <= 4; t++) {
        tu_rand(g, n, -2.0f, 2.0f, &seed);
        if (t == 3) g[0] = 0.0f; /* a zero gradient on a later step */
        ck_assert_int_eq(clae_write(d, m_g, g, n * 4), CLAE_OK);
        if (t <= 2) {
            ck_assert_int_eq(adam_update_cl(d, m_p, m_m, m_v, m_g, n, &h, t), CLAE_OK);
        } else {
            float lr_t = clae_adam_lr_t(&h, t);
            ck_assert_int_eq(clae_write(d, m_lr, &lr_t, 4), CLAE_OK);
            ck_assert_int_eq(adam_update_dev_cl(d, m_p, m_m, m_v, m_g, n, &h, m_lr), CLAE_OK);
        }
        adam_update_ref(p, m, v, g, n, &h, t);
    }
    clReleaseMemObject(m_lr);
    tu_download(m_p, pc, n * 4);
    tu_download(m_m, mc, n * 4);
    tu_download(m_v, vc, n * 4);
    char what[64];
    snprintf(what, sizeof what, "adam p after 4 steps n=%zu", n);
    ck_assert_close(what, pc, p, n, TOL_ELEM_ABS, TOL_ELEM_REL);
    snprintf(what, sizeof what, "adam m after 4 steps n=%zu", n);
    ck_assert_close(what, mc, m, n, TOL_ELEM_ABS, TOL_ELEM_REL);
    snprintf(what, sizeof what, "adam v after 4 steps n=%zu", n);
    ck_assert_close(what, vc, v, n, TOL_ELEM_ABS, TOL_ELEM_REL);
    clReleaseMemObject(m_p);
    clReleaseMemObject(m_m);
    clReleaseMemObject(m_v);
    clReleaseMemObject(m_g);
    free(p), free(m), free(v), free(pc), free(mc), free(vc), free(g);
}
END_TEST

static Suite *adam_suite(void)
{
    Suite *s = suite_create("adam");
    TCase *tc = tu_tcase("adam", 120, 1); /* all of it under oclgrind */
    tcase_add_test(tc, test_adam_hand);
    tcase_add_loop_test(tc, test_adam_cl_vs_ref, 0, 3);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run(adam_suite()); }
