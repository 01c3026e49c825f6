/* [train] normalize (gcn_l1_minmax): the kernel against its reference twin
 * on random images at every work-group size (the same bits whatever the
 * size), hand-worked images, the math (per image mean 0 and mean |y| 1, the
 * training minimum and maximum scaled to exactly 0 and 1, the inverse), the
 * pair through a checkpoint's metadata and back, and a checkpoint that
 * lacks it refused by the commands' loader. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clae/app.h"
#include "clae/checkpoint.h"
#include "clae/cifar.h"
#include "clae/normalize.h"
#include "clae/run.h"
#include "testutil.h"

/* x (N, P) normalised in place on the device with work-groups of L (0: the
 * launcher's own choice); 0 when the kernel takes no work-group of L. */
static int gcn_cl(float *x, int N, int P, float lo, float hi, size_t L)
{
    clae_device *d = tu_device();
    cl_kernel k;
    ck_assert_int_eq(clae_kernel(d, "gcn_minmax", &k), CLAE_OK);
    size_t kwg;
    ck_assert_int_eq(clae_kernel_max_wg(d, k, &kwg), CLAE_OK);
    if (L > kwg) return 0;
    const size_t bytes = (size_t)N * P * sizeof(float);
    cl_mem m = tu_upload(x, bytes);
    ck_assert_int_eq(L ? gcn_minmax_cl_wg(d, m, N, P, lo, hi, L) : gcn_minmax_cl(d, m, N, P, lo, hi),
                     CLAE_OK);
    tu_download(m, x, bytes);
    clReleaseMemObject(m);
    return 1;
}

/* images N, values P (an image: C*H*W) */
static const int CASES[][2] = {{1, 3072}, {4, 3072}, {3, 7}, {2, 65}, {2, 64}, {1, 1}, {2, 300}};
static const size_t WGS[] = {0, 1, 3, 7, 64, 100};

/* _i: a case. The twin within the elementwise tolerance (the same sums in
 * the same order; OpenCL's division need not be correctly rounded); every
 * work-group size the same bits as the launcher's choice. */
START_TEST(test_gcn_cl_vs_ref)
{
    const int N = CASES[_i][0], P = CASES[_i][1];
    const size_t n = (size_t)N * P;
    uint64_t seed = 2800 + (uint64_t)_i;
    float *x = tu_alloc_rand(n, 0.0f, 1.0f, &seed), *ref = tu_alloc0(n), *first = tu_alloc0(n);
    float *cl = tu_alloc0(n);
    const float lo = -3.5f, hi = 4.25f;
    memcpy(ref, x, n * sizeof(float));
    gcn_minmax_ref(ref, N, P, lo, hi);
    char what[96];
    for (size_t w = 0; w < sizeof WGS / sizeof WGS[0]; w++) {
        memcpy(cl, x, n * sizeof(float));
        if (!gcn_cl(cl, N, P, lo, hi, WGS[w])) continue;
        snprintf(what, sizeof what, "gcn_minmax N=%d P=%d work-group %zu", N, P, WGS[w]);
        ck_assert_close(what, cl, ref, n, TOL_ELEM_ABS, TOL_ELEM_REL);
        if (w == 0) memcpy(first, cl, n * sizeof(float));
        ck_assert_msg(memcmp(cl, first, n * sizeof(float)) == 0,
                      "%s: not the same bits as the launcher's work-group", what);
    }
    free(x), free(ref), free(first), free(cl);
}
END_TEST

/* [0, 1, 0, 1]: mean 1/2, scale 1/2, y = -1, 1, -1, 1; pair (-2, 2): 1/4, 3/4.
 * A constant image: scale 0 taken as 1, y = 0: 1/2. */
START_TEST(test_gcn_hand)
{
    const float want[8] = {0.25f, 0.75f, 0.25f, 0.75f, 0.5f, 0.5f, 0.5f, 0.5f};
    for (int impl = 0; impl < 2; impl++) {
        float x[8] = {0, 1, 0, 1, 0.3f, 0.3f, 0.3f, 0.3f};
        if (impl == 0)
            gcn_minmax_ref(x, 2, 4, -2.0f, 2.0f);
        else
            ck_assert(gcn_cl(x, 2, 4, -2.0f, 2.0f, 0));
        ck_assert_close(impl ? "gcn_minmax hand cl" : "gcn_minmax hand ref", x, want, 8,
                        TOL_HAND_ABS, TOL_HAND_REL);
    }
}
END_TEST

/* A dataset of n random 3x32x32 records, labels 0. */
static void random_records(clae_dataset *ds, size_t n, uint64_t seed)
{
    *ds = (clae_dataset){.n = n, .H = 32, .W = 32, .C = 3};
    const size_t R = clae_dataset_record_bytes(ds);
    ds->records = calloc(n, R);
    ck_assert_ptr_nonnull(ds->records);
    float *u = tu_alloc_rand(n * R, 0.0f, 256.0f, &seed);
    for (size_t i = 0; i < n * R; i++) ds->records[i] = i % R ? (uint8_t)u[i] : 0;
    for (size_t i = 0; i < n; i += 3) /* some low-contrast ones: a larger GCN range */
        for (size_t j = 1; j < R; j++) ds->records[i * R + j] = (uint8_t)(100 + ds->records[i * R + j] % 8);
    free(u);
}

/* GCN: each image mean 0, mean |y| 1; the pair of the training images
 * scales their smallest and largest value to exactly 0 and 1 (the images
 * out of the pair's range are left out of it); the inverse gives the image
 * back. */
START_TEST(test_gcn_math)
{
    enum { N = 24, P = 3072 };
    clae_dataset ds;
    random_records(&ds, N, 77);
    float *x = tu_alloc0((size_t)N * P), *x0 = tu_alloc0((size_t)N * P);
    clae_records_to_float(x, ds.records, N, 3, 32, 32);
    memcpy(x0, x, (size_t)N * P * sizeof(float));
    gcn_minmax_ref(x, N, P, 0.0f, 1.0f); /* the pair (0, 1): the GCN values themselves */
    for (int n = 0; n < N; n++) {
        double s = 0, a = 0;
        for (int j = 0; j < P; j++) s += x[n * P + j], a += fabs(x[n * P + j]);
        float got[2] = {(float)(s / P), (float)(a / P)}, want[2] = {0.0f, 1.0f};
        ck_assert_close("gcn image mean, mean |y|", got, want, 2, TOL_SUM_ABS, TOL_SUM_REL);
    }
    /* the pair over images 0..9 and 14..23 (10..13 left out) */
    const size_t from[2] = {0, 14}, cnt[2] = {10, 10};
    clae_normalize nz = {.kind = CLAE_NORM_GCN_L1_MINMAX, .ready = 1};
    ck_assert_int_eq(clae_norm_pair(&ds, from, cnt, 2, &nz.lo, &nz.hi), CLAE_OK);
    float mn = INFINITY, mx = -INFINITY;
    for (int r = 0; r < 2; r++)
        for (size_t j = from[r] * P; j < (from[r] + cnt[r]) * P; j++)
            mn = fminf(mn, x[j]), mx = fmaxf(mx, x[j]);
    ck_assert_float_eq(nz.lo, mn);
    ck_assert_float_eq(nz.hi, mx);
    float *stats = malloc(2 * N * sizeof(float));
    ck_assert_ptr_nonnull(stats);
    memcpy(x, x0, (size_t)N * P * sizeof(float));
    clae_norm_apply(&nz, x, N, P, stats);
    float tmn = INFINITY, tmx = -INFINITY;
    for (int r = 0; r < 2; r++)
        for (size_t j = from[r] * P; j < (from[r] + cnt[r]) * P; j++)
            tmn = fminf(tmn, x[j]), tmx = fmaxf(tmx, x[j]);
    ck_assert_float_eq(tmn, 0.0f); /* exactly: (lo - lo) / (hi - lo), (hi - lo) / (hi - lo) */
    ck_assert_float_eq(tmx, 1.0f);
    clae_norm_invert(&nz, x, N, P, stats);
    ck_assert_close("normalize then invert", x, x0, (size_t)N * P, TOL_SUM_ABS, TOL_SUM_REL);
    /* none: nothing done */
    clae_normalize none = {0};
    clae_norm_apply(&none, x0, 1, P, NULL);
    ck_assert_float_eq(x0[0], (float)ds.records[1] / 255.0f);
    free(x), free(x0), free(stats);
    clae_dataset_free(&ds);
}
END_TEST

START_TEST(test_pair_parse)
{
    float lo = 7, hi = 7;
    ck_assert(clae_norm_parse_pair("-10.5991726,11.0931873", &lo, &hi));
    ck_assert_float_eq(lo, -10.5991726f);
    ck_assert_float_eq(hi, 11.0931873f);
    const char *bad[] = {"", "1", "1,", ",1", "2,1", "1,1", "nan,1", "1,inf", "1,2,3", "1;2",
                         "1e39,1e40", " 1,2x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        lo = hi = 7;
        ck_assert_msg(!clae_norm_parse_pair(bad[i], &lo, &hi), "'%s' taken", bad[i]);
        ck_assert_float_eq(lo, 7);
        ck_assert_float_eq(hi, 7);
    }
}
END_TEST

static const char *CONFIG = "[net]\ninput = 8,8,3\nbatch = 2\n[train]\nnormalize = gcn_l1_minmax\n"
                            "[conv2d]\nfilters = 3\nsize = 3\npadding = same\n";

/* A checkpoint of CONFIG at path, its run's pair set when ready. */
static void save_ckpt(const char *path, int ready)
{
    clae_model m;
    ck_assert_int_eq(clae_model_parse_string(CONFIG, "normalize.cfg", &m), CLAE_OK);
    ck_assert_int_eq(m.train.norm.kind, CLAE_NORM_GCN_L1_MINMAX);
    clae_rng rng;
    clae_rng_seed(&rng, 1);
    ck_assert_int_eq(clae_model_init(&m, &rng), CLAE_OK);
    clae_run r;
    clae_run_init(&r, &m);
    r.norm.ready = ready, r.norm.lo = -10.5991726f, r.norm.hi = 11.0931873f;
    clae_ckpt_meta mt;
    ck_assert_int_eq(clae_run_to_meta(&r, &mt), CLAE_OK);
    ck_assert_int_eq(clae_ckpt_save(path, &m, &mt, 0), CLAE_OK);
    clae_ckpt_meta_free(&mt);
    clae_model_free(&m);
}

/* The pair into a checkpoint and back, bit for bit, by the loader of every
 * command that applies a model; a checkpoint without it is refused in one
 * line naming the file. */
START_TEST(test_pair_checkpoint)
{
    char dir[] = "/tmp/clae-test-normalize-XXXXXX", path[128];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/with.safetensors", dir);
    save_ckpt(path, 1);
    clae_model m;
    ck_assert(clae_app_load(path, &m));
    ck_assert(m.train.norm.ready);
    ck_assert_float_eq(m.train.norm.lo, -10.5991726f);
    ck_assert_float_eq(m.train.norm.hi, 11.0931873f);
    clae_model_free(&m);
    snprintf(path, sizeof path, "%s/without.safetensors", dir);
    save_ckpt(path, 0);
    tu_capture_begin();
    int ok = clae_app_load(path, &m);
    const char *err = tu_capture_end();
    ck_assert(!ok);
    ck_assert_msg(strstr(err, path) && strstr(err, "normalize_minmax") && strchr(err, '\n') &&
                      strchr(err, '\n')[1] == '\0',
                  "not one line naming the file and the key: %s", err);
    remove(path);
    snprintf(path, sizeof path, "%s/with.safetensors", dir);
    remove(path);
    rmdir(dir);
}
END_TEST

static Suite *normalize_suite(void)
{
    Suite *s = suite_create("normalize");
    TCase *tc = tu_tcase("normalize", 120, 1); /* all of it under oclgrind */
    tcase_add_loop_test(tc, test_gcn_cl_vs_ref, 0, (int)(sizeof CASES / sizeof CASES[0]));
    tcase_add_test(tc, test_gcn_hand);
    suite_add_tcase(s, tc);
    TCase *host = tu_tcase("normalize_host", 60, 0);
    tcase_add_test(host, test_gcn_math);
    tcase_add_test(host, test_pair_parse);
    tcase_add_test(host, test_pair_checkpoint);
    suite_add_tcase(s, host);
    return s;
}

int main(void) { return tu_run(normalize_suite()); }
