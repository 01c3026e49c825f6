/* conv2d: CLBlast GEMM smoke test, OpenCL vs reference (forward, din, dw,
 * db) over many shapes including a batch that needs several chunks,
 * reference backward vs central finite differences, shape rules and
 * hand-worked cases. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ops/gemm.h"
#include "testutil.h"

typedef struct conv_case {
    int N, C, H, W, K, R, S, sh, sw;
    clae_padding pad;
    int bias;
} conv_case;

static const char *pad_name(clae_padding p) { return p == CLAE_PAD_SAME ? "same" : "valid"; }

static clae_conv_shape make_shape(const conv_case *c)
{
    clae_conv_shape g;
    ck_assert_int_eq(clae_conv2d_shape(&g, c->N, c->C, c->H, c->W, c->K, c->R, c->S, c->sh,
                                       c->sw, c->pad),
                     CLAE_OK);
    return g;
}

/* Odd sizes, batch 1 and 3, channels 1..16 and 40 -> 36 (the auto rule's
 * GEMM branch on GPUs), kernels 1x1 2x2 3x3 5x5 and non-square, strides 1
 * and 2, both paddings; then the denoiser's encoder / decoder convolutions
 * at batch 2. */
static const conv_case CASES[] = {
    {1, 1, 7, 5, 1, 3, 3, 1, 1, CLAE_PAD_SAME, 1},
    {3, 2, 7, 5, 4, 3, 3, 2, 2, CLAE_PAD_SAME, 1},
    {2, 40, 6, 5, 36, 3, 3, 1, 1, CLAE_PAD_SAME, 1}, /* > 32 channels: GEMM on GPUs */
    {3, 3, 7, 5, 5, 3, 3, 1, 1, CLAE_PAD_VALID, 1},
    {1, 16, 6, 6, 8, 1, 1, 1, 1, CLAE_PAD_VALID, 1},
    {3, 5, 9, 7, 3, 5, 5, 1, 1, CLAE_PAD_SAME, 0},
    {3, 5, 9, 7, 3, 5, 5, 2, 2, CLAE_PAD_VALID, 1},
    {3, 4, 8, 7, 6, 2, 2, 2, 2, CLAE_PAD_VALID, 1},
    {1, 3, 6, 9, 2, 2, 2, 1, 1, CLAE_PAD_SAME, 1},
    {2, 3, 7, 5, 4, 3, 5, 2, 1, CLAE_PAD_SAME, 1},
    {3, 7, 11, 13, 16, 5, 5, 2, 2, CLAE_PAD_VALID, 1},
    {3, 16, 5, 5, 1, 3, 3, 2, 2, CLAE_PAD_SAME, 1},
    {2, 3, 32, 32, 8, 3, 3, 1, 1, CLAE_PAD_SAME, 1},
    {2, 8, 16, 16, 16, 3, 3, 1, 1, CLAE_PAD_SAME, 1},
    {2, 16, 32, 32, 3, 3, 3, 1, 1, CLAE_PAD_SAME, 1},
};
#define NCASES ((int)(sizeof CASES / sizeof CASES[0]))

/* Compare forward and all three backward outputs of the OpenCL path with
 * the reference. dw and db start non-zero to check they accumulate. Data are
 * uniform in [lo, 1). */
static void compare_case(const conv_case *cc, uint64_t seed, float lo)
{
    clae_device *d = tu_device();
    clae_conv_shape g = make_shape(cc);
    size_t nin = (size_t)g.N * g.C * g.H * g.W, nout = (size_t)g.N * g.K * g.P * g.Q;
    size_t nw = (size_t)g.K * g.C * g.R * g.S, nb = (size_t)g.K;
    float *in = tu_alloc_rand(nin, lo, 1.0f, &seed);
    float *w = tu_alloc_rand(nw, lo, 1.0f, &seed);
    float *b = tu_alloc_rand(nb, lo, 1.0f, &seed);
    float *dout = tu_alloc_rand(nout, lo, 1.0f, &seed);
    float *dw0 = tu_alloc_rand(nw, -1.0f, 1.0f, &seed);
    float *db0 = tu_alloc_rand(nb, -1.0f, 1.0f, &seed);
    const float *bias = cc->bias ? b : NULL;

    float *out_ref = tu_alloc0(nout), *din_ref = tu_alloc0(nin);
    float *dw_ref = tu_alloc0(nw), *db_ref = tu_alloc0(nb);
    memcpy(dw_ref, dw0, nw * sizeof(float));
    memcpy(db_ref, db0, nb * sizeof(float));
    conv2d_forward_ref(out_ref, in, w, bias, &g);
    conv2d_backward_ref(din_ref, dw_ref, db_ref, dout, in, w, &g);

    float *out_cl = tu_alloc_rand(nout, -9.0f, 9.0f, &seed); /* garbage to overwrite */
    float *din_cl = tu_alloc_rand(nin, -9.0f, 9.0f, &seed);
    cl_mem m_in = tu_upload(in, nin * 4), m_w = tu_upload(w, nw * 4), m_b = tu_upload(b, nb * 4);
    cl_mem m_dout = tu_upload(dout, nout * 4), m_out = tu_upload(out_cl, nout * 4);
    cl_mem m_din = tu_upload(din_cl, nin * 4);
    cl_mem m_dw = tu_upload(dw0, nw * 4), m_db = tu_upload(db0, nb * 4);
    ck_assert_int_eq(conv2d_forward_cl(d, m_out, m_in, m_w, cc->bias ? m_b : NULL, &g, CLAE_EPI_NONE), CLAE_OK);
    ck_assert_int_eq(conv2d_backward_cl(d, m_din, m_dw, m_db, m_dout, m_in, m_w, &g, CLAE_EPI_NONE), CLAE_OK);
    float *dw_cl = tu_alloc0(nw), *db_cl = tu_alloc0(nb);
    tu_download(m_out, out_cl, nout * 4);
    tu_download(m_din, din_cl, nin * 4);
    tu_download(m_dw, dw_cl, nw * 4);
    tu_download(m_db, db_cl, nb * 4);

    char tag[96], what[128];
    snprintf(tag, sizeof tag, "%dx%dx%dx%d->%d %dx%d s%d,%d %s%s", g.N, g.C, g.H, g.W, g.K, g.R,
             g.S, g.sh, g.sw, pad_name(cc->pad), cc->bias ? "" : " nobias");
    snprintf(what, sizeof what, "conv2d fwd %s", tag);
    ck_assert_close(what, out_cl, out_ref, nout, TOL_SUM_ABS, TOL_SUM_REL);
    snprintf(what, sizeof what, "conv2d din %s", tag);
    ck_assert_close(what, din_cl, din_ref, nin, TOL_SUM_ABS, TOL_SUM_REL);
    snprintf(what, sizeof what, "conv2d dw+= %s", tag);
    ck_assert_close(what, dw_cl, dw_ref, nw, TOL_SUM_ABS, TOL_SUM_REL);
    snprintf(what, sizeof what, "conv2d db+= %s", tag);
    ck_assert_close(what, db_cl, db_ref, nb, TOL_SUM_ABS, TOL_SUM_REL);

    cl_mem ms[] = {m_in, m_w, m_b, m_dout, m_out, m_din, m_dw, m_db};
    for (size_t i = 0; i < sizeof ms / sizeof ms[0]; i++) clReleaseMemObject(ms[i]);
    float *fs[] = {in, w, b, dout, dw0, db0, out_ref, din_ref, dw_ref, db_ref, out_cl, din_cl,
                   dw_cl, db_cl};
    for (size_t i = 0; i < sizeof fs / sizeof fs[0]; i++) free(fs[i]);
}

/* CLBlast works on this device: a 2x3 by 3x2 product in all four
 * transpose combinations, with beta = 1 accumulation. */
START_TEST(test_conv2d_gemm_smoke)
{
    clae_device *d = tu_device();
    const float A[6] = {1, 2, 3, 4, 5, 6}, B[6] = {1, 0, 2, 1, 0, 3};
    /* (ta,tb) = (0,0) (1,0) (0,1) (1,1): A read as 2x3 or as the transpose of
     * a 3x2, B as 3x2 or the transpose of a 2x3; then + 1 from C. */
    const float want[4][4] = {{6, 12, 15, 24}, {8, 19, 11, 23}, {8, 11, 17, 23},
                              {12, 17, 15, 21}};
    for (int t = 0; t < 4; t++) {
        int ta = t & 1, tb = t >> 1;
        float C[4] = {1, 1, 1, 1};
        cl_mem a = tu_upload(A, sizeof A), bm = tu_upload(B, sizeof B), c = tu_upload(C, sizeof C);
        ck_assert_int_eq(clae_gemm(d, ta, tb, 2, 2, 3, 1.0f, a, 0, ta ? 2 : 3, bm, 0, tb ? 3 : 2,
                                   1.0f, c, 0, 2),
                         CLAE_OK);
        tu_download(c, C, sizeof C);
        char what[64];
        snprintf(what, sizeof what, "CLBlast Sgemm ta=%d tb=%d", ta, tb);
        ck_assert_close(what, C, want[t], 4, TOL_HAND_ABS, TOL_HAND_REL);
        clReleaseMemObject(a);
        clReleaseMemObject(bm);
        clReleaseMemObject(c);
    }
}
END_TEST

START_TEST(test_conv2d_cl_vs_ref) { compare_case(&CASES[_i], 100 + (uint64_t)_i, -1.0f); }
END_TEST

/* A batch whose column buffer (C*R*S x N*P*Q floats) exceeds
 * CLAE_CONV_SCRATCH_MAX, so the OpenCL path runs in two chunks (2 images,
 * then 1). Sums of thousands of products: non-negative data, so that no
 * element cancels to near zero and float rounding stays within TOL_SUM's
 * relative part. */
START_TEST(test_conv2d_cl_vs_ref_chunked)
{
    const conv_case cc = {3, 256, 64, 64, 2, 5, 5, 1, 1, CLAE_PAD_SAME, 1};
    size_t per_image = (size_t)256 * 25 * 64 * 64 * sizeof(float);
    ck_assert_uint_gt(3 * per_image, CLAE_CONV_SCRATCH_MAX);
    ck_assert_uint_le(2 * per_image, CLAE_CONV_SCRATCH_MAX);
    compare_case(&cc, 77, 0.0f);
}
END_TEST

/* NULL skips an output; the others are still right. */
START_TEST(test_conv2d_cl_null_outputs)
{
    clae_device *d = tu_device();
    const conv_case cc = {2, 3, 7, 5, 4, 3, 3, 2, 2, CLAE_PAD_SAME, 1};
    clae_conv_shape g = make_shape(&cc);
    size_t nin = (size_t)g.N * g.C * g.H * g.W, nout = (size_t)g.N * g.K * g.P * g.Q;
    size_t nw = (size_t)g.K * g.C * g.R * g.S, nb = (size_t)g.K;
    uint64_t seed = 5;
    float *in = tu_alloc_rand(nin, -1.0f, 1.0f, &seed);
    float *w = tu_alloc_rand(nw, -1.0f, 1.0f, &seed);
    float *dout = tu_alloc_rand(nout, -1.0f, 1.0f, &seed);
    float *din_ref = tu_alloc0(nin), *dw_ref = tu_alloc0(nw), *db_ref = tu_alloc0(nb);
    float *din_cl = tu_alloc0(nin), *dw_cl = tu_alloc0(nw), *db_cl = tu_alloc0(nb);
    conv2d_backward_ref(din_ref, dw_ref, db_ref, dout, in, w, &g);
    cl_mem m_in = tu_upload(in, nin * 4), m_w = tu_upload(w, nw * 4);
    cl_mem m_dout = tu_upload(dout, nout * 4), m_din = tu_upload(din_cl, nin * 4);
    cl_mem m_dw = tu_upload(dw_cl, nw * 4), m_db = tu_upload(db_cl, nb * 4);
    ck_assert_int_eq(conv2d_backward_cl(d, m_din, NULL, NULL, m_dout, m_in, m_w, &g, CLAE_EPI_NONE), CLAE_OK);
    ck_assert_int_eq(conv2d_backward_cl(d, NULL, m_dw, NULL, m_dout, m_in, m_w, &g, CLAE_EPI_NONE), CLAE_OK);
    ck_assert_int_eq(conv2d_backward_cl(d, NULL, NULL, m_db, m_dout, m_in, m_w, &g, CLAE_EPI_NONE), CLAE_OK);
    tu_download(m_din, din_cl, nin * 4);
    tu_download(m_dw, dw_cl, nw * 4);
    tu_download(m_db, db_cl, nb * 4);
    ck_assert_close("conv2d din only", din_cl, din_ref, nin, TOL_SUM_ABS, TOL_SUM_REL);
    ck_assert_close("conv2d dw only", dw_cl, dw_ref, nw, TOL_SUM_ABS, TOL_SUM_REL);
    ck_assert_close("conv2d db only", db_cl, db_ref, nb, TOL_SUM_ABS, TOL_SUM_REL);
    cl_mem ms[] = {m_in, m_w, m_dout, m_din, m_dw, m_db};
    for (size_t i = 0; i < sizeof ms / sizeof ms[0]; i++) clReleaseMemObject(ms[i]);
    float *fs[] = {in, w, dout, din_ref, dw_ref, db_ref, din_cl, dw_cl, db_cl};
    for (size_t i = 0; i < sizeof fs / sizeof fs[0]; i++) free(fs[i]);
}
END_TEST

/* L = sum(G * conv2d(in, w, b)) in double. */
static double conv_loss(const float *G, const float *in, const float *w, const float *b,
                        const clae_conv_shape *g, float *out)
{
    conv2d_forward_ref(out, in, w, b, g);
    double L = 0.0;
    size_t n = (size_t)g->N * g->K * g->P * g->Q;
    for (size_t i = 0; i < n; i++) L += (double)G[i] * out[i];
    return L;
}

/* Central differences of conv_loss with respect to every element of x. */
static void fd_grad(float *fd, float *x, size_t n, const float *G, const float *in,
                    const float *w, const float *b, const clae_conv_shape *g, float *scratch)
{
    for (size_t i = 0; i < n; i++) {
        float keep = x[i];
        x[i] = keep + (float)FD_STEP;
        double lp = conv_loss(G, in, w, b, g, scratch);
        x[i] = keep - (float)FD_STEP;
        double lm = conv_loss(G, in, w, b, g, scratch);
        x[i] = keep;
        fd[i] = (float)((lp - lm) / (2.0 * FD_STEP));
    }
}

static const conv_case FD_CASES[] = {
    {2, 3, 5, 4, 2, 3, 3, 1, 1, CLAE_PAD_SAME, 1},
    {2, 2, 7, 5, 3, 3, 3, 2, 2, CLAE_PAD_SAME, 1},
    {1, 3, 6, 5, 2, 2, 2, 2, 1, CLAE_PAD_VALID, 1},
    {2, 2, 6, 6, 2, 5, 5, 1, 1, CLAE_PAD_SAME, 1},
};

START_TEST(test_conv2d_ref_backward_fd)
{
    clae_conv_shape g = make_shape(&FD_CASES[_i]);
    size_t nin = (size_t)g.N * g.C * g.H * g.W, nout = (size_t)g.N * g.K * g.P * g.Q;
    size_t nw = (size_t)g.K * g.C * g.R * g.S, nb = (size_t)g.K;
    uint64_t seed = 900 + (uint64_t)_i;
    float *in = tu_alloc_rand(nin, -1.0f, 1.0f, &seed);
    float *w = tu_alloc_rand(nw, -1.0f, 1.0f, &seed);
    float *b = tu_alloc_rand(nb, -1.0f, 1.0f, &seed);
    float *G = tu_alloc_rand(nout, -1.0f, 1.0f, &seed);
    float *out = tu_alloc0(nout);
    float *din = tu_alloc0(nin), *dw = tu_alloc0(nw), *db = tu_alloc0(nb);
    float *fd_in = tu_alloc0(nin), *fd_w = tu_alloc0(nw), *fd_b = tu_alloc0(nb);
    conv2d_backward_ref(din, dw, db, G, in, w, &g);
    fd_grad(fd_in, in, nin, G, in, w, b, &g, out);
    fd_grad(fd_w, w, nw, G, in, w, b, &g, out);
    fd_grad(fd_b, b, nb, G, in, w, b, &g, out);
    char what[96];
    snprintf(what, sizeof what, "conv2d din vs fd %dx%d %dx%d s%d %s", g.H, g.W, g.R, g.S, g.sh,
             pad_name(FD_CASES[_i].pad));
    ck_assert_close(what, din, fd_in, nin, TOL_FD_ABS, TOL_FD_REL);
    snprintf(what, sizeof what, "conv2d dw vs fd %dx%d %dx%d s%d %s", g.H, g.W, g.R, g.S, g.sh,
             pad_name(FD_CASES[_i].pad));
    ck_assert_close(what, dw, fd_w, nw, TOL_FD_ABS, TOL_FD_REL);
    snprintf(what, sizeof what, "conv2d db vs fd %dx%d %dx%d s%d %s", g.H, g.W, g.R, g.S, g.sh,
             pad_name(FD_CASES[_i].pad));
    ck_assert_close(what, db, fd_b, nb, TOL_FD_ABS, TOL_FD_REL);
    float *fs[] = {in, w, b, G, out, din, dw, db, fd_in, fd_w, fd_b};
    for (size_t i = 0; i < sizeof fs / sizeof fs[0]; i++) free(fs[i]);
}
END_TEST

/* Keras rules: 'same' P = ceil(H/s) with the odd padding row at the bottom,
 * 'valid' P = (H-R)/s + 1. */
START_TEST(test_conv2d_shape_rules)
{
    clae_conv_shape g;
    ck_assert_int_eq(clae_conv2d_shape(&g, 1, 1, 7, 5, 1, 3, 3, 2, 2, CLAE_PAD_SAME), CLAE_OK);
    ck_assert_int_eq(g.P, 4); /* ceil(7/2) */
    ck_assert_int_eq(g.Q, 3); /* ceil(5/2) */
    ck_assert_int_eq(g.pt, 1); /* (4-1)*2+3-7 = 2 -> 1 top, 1 bottom */
    ck_assert_int_eq(g.pl, 1); /* (3-1)*2+3-5 = 2 */
    ck_assert_int_eq(clae_conv2d_shape(&g, 1, 1, 32, 32, 1, 3, 3, 2, 2, CLAE_PAD_SAME), CLAE_OK);
    ck_assert_int_eq(g.P, 16);
    ck_assert_int_eq(g.pt, 0); /* total 1: the extra row goes at the bottom */
    ck_assert_int_eq(clae_conv2d_shape(&g, 1, 1, 6, 9, 1, 2, 2, 1, 1, CLAE_PAD_SAME), CLAE_OK);
    ck_assert_int_eq(g.P, 6);
    ck_assert_int_eq(g.Q, 9);
    ck_assert_int_eq(g.pt, 0);
    ck_assert_int_eq(g.pl, 0);
    ck_assert_int_eq(clae_conv2d_shape(&g, 1, 1, 32, 32, 1, 3, 3, 1, 1, CLAE_PAD_SAME), CLAE_OK);
    ck_assert_int_eq(g.P, 32);
    ck_assert_int_eq(g.pt, 1);
    ck_assert_int_eq(clae_conv2d_shape(&g, 1, 1, 7, 5, 1, 3, 3, 2, 2, CLAE_PAD_VALID), CLAE_OK);
    ck_assert_int_eq(g.P, 3); /* (7-3)/2+1 */
    ck_assert_int_eq(g.Q, 2); /* (5-3)/2+1 */
    ck_assert_int_eq(g.pt, 0);
    ck_assert_int_eq(clae_conv2d_shape(&g, 1, 1, 2, 5, 1, 3, 3, 1, 1, CLAE_PAD_VALID),
                     CLAE_ERR_SHAPE);
}
END_TEST

/* 'same' 3x3 all-ones kernel over a constant image of 2s: the interior stays
 * constant (2*9 = 18), the border sees zero padding (12 on edges, 8 at
 * corners). Reference and OpenCL. */
START_TEST(test_conv2d_hand_same_constant)
{
    enum { H = 5, W = 6 };
    clae_conv_shape g;
    ck_assert_int_eq(clae_conv2d_shape(&g, 1, 1, H, W, 1, 3, 3, 1, 1, CLAE_PAD_SAME), CLAE_OK);
    float in[H * W], w[9], want[H * W], out_ref[H * W], out_cl[H * W];
    for (int i = 0; i < H * W; i++) in[i] = 2.0f;
    for (int i = 0; i < 9; i++) w[i] = 1.0f;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            int rows = (y == 0 || y == H - 1) ? 2 : 3, cols = (x == 0 || x == W - 1) ? 2 : 3;
            want[y * W + x] = 2.0f * (float)(rows * cols);
        }
    conv2d_forward_ref(out_ref, in, w, NULL, &g);
    ck_assert_close("conv2d same constant ref", out_ref, want, H * W, TOL_HAND_ABS, TOL_HAND_REL);
    for (int y = 1; y < H - 1; y++)
        for (int x = 1; x < W - 1; x++) ck_assert_float_eq(out_ref[y * W + x], 18.0f);
    ck_assert_float_eq(out_ref[0], 8.0f);       /* corner */
    ck_assert_float_eq(out_ref[2], 12.0f);      /* top edge */
    ck_assert_float_eq(out_ref[2 * W], 12.0f);  /* left edge */

    clae_device *d = tu_device();
    cl_mem m_in = tu_upload(in, sizeof in), m_w = tu_upload(w, sizeof w);
    cl_mem m_out = tu_upload(out_cl, sizeof out_cl);
    ck_assert_int_eq(conv2d_forward_cl(d, m_out, m_in, m_w, NULL, &g, CLAE_EPI_NONE), CLAE_OK);
    tu_download(m_out, out_cl, sizeof out_cl);
    ck_assert_close("conv2d same constant cl", out_cl, want, H * W, TOL_HAND_ABS, TOL_HAND_REL);
    clReleaseMemObject(m_in);
    clReleaseMemObject(m_w);
    clReleaseMemObject(m_out);
}
END_TEST

/* A hand-checked strided case: 4x4 input 0..15, 2x2 kernel [[1,0],[0,-1]],
 * stride 2 'valid', bias 0.5: each output = top-left - bottom-right + 0.5
 * of its block = -5 + 0.5. Backward with dout = 1: din is the kernel tiled,
 * dw = sum over the blocks of the matching pixel, db = 4. */
START_TEST(test_conv2d_hand_stride2)
{
    clae_conv_shape g;
    ck_assert_int_eq(clae_conv2d_shape(&g, 1, 1, 4, 4, 1, 2, 2, 2, 2, CLAE_PAD_VALID), CLAE_OK);
    float in[16], w[4] = {1, 0, 0, -1}, b[1] = {0.5f}, out[4], ones[4] = {1, 1, 1, 1};
    for (int i = 0; i < 16; i++) in[i] = (float)i;
    const float want_out[4] = {-4.5f, -4.5f, -4.5f, -4.5f};
    conv2d_forward_ref(out, in, w, b, &g);
    ck_assert_close("conv2d stride2 hand fwd", out, want_out, 4, TOL_HAND_ABS, TOL_HAND_REL);
    float din[16], dw[4] = {0}, db[1] = {0};
    conv2d_backward_ref(din, dw, db, ones, in, w, &g);
    const float want_din[16] = {1, 0, 1, 0, 0, -1, 0, -1, 1, 0, 1, 0, 0, -1, 0, -1};
    /* dw[r][s] = sum of in[2p+r][2q+s]: (0+2+8+10), (1+3+9+11), (4+6+12+14), (5+7+13+15) */
    const float want_dw[4] = {20, 24, 36, 40}, want_db[1] = {4};
    ck_assert_close("conv2d stride2 hand din", din, want_din, 16, TOL_HAND_ABS, TOL_HAND_REL);
    ck_assert_close("conv2d stride2 hand dw", dw, want_dw, 4, TOL_HAND_ABS, TOL_HAND_REL);
    ck_assert_close("conv2d stride2 hand db", db, want_db, 1, TOL_HAND_ABS, TOL_HAND_REL);
}
END_TEST

static Suite *conv2d_suite(void)
{
    Suite *s = suite_create("conv2d");
    /* Under oclgrind: CLBlast, the hand case, small odd shapes (edge
     * work-items, strides, 'valid'), 40 -> 36 channels (GEMM on GPUs), NULL
     * outputs and the denoiser's layers. */
    TCase *sim = tu_tcase("conv2d sim", 300, 1);
    tcase_add_test(sim, test_conv2d_gemm_smoke);
    tcase_add_test(sim, test_conv2d_hand_same_constant);
    tcase_add_loop_test(sim, test_conv2d_cl_vs_ref, 0, 3);
    tcase_add_loop_test(sim, test_conv2d_cl_vs_ref, NCASES - 3, NCASES);
    tcase_add_test(sim, test_conv2d_cl_null_outputs);
    suite_add_tcase(s, sim);
    TCase *tc = tu_tcase("conv2d", 300, 0);
    tcase_add_test(tc, test_conv2d_shape_rules);
    tcase_add_test(tc, test_conv2d_hand_stride2);
    tcase_add_loop_test(tc, test_conv2d_cl_vs_ref, 3, NCASES - 3);
    tcase_add_test(tc, test_conv2d_cl_vs_ref_chunked);
    tcase_add_loop_test(tc, test_conv2d_ref_backward_fd, 0,
                        (int)(sizeof FD_CASES / sizeof FD_CASES[0]));
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run(conv2d_suite()); }
