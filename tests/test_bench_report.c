/* `clae bench`'s table (bench/report.c): the note under it says what the
 * percentage columns are of, and why %bw may pass 100. No device needed. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clae/bench.h"
#include "testutil.h"

START_TEST(test_bench_columns_note)
{
    clae_bench_row rows[2] = {
        {.layer = 0, .what = "conv2d relu", .op = "fwd", .shape = "3x32x32 -> 8x32x32",
         .median_s = 1e-3, .min_s = 1e-3, .flops = 1e7, .bytes = 3.088e6},
        {.layer = -1, .what = "adam", .op = "update", .shape = "100 floats",
         .median_s = 1e-3, .min_s = 1e-3, .flops = 1e3, .bytes = 1e5},
    };
    clae_bench_result r = {.timer = "test", .batch = 8, .repeats = 3, .nrows = 2, .rows = rows,
                           .peak_flops_s = 1e11, .peak_bytes_s = 1e9, .probe_copy_s = 0.134,
                           .probe_copy_bytes = 134217728.0,
                           .step = {.layer = -1, .median_s = 2e-3, .min_s = 2e-3}};
    snprintf(r.device, sizeof r.device, "test device");
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    ck_assert_ptr_nonnull(f);
    clae_bench_print(&r, "test.cfg", f);
    fclose(f);
    printf("%s", text);
    ck_assert_ptr_nonnull(strstr(text, " 308.8 ")); /* the row: 3.088 GB/s of a 1 GB/s probe */
    ck_assert_ptr_nonnull(strstr(text, "%bw: GB/s as % of the copy probe's (a 67 MB buffer"));
    ck_assert_ptr_nonnull(strstr(text, "%bw over 100 (here up to 308.8%) means its tensors were "
                                       "served by the caches"));
    ck_assert_ptr_nonnull(strstr(text, "%pk: GFLOP/s as % of the fma probe's"));
    ck_assert_ptr_nonnull(strstr(text, "%step: share of the median training step's time"));
    free(text);
}
END_TEST

static Suite *bench_report_suite(void)
{
    Suite *s = suite_create("bench_report");
    TCase *tc = tcase_create("bench_report");
    tcase_add_test(tc, test_bench_columns_note);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run(bench_report_suite()); }
