/* Fully connected layers: OpenCL (CLBlast GEMM) vs reference, forward and
 * every backward output, and the reference backward vs central finite
 * differences. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

typedef struct dense_case {
    int N, I, U;
} dense_case;

static const dense_case CASES[] = {{1, 1, 1}, {2, 7, 3}, {5, 64, 17}, {3, 300, 64}, {8, 33, 129}};
#define NCASES (int)(sizeof CASES / sizeof CASES[0])

START_TEST(test_dense_cl_vs_ref)
{
    const dense_case *c = &CASES[_i];
    size_t ni = (size_t)c->N * c->I, nu = (size_t)c->N * c->U, nw = (size_t)c->U * c->I;
    uint64_t seed = 31 + (uint64_t)_i;
    float *x = tu_alloc_rand(ni, -1, 1, &seed), *w = tu_alloc_rand(nw, -1, 1, &seed);
    float *b = tu_alloc_rand((size_t)c->U, -1, 1, &seed), *g = tu_alloc_rand(nu, -1, 1, &seed);
    float *w0 = tu_alloc_rand(nw, -1, 1, &seed), *b0 = tu_alloc_rand((size_t)c->U, -1, 1, &seed);
    float *yr = tu_alloc0(nu), *dxr = tu_alloc0(ni), *dwr = tu_alloc0(nw), *dbr = tu_alloc0((size_t)c->U);
    float *yc = tu_alloc0(nu), *dxc = tu_alloc0(ni), *dwc = tu_alloc0(nw), *dbc = tu_alloc0((size_t)c->U);
    memcpy(dwr, w0, nw * 4), memcpy(dbr, b0, (size_t)c->U * 4); /* dw, db accumulate */
    dense_forward_ref(yr, x, w, b, c->N, c->I, c->U);
    dense_backward_ref(dxr, dwr, dbr, g, x, w, c->N, c->I, c->U);
    clae_device *d = tu_device();
    cl_mem mx = tu_upload(x, ni * 4), mw = tu_upload(w, nw * 4), mb = tu_upload(b, (size_t)c->U * 4);
    cl_mem mg = tu_upload(g, nu * 4), mdw = tu_upload(w0, nw * 4), mdb = tu_upload(b0, (size_t)c->U * 4);
    cl_mem my, mdx;
    ck_assert_int_eq(clae_buffer(d, nu * 4, &my), CLAE_OK);
    ck_assert_int_eq(clae_buffer(d, ni * 4, &mdx), CLAE_OK);
    ck_assert_int_eq(dense_forward_cl(d, my, mx, mw, mb, c->N, c->I, c->U), CLAE_OK);
    ck_assert_int_eq(dense_backward_cl(d, mdx, mdw, mdb, mg, mx, mw, c->N, c->I, c->U), CLAE_OK);
    tu_download(my, yc, nu * 4), tu_download(mdx, dxc, ni * 4);
    tu_download(mdw, dwc, nw * 4), tu_download(mdb, dbc, (size_t)c->U * 4);
    char what[80];
    snprintf(what, sizeof what, "dense fwd N=%d %d->%d", c->N, c->I, c->U);
    ck_assert_close(what, yc, yr, nu, TOL_SUM_ABS, TOL_SUM_REL);
    snprintf(what, sizeof what, "dense bwd din N=%d %d->%d", c->N, c->I, c->U);
    ck_assert_close(what, dxc, dxr, ni, TOL_SUM_ABS, TOL_SUM_REL);
    snprintf(what, sizeof what, "dense bwd dw += N=%d %d->%d", c->N, c->I, c->U);
    ck_assert_close(what, dwc, dwr, nw, TOL_SUM_ABS, TOL_SUM_REL);
    snprintf(what, sizeof what, "dense bwd db += N=%d %d->%d", c->N, c->I, c->U);
    ck_assert_close(what, dbc, dbr, (size_t)c->U, TOL_SUM_ABS, TOL_SUM_REL);
    cl_mem ms[] = {mx, mw, mb, mg, mdw, mdb, my, mdx};
    for (int i = 0; i < 8; i++) clReleaseMemObject(ms[i]);
    free(x), free(w), free(b), free(g), free(w0), free(b0), free(yr), free(dxr), free(dwr);
    free(dbr), free(yc), free(dxc), free(dwc), free(dbc);
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
    return s;
}

int main(void) { return tu_run(dense_suite()); }
