/* conv2d_transpose: OpenCL vs reference (forward, din, dw, db) over many
 * shapes including a batch that needs several chunks, reference backward vs
 * central finite differences, shape rules, the adjoint identity with conv2d,
 * and hand-worked cases (overlap-add, Keras 'same' cropping the last row). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ops/gemm.h"
#include "testutil.h"

typedef struct tconv_case {
    int N, C, H, W, K, R, S, sh, sw;
    clae_padding pad;
    int bias;
} tconv_case;

static const char *pad_name(clae_padding p) { return p == CLAE_PAD_SAME ? "same" : "valid"; }

static clae_conv_shape make_shape(const tconv_case *c)
{
    clae_conv_shape g;
    ck_assert_int_eq(clae_conv2d_transpose_shape(&g, c->N, c->C, c->H, c->W, c->K, c->R, c->S,
                                                 c->sh, c->sw, c->pad),
                     CLAE_OK);
    return g;
}

/* Odd sizes, batch 1 and 3, channels 1..16 and 36 -> 40 (the auto rule's
 * GEMM branch on GPUs), kernels 1x1 2x2 3x3 4x4 5x5 and non-square, strides
 * 1 and 2, both paddings; then the denoiser's decoder
 * layers (8x8x16 and 16x16x16 -> 16, 3x3 stride 2 'same') at batch 2. */
static const tconv_case CASES[] = {
    {1, 1, 7, 5, 1, 3, 3, 1, 1, CLAE_PAD_SAME, 1},
    {3, 2, 7, 5, 4, 3, 3, 2, 2, CLAE_PAD_SAME, 1},
    {2, 36, 4, 5, 40, 3, 3, 2, 2, CLAE_PAD_SAME, 1}, /* > 32 channels: GEMM on GPUs */
    {3, 3, 7, 5, 5, 3, 3, 1, 1, CLAE_PAD_VALID, 1},
    {3, 3, 4, 5, 2, 3, 3, 2, 2, CLAE_PAD_VALID, 1},
    {1, 16, 6, 6, 8, 1, 1, 1, 1, CLAE_PAD_VALID, 1},
    {3, 5, 5, 4, 3, 5, 5, 1, 1, CLAE_PAD_SAME, 0},
    {3, 4, 4, 3, 6, 2, 2, 2, 2, CLAE_PAD_VALID, 1},
    {2, 3, 4, 5, 2, 4, 4, 2, 2, CLAE_PAD_SAME, 1},
    {2, 3, 5, 4, 4, 3, 5, 2, 1, CLAE_PAD_SAME, 1},
    {3, 7, 6, 5, 16, 5, 5, 2, 2, CLAE_PAD_VALID, 1},
    {3, 16, 3, 3, 1, 3, 3, 2, 2, CLAE_PAD_SAME, 1},
    {2, 16, 8, 8, 16, 3, 3, 2, 2, CLAE_PAD_SAME, 1},
    {2, 16, 16, 16, 16, 3, 3, 2, 2, CLAE_PAD_SAME, 1},
};
#define NCASES ((int)(sizeof CASES / sizeof CASES[0]))

/* Compare forward and all three backward outputs of the OpenCL path with
 * the reference. dw and db start non-zero to check they accumulate. Data are
 * uniform in [lo, 1). */
static void compare_case(const tconv_case *cc, uint64_t seed, float lo)
{
    clae_device *d = tu_device();
    clae_conv_shape g = make_shape(cc);
    size_t nin = (size_t)g.N * g.C * g.H * g.W, nout = (size_t)g.N * g.K * g.P * g.Q;
    size_t nw = (size_t)g.C * g.K * g.R * g.S, nb = (size_t)g.K;
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
    conv2d_transpose_forward_ref(out_ref, in, w, bias, &g);
    conv2d_transpose_backward_ref(din_ref, dw_ref, db_ref, dout, in, w, &g);

    float *out_cl = tu_alloc_rand(nout, -9.0f, 9.0f, &seed); /* garbage to overwrite */
    float *din_cl = tu_alloc_rand(nin, -9.0f, 9.0f, &seed);
    cl_mem m_in = tu_upload(in, nin * 4), m_w = tu_upload(w, nw * 4), m_b = tu_upload(b, nb * 4);
    cl_mem m_dout = tu_upload(dout, nout * 4), m_out = tu_upload(out_cl, nout * 4);
    cl_mem m_din = tu_upload(din_cl, nin * 4);
    cl_mem m_dw = tu_upload(dw0, nw * 4), m_db = tu_upload(db0, nb * 4);
    ck_assert_int_eq(conv2d_transpose_forward_cl(d, m_out, m_in, m_w, cc->bias ? m_b : NULL, &g, CLAE_EPI_NONE),
                     CLAE_OK);
    ck_assert_int_eq(conv2d_transpose_backward_cl(d, m_din, m_dw, m_db, m_dout, m_in, m_w, &g, CLAE_EPI_NONE),
                     CLAE_OK);
    float *dw_cl = tu_alloc0(nw), *db_cl = tu_alloc0(nb);
    tu_download(m_out, out_cl, nout * 4);
    tu_download(m_din, din_cl, nin * 4);
    tu_download(m_dw, dw_cl, nw * 4);
    tu_download(m_db, db_cl, nb * 4);

    char tag[96], what[128];
    snprintf(tag, sizeof tag, "%dx%dx%dx%d->%dx%dx%d %dx%d s%d,%d %s%s", g.N, g.C, g.H, g.W, g.K,
             g.P, g.Q, g.R, g.S, g.sh, g.sw, pad_name(cc->pad), cc->bias ? "" : " nobias");
    snprintf(what, sizeof what, "tconv fwd %s", tag);
    ck_assert_close(what, out_cl, out_ref, nout, TOL_SUM_ABS, TOL_SUM_REL);
    snprintf(what, sizeof what, "tconv din %s", tag);
    ck_assert_close(what, din_cl, din_ref, nin, TOL_SUM_ABS, TOL_SUM_REL);
    snprintf(what, sizeof what, "tconv dw+= %s", tag);
    ck_assert_close(what, dw_cl, dw_ref, nw, TOL_SUM_ABS, TOL_SUM_REL);
    snprintf(what, sizeof what, "tconv db+= %s", tag);
    ck_assert_close(what, db_cl, db_ref, nb, TOL_SUM_ABS, TOL_SUM_REL);

    cl_mem ms[] = {m_in, m_w, m_b, m_dout, m_out, m_din, m_dw, m_db};
    for (size_t i = 0; i < sizeof ms / sizeof ms[0]; i++) clReleaseMemObject(ms[i]);
    float *fs[] = {in, w, b, dout, dw0, db0, out_ref, din_ref, dw_ref, db_ref, out_cl, din_cl,
                   dw_cl, db_cl};
    for (size_t i = 0; i < sizeof fs / sizeof fs[0]; i++) free(fs[i]);
}

START_TEST(test_tconv_cl_vs_ref) { compare_case(&CASES[_i], 300 + (uint64_t)_i, -1.0f); }
END_TEST

/* A batch whose column buffer (K*R*S x N*H*W floats) exceeds
 * CLAE_CONV_SCRATCH_MAX, so the OpenCL path runs in two chunks (2 images,
 * then 1). Sums of thousands of products: non-negative data, so that no
 * element cancels to near zero and float rounding stays within TOL_SUM's
 * relative part. */
START_TEST(test_tconv_cl_vs_ref_chunked)
{
    const tconv_case cc = {3, 2, 64, 64, 256, 5, 5, 1, 1, CLAE_PAD_SAME, 1};
    size_t per_image = (size_t)256 * 25 * 64 * 64 * sizeof(float);
    ck_assert_uint_gt(3 * per_image, CLAE_CONV_SCRATCH_MAX);
    ck_assert_uint_le(2 * per_image, CLAE_CONV_SCRATCH_MAX);
    compare_case(&cc, 78, 0.0f);
}
END_TEST

/* NULL skips an output; the others are still right. */
START_TEST(test_tconv_cl_null_outputs)
{
    clae_device *d = tu_device();
    const tconv_case cc = {2, 3, 4, 5, 4, 3, 3, 2, 2, CLAE_PAD_SAME, 1};
    clae_conv_shape g = make_shape(&cc);
    size_t nin = (size_t)g.N * g.C * g.H * g.W, nout = (size_t)g.N * g.K * g.P * g.Q;
    size_t nw = (size_t)g.C * g.K * g.R * g.S, nb = (size_t)g.K;
    uint64_t seed = 6;
    float *in = tu_alloc_rand(nin, -1.0f, 1.0f, &seed);
    float *w = tu_alloc_rand(nw, -1.0f, 1.0f, &seed);
    float *dout = tu_alloc_rand(nout, -1.0f, 1.0f, &seed);
    float *din_ref = tu_alloc0(nin), *dw_ref = tu_alloc0(nw), *db_ref = tu_alloc0(nb);
    float *din_cl = tu_alloc0(nin), *dw_cl = tu_alloc0(nw), *db_cl = tu_alloc0(nb);
    conv2d_transpose_backward_ref(din_ref, dw_ref, db_ref, dout, in, w, &g);
    cl_mem m_in = tu_upload(in, nin * 4), m_w = tu_upload(w, nw * 4);
    cl_mem m_dout = tu_upload(dout, nout * 4), m_din = tu_upload(din_cl, nin * 4);
    cl_mem m_dw = tu_upload(dw_cl, nw * 4), m_db = tu_upload(db_cl, nb * 4);
    ck_assert_int_eq(conv2d_transpose_backward_cl(d, m_din, NULL, NULL, m_dout, m_in, m_w, &g, CLAE_EPI_NONE),
                     CLAE_OK);
    ck_assert_int_eq(conv2d_transpose_backward_cl(d, NULL, m_dw, NULL, m_dout, m_in, m_w, &g, CLAE_EPI_NONE),
                     CLAE_OK);
    ck_assert_int_eq(conv2d_transpose_backward_cl(d, NULL, NULL, m_db, m_dout, m_in, m_w, &g, CLAE_EPI_NONE),
                     CLAE_OK);
    tu_download(m_din, din_cl, nin * 4);
    tu_download(m_dw, dw_cl, nw * 4);
    tu_download(m_db, db_cl, nb * 4);
    ck_assert_close("tconv din only", din_cl, din_ref, nin, TOL_SUM_ABS, TOL_SUM_REL);
    ck_assert_close("tconv dw only", dw_cl, dw_ref, nw, TOL_SUM_ABS, TOL_SUM_REL);
    ck_assert_close("tconv db only", db_cl, db_ref, nb, TOL_SUM_ABS, TOL_SUM_REL);
    cl_mem ms[] = {m_in, m_w, m_dout, m_din, m_dw, m_db};
    for (size_t i = 0; i < sizeof ms / sizeof ms[0]; i++) clReleaseMemObject(ms[i]);
    float *fs[] = {in, w, dout, din_ref, dw_ref, db_ref, din_cl, dw_cl, db_cl};
    for (size_t i = 0; i < sizeof fs / sizeof fs[0]; i++) free(fs[i]);
}
END_TEST

/* L = sum(G * conv2d_transpose(in, w, b)) in double. */
static double tconv_loss(const float *G, const float *in, const float *w, const float *b,
                         const clae_conv_shape *g, float *out)
{
    conv2d_transpose_forward_ref(out, in, w, b, g);
    double L = 0.0;
    size_t n = (size_t)g->N * g->K * g->P * g->Q;
    for (size_t i = 0; i < n; i++) L += (double)G[i] * out[i];
    return L;
}

/* Central differences of tconv_loss with respect to every element of x. */
static void fd_grad(float *fd, float *x, size_t n, const float *G, const float *in,
                    const float *w, const float *b, const clae_conv_shape *g, float *scratch)
{
    for (size_t i = 0; i < n; i++) {
        float keep = x[i];
        x[i] = keep + (float)FD_STEP;
        double lp = tconv_loss(G, in, w, b, g, scratch);
        x[i] = keep - (float)FD_STEP;
        double lm = tconv_loss(G, in, w, b, g, scratch);
        x[i] = keep;
        fd[i] = (float)((lp - lm) / (2.0 * FD_STEP));
    }
}

static const tconv_case FD_CASES[] = {
    {2, 3, 4, 3, 2, 3, 3, 2, 2, CLAE_PAD_SAME, 1},
    {2, 2, 5, 4, 3, 3, 3, 1, 1, CLAE_PAD_VALID, 1},
    {1, 3, 3, 4, 2, 2, 2, 2, 1, CLAE_PAD_VALID, 1},
    {2, 2, 3, 3, 2, 5, 5, 2, 2, CLAE_PAD_SAME, 1},
};

START_TEST(test_tconv_ref_backward_fd)
{
    clae_conv_shape g = make_shape(&FD_CASES[_i]);
    size_t nin = (size_t)g.N * g.C * g.H * g.W, nout = (size_t)g.N * g.K * g.P * g.Q;
    size_t nw = (size_t)g.C * g.K * g.R * g.S, nb = (size_t)g.K;
    uint64_t seed = 950 + (uint64_t)_i;
    float *in = tu_alloc_rand(nin, -1.0f, 1.0f, &seed);
    float *w = tu_alloc_rand(nw, -1.0f, 1.0f, &seed);
    float *b = tu_alloc_rand(nb, -1.0f, 1.0f, &seed);
    float *G = tu_alloc_rand(nout, -1.0f, 1.0f, &seed);
    float *out = tu_alloc0(nout);
    float *din = tu_alloc0(nin), *dw = tu_alloc0(nw), *db = tu_alloc0(nb);
    float *fd_in = tu_alloc0(nin), *fd_w = tu_alloc0(nw), *fd_b = tu_alloc0(nb);
    conv2d_transpose_backward_ref(din, dw, db, G, in, w, &g);
    fd_grad(fd_in, in, nin, G, in, w, b, &g, out);
    fd_grad(fd_w, w, nw, G, in, w, b, &g, out);
    fd_grad(fd_b, b, nb, G, in, w, b, &g, out);
    char tag[64], what[96];
    snprintf(tag, sizeof tag, "%dx%d %dx%d s%d %s", g.H, g.W, g.R, g.S, g.sh,
             pad_name(FD_CASES[_i].pad));
    snprintf(what, sizeof what, "tconv din vs fd %s", tag);
    ck_assert_close(what, din, fd_in, nin, TOL_FD_ABS, TOL_FD_REL);
    snprintf(what, sizeof what, "tconv dw vs fd %s", tag);
    ck_assert_close(what, dw, fd_w, nw, TOL_FD_ABS, TOL_FD_REL);
    snprintf(what, sizeof what, "tconv db vs fd %s", tag);
    ck_assert_close(what, db, fd_b, nb, TOL_FD_ABS, TOL_FD_REL);
    float *fs[] = {in, w, b, G, out, din, dw, db, fd_in, fd_w, fd_b};
    for (size_t i = 0; i < sizeof fs / sizeof fs[0]; i++) free(fs[i]);
}
END_TEST

/* Keras Conv2DTranspose sizes; 'same' crops the odd row/column at the end. */
START_TEST(test_tconv_shape_rules)
{
    clae_conv_shape g;
    ck_assert_int_eq(clae_conv2d_transpose_shape(&g, 1, 1, 8, 5, 1, 3, 3, 2, 2, CLAE_PAD_SAME),
                     CLAE_OK);
    ck_assert_int_eq(g.P, 16);
    ck_assert_int_eq(g.Q, 10);
    ck_assert_int_eq(g.pt, 0); /* full 17 rows, crop 1: at the bottom */
    ck_assert_int_eq(g.pl, 0);
    ck_assert_int_eq(clae_conv2d_transpose_shape(&g, 1, 1, 8, 5, 1, 3, 3, 2, 2, CLAE_PAD_VALID),
                     CLAE_OK);
    ck_assert_int_eq(g.P, 17); /* 8*2 + 3-2 */
    ck_assert_int_eq(g.Q, 11);
    ck_assert_int_eq(g.pt, 0);
    ck_assert_int_eq(clae_conv2d_transpose_shape(&g, 1, 1, 4, 5, 1, 4, 4, 2, 2, CLAE_PAD_SAME),
                     CLAE_OK);
    ck_assert_int_eq(g.P, 8);
    ck_assert_int_eq(g.pt, 1); /* full 10, crop 2: one each side */
    ck_assert_int_eq(clae_conv2d_transpose_shape(&g, 1, 1, 7, 5, 1, 3, 3, 1, 1, CLAE_PAD_SAME),
                     CLAE_OK);
    ck_assert_int_eq(g.P, 7);
    ck_assert_int_eq(g.Q, 5);
    ck_assert_int_eq(g.pt, 1);
    ck_assert_int_eq(clae_conv2d_transpose_shape(&g, 1, 1, 7, 5, 1, 2, 2, 2, 2, CLAE_PAD_VALID),
                     CLAE_OK);
    ck_assert_int_eq(g.P, 14);
    ck_assert_int_eq(g.pt, 0);
    ck_assert_int_eq(clae_conv2d_transpose_shape(&g, 1, 1, 7, 5, 1, 3, 3, 1, 1, CLAE_PAD_VALID),
                     CLAE_OK);
    ck_assert_int_eq(g.P, 9);
}
END_TEST

/* Run the forward pass both ways on a single-channel case; ref and OpenCL
 * must both match want. */
static void check_both(const char *what, const clae_conv_shape *g, const float *in,
                       const float *w, const float *b, const float *want)
{
    size_t nin = (size_t)g->N * g->C * g->H * g->W, nout = (size_t)g->N * g->K * g->P * g->Q;
    size_t nw = (size_t)g->C * g->K * g->R * g->S;
    float *out = tu_alloc0(nout);
    char buf[96];
    conv2d_transpose_forward_ref(out, in, w, b, g);
    snprintf(buf, sizeof buf, "%s ref", what);
    ck_assert_close(buf, out, want, nout, TOL_HAND_ABS, TOL_HAND_REL);
    clae_device *d = tu_device();
    cl_mem m_in = tu_upload(in, nin * 4), m_w = tu_upload(w, nw * 4), m_out = tu_upload(out, nout * 4);
    cl_mem m_b = b ? tu_upload(b, (size_t)g->K * 4) : NULL;
    ck_assert_int_eq(conv2d_transpose_forward_cl(d, m_out, m_in, m_w, m_b, g, CLAE_EPI_NONE), CLAE_OK);
    tu_download(m_out, out, nout * 4);
    snprintf(buf, sizeof buf, "%s cl", what);
    ck_assert_close(buf, out, want, nout, TOL_HAND_ABS, TOL_HAND_REL);
    clReleaseMemObject(m_in);
    clReleaseMemObject(m_w);
    clReleaseMemObject(m_out);
    if (m_b) clReleaseMemObject(m_b);
    free(out);
}

/* [[1,2],[3,4]] through kernel [[1,10],[100,1000]], stride 1 'valid':
 * out[y][x] = sum in[h][w] * k[y-h][x-w], overlapping products add:
 *   (0,0) 1*1                      = 1
 *   (0,1) 1*10 + 2*1               = 12
 *   (0,2) 2*10                     = 20
 *   (1,0) 1*100 + 3*1              = 103
 *   (1,1) 1*1000 + 2*100 + 3*10 + 4*1 = 1234
 *   (1,2) 2*1000 + 4*10            = 2040
 *   (2,0) 3*100                    = 300
 *   (2,1) 3*1000 + 4*100           = 3400
 *   (2,2) 4*1000                   = 4000 */
START_TEST(test_tconv_hand_overlap)
{
    clae_conv_shape g;
    ck_assert_int_eq(clae_conv2d_transpose_shape(&g, 1, 1, 2, 2, 1, 2, 2, 1, 1, CLAE_PAD_VALID),
                     CLAE_OK);
    ck_assert_int_eq(g.P, 3);
    ck_assert_int_eq(g.Q, 3);
    const float in[4] = {1, 2, 3, 4}, w[4] = {1, 10, 100, 1000};
    const float want[9] = {1, 12, 20, 103, 1234, 2040, 300, 3400, 4000};
    check_both("tconv hand 2x2 overlap", &g, in, w, NULL, want);
    /* Same with a bias of 0.5: every output moves by 0.5. */
    const float b[1] = {0.5f};
    float want_b[9];
    for (int i = 0; i < 9; i++) want_b[i] = want[i] + 0.5f;
    check_both("tconv hand 2x2 overlap + bias", &g, in, w, b, want_b);
    /* Backward with dout = 1: din[h][w] = sum of the kernel = 1111 each;
     * dw[r][s] = sum of the input = 10 each; db = 9. */
    const float ones[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
    float din[4], dw[4] = {0}, db[1] = {0};
    conv2d_transpose_backward_ref(din, dw, db, ones, in, w, &g);
    const float want_din[4] = {1111, 1111, 1111, 1111}, want_dw[4] = {10, 10, 10, 10},
                want_db[1] = {9};
    ck_assert_close("tconv hand 2x2 din", din, want_din, 4, TOL_HAND_ABS, TOL_HAND_REL);
    ck_assert_close("tconv hand 2x2 dw", dw, want_dw, 4, TOL_HAND_ABS, TOL_HAND_REL);
    ck_assert_close("tconv hand 2x2 db", db, want_db, 1, TOL_HAND_ABS, TOL_HAND_REL);
}
END_TEST

/* Keras 'same' 3x3 stride 2: the uncropped output has 2H+1 rows and 2W+1
 * columns; Keras keeps the first 2H x 2W (crops the LAST row and column).
 * Computed here directly from the definition without any padding offsets,
 * then cropped. PyTorch's padding=1, output_padding=1 keeps rows 1..2H
 * instead: show that that differs. */
START_TEST(test_tconv_hand_same_crops_last)
{
    enum { N = 2, C = 2, H = 3, W = 4, K = 3, R = 3, S = 3, FH = 2 * H + 1, FW = 2 * W + 1 };
    clae_conv_shape g;
    ck_assert_int_eq(clae_conv2d_transpose_shape(&g, N, C, H, W, K, R, S, 2, 2, CLAE_PAD_SAME),
                     CLAE_OK);
    ck_assert_int_eq(g.P, 2 * H);
    ck_assert_int_eq(g.Q, 2 * W);
    ck_assert_int_eq(g.pt, 0);
    ck_assert_int_eq(g.pl, 0);
    uint64_t seed = 31;
    float in[N * C * H * W], w[C * K * R * S], b[K];
    tu_rand(in, N * C * H * W, -1.0f, 1.0f, &seed);
    tu_rand(w, C * K * R * S, -1.0f, 1.0f, &seed);
    tu_rand(b, K, -1.0f, 1.0f, &seed);
    float full[N][K][FH][FW];
    for (int n = 0; n < N; n++)
        for (int k = 0; k < K; k++)
            for (int y = 0; y < FH; y++)
                for (int x = 0; x < FW; x++) full[n][k][y][x] = b[k];
    for (int n = 0; n < N; n++)
        for (int c = 0; c < C; c++)
            for (int h = 0; h < H; h++)
                for (int x = 0; x < W; x++)
                    for (int k = 0; k < K; k++)
                        for (int r = 0; r < R; r++)
                            for (int s = 0; s < S; s++)
                                full[n][k][2 * h + r][2 * x + s] +=
                                    in[((n * C + c) * H + h) * W + x] *
                                    w[((c * K + k) * R + r) * S + s];
    float keras[N * K * 2 * H * 2 * W], torch[N * K * 2 * H * 2 * W];
    for (int n = 0; n < N; n++)
        for (int k = 0; k < K; k++)
            for (int y = 0; y < 2 * H; y++)
                for (int x = 0; x < 2 * W; x++) {
                    int i = ((n * K + k) * 2 * H + y) * 2 * W + x;
                    keras[i] = full[n][k][y][x];
                    torch[i] = full[n][k][y + 1][x + 1];
                }
    check_both("tconv same 3x3 s2 = uncropped minus last", &g, in, w, b, keras);
    float out[N * K * 2 * H * 2 * W];
    conv2d_transpose_forward_ref(out, in, w, b, &g);
    double maxdiff = 0.0;
    for (int i = 0; i < N * K * 2 * H * 2 * W; i++)
        maxdiff = fmax(maxdiff, fabs((double)out[i] - torch[i]));
    printf("  tconv same 3x3 s2 vs crop-first (PyTorch) max abs diff %.3g (must differ)\n",
           maxdiff);
    ck_assert(maxdiff > 0.1);
}
END_TEST

/* conv2d_transpose is the adjoint of conv2d with the same weights:
 * <conv2d(X; w), Y> = <X, conv2d_transpose(Y; w)>, w (C_t,K_t,R,S) read as a
 * conv2d weight (K = C_t, C = K_t). 3x3 stride 2, 'same' and 'valid'. */
START_TEST(test_tconv_adjoint_of_conv2d)
{
    const clae_padding pad = _i ? CLAE_PAD_VALID : CLAE_PAD_SAME;
    clae_conv_shape gt, gc;
    ck_assert_int_eq(clae_conv2d_transpose_shape(&gt, 2, 3, 5, 4, 2, 3, 3, 2, 2, pad), CLAE_OK);
    ck_assert_int_eq(clae_conv2d_shape(&gc, 2, gt.K, gt.P, gt.Q, gt.C, 3, 3, 2, 2, pad), CLAE_OK);
    ck_assert_int_eq(gc.P, gt.H);
    ck_assert_int_eq(gc.Q, gt.W);
    ck_assert_int_eq(gc.pt, gt.pt);
    ck_assert_int_eq(gc.pl, gt.pl);
    size_t nx = (size_t)gc.N * gc.C * gc.H * gc.W, ny = (size_t)gt.N * gt.C * gt.H * gt.W;
    size_t nw = (size_t)gt.C * gt.K * 9;
    uint64_t seed = 44 + (uint64_t)_i;
    float *X = tu_alloc_rand(nx, -1.0f, 1.0f, &seed), *Y = tu_alloc_rand(ny, -1.0f, 1.0f, &seed);
    float *w = tu_alloc_rand(nw, -1.0f, 1.0f, &seed);
    float *cX = tu_alloc0(ny), *tY = tu_alloc0(nx);
    conv2d_forward_ref(cX, X, w, NULL, &gc);
    conv2d_transpose_forward_ref(tY, Y, w, NULL, &gt);
    double lhs = 0.0, rhs = 0.0;
    for (size_t i = 0; i < ny; i++) lhs += (double)cX[i] * Y[i];
    for (size_t i = 0; i < nx; i++) rhs += (double)X[i] * tY[i];
    float l = (float)lhs, r = (float)rhs;
    ck_assert_close(_i ? "tconv adjoint of conv2d valid" : "tconv adjoint of conv2d same", &l, &r,
                    1, TOL_SUM_ABS, TOL_SUM_REL);
    free(X), free(Y), free(w), free(cX), free(tY);
}
END_TEST

static Suite *tconv_suite(void)
{
    Suite *s = suite_create("conv2d_transpose");
    /* Under oclgrind: small odd shapes (edge work-items, strides, 'valid'),
     * 36 -> 40 channels (GEMM on GPUs), NULL outputs and the denoiser's
     * decoder layers. */
    TCase *sim = tu_tcase("conv2d_transpose sim", 300, 1);
    tcase_add_loop_test(sim, test_tconv_cl_vs_ref, 0, 3);
    tcase_add_loop_test(sim, test_tconv_cl_vs_ref, NCASES - 2, NCASES);
    tcase_add_test(sim, test_tconv_cl_null_outputs);
    suite_add_tcase(s, sim);
    TCase *tc = tu_tcase("conv2d_transpose", 300, 0);
    tcase_add_test(tc, test_tconv_shape_rules);
    tcase_add_test(tc, test_tconv_hand_overlap);
    tcase_add_test(tc, test_tconv_hand_same_crops_last);
    tcase_add_loop_test(tc, test_tconv_adjoint_of_conv2d, 0, 2);
    tcase_add_loop_test(tc, test_tconv_cl_vs_ref, 3, NCASES - 2);
    tcase_add_test(tc, test_tconv_cl_vs_ref_chunked);
    tcase_add_loop_test(tc, test_tconv_ref_backward_fd, 0,
                        (int)(sizeof FD_CASES / sizeof FD_CASES[0]));
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run(tconv_suite()); }
