/* clae selftest: its comparisons fail where they should (a value past the
 * tolerance, a NaN, one flipped bit where bits must match, a case that
 * cannot run), and the whole selftest passes on the device under test. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "selftest/selftest_int.h"
#include "testutil.h"

static FILE *g_out;
static clae_selftest_opts g_o;
static clae_selftest_result g_r;

static st_ctx make_ctx(void)
{
    g_out = tmpfile();
    ck_assert_ptr_nonnull(g_out);
    g_o = (clae_selftest_opts){.quick = 1, .seed = 1, .out = g_out};
    memset(&g_r, 0, sizeof g_r);
    st_ctx c = {.dut = NULL, .o = &g_o, .r = &g_r};
    clae_rng_seed(&c.rng, 5);
    return c;
}

/* An io of one buffer of n floats, with both paths' results set by hand. */
static void one_buffer(st_io *io, const float *want, const float *got, size_t n)
{
    memset(io, 0, sizeof *io);
    ck_assert_int_eq(st_buf(io, NULL, n * sizeof(float)), 0);
    io->got[0][0] = malloc(n * sizeof(float));
    io->got[1][0] = malloc(n * sizeof(float));
    memcpy(io->got[0][0], want, n * sizeof(float));
    memcpy(io->got[1][0], got, n * sizeof(float));
}

START_TEST(test_selftest_rows_fail)
{
    st_ctx c = make_ctx();
    const float want[4] = {1.0f, -2.0f, 0.0f, 1e4f};
    float got[4];
    st_io io;
    struct {
        const char *what;
        int at;
        float value;
        double abs_tol, rel_tol;
        int fails;
    } cases[] = {
        {"equal", -1, 0.0f, TOL_SUM_ABS, TOL_SUM_REL, 0},
        {"within the relative margin", 3, 1e4f + 0.5f, TOL_SUM_ABS, TOL_SUM_REL, 0},
        {"within the absolute margin", 2, 5e-5f, TOL_SUM_ABS, TOL_SUM_REL, 0},
        {"past the tolerance", 1, -2.001f, TOL_SUM_ABS, TOL_SUM_REL, 1},
        {"a NaN", 0, NAN, TOL_SUM_ABS, TOL_SUM_REL, 1},
        {"-0 where bits must match", 2, -0.0f, 0.0, 0.0, 1},
        {"-0 within a tolerance", 2, -0.0f, TOL_ELEM_ABS, TOL_ELEM_REL, 0},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        memcpy(got, want, sizeof got);
        if (cases[k].at >= 0) got[cases[k].at] = cases[k].value;
        one_buffer(&io, want, got, 4);
        const int failed = g_r.failed;
        st_row(&c, cases[k].what, NULL, &io, 0, cases[k].abs_tol, cases[k].rel_tol);
        ck_assert_msg(g_r.failed - failed == cases[k].fails, "%s: %d failures", cases[k].what,
                      g_r.failed - failed);
        st_io_free(&io);
    }
    ck_assert_int_eq(g_r.checks, (int)(sizeof cases / sizeof cases[0]));
    st_row_value(&c, "a measured value over its limit", 0.2, "10%", 0.2 <= 0.1);
    st_row_failed(&c, "a case that could not run", "why");
    ck_assert_int_eq(g_r.failed, 5);
    fclose(g_out);
}
END_TEST

/* A case that runs out of memory is a failed row, not a crash. */
START_TEST(test_selftest_oom_case)
{
    st_ctx c = make_ctx();
    st_io io = {0};
    io.oom = 1;
    ck_assert_int_eq(st_run(&c, "no memory", &io, NULL, NULL), 0);
    ck_assert_int_eq(g_r.failed, 1);
    st_io_free(&io);
    fclose(g_out);
}
END_TEST

START_TEST(test_selftest_passes_on_device)
{
    clae_device *d = tu_device();
    clae_selftest_opts o = {.quick = 1, .seed = 3, .out = stdout};
    clae_selftest_result r;
    ck_assert_int_eq(clae_selftest(d, &o, &r), CLAE_OK);
    ck_assert_int_gt(r.checks, 90);
    ck_assert_int_eq(r.failed, 0);
}
END_TEST

static Suite *selftest_suite(void)
{
    Suite *s = suite_create("selftest");
    TCase *tc = tu_tcase("selftest", 300, 0);
    tcase_add_test(tc, test_selftest_rows_fail);
    tcase_add_test(tc, test_selftest_oom_case);
    tcase_add_test(tc, test_selftest_passes_on_device);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run(selftest_suite()); }
