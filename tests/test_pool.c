/* Max and average pooling: hand-worked maps (values and saved indices, ties,
 * 'same' padding with an odd size), OpenCL vs reference on random inputs
 * (forward values and indices identical, backward), reference backward vs
 * central finite differences. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

typedef struct pool_case {
    int N, C, H, W, R, S, sh, sw;
    clae_padding pad;
} pool_case;

/* Odd sizes, batch 1 and >1, channels 1..16, pool 2/3, stride 1/2/3, valid/same;
 * stride < pool gives overlapping windows; the denoiser's two pools; 2x2
 * windows in rows of 10 (the tiled kernels' vector part and its tail). */
static const pool_case CASES[] = {
    {1, 1, 5, 5, 2, 2, 2, 2, CLAE_PAD_VALID},   {2, 3, 7, 9, 3, 3, 2, 2, CLAE_PAD_SAME},
    {3, 16, 8, 8, 2, 2, 2, 2, CLAE_PAD_SAME},   {2, 5, 11, 6, 3, 3, 1, 1, CLAE_PAD_VALID},
    {1, 4, 9, 13, 3, 3, 3, 3, CLAE_PAD_SAME},   {2, 7, 10, 10, 3, 3, 2, 2, CLAE_PAD_VALID},
    {1, 2, 6, 7, 2, 2, 1, 1, CLAE_PAD_SAME},    {4, 16, 32, 32, 2, 2, 2, 2, CLAE_PAD_SAME},
    {2, 3, 13, 11, 3, 3, 1, 1, CLAE_PAD_SAME},  {1, 1, 1, 1, 2, 2, 2, 2, CLAE_PAD_SAME},
    {3, 2, 7, 8, 2, 3, 1, 2, CLAE_PAD_SAME},    {2, 9, 15, 15, 3, 3, 3, 3, CLAE_PAD_VALID},
    {2, 8, 32, 32, 2, 2, 2, 2, CLAE_PAD_SAME},  {2, 16, 16, 16, 2, 2, 2, 2, CLAE_PAD_SAME},
    {2, 3, 20, 20, 2, 2, 2, 2, CLAE_PAD_VALID}, /* 2x2 rows of 10: 8 as a vector, 2 one by one */
};
#define NCASES (int)(sizeof CASES / sizeof CASES[0])

static clae_conv_shape shape_of(const pool_case *c)
{
    clae_conv_shape g;
    ck_assert_int_eq(clae_conv2d_shape(&g, c->N, c->C, c->H, c->W, c->C, c->R, c->S, c->sh, c->sw,
                                       c->pad),
                     CLAE_OK);
    return g;
}

/* Exact comparison of saved indices; prints one line like tu_close. */
static int same_idx(const char *what, const int32_t *got, const int32_t *want, size_t n)
{
    size_t bad = 0, first = 0;
    for (size_t i = 0; i < n; i++)
        if (got[i] != want[i] && bad++ == 0) first = i;
    printf("  %-40s n=%-8zu %zu index mismatches %s\n", what, n, bad, bad ? "FAIL" : "ok");
    if (bad)
        printf("    first at %zu: got %d want %d\n", first, (int)got[first], (int)want[first]);
    fflush(stdout);
    return bad == 0;
}
#define ck_assert_same_idx(what, got, want, n) \
    ck_assert_msg(same_idx((what), (got), (want), (n)), "%s differs", (what))

/* Pooling on the device: out (and idx for max), then din from dout (max:
 * times the derivative of e, the activation that produced in). */
static void pool_cl(int is_max, const clae_conv_shape *g, const float *in, const float *dout,
                    float *out, int32_t *idx, float *din, clae_epi e)
{
    clae_device *d = tu_device();
    size_t n_in = (size_t)g->N * g->C * g->H * g->W, n_out = (size_t)g->N * g->C * g->P * g->Q;
    cl_mem m_in = tu_upload(in, n_in * 4), m_dout = tu_upload(dout, n_out * 4);
    cl_mem m_out, m_idx, m_din;
    ck_assert_int_eq(clae_buffer(d, n_out * 4, &m_out), CLAE_OK);
    ck_assert_int_eq(clae_buffer(d, n_out * 4, &m_idx), CLAE_OK);
    ck_assert_int_eq(clae_buffer(d, n_in * 4, &m_din), CLAE_OK);
    if (is_max) {
        ck_assert_int_eq(maxpool_forward_cl(d, m_out, m_idx, m_in, g), CLAE_OK);
        ck_assert_int_eq(maxpool_backward_cl(d, m_din, m_dout, m_idx, m_in, g, e), CLAE_OK);
        tu_download(m_idx, idx, n_out * 4);
    } else {
        ck_assert_int_eq(avgpool_forward_cl(d, m_out, m_in, g), CLAE_OK);
        ck_assert_int_eq(avgpool_backward_cl(d, m_din, m_dout, g), CLAE_OK);
    }
    tu_download(m_out, out, n_out * 4);
    tu_download(m_din, din, n_in * 4);
    clReleaseMemObject(m_in);
    clReleaseMemObject(m_dout);
    clReleaseMemObject(m_out);
    clReleaseMemObject(m_idx);
    clReleaseMemObject(m_din);
}

static const float MAP4[16] = {25, 48, 11, 58, 192, 10, 20, 110, 38, 0, 9, 31, 50, 8, 23, 47};

START_TEST(test_pool_hand_4x4)
{
    clae_conv_shape g;
    ck_assert_int_eq(clae_conv2d_shape(&g, 1, 1, 4, 4, 1, 2, 2, 2, 2, CLAE_PAD_VALID), CLAE_OK);
    ck_assert_int_eq(g.P, 2);
    ck_assert_int_eq(g.Q, 2);
    const float want_max[4] = {192, 110, 50, 47};
    const int32_t want_idx[4] = {4, 7, 12, 15}; /* (1,0) (1,3) (3,0) (3,3) */
    const float want_avg[4] = {68.75f, 49.75f, 24.0f, 27.5f};
    const float dout[4] = {1, 2, 3, 4};
    /* max: each dout lands on its window's maximum; avg: dout / 4 on all four */
    const float want_dmax[16] = {0, 0, 0, 0, 1, 0, 0, 2, 0, 0, 0, 0, 3, 0, 0, 4};
    const float want_davg[16] = {0.25f, 0.25f, 0.5f, 0.5f, 0.25f, 0.25f, 0.5f, 0.5f,
                                 0.75f, 0.75f, 1.0f, 1.0f, 0.75f, 0.75f, 1.0f, 1.0f};
    float out[4], din[16];
    int32_t idx[4];

    maxpool_forward_ref(out, idx, MAP4, &g);
    ck_assert_close("maxpool 4x4 hand ref", out, want_max, 4, TOL_HAND_ABS, TOL_HAND_REL);
    ck_assert_same_idx("maxpool 4x4 hand ref idx", idx, want_idx, 4);
    maxpool_backward_ref(din, dout, idx, &g);
    ck_assert_close("maxpool 4x4 hand ref backward", din, want_dmax, 16, TOL_HAND_ABS,
                    TOL_HAND_REL);
    avgpool_forward_ref(out, MAP4, &g);
    ck_assert_close("avgpool 4x4 hand ref", out, want_avg, 4, TOL_HAND_ABS, TOL_HAND_REL);
    avgpool_backward_ref(din, dout, &g);
    ck_assert_close("avgpool 4x4 hand ref backward", din, want_davg, 16, TOL_HAND_ABS,
                    TOL_HAND_REL);

    pool_cl(1, &g, MAP4, dout, out, idx, din, CLAE_EPI_NONE);
    ck_assert_close("maxpool 4x4 hand cl", out, want_max, 4, TOL_HAND_ABS, TOL_HAND_REL);
    ck_assert_same_idx("maxpool 4x4 hand cl idx", idx, want_idx, 4);
    ck_assert_close("maxpool 4x4 hand cl backward", din, want_dmax, 16, TOL_HAND_ABS,
                    TOL_HAND_REL);
    pool_cl(0, &g, MAP4, dout, out, idx, din, CLAE_EPI_NONE);
    ck_assert_close("avgpool 4x4 hand cl", out, want_avg, 4, TOL_HAND_ABS, TOL_HAND_REL);
    ck_assert_close("avgpool 4x4 hand cl backward", din, want_davg, 16, TOL_HAND_ABS,
                    TOL_HAND_REL);
}
END_TEST

/* Ties go to the first maximum in row-major window order; with overlapping
 * windows a pixel that is the maximum of several windows collects all their
 * gradients. */
START_TEST(test_pool_hand_ties)
{
    /* 2x2 stride 2: windows [[5,5],[5,5]] -> idx 0; [[1,7],[7,2]] -> idx (0,3)=3;
     * [[0,-1],[-1,0]] -> (2,0)=8; [[3,3],[9,9]] -> (3,2)=14 */
    const float in[16] = {5, 5, 1, 7, 5, 5, 7, 2, 0, -1, 3, 3, -1, 0, 9, 9};
    const int32_t want_idx[4] = {0, 3, 8, 14};
    const float want_max[4] = {5, 7, 0, 9};
    clae_conv_shape g;
    ck_assert_int_eq(clae_conv2d_shape(&g, 1, 1, 4, 4, 1, 2, 2, 2, 2, CLAE_PAD_VALID), CLAE_OK);
    float out[4], din[16];
    int32_t idx[4];
    const float dout[4] = {1, 1, 1, 1};
    maxpool_forward_ref(out, idx, in, &g);
    ck_assert_close("maxpool ties ref", out, want_max, 4, TOL_HAND_ABS, TOL_HAND_REL);
    ck_assert_same_idx("maxpool ties ref idx", idx, want_idx, 4);
    pool_cl(1, &g, in, dout, out, idx, din, CLAE_EPI_NONE);
    ck_assert_close("maxpool ties cl", out, want_max, 4, TOL_HAND_ABS, TOL_HAND_REL);
    ck_assert_same_idx("maxpool ties cl idx", idx, want_idx, 4);

    /* 3x3 all equal, 2x2 stride 1: every window takes its top-left pixel, so
     * the top-left 2x2 pixels get one dout each: din = [[1,2,0],[3,4,0],[0,0,0]]. */
    const float flat[9] = {2, 2, 2, 2, 2, 2, 2, 2, 2};
    const int32_t want_idx2[4] = {0, 1, 3, 4};
    const float dout2[4] = {1, 2, 3, 4};
    const float want_din2[9] = {1, 2, 0, 3, 4, 0, 0, 0, 0};
    ck_assert_int_eq(clae_conv2d_shape(&g, 1, 1, 3, 3, 1, 2, 2, 1, 1, CLAE_PAD_VALID), CLAE_OK);
    float din2[9];
    maxpool_forward_ref(out, idx, flat, &g);
    ck_assert_same_idx("maxpool flat ref idx", idx, want_idx2, 4);
    maxpool_backward_ref(din2, dout2, idx, &g);
    ck_assert_close("maxpool flat ref backward", din2, want_din2, 9, TOL_HAND_ABS, TOL_HAND_REL);
    pool_cl(1, &g, flat, dout2, out, idx, din2, CLAE_EPI_NONE);
    ck_assert_same_idx("maxpool flat cl idx", idx, want_idx2, 4);
    ck_assert_close("maxpool flat cl backward", din2, want_din2, 9, TOL_HAND_ABS, TOL_HAND_REL);

    /* Overlap: 1x3 row [1,9,1], 1x2 window stride 1: both windows pick the 9. */
    const float row[3] = {1, 9, 1};
    const int32_t want_idx3[2] = {1, 1};
    const float dout3[2] = {0.5f, 0.25f}, want_din3[3] = {0, 0.75f, 0};
    ck_assert_int_eq(clae_conv2d_shape(&g, 1, 1, 1, 3, 1, 1, 2, 1, 1, CLAE_PAD_VALID), CLAE_OK);
    float din3[3];
    pool_cl(1, &g, row, dout3, out, idx, din3, CLAE_EPI_NONE);
    ck_assert_same_idx("maxpool overlap cl idx", idx, want_idx3, 2);
    ck_assert_close("maxpool overlap cl backward", din3, want_din3, 3, TOL_HAND_ABS,
                    TOL_HAND_REL);
}
END_TEST

/* 'same' 2x2 stride 2 on a 5x5 map x[r][c] = 5r + c (so a value is its own
 * index): P = Q = 3, pad_total 1, all of it after (pt = pl = 0). Last row and
 * column of windows hold 2 (or 1) in-image elements; padding never wins even
 * when the map is negative. */
START_TEST(test_pool_hand_same_odd)
{
    clae_conv_shape g;
    ck_assert_int_eq(clae_conv2d_shape(&g, 1, 1, 5, 5, 1, 2, 2, 2, 2, CLAE_PAD_SAME), CLAE_OK);
    ck_assert_int_eq(g.P, 3);
    ck_assert_int_eq(g.Q, 3);
    ck_assert_int_eq(g.pt, 0);
    ck_assert_int_eq(g.pl, 0);
    float in[25], neg[25];
    for (int i = 0; i < 25; i++) in[i] = (float)i, neg[i] = -(float)(i + 1);
    const float want_max[9] = {6, 8, 9, 16, 18, 19, 21, 23, 24};
    const int32_t want_idx[9] = {6, 8, 9, 16, 18, 19, 21, 23, 24};
    /* (0+1+5+6)/4, (2+3+7+8)/4, (4+9)/2, (10+11+15+16)/4, (12+13+17+18)/4,
     * (14+19)/2, (20+21)/2, (22+23)/2, 24/1 */
    const float want_avg[9] = {3, 5, 6.5f, 13, 15, 16.5f, 20.5f, 22.5f, 24};
    /* negative map: the top-left element of each window is the largest */
    const float want_nmax[9] = {-1, -3, -5, -11, -13, -15, -21, -23, -25};
    const int32_t want_nidx[9] = {0, 2, 4, 10, 12, 14, 20, 22, 24};
    /* avg backward with dout = 1: 1 / count of the one window holding the pixel */
    float want_davg[25], ones[9];
    for (int i = 0; i < 9; i++) ones[i] = 1.0f;
    for (int r = 0; r < 5; r++)
        for (int c = 0; c < 5; c++) want_davg[r * 5 + c] = 1.0f / ((r < 4 ? 2 : 1) * (c < 4 ? 2 : 1));
    float out[9], din[25];
    int32_t idx[9];

    maxpool_forward_ref(out, idx, in, &g);
    ck_assert_close("maxpool same 5x5 ref", out, want_max, 9, TOL_HAND_ABS, TOL_HAND_REL);
    ck_assert_same_idx("maxpool same 5x5 ref idx", idx, want_idx, 9);
    maxpool_forward_ref(out, idx, neg, &g);
    ck_assert_close("maxpool same 5x5 negative ref", out, want_nmax, 9, TOL_HAND_ABS,
                    TOL_HAND_REL);
    ck_assert_same_idx("maxpool same 5x5 negative ref idx", idx, want_nidx, 9);
    avgpool_forward_ref(out, in, &g);
    ck_assert_close("avgpool same 5x5 ref", out, want_avg, 9, TOL_HAND_ABS, TOL_HAND_REL);
    avgpool_backward_ref(din, ones, &g);
    ck_assert_close("avgpool same 5x5 ref backward", din, want_davg, 25, TOL_HAND_ABS,
                    TOL_HAND_REL);

    pool_cl(1, &g, in, ones, out, idx, din, CLAE_EPI_NONE);
    ck_assert_close("maxpool same 5x5 cl", out, want_max, 9, TOL_HAND_ABS, TOL_HAND_REL);
    ck_assert_same_idx("maxpool same 5x5 cl idx", idx, want_idx, 9);
    pool_cl(1, &g, neg, ones, out, idx, din, CLAE_EPI_NONE);
    ck_assert_close("maxpool same 5x5 negative cl", out, want_nmax, 9, TOL_HAND_ABS,
                    TOL_HAND_REL);
    ck_assert_same_idx("maxpool same 5x5 negative cl idx", idx, want_nidx, 9);
    pool_cl(0, &g, in, ones, out, idx, din, CLAE_EPI_NONE);
    ck_assert_close("avgpool same 5x5 cl", out, want_avg, 9, TOL_HAND_ABS, TOL_HAND_REL);
    ck_assert_close("avgpool same 5x5 cl backward", din, want_davg, 25, TOL_HAND_ABS,
                    TOL_HAND_REL);
}
END_TEST

/* _i: case index; forward values and indices must be identical (a max needs no
 * arithmetic), backward within the elementwise tolerance. Inputs are coarsely
 * quantised in every other case so windows hold ties. */
START_TEST(test_pool_cl_vs_ref)
{
    const pool_case *c = &CASES[_i];
    clae_conv_shape g = shape_of(c);
    size_t n_in = (size_t)g.N * g.C * g.H * g.W, n_out = (size_t)g.N * g.C * g.P * g.Q;
    uint64_t seed = 500 + (uint64_t)_i;
    float *in = tu_alloc_rand(n_in, -2.0f, 2.0f, &seed);
    if (_i % 2)
        for (size_t i = 0; i < n_in; i++) in[i] = floorf(in[i] * 2.0f);
    float *dout = tu_alloc_rand(n_out, -1.0f, 1.0f, &seed);
    float *out_ref = tu_alloc0(n_out), *out_cl = tu_alloc0(n_out);
    float *din_ref = tu_alloc0(n_in), *din_cl = tu_alloc0(n_in);
    int32_t *idx_ref = calloc(n_out, 4), *idx_cl = calloc(n_out, 4);
    ck_assert_ptr_nonnull(idx_ref);
    ck_assert_ptr_nonnull(idx_cl);
    char what[96], shape[64];
    snprintf(shape, sizeof shape, "%dx%dx%dx%d %dx%d/%dx%d %s", c->N, c->C, c->H, c->W, c->R,
             c->S, c->sh, c->sw, c->pad == CLAE_PAD_SAME ? "same" : "valid");

    maxpool_forward_ref(out_ref, idx_ref, in, &g);
    maxpool_backward_ref(din_ref, dout, idx_ref, &g);
    pool_cl(1, &g, in, dout, out_cl, idx_cl, din_cl, CLAE_EPI_NONE);
    snprintf(what, sizeof what, "maxpool fwd %s", shape);
    ck_assert_msg(memcmp(out_cl, out_ref, n_out * 4) == 0, "%s values not identical", what);
    ck_assert_close(what, out_cl, out_ref, n_out, TOL_ELEM_ABS, TOL_ELEM_REL);
    snprintf(what, sizeof what, "maxpool idx %s", shape);
    ck_assert_same_idx(what, idx_cl, idx_ref, n_out);
    snprintf(what, sizeof what, "maxpool bwd %s", shape);
    ck_assert_close(what, din_cl, din_ref, n_in, TOL_ELEM_ABS, TOL_ELEM_REL);
    /* with the derivative of the input's activation fused in (relu,
     * sigmoid, tanh, leaky_relu 0.25 in turn; in as its saved output) */
    const clae_epi e = {.act = (clae_act)(1 + _i % 4), .alpha = 0.25f};
    act_backward_ref(din_ref, din_ref, in, n_in, e.act, e.alpha);
    pool_cl(1, &g, in, dout, out_cl, idx_cl, din_cl, e);
    snprintf(what, sizeof what, "maxpool bwd * act %d' %s", (int)e.act, shape);
    ck_assert_close(what, din_cl, din_ref, n_in, TOL_ELEM_ABS, TOL_ELEM_REL);

    avgpool_forward_ref(out_ref, in, &g);
    avgpool_backward_ref(din_ref, dout, &g);
    pool_cl(0, &g, in, dout, out_cl, idx_cl, din_cl, CLAE_EPI_NONE);
    snprintf(what, sizeof what, "avgpool fwd %s", shape);
    ck_assert_close(what, out_cl, out_ref, n_out, TOL_ELEM_ABS, TOL_ELEM_REL);
    snprintf(what, sizeof what, "avgpool bwd %s", shape);
    ck_assert_close(what, din_cl, din_ref, n_in, TOL_ELEM_ABS, TOL_ELEM_REL);
    free(in), free(dout), free(out_ref), free(out_cl), free(din_ref), free(din_cl);
    free(idx_ref), free(idx_cl);
}
END_TEST

/* L = sum(G * pool(x)) in double. */
static double pool_loss(int is_max, const float *x, const float *G, const clae_conv_shape *g,
                        float *out, int32_t *idx)
{
    if (is_max) maxpool_forward_ref(out, idx, x, g);
    else avgpool_forward_ref(out, x, g);
    double L = 0.0;
    for (long i = 0; i < (long)g->N * g->C * g->P * g->Q; i++) L += (double)G[i] * out[i];
    return L;
}

/* _i: 0..3 max on cases 1, 3, 8, 10; 4..7 avg on the same. Inputs are a shuffled
 * ramp with spacing 0.05 > 2 * FD_STEP, so no perturbation changes an argmax. */
START_TEST(test_pool_ref_backward_fd)
{
    static const int FD_CASES[] = {1, 3, 8, 10};
    int is_max = _i < 4;
    const pool_case *c = &CASES[FD_CASES[_i % 4]];
    clae_conv_shape g = shape_of(c);
    size_t n_in = (size_t)g.N * g.C * g.H * g.W, n_out = (size_t)g.N * g.C * g.P * g.Q;
    uint64_t seed = 77 + (uint64_t)_i;
    float *x = tu_alloc0(n_in), *u = tu_alloc_rand(n_in, 0.0f, 1.0f, &seed);
    for (size_t i = 0; i < n_in; i++) x[i] = (float)i;
    for (size_t i = n_in - 1; i > 0; i--) { /* Fisher-Yates */
        size_t j = (size_t)(u[i] * (float)(i + 1));
        if (j > i) j = i;
        float t = x[i];
        x[i] = x[j], x[j] = t;
    }
    for (size_t i = 0; i < n_in; i++) x[i] = 0.05f * x[i] - 0.025f * (float)n_in;
    float *G = tu_alloc_rand(n_out, -1.0f, 1.0f, &seed);
    float *out = tu_alloc0(n_out), *dx = tu_alloc0(n_in), *fd = tu_alloc0(n_in);
    int32_t *idx = calloc(n_out, 4);
    ck_assert_ptr_nonnull(idx);
    pool_loss(is_max, x, G, &g, out, idx);
    if (is_max) maxpool_backward_ref(dx, G, idx, &g);
    else avgpool_backward_ref(dx, G, &g);
    for (size_t i = 0; i < n_in; i++) {
        float x0 = x[i];
        x[i] = x0 + (float)FD_STEP;
        double Lp = pool_loss(is_max, x, G, &g, out, idx);
        x[i] = x0 - (float)FD_STEP;
        double Lm = pool_loss(is_max, x, G, &g, out, idx);
        x[i] = x0;
        fd[i] = (float)((Lp - Lm) / (2.0 * FD_STEP));
    }
    char what[96];
    snprintf(what, sizeof what, "%s bwd vs finite diff %dx%dx%dx%d %dx%d/%d %s",
             is_max ? "maxpool" : "avgpool", c->N, c->C, c->H, c->W, c->R, c->S, c->sh,
             c->pad == CLAE_PAD_SAME ? "same" : "valid");
    ck_assert_close(what, dx, fd, n_in, TOL_FD_ABS, TOL_FD_REL);
    free(x), free(u), free(G), free(out), free(dx), free(fd), free(idx);
}
END_TEST

static Suite *pool_suite(void)
{
    Suite *s = suite_create("pool");
    TCase *tc = tu_tcase("pool", 120, 1); /* all of it under oclgrind */
    tcase_add_test(tc, test_pool_hand_4x4);
    tcase_add_test(tc, test_pool_hand_ties);
    tcase_add_test(tc, test_pool_hand_same_odd);
    tcase_add_loop_test(tc, test_pool_cl_vs_ref, 0, NCASES);
    tcase_add_loop_test(tc, test_pool_ref_backward_fd, 0, 8);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run(pool_suite()); }
