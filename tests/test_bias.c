/* Per-channel bias: OpenCL vs reference (forward, backward accumulation),
 * reference db vs central finite differences, hand-worked values, and the
 * device reduction giving identical bits on repeated runs. */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

typedef struct bias_case {
    int N, C, HW;
} bias_case;

static const bias_case CASES[] = {{1, 1, 1},    {2, 3, 49},    {3, 16, 100},
                                  {4, 7, 1025}, {1, 5, 3},     {16, 16, 1024},
                                  {9, 2, 11},   {64, 3, 1024}};
#define NCASES (int)(sizeof CASES / sizeof CASES[0])

START_TEST(test_bias_cl_vs_ref)
{
    clae_device *d = tu_device();
    const bias_case *c = &CASES[_i];
    size_t n = (size_t)c->N * c->C * c->HW;
    uint64_t seed = 300 + (uint64_t)_i;
    float *x = tu_alloc_rand(n, -2.0f, 2.0f, &seed);
    float *b = tu_alloc_rand((size_t)c->C, -1.0f, 1.0f, &seed);
    float *dout = tu_alloc_rand(n, -1.0f, 1.0f, &seed);
    /* db starts non-zero: backward accumulates */
    float *db_ref = tu_alloc_rand((size_t)c->C, -1.0f, 1.0f, &seed);
    float *db_cl = tu_alloc0((size_t)c->C), *x_cl = tu_alloc0(n);
    memcpy(db_cl, db_ref, (size_t)c->C * 4);

    cl_mem m_x = tu_upload(x, n * 4), m_b = tu_upload(b, (size_t)c->C * 4);
    cl_mem m_dout = tu_upload(dout, n * 4), m_db = tu_upload(db_cl, (size_t)c->C * 4);
    ck_assert_int_eq(bias_forward_cl(d, m_x, m_b, c->N, c->C, c->HW), CLAE_OK);
    ck_assert_int_eq(bias_backward_cl(d, m_db, m_dout, c->N, c->C, c->HW), CLAE_OK);
    tu_download(m_x, x_cl, n * 4);
    tu_download(m_db, db_cl, (size_t)c->C * 4);
    bias_forward_ref(x, b, c->N, c->C, c->HW);
    bias_backward_ref(db_ref, dout, c->N, c->C, c->HW);
    char what[64];
    snprintf(what, sizeof what, "bias forward %dx%dx%d", c->N, c->C, c->HW);
    ck_assert_close(what, x_cl, x, n, TOL_ELEM_ABS, TOL_ELEM_REL);
    snprintf(what, sizeof what, "bias backward db += %dx%dx%d", c->N, c->C, c->HW);
    ck_assert_close(what, db_cl, db_ref, (size_t)c->C, TOL_SUM_ABS, TOL_SUM_REL);
    clReleaseMemObject(m_x);
    clReleaseMemObject(m_b);
    clReleaseMemObject(m_dout);
    clReleaseMemObject(m_db);
    free(x), free(b), free(dout), free(db_ref), free(db_cl), free(x_cl);
}
END_TEST

/* The device sum is a fixed-order tree: two runs from zero give the same bits. */
START_TEST(test_bias_backward_deterministic)
{
    clae_device *d = tu_device();
    enum { N = 64, C = 16, HW = 1024 };
    size_t n = (size_t)N * C * HW;
    uint64_t seed = 99;
    float *dout = tu_alloc_rand(n, -1.0f, 1.0f, &seed);
    float db1[C], db2[C];
    cl_mem m_dout = tu_upload(dout, n * 4), m_db;
    ck_assert_int_eq(clae_buffer(d, C * 4, &m_db), CLAE_OK);
    ck_assert_int_eq(clae_fill0(d, m_db, C * 4), CLAE_OK);
    ck_assert_int_eq(bias_backward_cl(d, m_db, m_dout, N, C, HW), CLAE_OK);
    tu_download(m_db, db1, C * 4);
    ck_assert_int_eq(clae_fill0(d, m_db, C * 4), CLAE_OK);
    ck_assert_int_eq(bias_backward_cl(d, m_db, m_dout, N, C, HW), CLAE_OK);
    tu_download(m_db, db2, C * 4);
    ck_assert_msg(memcmp(db1, db2, sizeof db1) == 0, "bias backward not deterministic");
    printf("  bias backward 64x16x1024 twice: identical bits ok\n");
    clReleaseMemObject(m_dout);
    clReleaseMemObject(m_db);
    free(dout);
}
END_TEST

/* L = sum(G * (x + b)); dL/db from bias_backward_ref vs central differences. */
START_TEST(test_bias_ref_backward_fd)
{
    enum { N = 3, C = 5, HW = 7, n = N * C * HW };
    uint64_t seed = 11;
    float x[n], G[n], b[C], y[n], db[C] = {0}, fd[C];
    tu_rand(x, n, -1.0f, 1.0f, &seed);
    tu_rand(G, n, -1.0f, 1.0f, &seed);
    tu_rand(b, C, -1.0f, 1.0f, &seed);
    bias_backward_ref(db, G, N, C, HW);
    for (int c = 0; c < C; c++) {
        double L[2];
        for (int side = 0; side < 2; side++) {
            float bb[C];
            memcpy(bb, b, sizeof bb);
            bb[c] += side ? -(float)FD_STEP : (float)FD_STEP;
            memcpy(y, x, sizeof y);
            bias_forward_ref(y, bb, N, C, HW);
            L[side] = 0.0;
            for (int i = 0; i < n; i++) L[side] += (double)G[i] * y[i];
        }
        fd[c] = (float)((L[0] - L[1]) / (2.0 * FD_STEP));
    }
    ck_assert_close("bias db vs finite diff", db, fd, C, TOL_FD_ABS, TOL_FD_REL);
}
END_TEST

START_TEST(test_bias_hand)
{
    /* x (2,2,3) = 0..11, b = {1, -2}: channel 0 rows get +1, channel 1 rows -2 */
    float x[12], dout[12];
    for (int i = 0; i < 12; i++) x[i] = (float)i, dout[i] = (float)i;
    const float want_x[12] = {1, 2, 3, 1, 2, 3, 7, 8, 9, 7, 8, 9};
    const float b[2] = {1, -2};
    /* db starts at {10, 20}: channel 0 sums 0+1+2+6+7+8 = 24, channel 1
     * 3+4+5+9+10+11 = 42 */
    const float want_db[2] = {34, 62};
    float db[2] = {10, 20};
    bias_forward_ref(x, b, 2, 2, 3);
    ck_assert_close("bias forward hand ref", x, want_x, 12, TOL_HAND_ABS, TOL_HAND_REL);
    bias_backward_ref(db, dout, 2, 2, 3);
    ck_assert_close("bias backward hand ref", db, want_db, 2, TOL_HAND_ABS, TOL_HAND_REL);

    clae_device *d = tu_device();
    for (int i = 0; i < 12; i++) x[i] = (float)i;
    db[0] = 10, db[1] = 20;
    cl_mem m_x = tu_upload(x, sizeof x), m_b = tu_upload(b, sizeof b);
    cl_mem m_dout = tu_upload(dout, sizeof dout), m_db = tu_upload(db, sizeof db);
    ck_assert_int_eq(bias_forward_cl(d, m_x, m_b, 2, 2, 3), CLAE_OK);
    ck_assert_int_eq(bias_backward_cl(d, m_db, m_dout, 2, 2, 3), CLAE_OK);
    tu_download(m_x, x, sizeof x);
    tu_download(m_db, db, sizeof db);
    ck_assert_close("bias forward hand cl", x, want_x, 12, TOL_HAND_ABS, TOL_HAND_REL);
    ck_assert_close("bias backward hand cl", db, want_db, 2, TOL_HAND_ABS, TOL_HAND_REL);
    clReleaseMemObject(m_x);
    clReleaseMemObject(m_b);
    clReleaseMemObject(m_dout);
    clReleaseMemObject(m_db);
}
END_TEST

static Suite *bias_suite(void)
{
    Suite *s = suite_create("bias");
    TCase *tc = tu_tcase("bias", 120, 1); /* all of it under oclgrind */
    tcase_add_loop_test(tc, test_bias_cl_vs_ref, 0, NCASES);
    tcase_add_test(tc, test_bias_backward_deterministic);
    tcase_add_test(tc, test_bias_ref_backward_fd);
    tcase_add_test(tc, test_bias_hand);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run(bias_suite()); }
