/* MSE loss: OpenCL vs reference (loss reduced on the device, gradient),
 * identical bits on repeated runs, reference gradient vs central finite
 * differences, hand-worked values. */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static const size_t SIZES[] = {1, 7, 255, 256, 1000, 65537, 512 * 3 * 32 * 32};
#define NSIZES (int)(sizeof SIZES / sizeof SIZES[0])

START_TEST(test_mse_cl_vs_ref)
{
    clae_device *d = tu_device();
    size_t n = SIZES[_i];
    uint64_t seed = 2000 + n;
    float *y = tu_alloc_rand(n, 0.0f, 1.0f, &seed), *t = tu_alloc_rand(n, 0.0f, 1.0f, &seed);
    float *dy_ref = tu_alloc0(n), *dy_cl = tu_alloc0(n);
    float loss_ref, loss_cl = -1.0f;
    mse_forward_ref(&loss_ref, y, t, n);
    mse_backward_ref(dy_ref, y, t, n);
    cl_mem m_y = tu_upload(y, n * 4), m_t = tu_upload(t, n * 4), m_loss, m_dy;
    ck_assert_int_eq(clae_buffer(d, 4, &m_loss), CLAE_OK);
    ck_assert_int_eq(clae_buffer(d, n * 4, &m_dy), CLAE_OK);
    ck_assert_int_eq(mse_forward_cl(d, m_loss, m_y, m_t, n), CLAE_OK);
    ck_assert_int_eq(mse_backward_cl(d, m_dy, m_y, m_t, n), CLAE_OK);
    tu_download(m_loss, &loss_cl, 4);
    tu_download(m_dy, dy_cl, n * 4);
    char what[64];
    snprintf(what, sizeof what, "mse loss n=%zu", n);
    ck_assert_close(what, &loss_cl, &loss_ref, 1, TOL_SUM_ABS, TOL_SUM_REL);
    snprintf(what, sizeof what, "mse dy n=%zu", n);
    ck_assert_close(what, dy_cl, dy_ref, n, TOL_ELEM_ABS, TOL_ELEM_REL);

    /* a second run gives identical bits (fixed-order reduction) */
    float loss2 = -1.0f;
    ck_assert_int_eq(mse_forward_cl(d, m_loss, m_y, m_t, n), CLAE_OK);
    tu_download(m_loss, &loss2, 4);
    ck_assert_msg(memcmp(&loss2, &loss_cl, 4) == 0, "mse loss not deterministic n=%zu", n);
    clReleaseMemObject(m_y);
    clReleaseMemObject(m_t);
    clReleaseMemObject(m_loss);
    clReleaseMemObject(m_dy);
    free(y), free(t), free(dy_ref), free(dy_cl);
}
END_TEST

/* dloss/dy from mse_backward_ref vs central differences of mse_forward_ref. */
START_TEST(test_mse_ref_backward_fd)
{
    enum { n = 37 };
    uint64_t seed = 5;
    float y[n], t[n], dy[n], fd[n];
    tu_rand(y, n, -1.0f, 1.0f, &seed);
    tu_rand(t, n, -1.0f, 1.0f, &seed);
    mse_backward_ref(dy, y, t, n);
    for (int i = 0; i < n; i++) {
        float y0 = y[i], lp, lm;
        y[i] = y0 + (float)FD_STEP;
        mse_forward_ref(&lp, y, t, n);
        y[i] = y0 - (float)FD_STEP;
        mse_forward_ref(&lm, y, t, n);
        y[i] = y0;
        fd[i] = (float)(((double)lp - lm) / (2.0 * FD_STEP));
    }
    ck_assert_close("mse dy vs finite diff", dy, fd, n, TOL_FD_ABS, TOL_FD_REL);
}
END_TEST

START_TEST(test_mse_hand)
{
    /* y - t = {1, 0, -2, 0}: loss = (1 + 0 + 4 + 0) / 4 = 1.25; dy = 2 (y - t) / 4 */
    const float y[4] = {1, 2, 3, 4}, t[4] = {0, 2, 5, 4};
    const float want_loss = 1.25f, want_dy[4] = {0.5f, 0.0f, -1.0f, 0.0f};
    float loss, dy[4];
    mse_forward_ref(&loss, y, t, 4);
    ck_assert_close("mse loss hand ref", &loss, &want_loss, 1, TOL_HAND_ABS, TOL_HAND_REL);
    mse_backward_ref(dy, y, t, 4);
    ck_assert_close("mse dy hand ref", dy, want_dy, 4, TOL_HAND_ABS, TOL_HAND_REL);

    clae_device *d = tu_device();
    cl_mem m_y = tu_upload(y, sizeof y), m_t = tu_upload(t, sizeof t), m_loss, m_dy;
    ck_assert_int_eq(clae_buffer(d, 4, &m_loss), CLAE_OK);
    ck_assert_int_eq(clae_buffer(d, sizeof dy, &m_dy), CLAE_OK);
    ck_assert_int_eq(mse_forward_cl(d, m_loss, m_y, m_t, 4), CLAE_OK);
    ck_assert_int_eq(mse_backward_cl(d, m_dy, m_y, m_t, 4), CLAE_OK);
    tu_download(m_loss, &loss, 4);
    tu_download(m_dy, dy, sizeof dy);
    ck_assert_close("mse loss hand cl", &loss, &want_loss, 1, TOL_HAND_ABS, TOL_HAND_REL);
    ck_assert_close("mse dy hand cl", dy, want_dy, 4, TOL_HAND_ABS, TOL_HAND_REL);
    clReleaseMemObject(m_y);
    clReleaseMemObject(m_t);
    clReleaseMemObject(m_loss);
    clReleaseMemObject(m_dy);
}
END_TEST

static Suite *mse_suite(void)
{
    Suite *s = suite_create("mse");
    TCase *tc = tu_tcase("mse", 120, 1); /* all of it under oclgrind */
    tcase_add_loop_test(tc, test_mse_cl_vs_ref, 0, NSIZES);
    tcase_add_test(tc, test_mse_ref_backward_fd);
    tcase_add_test(tc, test_mse_hand);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run(mse_suite()); }
