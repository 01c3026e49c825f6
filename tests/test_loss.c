/* The losses besides MSE (tests/test_mse.c): mean absolute error and binary
 * cross-entropy with Keras's definitions. Hand values, OpenCL vs reference
 * (the loss and its gradient), and the reference gradient vs central finite
 * differences. */
#include <math.h>
#include <stdlib.h>

#include "testutil.h"

static const char *const NAME[] = {"mse", "mae", "binary_crossentropy"};
static const size_t SIZES[] = {1, 7, 1000, 65537};

static void ref_fwd(clae_loss k, float *loss, const float *y, const float *t, size_t n)
{
    if (k == CLAE_LOSS_MAE) mae_forward_ref(loss, y, t, n);
    else if (k == CLAE_LOSS_BCE) bce_forward_ref(loss, y, t, n);
    else mse_forward_ref(loss, y, t, n);
}

static void ref_bwd(clae_loss k, float *dy, const float *y, const float *t, size_t n)
{
    if (k == CLAE_LOSS_MAE) mae_backward_ref(dy, y, t, n);
    else if (k == CLAE_LOSS_BCE) bce_backward_ref(dy, y, t, n);
    else mse_backward_ref(dy, y, t, n);
}

START_TEST(test_loss_hand)
{
    const float y[4] = {0.9f, 0.2f, 0.5f, 1.0f}, t[4] = {1.0f, 0.0f, 0.25f, 1.0f};
    float loss;
    mae_forward_ref(&loss, y, t, 4);
    const float mae = (0.1f + 0.2f + 0.25f + 0.0f) / 4;
    ck_assert_close("mae hand", &loss, &mae, 1, TOL_HAND_ABS, TOL_HAND_REL);
    float dy[4];
    mae_backward_ref(dy, y, t, 4);
    const float dmae[4] = {-0.25f, 0.25f, 0.25f, 0.0f};
    ck_assert_close("mae' hand (0 where equal)", dy, dmae, 4, TOL_HAND_ABS, TOL_HAND_REL);
    /* Keras: -(t log(y + 1e-7) + (1 - t) log(1 - y + 1e-7)), y clipped first;
     * y = 1 clips to 1 - 1e-7 */
    bce_forward_ref(&loss, y, t, 4);
    double want = 0;
    const double yc[4] = {0.9, 0.2, 0.5, 1.0 - 1e-7};
    for (int i = 0; i < 4; i++)
        want += -(t[i] * log(yc[i] + 1e-7) + (1 - t[i]) * log(1 - yc[i] + 1e-7));
    const float bce = (float)(want / 4);
    ck_assert_close("binary_crossentropy hand", &loss, &bce, 1, TOL_ELEM_ABS, TOL_ELEM_REL);
    bce_backward_ref(dy, y, t, 4);
    ck_assert(dy[3] == 0.0f); /* the clip holds y = 1: no gradient */
}
END_TEST

/* _i: size * 3 + loss */
START_TEST(test_loss_cl_vs_ref)
{
    clae_loss k = (clae_loss)(_i % 3);
    size_t n = SIZES[_i / 3];
    uint64_t seed = 500 + (uint64_t)_i;
    float *y = tu_alloc_rand(n, 0.001f, 0.999f, &seed), *t = tu_alloc_rand(n, 0.0f, 1.0f, &seed);
    float lr, lc, *dr = tu_alloc0(n), *dc = tu_alloc0(n);
    ref_fwd(k, &lr, y, t, n);
    ref_bwd(k, dr, y, t, n);
    clae_device *d = tu_device();
    cl_mem my = tu_upload(y, n * 4), mt = tu_upload(t, n * 4), ml, md;
    ck_assert_int_eq(clae_buffer(d, 4, &ml), CLAE_OK);
    ck_assert_int_eq(clae_buffer(d, n * 4, &md), CLAE_OK);
    ck_assert_int_eq(loss_forward_cl(d, k, ml, my, mt, n), CLAE_OK);
    ck_assert_int_eq(loss_backward_cl(d, k, md, my, mt, n), CLAE_OK);
    tu_download(ml, &lc, 4);
    tu_download(md, dc, n * 4);
    char what[80];
    snprintf(what, sizeof what, "%s forward n=%zu", NAME[k], n);
    ck_assert_close(what, &lc, &lr, 1, TOL_SUM_ABS, TOL_SUM_REL);
    snprintf(what, sizeof what, "%s backward n=%zu", NAME[k], n);
    ck_assert_close(what, dc, dr, n, TOL_ELEM_ABS, TOL_ELEM_REL);
    clReleaseMemObject(my), clReleaseMemObject(mt), clReleaseMemObject(ml), clReleaseMemObject(md);
    free(y), free(t), free(dr), free(dc);
}
END_TEST

/* loss_step_cl: the loss and the gradient in one pass, the gradient through
 * the last activation's derivative (y its output), vs the reference
 * composition (forward, backward, act_backward_ref). _i: loss * 5 + act
 * (none, relu, sigmoid, tanh, leaky_relu 0.3), n = 1003 (a short last
 * block of 8). */
START_TEST(test_loss_step_fused)
{
    clae_loss k = (clae_loss)(_i / 5);
    const clae_epi e = {.act = (clae_act)(_i % 5), .alpha = 0.3f};
    const size_t n = 1003;
    uint64_t seed = 700 + (uint64_t)_i;
    float *y = tu_alloc_rand(n, 0.001f, 0.999f, &seed), *t = tu_alloc_rand(n, 0.0f, 1.0f, &seed);
    float lr, lc = -1.0f, *dr = tu_alloc0(n), *dc = tu_alloc0(n);
    ref_fwd(k, &lr, y, t, n);
    ref_bwd(k, dr, y, t, n);
    act_backward_ref(dr, dr, y, n, e.act, e.alpha);
    clae_device *d = tu_device();
    cl_mem my = tu_upload(y, n * 4), mt = tu_upload(t, n * 4), ml, md;
    ck_assert_int_eq(clae_buffer(d, 4, &ml), CLAE_OK);
    ck_assert_int_eq(clae_buffer(d, n * 4, &md), CLAE_OK);
    ck_assert_int_eq(loss_step_cl(d, k, ml, md, my, mt, n, e), CLAE_OK);
    tu_download(ml, &lc, 4);
    tu_download(md, dc, n * 4);
    char what[96];
    snprintf(what, sizeof what, "%s step loss (act %d) n=%zu", NAME[k], (int)e.act, n);
    ck_assert_close(what, &lc, &lr, 1, TOL_SUM_ABS, TOL_SUM_REL);
    snprintf(what, sizeof what, "%s step grad * act %d' n=%zu", NAME[k], (int)e.act, n);
    ck_assert_close(what, dc, dr, n, TOL_ELEM_ABS, TOL_ELEM_REL);
    clReleaseMemObject(my), clReleaseMemObject(mt), clReleaseMemObject(ml), clReleaseMemObject(md);
    free(y), free(t), free(dr), free(dc);
}
END_TEST

/* The reference gradient of the loss vs central differences (values kept
 * away from the clip and, for mae, from y == t). */
START_TEST(test_loss_ref_backward_fd)
{
    clae_loss k = (clae_loss)_i;
    enum { n = 64 };
    uint64_t seed = 9;
    float y[n], t[n], dy[n], fd[n];
    tu_rand(y, n, 0.05f, 0.95f, &seed);
    tu_rand(t, n, 0.0f, 1.0f, &seed);
    for (int i = 0; i < n; i++)
        if (fabsf(y[i] - t[i]) < 0.05f) t[i] = y[i] > 0.5f ? 0.1f : 0.9f;
    ref_bwd(k, dy, y, t, n);
    const float h = (float)FD_STEP_SMALL;
    for (int i = 0; i < n; i++) {
        float y0 = y[i], lp, lm;
        y[i] = y0 + h;
        ref_fwd(k, &lp, y, t, n);
        y[i] = y0 - h;
        ref_fwd(k, &lm, y, t, n);
        y[i] = y0;
        fd[i] = (float)(((double)lp - lm) / (2.0 * h));
    }
    char what[80];
    snprintf(what, sizeof what, "%s backward vs finite diff", NAME[k]);
    ck_assert_close(what, dy, fd, n, TOL_FD_ABS, TOL_FD_REL);
}
END_TEST

static Suite *loss_suite(void)
{
    Suite *s = suite_create("loss");
    TCase *tc = tu_tcase("loss", 120, 1); /* all of it under oclgrind */
    tcase_add_test(tc, test_loss_hand);
    tcase_add_loop_test(tc, test_loss_cl_vs_ref, 0, 12);
    tcase_add_loop_test(tc, test_loss_step_fused, 0, 15);
    tcase_add_loop_test(tc, test_loss_ref_backward_fd, 0, 3);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run(loss_suite()); }
