/* Fully connected layers: OpenCL vs reference, forward and every backward
 * output, on both paths forced (the direct kernels of src/kernels/dense.cl
 * and CLBlast GEMM) over odd shapes (N = 1, U = 1, sizes off the kernels'
 * tiles, a large I, batches split into weight-gradient slices); single
 * backward outputs (NULL skips), determinism, a device loop limit, and
 * $CLAE_DENSE; and the reference backward vs central finite differences. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clae/model.h"
#include "ops/dense_direct.h"
#include "testutil.h"

typedef struct dense_case {
    int N, I, U;
} dense_case;

static const dense_case CASES[] = {{1, 1, 1}, {2, 7, 3}, {5, 64, 17}, {3, 300, 64}, {8, 33, 129}};
#define NCASES (int)(sizeof CASES / sizeof CASES[0])

/* The direct kernels' tiles are 8 x 4 (forward), 4 x 32 (din) and 4 x 32
 * (dw) at float8 (CLAE_VW=8), 8 x 3, 8 x 48 and 6 x 64 at float16: N = 1, 9,
 * 13, 70; I = 1, 31, 33, 40, 45, 1030, 4100 (a vector tail of 4); U = 1, 3,
 * 5, 13, 130. 70 images with few tiles run the weight gradient in
 * slices (dense_dw_sum); 1030 -> 130 has enough tiles for one slice (dw and
 * db added in place). The first four are small enough for the simulator, and
 * so is 3 -> 1030 at N = 64, the first whose din runs on transposed weights
 * (clae_dense_din_by_transpose). */
static const dense_case DCASES[] = {{1, 1, 1},     {9, 33, 5},     {13, 45, 1},  {3, 31, 13},
                                    {70, 40, 3},   {2, 4100, 3},   {1, 257, 130}, {5, 1030, 130},
                                    {64, 512, 64}, {256, 64, 512},
                                    /* din as dense_fwd on the transposed weights */
                                    {64, 3, 1030}, {128, 100, 2050}};
#define NDCASES (int)(sizeof DCASES / sizeof DCASES[0])

/* Inputs of one case; dw and db start non-zero (backward adds into them). */
typedef struct fixture {
    dense_case c;
    size_t ni, nu, nw;
    float *x, *w, *b, *g, *w0, *b0;
    float *yr, *dxr, *dwr, *dbr; /* the reference's outputs */
} fixture;

static void fixture_init(fixture *f, const dense_case *c, uint64_t seed)
{
    memset(f, 0, sizeof *f);
    f->c = *c;
    f->ni = (size_t)c->N * c->I, f->nu = (size_t)c->N * c->U, f->nw = (size_t)c->U * c->I;
    f->x = tu_alloc_rand(f->ni, -1, 1, &seed), f->w = tu_alloc_rand(f->nw, -1, 1, &seed);
    f->b = tu_alloc_rand((size_t)c->U, -1, 1, &seed), f->g = tu_alloc_rand(f->nu, -1, 1, &seed);
    f->w0 = tu_alloc_rand(f->nw, -1, 1, &seed), f->b0 = tu_alloc_rand((size_t)c->U, -1, 1, &seed);
    f->yr = tu_alloc0(f->nu), f->dxr = tu_alloc0(f->ni), f->dwr = tu_alloc0(f->nw);
    f->dbr = tu_alloc0((size_t)c->U);
    memcpy(f->dwr, f->w0, f->nw * 4), memcpy(f->dbr, f->b0, (size_t)c->U * 4);
    dense_forward_ref(f->yr, f->x, f->w, f->b, c->N, c->I, c->U);
    dense_backward_ref(f->dxr, f->dwr, f->dbr, f->g, f->x, f->w, c->N, c->I, c->U);
}

static void fixture_free(fixture *f)
{
    float *p[] = {f->x, f->w, f->b, f->g, f->w0, f->b0, f->yr, f->dxr, f->dwr, f->dbr};
    for (size_t i = 0; i < sizeof p / sizeof p[0]; i++) free(p[i]);
}

/* The device's outputs of one case on `path` (CLAE_DENSE_*): y, din, dw, db
 * (each NULL: not computed; dw and db start at w0 and b0), with the
 * activation e applied to y and its derivative through x to din. */
static void run_device_epi(const fixture *f, int path, clae_epi e, float *y, float *dx, float *dw,
                           float *db)
{
    const dense_case *c = &f->c;
    clae_device *d = tu_device();
    const int keep = d->dense_path;
    d->dense_path = path;
    cl_mem mx = tu_upload(f->x, f->ni * 4), mw = tu_upload(f->w, f->nw * 4);
    cl_mem mb = tu_upload(f->b, (size_t)c->U * 4), mg = tu_upload(f->g, f->nu * 4);
    cl_mem mdw = tu_upload(f->w0, f->nw * 4), mdb = tu_upload(f->b0, (size_t)c->U * 4);
    cl_mem my, mdx;
    ck_assert_int_eq(clae_buffer(d, f->nu * 4, &my), CLAE_OK);
    ck_assert_int_eq(clae_buffer(d, f->ni * 4, &mdx), CLAE_OK);
    if (y) ck_assert_int_eq(dense_forward_cl(d, my, mx, mw, mb, c->N, c->I, c->U, e), CLAE_OK);
    if (dx || dw || db)
        ck_assert_int_eq(dense_backward_cl(d, dx ? mdx : NULL, dw ? mdw : NULL, db ? mdb : NULL,
                                           mg, mx, mw, c->N, c->I, c->U, e),
                         CLAE_OK);
    if (y) tu_download(my, y, f->nu * 4);
    if (dx) tu_download(mdx, dx, f->ni * 4);
    if (dw) tu_download(mdw, dw, f->nw * 4);
    if (db) tu_download(mdb, db, (size_t)c->U * 4);
    cl_mem ms[] = {mx, mw, mb, mg, mdw, mdb, my, mdx};
    for (int i = 0; i < 8; i++) clReleaseMemObject(ms[i]);
    d->dense_path = keep;
}

static void run_device(const fixture *f, int path, float *y, float *dx, float *dw, float *db)
{
    run_device_epi(f, path, CLAE_EPI_NONE, y, dx, dw, db);
}

/* Every output of case c on path vs the reference. */
static void compare_case(const dense_case *c, uint64_t seed, int path)
{
    fixture f;
    fixture_init(&f, c, seed);
    float *y = tu_alloc0(f.nu), *dx = tu_alloc0(f.ni), *dw = tu_alloc0(f.nw);
    float *db = tu_alloc0((size_t)c->U);
    run_device(&f, path, y, dx, dw, db);
    const char *pn = path == CLAE_DENSE_DIRECT ? "direct" : "gemm";
    char what[96];
    snprintf(what, sizeof what, "dense %s fwd N=%d %d->%d", pn, c->N, c->I, c->U);
    ck_assert_close(what, y, f.yr, f.nu, TOL_SUM_ABS, TOL_SUM_REL);
    snprintf(what, sizeof what, "dense %s bwd din N=%d %d->%d", pn, c->N, c->I, c->U);
    ck_assert_close(what, dx, f.dxr, f.ni, TOL_SUM_ABS, TOL_SUM_REL);
    snprintf(what, sizeof what, "dense %s bwd dw += N=%d %d->%d", pn, c->N, c->I, c->U);
    ck_assert_close(what, dw, f.dwr, f.nw, TOL_SUM_ABS, TOL_SUM_REL);
    snprintf(what, sizeof what, "dense %s bwd db += N=%d %d->%d", pn, c->N, c->I, c->U);
    ck_assert_close(what, db, f.dbr, (size_t)c->U, TOL_SUM_ABS, TOL_SUM_REL);
    free(y), free(dx), free(dw), free(db);
    fixture_free(&f);
}

START_TEST(test_dense_cl_vs_ref) { compare_case(&CASES[_i], 31 + (uint64_t)_i, CLAE_DENSE_GEMM); }
END_TEST

START_TEST(test_dense_direct_vs_ref)
{
    compare_case(&DCASES[_i], 131 + (uint64_t)_i, CLAE_DENSE_DIRECT);
}
END_TEST

START_TEST(test_dense_direct_old_cases)
{
    compare_case(&CASES[_i], 31 + (uint64_t)_i, CLAE_DENSE_DIRECT);
}
END_TEST

/* One backward output at a time (the others NULL), direct: din alone, dw
 * without db (the kernel's has_db = 0), db alone (the bias reduction). */
START_TEST(test_dense_direct_single_outputs)
{
    const dense_case *c = &DCASES[_i];
    fixture f;
    fixture_init(&f, c, 231 + (uint64_t)_i);
    float *dx = tu_alloc0(f.ni), *dw = tu_alloc0(f.nw), *db = tu_alloc0((size_t)c->U);
    run_device(&f, CLAE_DENSE_DIRECT, NULL, dx, NULL, NULL);
    run_device(&f, CLAE_DENSE_DIRECT, NULL, NULL, dw, NULL);
    run_device(&f, CLAE_DENSE_DIRECT, NULL, NULL, NULL, db);
    ck_assert_close("dense direct din alone", dx, f.dxr, f.ni, TOL_SUM_ABS, TOL_SUM_REL);
    ck_assert_close("dense direct dw alone", dw, f.dwr, f.nw, TOL_SUM_ABS, TOL_SUM_REL);
    ck_assert_close("dense direct db alone", db, f.dbr, (size_t)c->U, TOL_SUM_ABS, TOL_SUM_REL);
    free(dx), free(dw), free(db);
    fixture_free(&f);
}
END_TEST

/* The fused activations: forward writes act(in . w^T + b), din is multiplied
 * by the derivative of the activation that produced the input (through x as
 * its saved output), against the reference composition (dense_forward_ref
 * then act_forward_ref; din then act_backward_ref); dw and db unaffected.
 * _i: the case (DCASES), the activation (relu, sigmoid, tanh, leaky_relu
 * 0.2) by _i % 4, the direct kernels or (odd _i / 4) the GEMM path, whose
 * epilogue is an activation pass of its own. Case 10's din runs as a
 * forward pass on the transposed weights (dense_fwd's epilogue 2). */
START_TEST(test_dense_fused_act)
{
    static const clae_act ACTS[] = {CLAE_ACT_RELU, CLAE_ACT_SIGMOID, CLAE_ACT_TANH,
                                    CLAE_ACT_LEAKY_RELU};
    static const int CASE_OF[] = {1, 3, 4, 10};
    const dense_case *c = &DCASES[CASE_OF[(_i / 8) % 4]];
    const clae_epi e = {.act = ACTS[_i % 4], .alpha = 0.2f};
    const int path = (_i / 4) % 2 ? CLAE_DENSE_GEMM : CLAE_DENSE_DIRECT;
    fixture f;
    fixture_init(&f, c, 531 + (uint64_t)_i);
    act_forward_ref(f.yr, f.yr, f.nu, e.act, e.alpha);
    act_backward_ref(f.dxr, f.dxr, f.x, f.ni, e.act, e.alpha);
    float *y = tu_alloc0(f.nu), *dx = tu_alloc0(f.ni), *dw = tu_alloc0(f.nw);
    float *db = tu_alloc0((size_t)c->U);
    run_device_epi(&f, path, e, y, dx, dw, db);
    char what[128];
    const char *pn = path == CLAE_DENSE_DIRECT ? "direct" : "gemm";
    snprintf(what, sizeof what, "dense %s fwd + %s N=%d %d->%d", pn, clae_act_name(e.act), c->N,
             c->I, c->U);
    ck_assert_close(what, y, f.yr, f.nu, TOL_SUM_ABS, TOL_SUM_REL);
    snprintf(what, sizeof what, "dense %s din * %s' N=%d %d->%d", pn, clae_act_name(e.act), c->N,
             c->I, c->U);
    ck_assert_close(what, dx, f.dxr, f.ni, TOL_SUM_ABS, TOL_SUM_REL);
    ck_assert_close("dense dw += (with a fused din)", dw, f.dwr, f.nw, TOL_SUM_ABS, TOL_SUM_REL);
    ck_assert_close("dense db += (with a fused din)", db, f.dbr, (size_t)c->U, TOL_SUM_ABS,
                    TOL_SUM_REL);
    /* the epilogue did something: relu zeroes the negatives, sigmoid, tanh
     * and leaky_relu change every value but zero */
    size_t changed = 0;
    for (size_t k = 0; k < f.ni; k++) changed += dx[k] != 0.0f && f.x[k] < 0.0f;
    if (e.act == CLAE_ACT_RELU) ck_assert_uint_eq(changed, 0);
    free(y), free(dx), free(dw), free(db);
    fixture_free(&f);
}
END_TEST

/* Two runs of the direct kernels give identical bits (fixed summation order). */
START_TEST(test_dense_direct_deterministic)
{
    const dense_case *c = &DCASES[_i];
    fixture f;
    fixture_init(&f, c, 331 + (uint64_t)_i);
    float *out[2][4];
    for (int r = 0; r < 2; r++) {
        out[r][0] = tu_alloc0(f.nu), out[r][1] = tu_alloc0(f.ni), out[r][2] = tu_alloc0(f.nw);
        out[r][3] = tu_alloc0((size_t)c->U);
        run_device(&f, CLAE_DENSE_DIRECT, out[r][0], out[r][1], out[r][2], out[r][3]);
    }
    const size_t n[4] = {f.nu, f.ni, f.nw, (size_t)c->U};
    for (int k = 0; k < 4; k++) {
        ck_assert_int_eq(memcmp(out[0][k], out[1][k], n[k] * 4), 0);
        free(out[0][k]), free(out[1][k]);
    }
    fixture_free(&f);
}
END_TEST

/* On a device that stops long loops (a limit forced here): the rule keeps
 * the direct kernels where their loops fit, splits the weight gradient
 * into slices the budget allows, and sends a large I or U to GEMM, still
 * matching the reference either way. */
START_TEST(test_dense_direct_loop_limit)
{
    clae_device *d = tu_device();
    const long keep = d->loop_limit;
    const int keep_path = d->dense_path;
    d->loop_limit = 4000; /* budget 2000: dw slices of 2000 / 57 = 35 images */
    d->dense_path = CLAE_DENSE_DIRECT;
    ck_assert_int_eq(clae_dense_use_direct(d, 70, 40, 3), 1);
    ck_assert_int_eq(clae_dense_use_direct(d, 2, 4100, 3), 0);  /* forward: 513 chunks */
    ck_assert_int_eq(clae_dense_use_direct(d, 2, 3, 4100), 0);  /* din: 4100 units */
    d->dense_path = keep_path;
    for (int i = 4; i < 6; i++) {
        d->loop_limit = 4000;
        compare_case(&DCASES[i], 431 + (uint64_t)i, CLAE_DENSE_DIRECT);
    }
    d->loop_limit = keep;
}
END_TEST

/* dense_transpose against its twin, bit for bit, on shapes off its 16 x 16 blocks; and
 * which input gradients take it (a long U, a batch of 64 or more). */
START_TEST(test_dense_transpose)
{
    static const int shapes[][2] = {{1, 1}, {16, 16}, {17, 33}, {3, 1030}, {40, 5}};
    clae_device *d = tu_device();
    uint64_t seed = 17;
    for (int k = 0; k < 5; k++) {
        const int R = shapes[k][0], C = shapes[k][1];
        const size_t n = (size_t)R * C;
        float *src = tu_alloc_rand(n, -1, 1, &seed), *want = tu_alloc0(n), *got = tu_alloc0(n);
        dense_transpose_ref(want, src, R, C);
        cl_mem ms = tu_upload(src, n * 4), md;
        ck_assert_int_eq(clae_buffer(d, n * 4, &md), CLAE_OK);
        ck_assert_int_eq(dense_transpose_cl(d, md, ms, R, C), CLAE_OK);
        tu_download(md, got, n * 4);
        ck_assert_int_eq(memcmp(got, want, n * 4), 0);
        if (R > 1 && C > 1) ck_assert_float_eq(want[1], src[C]); /* the twin transposes */
        clReleaseMemObject(ms), clReleaseMemObject(md);
        free(src), free(want), free(got);
    }
    ck_assert(clae_dense_din_by_transpose(64, 1030) && clae_dense_din_by_transpose(256, 3072));
    ck_assert(!clae_dense_din_by_transpose(63, 1030) && !clae_dense_din_by_transpose(256, 512));
}
END_TEST

/* $CLAE_DENSE is read at device open: gemm / direct / auto force or choose
 * the path, anything else is refused; auto takes CPUs direct, others GEMM. */
START_TEST(test_dense_direct_env)
{
    clae_device dev;
    const char *outer = getenv("CLAE_DENSE");
    char keep[32] = "";
    if (outer) snprintf(keep, sizeof keep, "%s", outer);
    setenv("CLAE_DENSE", "bogus", 1);
    ck_assert_int_eq(clae_device_open(&dev, NULL), CLAE_ERR_ARG);
    setenv("CLAE_DENSE", "gemm", 1);
    ck_assert_int_eq(clae_device_open(&dev, "ref"), CLAE_OK);
    ck_assert_int_eq(dev.dense_path, CLAE_DENSE_GEMM);
    ck_assert_int_eq(clae_dense_use_direct(&dev, 256, 3072, 512), 0);
    clae_device_close(&dev);
    setenv("CLAE_DENSE", "direct", 1);
    ck_assert_int_eq(clae_device_open(&dev, "ref"), CLAE_OK);
    ck_assert_int_eq(dev.dense_path, CLAE_DENSE_DIRECT);
    ck_assert_int_eq(clae_dense_use_direct(&dev, 256, 3072, 512), 1);
    clae_device_close(&dev);
    unsetenv("CLAE_DENSE");
    ck_assert_int_eq(clae_device_open(&dev, "ref"), CLAE_OK);
    ck_assert_int_eq(dev.dense_path, CLAE_DENSE_AUTO);
    dev.type = CL_DEVICE_TYPE_CPU;
    ck_assert_int_eq(clae_dense_use_direct(&dev, 256, 3072, 512), 1);
    dev.type = CL_DEVICE_TYPE_GPU;
    ck_assert_int_eq(clae_dense_use_direct(&dev, 256, 3072, 512), 0);
    clae_device_close(&dev);
    if (outer) setenv("CLAE_DENSE", keep, 1);
}
END_TEST

/* L = sum(G * dense(x; w, b)): every gradient vs central differences. */
START_TEST(test_dense_ref_backward_fd)
{
    const dense_case *c = &CASES[_i];
    size_t ni = (size_t)c->N * c->I, nu = (size_t)c->N * c->U, nw = (size_t)c->U * c->I;
    uint64_t seed = 61 + (uint64_t)_i;
    float *x = tu_alloc_rand(ni, -1, 1, &seed), *w = tu_alloc_rand(nw, -1, 1, &seed);
    float *b = tu_alloc_rand((size_t)c->U, -1, 1, &seed), *G = tu_alloc_rand(nu, -1, 1, &seed);
    float *y = tu_alloc0(nu), *dx = tu_alloc0(ni), *dw = tu_alloc0(nw), *db = tu_alloc0((size_t)c->U);
    dense_backward_ref(dx, dw, db, G, x, w, c->N, c->I, c->U);
    float *vars[3] = {x, w, b}, *grads[3] = {dx, dw, db};
    size_t counts[3] = {ni, nw, (size_t)c->U};
    const char *names[3] = {"din", "dw", "db"};
    for (int v = 0; v < 3; v++) {
        float *fd = tu_alloc0(counts[v]);
        for (size_t i = 0; i < counts[v]; i++) {
            float p0 = vars[v][i];
            double L[2];
            for (int k = 0; k < 2; k++) {
                vars[v][i] = p0 + (k ? -1.0f : 1.0f) * (float)FD_STEP;
                dense_forward_ref(y, x, w, b, c->N, c->I, c->U);
                double s = 0;
                for (size_t j = 0; j < nu; j++) s += (double)G[j] * y[j];
                L[k] = s;
            }
            vars[v][i] = p0;
            fd[i] = (float)((L[0] - L[1]) / (2.0 * FD_STEP));
        }
        char what[80];
        snprintf(what, sizeof what, "dense %s vs finite diff N=%d %d->%d", names[v], c->N, c->I,
                 c->U);
        ck_assert_close(what, grads[v], fd, counts[v], TOL_FD_ABS, TOL_FD_REL);
        free(fd);
    }
    free(x), free(w), free(b), free(G), free(y), free(dx), free(dw), free(db);
}
END_TEST

static Suite *dense_suite(void)
{
    Suite *s = suite_create("dense");
    TCase *tc = tu_tcase("dense", 120, 1); /* all of it under oclgrind */
    tcase_add_loop_test(tc, test_dense_cl_vs_ref, 0, NCASES);
    tcase_add_loop_test(tc, test_dense_ref_backward_fd, 0, NCASES);
    suite_add_tcase(s, tc);
    /* Under oclgrind: the direct kernels on the small odd shapes, sliced and
     * in place, single outputs, the loop limit, $CLAE_DENSE. */
    TCase *sim = tu_tcase("dense direct sim", 300, 1);
    tcase_add_test(sim, test_dense_direct_env);
    tcase_add_loop_test(sim, test_dense_direct_vs_ref, 0, 5);
    tcase_add_loop_test(sim, test_dense_direct_vs_ref, NDCASES - 2, NDCASES - 1);
    tcase_add_test(sim, test_dense_transpose);
    tcase_add_loop_test(sim, test_dense_direct_single_outputs, 1, 2);
    tcase_add_loop_test(sim, test_dense_direct_single_outputs, 4, 5);
    tcase_add_loop_test(sim, test_dense_fused_act, 0, 24); /* cases 1, 3, 4 */
    suite_add_tcase(s, sim);
    TCase *big = tu_tcase("dense direct", 300, 0);
    tcase_add_loop_test(big, test_dense_direct_vs_ref, 5, NDCASES);
    tcase_add_loop_test(big, test_dense_direct_old_cases, 0, NCASES);
    tcase_add_loop_test(big, test_dense_direct_single_outputs, 7, 8);
    tcase_add_loop_test(big, test_dense_direct_deterministic, 4, 8);
    tcase_add_loop_test(big, test_dense_direct_deterministic, NDCASES - 1, NDCASES);
    tcase_add_test(big, test_dense_direct_loop_limit);
    tcase_add_loop_test(big, test_dense_fused_act, 24, 32); /* case 10: din by transposition */
    suite_add_tcase(s, big);
    return s;
}

int main(void) { return tu_run(dense_suite()); }
