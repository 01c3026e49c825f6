/* clae bench: the peak-probe kernels (the bench op family) vs their
 * reference twins and hand-worked values, the median helper, and a tiny
 * end-to-end run (reference and OpenCL) checking the rows, the FLOP formula
 * of one row and the JSON file. No timing assertions. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clae/bench.h"
#include "clae/ops.h"
#include "testutil.h"

/* fma probe with a = b = 1: every lane counts up by one per step, so item i
 * ends at sum_j ((i % 1024) + j + iters) = 64 (i % 1024) + 2016 + 64 iters. */
START_TEST(test_bench_fma)
{
    clae_device *d = tu_device();
    const int ns[] = {1, 37, 1100}, its[] = {0, 1, 100};
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++) {
            int n = ns[a], iters = its[b];
            float *ref = tu_alloc0((size_t)n), *cl = tu_alloc0((size_t)n),
                  *hand = tu_alloc0((size_t)n);
            for (int i = 0; i < n; i++)
                hand[i] = 64.0f * (float)(i % 1024) + 2016.0f + 64.0f * iters;
            bench_fma_ref(ref, n, iters, 1.0f, 1.0f);
            cl_mem m = tu_upload(cl, (size_t)n * 4);
            ck_assert_int_eq(bench_fma_cl(d, m, n, iters, 1.0f, 1.0f), CLAE_OK);
            tu_download(m, cl, (size_t)n * 4);
            char what[64];
            snprintf(what, sizeof what, "bench_fma ref vs hand n=%d iters=%d", n, iters);
            ck_assert_close(what, ref, hand, (size_t)n, TOL_HAND_ABS, TOL_HAND_REL);
            snprintf(what, sizeof what, "bench_fma cl vs ref n=%d iters=%d", n, iters);
            ck_assert_close(what, cl, ref, (size_t)n, TOL_ELEM_ABS, TOL_ELEM_REL);
            clReleaseMemObject(m);
            free(ref), free(cl), free(hand);
        }
}
END_TEST

START_TEST(test_bench_copy)
{
    clae_device *d = tu_device();
    const int n4s[] = {1, 5, 1000};
    for (int k = 0; k < 3; k++) {
        size_t n = (size_t)n4s[k] * 4;
        uint64_t seed = 99 + n;
        float *src = tu_alloc_rand(n, -2.0f, 2.0f, &seed);
        float *ref = tu_alloc0(n), *cl = tu_alloc0(n);
        bench_copy_ref(ref, src, n);
        cl_mem ms = tu_upload(src, n * 4), md = tu_upload(cl, n * 4);
        ck_assert_int_eq(bench_copy_cl(d, md, ms, n4s[k]), CLAE_OK);
        tu_download(md, cl, n * 4);
        char what[64];
        snprintf(what, sizeof what, "bench_copy ref vs src n=%zu", n);
        ck_assert_close(what, ref, src, n, TOL_HAND_ABS, TOL_HAND_REL);
        snprintf(what, sizeof what, "bench_copy cl vs ref n=%zu", n);
        ck_assert_close(what, cl, ref, n, TOL_ELEM_ABS, TOL_ELEM_REL);
        clReleaseMemObject(ms);
        clReleaseMemObject(md);
        free(src), free(ref), free(cl);
    }
}
END_TEST

START_TEST(test_bench_median)
{
    double a[] = {5, 1, 3}, b[] = {4, 1, 3, 2}, c[] = {7};
    float got[3] = {(float)clae_bench_median(a, 3), (float)clae_bench_median(b, 4),
                    (float)clae_bench_median(c, 1)};
    const float want[3] = {3.0f, 2.5f, 7.0f};
    ck_assert_close("median odd, even, single", got, want, 3, TOL_HAND_ABS, TOL_HAND_REL);
    ck_assert(a[0] == 1 && a[2] == 5); /* sorted in place: a[0] is the minimum */
}
END_TEST

static const char *TINY = "[net]\ninput = 8,8,2\nbatch = 4\n"
                          "[conv2d]\nfilters = 4\nsize = 3\npadding = same\nactivation = relu\n"
                          "[maxpool]\nsize = 2\n"
                          "[conv2d_transpose]\nfilters = 2\nsize = 3\nstride = 2\n"
                          "padding = same\nactivation = sigmoid\n";

/* _i: 0 reference path, 1 the OpenCL device */
START_TEST(test_bench_run_tiny)
{
    clae_device ref, *d = &ref;
    if (_i == 0) ck_assert_int_eq(clae_device_open(&ref, "ref"), CLAE_OK);
    else d = tu_device();
    clae_model m;
    ck_assert_int_eq(clae_model_parse_string(TINY, "tiny", &m), CLAE_OK);
    clae_bench_opts o = {.batch = 3, .repeats = 2, .warmup = 0};
    clae_bench_result r;
    ck_assert_int_eq(clae_bench_run(&m, d, &o, &r), CLAE_OK);
    /* zero; conv fwd (relu fused); pool fwd; tconv fwd (sigmoid fused); the
     * loss with its gradient (and sigmoid's derivative); tconv din, params;
     * pool din (with relu's derivative); conv params (no din for layer 0);
     * adam. No activation runs as a pass of its own. Where the step fuses
     * the conv and the pool (the OpenCL device's direct convolutions), the
     * pool's rows are in the conv's: fwd+pool and bwd params+pool. */
    const int fused = strcmp(r.rows[1].op, "fwd+pool") == 0;
    if (_i == 1 && d->loop_limit == 0 && d->conv_path != CLAE_CONV_GEMM) ck_assert(fused);
    if (_i == 0) ck_assert(!fused);
    ck_assert_int_eq(r.nrows, fused ? 8 : 10);
    ck_assert_str_eq(r.rows[1].op, fused ? "fwd+pool" : "fwd");
    ck_assert_int_eq(r.rows[1].layer, 0);
    /* conv2d 2->4, 3x3, 8x8 at batch 3: 2*N*K*C*R*S*P*Q + N*K*P*Q, and
     * N*K*P*Q for the fused relu (fused with the pool: 4 per pooled value) */
    float got = (float)r.rows[1].flops,
          want = (float)(2.0 * 3 * 4 * 2 * 9 * 64 + 3 * 4 * 64 + 3 * 4 * 64 +
                         (fused ? 4.0 * 3 * 4 * 16 : 0));
    ck_assert_close("conv fwd flops", &got, &want, 1, TOL_HAND_ABS, TOL_HAND_REL);
    if (fused) { /* fewer kernels, and fewer bytes: the conv's output is never written */
        ck_assert_uint_lt(r.step_kernels, r.step_kernels_unfused);
        ck_assert(r.step.bytes < r.step_bytes_unfused);
        ck_assert_str_eq(r.rows[r.nrows - 2].op, "bwd params+pool");
    } else if (_i == 1) {
        ck_assert_uint_eq(r.step_kernels, r.step_kernels_unfused);
    }
    double flops = 0;
    for (int k = 0; k < r.nrows; k++) {
        ck_assert(r.rows[k].median_s >= 0 && r.rows[k].min_s <= r.rows[k].median_s);
        flops += r.rows[k].flops;
    }
    got = (float)r.step.flops, want = (float)flops;
    ck_assert_close("step flops = sum of rows", &got, &want, 1, TOL_HAND_ABS, TOL_HAND_REL);
    ck_assert(r.step.median_s > 0 && r.peak_flops_s > 0 && r.peak_bytes_s > 0);

    char path[] = "/tmp/clae-test-bench-XXXXXX";
    int fd = mkstemp(path);
    ck_assert(fd >= 0);
    close(fd);
    ck_assert_int_eq(clae_bench_write_json(&r, "tiny", path), CLAE_OK);
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    static char buf[1 << 16];
    size_t len = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    unlink(path);
    buf[len] = '\0';
    cJSON *root = cJSON_Parse(buf);
    ck_assert_ptr_nonnull(root);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(root, "rows")), r.nrows);
    ck_assert_int_eq(cJSON_GetObjectItem(root, "batch")->valueint, 3);
    ck_assert_ptr_nonnull(cJSON_GetObjectItem(cJSON_GetObjectItem(root, "step"), "images_per_s"));
    cJSON_Delete(root);
    ck_assert_int_eq(clae_bench_write_json(&r, "tiny", "/nonexistent-dir/x.json"), CLAE_ERR_IO);

    clae_bench_free(&r);
    clae_model_free(&m);
    if (_i == 0) clae_device_close(&ref);
}
END_TEST

static Suite *bench_suite(void)
{
    Suite *s = suite_create("bench");
    TCase *tc = tcase_create("bench");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_bench_fma);
    tcase_add_test(tc, test_bench_copy);
    tcase_add_test(tc, test_bench_median);
    tcase_add_loop_test(tc, test_bench_run_tiny, 0, 2);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run(bench_suite()); }
