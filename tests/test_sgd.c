/* Keras SGD: hand-worked steps (plain, momentum, Nesterov) on loss = p^2 / 2,
 * and OpenCL vs reference over several steps on random parameters. */
#include <math.h>
#include <stdlib.h>

#include "testutil.h"

/* p = 1, gradient p: two steps with lr 0.1 */
START_TEST(test_sgd_hand)
{
    const clae_sgd plain = {.lr = 0.1f}, mom = {.lr = 0.1f, .momentum = 0.9f},
                   nest = {.lr = 0.1f, .momentum = 0.9f, .nesterov = 1};
    const clae_sgd *h[3] = {&plain, &mom, &nest};
    /* plain: 0.9, 0.81; momentum: v -0.1 -> 0.9, v -0.18 -> 0.72;
     * nesterov: v -0.1, p += -0.09 - 0.1 -> 0.81; v -0.171, p += -0.1539 - 0.081 -> 0.5751 */
    const float want[3][2] = {{0.9f, 0.81f}, {0.9f, 0.72f}, {0.81f, 0.5751f}};
    const char *names[3] = {"sgd", "sgd momentum 0.9", "sgd nesterov 0.9"};
    for (int k = 0; k < 3; k++) {
        float p = 1.0f, v = 0.0f, got[2];
        for (int s = 0; s < 2; s++) {
            float g = p;
            sgd_update_ref(&p, &v, &g, 1, h[k]);
            got[s] = p;
        }
        ck_assert_close(names[k], got, want[k], 2, TOL_HAND_ABS, TOL_HAND_REL);
    }
}
END_TEST

START_TEST(test_sgd_cl_vs_ref)
{
    const clae_sgd H[3] = {{.lr = 0.01f}, {.lr = 0.05f, .momentum = 0.9f},
                           {.lr = 0.02f, .momentum = 0.5f, .nesterov = 1}};
    const clae_sgd *h = &H[_i];
    size_t n = 4099;
    uint64_t seed = 70 + (uint64_t)_i;
    float *p = tu_alloc_rand(n, -1.0f, 1.0f, &seed), *pr = tu_alloc0(n), *vr = tu_alloc0(n);
    float *pc = tu_alloc0(n), *vc = tu_alloc0(n);
    for (size_t i = 0; i < n; i++) pr[i] = p[i];
    clae_device *d = tu_device();
    cl_mem mp = tu_upload(p, n * 4), mv = tu_upload(vr, n * 4), mg;
    ck_assert_int_eq(clae_buffer(d, n * 4, &mg), CLAE_OK);
    for (int s = 0; s < 3; s++) { /* three steps with fresh gradients */
        float *g = tu_alloc_rand(n, -1.0f, 1.0f, &seed);
        sgd_update_ref(pr, vr, g, n, h);
        ck_assert_int_eq(clae_write(d, mg, g, n * 4), CLAE_OK);
        ck_assert_int_eq(sgd_update_cl(d, mp, mv, mg, n, h), CLAE_OK);
        free(g);
    }
    tu_download(mp, pc, n * 4);
    tu_download(mv, vc, n * 4);
    char what[64];
    snprintf(what, sizeof what, "sgd params (momentum %g%s)", h->momentum,
             h->nesterov ? ", nesterov" : "");
    ck_assert_close(what, pc, pr, n, TOL_ELEM_ABS, TOL_ELEM_REL);
    snprintf(what, sizeof what, "sgd velocity (momentum %g)", h->momentum);
    ck_assert_close(what, vc, vr, n, TOL_ELEM_ABS, TOL_ELEM_REL);
    clReleaseMemObject(mp), clReleaseMemObject(mv), clReleaseMemObject(mg);
    free(p), free(pr), free(vr), free(pc), free(vc);
}
END_TEST

static Suite *sgd_suite(void)
{
    Suite *s = suite_create("sgd");
    TCase *tc = tu_tcase("sgd", 120, 1); /* all of it under oclgrind */
    tcase_add_test(tc, test_sgd_hand);
    tcase_add_loop_test(tc, test_sgd_cl_vs_ref, 0, 3);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run(sgd_suite()); }
