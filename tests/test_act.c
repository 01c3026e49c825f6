/* Activations: OpenCL vs reference (forward, backward), reference backward
 * vs central finite differences, hand-worked values. */
#include <math.h>
#include <stdlib.h>

#include "testutil.h"

static const clae_act ACTS[] = {CLAE_ACT_RELU, CLAE_ACT_SIGMOID, CLAE_ACT_TANH, CLAE_ACT_NONE,
                                CLAE_ACT_LEAKY_RELU};
static const char *ACT_NAMES[] = {"relu", "sigmoid", "tanh", "none", "leaky_relu"};
#define NACTS 5
static const float ALPHA = 0.3f; /* Keras LeakyReLU's default */
static const size_t SIZES[] = {1, 7, 1000, 65537};

START_TEST(test_act_cl_vs_ref)
{
    clae_device *d = tu_device();
    clae_act a = ACTS[_i];
    for (size_t si = 0; si < sizeof SIZES / sizeof SIZES[0]; si++) {
        size_t n = SIZES[si];
        uint64_t seed = 1000 + n;
        float *in = tu_alloc_rand(n, -4.0f, 4.0f, &seed);
        float *dout = tu_alloc_rand(n, -1.0f, 1.0f, &seed);
        float *out_ref = tu_alloc0(n), *din_ref = tu_alloc0(n);
        float *out_cl = tu_alloc0(n), *din_cl = tu_alloc0(n);
        act_forward_ref(out_ref, in, n, a, ALPHA);
        act_backward_ref(din_ref, dout, out_ref, n, a, ALPHA);

        cl_mem m_in = tu_upload(in, n * 4), m_dout = tu_upload(dout, n * 4);
        cl_mem m_out = tu_upload(out_cl, n * 4), m_din = tu_upload(din_cl, n * 4);
        ck_assert_int_eq(act_forward_cl(d, m_out, m_in, n, a, ALPHA), CLAE_OK);
        ck_assert_int_eq(act_backward_cl(d, m_din, m_dout, m_out, n, a, ALPHA), CLAE_OK);
        tu_download(m_out, out_cl, n * 4);
        tu_download(m_din, din_cl, n * 4);
        char what[64];
        snprintf(what, sizeof what, "act %s forward n=%zu", ACT_NAMES[_i], n);
        ck_assert_close(what, out_cl, out_ref, n, TOL_ELEM_ABS, TOL_ELEM_REL);
        snprintf(what, sizeof what, "act %s backward n=%zu", ACT_NAMES[_i], n);
        ck_assert_close(what, din_cl, din_ref, n, TOL_ELEM_ABS, TOL_ELEM_REL);
        clReleaseMemObject(m_in);
        clReleaseMemObject(m_dout);
        clReleaseMemObject(m_out);
        clReleaseMemObject(m_din);
        free(in), free(dout), free(out_ref), free(din_ref), free(out_cl), free(din_cl);
    }
}
END_TEST

/* L = sum(G * f(x)); dL/dx from act_backward_ref vs central differences. */
START_TEST(test_act_ref_backward_fd)
{
    clae_act a = ACTS[_i];
    enum { n = 64 };
    uint64_t seed = 7;
    float x[n], G[n], y[n], dx[n], fd[n];
    tu_rand(x, n, -3.0f, 3.0f, &seed);
    tu_rand(G, n, -1.0f, 1.0f, &seed);
    for (int i = 0; i < n; i++)
        if (fabsf(x[i]) < 0.05f) x[i] = 0.5f; /* relu's kink */
    act_forward_ref(y, x, n, a, ALPHA);
    act_backward_ref(dx, G, y, n, a, ALPHA);
    for (int i = 0; i < n; i++) {
        float xp = x[i] + (float)FD_STEP, xm = x[i] - (float)FD_STEP, yp, ym;
        act_forward_ref(&yp, &xp, 1, a, ALPHA);
        act_forward_ref(&ym, &xm, 1, a, ALPHA);
        fd[i] = (float)(G[i] * ((double)yp - ym) / (2.0 * FD_STEP));
    }
    char what[64];
    snprintf(what, sizeof what, "act %s backward vs finite diff", ACT_NAMES[_i]);
    ck_assert_close(what, dx, fd, n, TOL_FD_ABS, TOL_FD_REL);
}
END_TEST

START_TEST(test_act_hand)
{
    float in[4] = {-2.0f, 0.0f, 0.5f, 3.0f}, out[4], din[4];
    const float relu[4] = {0, 0, 0.5f, 3.0f};
    act_forward_ref(out, in, 4, CLAE_ACT_RELU, 0.0f);
    ck_assert_close("relu hand", out, relu, 4, TOL_HAND_ABS, TOL_HAND_REL);
    const float sig[4] = {0.11920292f, 0.5f, 0.62245933f, 0.95257413f};
    act_forward_ref(out, in, 4, CLAE_ACT_SIGMOID, 0.0f);
    ck_assert_close("sigmoid hand", out, sig, 4, TOL_HAND_ABS, TOL_HAND_REL);
    const float ones[4] = {1, 1, 1, 1};
    const float dsig[4] = {0.10499359f, 0.25f, 0.23500371f, 0.04517666f};
    act_backward_ref(din, ones, out, 4, CLAE_ACT_SIGMOID, 0.0f);
    ck_assert_close("sigmoid' hand", din, dsig, 4, TOL_HAND_ABS, TOL_HAND_REL);
    const float leaky[4] = {-0.6f, 0.0f, 0.5f, 3.0f}, dleaky[4] = {0.3f, 0.3f, 1.0f, 1.0f};
    act_forward_ref(out, in, 4, CLAE_ACT_LEAKY_RELU, 0.3f);
    ck_assert_close("leaky_relu hand (alpha 0.3)", out, leaky, 4, TOL_HAND_ABS, TOL_HAND_REL);
    act_backward_ref(din, ones, out, 4, CLAE_ACT_LEAKY_RELU, 0.3f);
    ck_assert_close("leaky_relu' hand", din, dleaky, 4, TOL_HAND_ABS, TOL_HAND_REL);
}
END_TEST

static Suite *act_suite(void)
{
    Suite *s = suite_create("act");
    TCase *tc = tu_tcase("act", 120, 1); /* all of it under oclgrind */
    tcase_add_loop_test(tc, test_act_cl_vs_ref, 0, NACTS);
    tcase_add_loop_test(tc, test_act_ref_backward_fd, 0, NACTS);
    tcase_add_test(tc, test_act_hand);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run(act_suite()); }
