/* Max-unpooling with a max pool's saved indices: a hand-worked map, OpenCL
 * vs reference on random inputs (forward and backward, exact: both only move
 * values), reference backward vs central finite differences, and the
 * adjoint identity <unpool(x), y> = <x, unpool_backward(y)>. Indices come
 * from maxpool_forward_ref on random data, with non-overlapping windows as
 * the config requires. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

typedef struct unpool_case {
    int N, C, H, W, R, S; /* the pool's input and window (stride = window) */
    clae_padding pad;
} unpool_case;

static const unpool_case CASES[] = {
    {1, 1, 4, 4, 2, 2, CLAE_PAD_VALID}, {2, 3, 7, 9, 2, 2, CLAE_PAD_SAME},
    {3, 16, 8, 8, 2, 2, CLAE_PAD_VALID}, {2, 5, 11, 6, 3, 3, CLAE_PAD_SAME},
    {1, 4, 9, 13, 3, 2, CLAE_PAD_VALID}, {4, 8, 32, 32, 2, 2, CLAE_PAD_VALID},
    {2, 16, 16, 16, 2, 2, CLAE_PAD_SAME}, {1, 2, 5, 5, 5, 5, CLAE_PAD_VALID},
};
#define NCASES (int)(sizeof CASES / sizeof CASES[0])

/* The pool's geometry (pg) and the unpooling's (ug: input = the pool's
 * output, output = the pool's input), and real indices for random data. */
static int32_t *make_idx(const unpool_case *c, clae_conv_shape *ug, uint64_t *seed)
{
    clae_conv_shape pg;
    ck_assert_int_eq(clae_conv2d_shape(&pg, c->N, c->C, c->H, c->W, c->C, c->R, c->S, c->R, c->S,
                                       c->pad),
                     CLAE_OK);
    size_t n_in = (size_t)pg.N * pg.C * pg.H * pg.W, n_out = (size_t)pg.N * pg.C * pg.P * pg.Q;
    float *x = tu_alloc_rand(n_in, -1.0f, 1.0f, seed), *y = tu_alloc0(n_out);
    int32_t *idx = calloc(n_out, sizeof *idx);
    ck_assert_ptr_nonnull(idx);
    maxpool_forward_ref(y, idx, x, &pg);
    free(x), free(y);
    *ug = (clae_conv_shape){.N = pg.N, .C = pg.C, .H = pg.P, .W = pg.Q, .K = pg.C,
                            .R = c->R, .S = c->S, .sh = c->R, .sw = c->S, .P = pg.H, .Q = pg.W};
    return idx;
}

START_TEST(test_unpool_hand)
{
    /* a 4x4 plane pooled 2x2: argmaxes at (0,1), (1,3), (2,0), (3,3) */
    const int32_t idx[4] = {1, 7, 8, 15};
    const float in[4] = {5, 6, 7, 8};
    const clae_conv_shape g = {.N = 1, .C = 1, .H = 2, .W = 2, .K = 1, .R = 2, .S = 2,
                               .sh = 2, .sw = 2, .P = 4, .Q = 4};
    float out[16], din[4];
    const float want[16] = {0, 5, 0, 0, 0, 0, 0, 6, 7, 0, 0, 0, 0, 0, 0, 8};
    max_unpool_forward_ref(out, in, idx, &g);
    ck_assert_close("unpool hand forward", out, want, 16, TOL_HAND_ABS, TOL_HAND_REL);
    float dout[16];
    for (int i = 0; i < 16; i++) dout[i] = (float)(i + 1) * 0.5f;
    max_unpool_backward_ref(din, dout, idx, &g);
    const float wdin[4] = {1.0f, 4.0f, 4.5f, 8.0f};
    ck_assert_close("unpool hand backward", din, wdin, 4, TOL_HAND_ABS, TOL_HAND_REL);
}
END_TEST

START_TEST(test_unpool_cl_vs_ref)
{
    const unpool_case *c = &CASES[_i];
    uint64_t seed = 101 + (uint64_t)_i;
    clae_conv_shape g;
    int32_t *idx = make_idx(c, &g, &seed);
    size_t n_in = (size_t)g.N * g.C * g.H * g.W, n_out = (size_t)g.N * g.C * g.P * g.Q;
    float *in = tu_alloc_rand(n_in, -1.0f, 1.0f, &seed);
    float *dout = tu_alloc_rand(n_out, -1.0f, 1.0f, &seed);
    float *out_ref = tu_alloc0(n_out), *din_ref = tu_alloc0(n_in);
    float *out_cl = tu_alloc_rand(n_out, 5.0f, 6.0f, &seed); /* stale values must go */
    float *din_cl = tu_alloc0(n_in);
    max_unpool_forward_ref(out_ref, in, idx, &g);
    max_unpool_backward_ref(din_ref, dout, idx, &g);
    clae_device *d = tu_device();
    cl_mem m_in = tu_upload(in, n_in * 4), m_idx = tu_upload(idx, n_in * 4);
    cl_mem m_out = tu_upload(out_cl, n_out * 4), m_dout = tu_upload(dout, n_out * 4);
    cl_mem m_din = tu_upload(din_cl, n_in * 4);
    ck_assert_int_eq(max_unpool_forward_cl(d, m_out, m_in, m_idx, &g), CLAE_OK);
    ck_assert_int_eq(max_unpool_backward_cl(d, m_din, m_dout, m_idx, &g), CLAE_OK);
    tu_download(m_out, out_cl, n_out * 4);
    tu_download(m_din, din_cl, n_in * 4);
    char what[96];
    snprintf(what, sizeof what, "unpool fwd %dx%dx%dx%d from %dx%d %s", c->N, c->C, g.H, g.W,
             c->R, c->S, c->pad == CLAE_PAD_SAME ? "same" : "valid");
    ck_assert_close(what, out_cl, out_ref, n_out, TOL_EXACT_ABS, TOL_EXACT_REL);
    snprintf(what, sizeof what, "unpool bwd %dx%dx%dx%d", c->N, c->C, g.H, g.W);
    ck_assert_close(what, din_cl, din_ref, n_in, TOL_EXACT_ABS, TOL_EXACT_REL);
    cl_mem ms[] = {m_in, m_idx, m_out, m_dout, m_din};
    for (int i = 0; i < 5; i++) clReleaseMemObject(ms[i]);
    free(idx), free(in), free(dout), free(out_ref), free(din_ref), free(out_cl), free(din_cl);
}
END_TEST

/* L = sum(G * unpool(x)): its gradient is unpool_backward(G). */
START_TEST(test_unpool_ref_backward_fd)
{
    const unpool_case *c = &CASES[_i];
    uint64_t seed = 303 + (uint64_t)_i;
    clae_conv_shape g;
    int32_t *idx = make_idx(c, &g, &seed);
    size_t n_in = (size_t)g.N * g.C * g.H * g.W, n_out = (size_t)g.N * g.C * g.P * g.Q;
    float *x = tu_alloc_rand(n_in, -1.0f, 1.0f, &seed), *G = tu_alloc_rand(n_out, -1.0f, 1.0f, &seed);
    float *out = tu_alloc0(n_out), *dx = tu_alloc0(n_in), *fd = tu_alloc0(n_in);
    max_unpool_backward_ref(dx, G, idx, &g);
    for (size_t i = 0; i < n_in; i++) {
        float x0 = x[i];
        double L[2];
        for (int k = 0; k < 2; k++) {
            x[i] = x0 + (k ? -1.0f : 1.0f) * (float)FD_STEP;
            max_unpool_forward_ref(out, x, idx, &g);
            double s = 0;
            for (size_t j = 0; j < n_out; j++) s += (double)G[j] * out[j];
            L[k] = s;
        }
        x[i] = x0;
        fd[i] = (float)((L[0] - L[1]) / (2.0 * FD_STEP));
    }
    char what[96];
    snprintf(what, sizeof what, "unpool bwd vs finite diff %dx%dx%dx%d", c->N, c->C, g.H, g.W);
    ck_assert_close(what, dx, fd, n_in, TOL_FD_ABS, TOL_FD_REL);
    /* every input lands somewhere: the forward loses nothing */
    max_unpool_forward_ref(out, x, idx, &g);
    double sx = 0, so = 0;
    for (size_t i = 0; i < n_in; i++) sx += x[i];
    for (size_t j = 0; j < n_out; j++) so += out[j];
    float a = (float)sx, b = (float)so;
    ck_assert_close("unpool keeps every value", &b, &a, 1, TOL_SUM_ABS, TOL_SUM_REL);
    free(idx), free(x), free(G), free(out), free(dx), free(fd);
}
END_TEST

static Suite *unpool_suite(void)
{
    Suite *s = suite_create("unpool");
    TCase *tc = tu_tcase("unpool", 120, 1); /* all of it under oclgrind */
    tcase_add_test(tc, test_unpool_hand);
    tcase_add_loop_test(tc, test_unpool_cl_vs_ref, 0, NCASES);
    tcase_add_loop_test(tc, test_unpool_ref_backward_fd, 0, NCASES);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run(unpool_suite()); }
