/* Adam: two steps worked by hand (reference and OpenCL), AdamW and global
 * clipping against PyTorch's definitions, weight decay 0 bit-identical to
 * plain Adam, and OpenCL vs reference on random data over several steps
 * (p, m, v and the clipping scale). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static const clae_adam KERAS = {0.001f, 0.9f, 0.999f, 1e-7f, 0.0f};

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
    /* case 1: other hyper-parameters, weight decay from a third of the
     * block on; case 2: Keras AdamW's default decay over all of it */
    clae_adam h = _i == 1 ? (clae_adam){0.01f, 0.8f, 0.99f, 1e-5f, 0.01f} : KERAS;
    if (_i == 2) h.weight_decay = 0.004f;
    const size_t from = _i == 1 ? n / 3 : 0;
    uint64_t seed = 4000 + n;
    float *p = tu_alloc_rand(n, -1.0f, 1.0f, &seed), *m = tu_alloc0(n), *v = tu_alloc0(n);
    float *pc = tu_alloc0(n), *mc = tu_alloc0(n), *vc = tu_alloc0(n), *g = tu_alloc0(n);
    cl_mem m_p = tu_upload(p, n * 4), m_m = tu_upload(m, n * 4), m_v = tu_upload(v, n * 4), m_g;
    ck_assert_int_eq(clae_buffer(d, n * 4, &m_g), CLAE_OK);
    cl_mem m_lr; /* adam_update_dev's numbers, on the device (steps 3 and 4) */
    ck_assert_int_eq(clae_buffer(d, 12, &m_lr), CLAE_OK);
    for (long t = 1; t <= 4; t++) {
        tu_rand(g, n, -2.0f, 2.0f, &seed);
        if (t == 3) g[0] = 0.0f; /* a zero gradient on a later step */
        ck_assert_int_eq(clae_write(d, m_g, g, n * 4), CLAE_OK);
        float gs = 1.0f;
        if (t <= 2) {
            ck_assert_int_eq(adamw_update_cl(d, m_p, m_m, m_v, m_g, n, from, &h, t), CLAE_OK);
        } else { /* step 4: the gradient clipped to a norm below its own */
            float hp[3] = {clae_adam_lr_t(&h, t), clae_adam_wd_lr(&h), 1.0f};
            ck_assert_int_eq(clae_write(d, m_lr, hp, 12), CLAE_OK);
            if (t == 4) {
                const float c = 0.25f * (float)sqrt((double)n);
                ck_assert_int_eq(grad_clip_cl(d, m_g, n, c, m_lr), CLAE_OK);
                gs = grad_clip_scale_ref(g, n, c);
                ck_assert_float_lt(gs, 0.5f);
                tu_download(m_lr, hp, 12);
                char what[64];
                snprintf(what, sizeof what, "clip scale n=%zu", n);
                ck_assert_close(what, &hp[2], &gs, 1, TOL_ELEM_ABS, TOL_ELEM_REL);
            }
            ck_assert_int_eq(adam_update_dev_cl(d, m_p, m_m, m_v, m_g, n, from, &h, m_lr),
                             CLAE_OK);
        }
        adamw_update_ref(p, m, v, g, n, from, &h, t, gs);
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

/* AdamW (decoupled decay before the step, lr * weight_decay) and global
 * clipping, by PyTorch's definitions (torch.optim.AdamW, clip_grad_norm_),
 * worked in double: p = 1, Keras's hyper-parameters (eps 1e-7, which
 * PyTorch adds before its bias correction and Keras after: 6e-9 apart here,
 * under the tolerance), weight_decay 0.1, g = 0.5 then -0.25:
 *   step 1: p = 1 * (1 - 1e-4) = 0.9999;  m^ = 0.5, v^ = 0.25
 *           p -= 0.001 * 0.5 / (0.5 + 1e-7)             -> 0.9989000002
 *   step 2: p *= (1 - 1e-4); m = 0.02, v = 0.00031225, m^ = m / 0.19,
 *           v^ = v / 0.001999; p -= 0.001 m^ / (sqrt(v^) + 1e-7)
 *                                                        -> 0.9985337732
 * Clipping g = (3, 4), norm 5: to 1, scale 1 / (5 + 1e-6) = 0.19999996;
 * to 10, scale 1 (clamped). */
START_TEST(test_adamw_and_clip_pytorch)
{
    const float want[2] = {0.9989000002f, 0.9985337732f};
    clae_adam h = KERAS;
    h.weight_decay = 0.1f;
    float p = 1.0f, m = 0.0f, v = 0.0f, got[2];
    for (int s = 0; s < 2; s++) {
        adamw_update_ref(&p, &m, &v, &STEP_G[s], 1, 0, &h, s + 1, 1.0f);
        got[s] = p;
    }
    ck_assert_close("adamw ref vs PyTorch AdamW (2 steps)", got, want, 2, TOL_HAND_ABS,
                    TOL_HAND_REL);
    clae_device *d = tu_device();
    float zero = 0.0f, one = 1.0f;
    cl_mem m_p = tu_upload(&one, 4), m_m = tu_upload(&zero, 4), m_v = tu_upload(&zero, 4);
    for (int s = 0; s < 2; s++) {
        cl_mem m_g = tu_upload(&STEP_G[s], 4);
        ck_assert_int_eq(adamw_update_cl(d, m_p, m_m, m_v, m_g, 1, 0, &h, s + 1), CLAE_OK);
        tu_download(m_p, &got[s], 4);
        clReleaseMemObject(m_g);
    }
    ck_assert_close("adamw cl vs PyTorch AdamW (2 steps)", got, want, 2, TOL_HAND_ABS,
                    TOL_HAND_REL);
    /* decay_from past the element: plain Adam */
    p = 1.0f, m = v = 0.0f;
    adamw_update_ref(&p, &m, &v, &STEP_G[0], 1, 1, &h, 1, 1.0f);
    ck_assert_close("adamw ref, element not decayed", &p, &WANT[0][0], 1, TOL_HAND_ABS,
                    TOL_HAND_REL);

    const float g2[2] = {3.0f, 4.0f}, want_s[2] = {0.19999996f, 1.0f};
    float hp[3] = {0, 0, 0}, got_s[2], got_c[2];
    cl_mem m_g2 = tu_upload(g2, 8), m_hp = tu_upload(hp, 12);
    for (int k = 0; k < 2; k++) {
        const float c = k ? 10.0f : 1.0f;
        got_s[k] = grad_clip_scale_ref(g2, 2, c);
        ck_assert_int_eq(grad_clip_cl(d, m_g2, 2, c, m_hp), CLAE_OK);
        tu_download(m_hp, hp, 12);
        got_c[k] = hp[2];
    }
    ck_assert_close("clip scale ref vs PyTorch clip_grad_norm_", got_s, want_s, 2, TOL_HAND_ABS,
                    TOL_HAND_REL);
    ck_assert_close("clip scale cl vs PyTorch clip_grad_norm_", got_c, want_s, 2, TOL_HAND_ABS,
                    TOL_HAND_REL);
    clReleaseMemObject(m_g2), clReleaseMemObject(m_hp);
    clReleaseMemObject(m_p), clReleaseMemObject(m_m), clReleaseMemObject(m_v);
}
END_TEST

/* The Adam update as it was before weight decay and clipping (Keras Adam). */
static void adam_before(float *p, float *m, float *v, const float *g, size_t n,
                        const clae_adam *h, long t)
{
    const float lr_t = clae_adam_lr_t(h, t), b1 = h->beta1, b2 = h->beta2, eps = h->eps;
    for (size_t i = 0; i < n; i++) {
        float gi = g[i];
        float mi = b1 * m[i] + (1.0f - b1) * gi;
        float vi = b2 * v[i] + (1.0f - b2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        p[i] -= lr_t * mi / (sqrtf(vi) + eps);
    }
}

/* weight_decay 0 and no clipping: every path gives plain Adam's bits. On
 * the reference twin against the update as it was; on the device the
 * argument kernel and the device-memory one (scale 1, decay 0) agree. */
START_TEST(test_adamw_zero_is_adam)
{
    enum { N = 4099 };
    uint64_t seed = 77;
    float *p = tu_alloc_rand(N, -1, 1, &seed), *m = tu_alloc0(N), *v = tu_alloc0(N);
    float *p2 = tu_alloc0(N), *m2 = tu_alloc0(N), *v2 = tu_alloc0(N), *g = tu_alloc0(N);
    memcpy(p2, p, N * 4);
    clae_device *d = tu_device();
    cl_mem a[3], b[3], m_g, m_hp;
    for (int k = 0; k < 3; k++) {
        a[k] = tu_upload(k ? m : p, N * 4);
        b[k] = tu_upload(k ? m : p, N * 4);
    }
    ck_assert_int_eq(clae_buffer(d, N * 4, &m_g), CLAE_OK);
    ck_assert_int_eq(clae_buffer(d, 12, &m_hp), CLAE_OK);
    for (long t = 1; t <= 3; t++) {
        tu_rand(g, N, -2, 2, &seed);
        adam_before(p, m, v, g, N, &KERAS, t);
        adamw_update_ref(p2, m2, v2, g, N, 0, &KERAS, t, 1.0f);
        ck_assert_int_eq(clae_write(d, m_g, g, N * 4), CLAE_OK);
        float hp[3] = {clae_adam_lr_t(&KERAS, t), 0.0f, 1.0f};
        ck_assert_int_eq(clae_write(d, m_hp, hp, 12), CLAE_OK);
        ck_assert_int_eq(adam_update_cl(d, a[0], a[1], a[2], m_g, N, &KERAS, t), CLAE_OK);
        ck_assert_int_eq(adam_update_dev_cl(d, b[0], b[1], b[2], m_g, N, 0, &KERAS, m_hp),
                         CLAE_OK);
    }
    ck_assert_mem_eq(p, p2, N * 4);
    ck_assert_mem_eq(m, m2, N * 4);
    ck_assert_mem_eq(v, v2, N * 4);
    for (int k = 0; k < 3; k++) {
        tu_download(a[k], p, N * 4);
        tu_download(b[k], p2, N * 4);
        ck_assert_mem_eq(p, p2, N * 4);
        clReleaseMemObject(a[k]), clReleaseMemObject(b[k]);
    }
    printf("  weight_decay 0: twin bit-identical to plain Adam; both device kernels agree\n");
    clReleaseMemObject(m_g), clReleaseMemObject(m_hp);
    free(p), free(m), free(v), free(p2), free(m2), free(v2), free(g);
}
END_TEST

static Suite *adam_suite(void)
{
    Suite *s = suite_create("adam");
    TCase *tc = tu_tcase("adam", 120, 1); /* all of it under oclgrind */
    tcase_add_test(tc, test_adam_hand);
    tcase_add_test(tc, test_adamw_and_clip_pytorch);
    tcase_add_test(tc, test_adamw_zero_is_adam);
    tcase_add_loop_test(tc, test_adam_cl_vs_ref, 0, 3);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run(adam_suite()); }
