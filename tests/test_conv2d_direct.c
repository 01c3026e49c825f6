/* conv2d_direct: the shape-specialised direct kernels of conv2d and
 * conv2d_transpose (called directly) vs the reference, forward and every
 * backward output, over odd widths, batch 1 and >1, channels 1..20 (blocked
 * with a tail), strides 1..3, both paddings, the denoiser's layers, weights
 * too large for __constant memory; single backward outputs (NULL skips),
 * determinism, the same cases through the forced GEMM path, and $CLAE_CONV. */
#include <stdlib.h>
#include <string.h>

#include "clae/model.h"
#include "ops/conv2d_direct.h"
#include "testutil.h"

typedef struct dcase {
    int tr; /* 0 conv2d, 1 conv2d_transpose */
    int N, C, H, W, K, R, S, sh, sw;
    clae_padding pad;
    int bias;
} dcase;

static const char *pad_name(clae_padding p) { return p == CLAE_PAD_SAME ? "same" : "valid"; }

static clae_conv_shape make_shape(const dcase *c)
{
    clae_conv_shape g;
    clae_status st = c->tr ? clae_conv2d_transpose_shape(&g, c->N, c->C, c->H, c->W, c->K, c->R,
                                                         c->S, c->sh, c->sw, c->pad)
                           : clae_conv2d_shape(&g, c->N, c->C, c->H, c->W, c->K, c->R, c->S,
                                               c->sh, c->sw, c->pad);
    ck_assert_int_eq(st, CLAE_OK);
    return g;
}

/* Widths 5, 7, 9, 11, 13, 20, 29, 33 (not multiples of 8) and 8, 16,
 * 32, 40; channels 1..20 (17 and 20 split into blocks, with a tail); kernels 1x1,
 * 2x2, 3x3, 5x5, 3x5; strides 1, 2, 3 and 2x1; 'same' and 'valid'; a batch of
 * 19 (several weight-gradient slices, the last one short); 128 -> 128
 * channels (large work-groups); then the
 * denoiser's five convolutions at batch 2 (the 6th to 2nd last cases) and
 * weights too large for __constant memory. Each shape costs a kernel build
 * on a cold PoCL cache, so the list stays short. */
static const dcase CASES[] = {
    {0, 1, 1, 7, 5, 1, 3, 3, 1, 1, CLAE_PAD_SAME, 1},
    {0, 3, 2, 7, 13, 4, 3, 3, 2, 2, CLAE_PAD_SAME, 1},
    {0, 1, 16, 6, 9, 8, 1, 1, 1, 1, CLAE_PAD_VALID, 1},
    {0, 2, 5, 9, 33, 3, 5, 5, 1, 1, CLAE_PAD_SAME, 0},
    {0, 2, 3, 7, 20, 4, 3, 5, 2, 1, CLAE_PAD_SAME, 1},
    {0, 2, 3, 10, 29, 2, 3, 3, 3, 3, CLAE_PAD_SAME, 1},
    {0, 2, 17, 6, 11, 20, 3, 3, 1, 1, CLAE_PAD_SAME, 1},
    {0, 19, 2, 5, 9, 3, 3, 3, 1, 1, CLAE_PAD_SAME, 1},
    {1, 3, 2, 7, 13, 4, 3, 3, 2, 2, CLAE_PAD_SAME, 1},
    {1, 2, 4, 4, 7, 6, 2, 2, 2, 2, CLAE_PAD_VALID, 1},
    {1, 2, 20, 5, 9, 17, 3, 3, 2, 2, CLAE_PAD_SAME, 1},
    {1, 19, 2, 4, 5, 3, 3, 3, 2, 2, CLAE_PAD_SAME, 1},
    /* 128 -> 128: the weight gradient's slice is 4,096 work-items, more
     * accumulators than PoCL's worker stack holds in one group (a crash
     * before clae_dc_group_cap) */
    {0, 1, 128, 16, 16, 128, 3, 3, 1, 1, CLAE_PAD_SAME, 1},
    /* grids of an even number of 8-pixel rows: where VW is 16 the conv kind
     * holds two rows per float16 (RP 2): stride 2 (configs/vae.cfg's 32 ->
     * 64), stride 1 with both edges padded */
    {0, 2, 5, 16, 16, 6, 3, 3, 2, 2, CLAE_PAD_SAME, 1},
    {0, 2, 3, 6, 8, 4, 3, 3, 1, 1, CLAE_PAD_SAME, 1},
    /* stride-2 transposed convolutions onto 3 channels 40 columns wide: the
     * tconv kind's work-items take both column phases (PP) of 2 column
     * blocks (TB), a conv2d_transpose's forward and a conv2d's din */
    {1, 1, 4, 3, 20, 3, 3, 3, 2, 2, CLAE_PAD_SAME, 1},
    {0, 1, 3, 4, 40, 2, 3, 3, 2, 2, CLAE_PAD_SAME, 1},
    /* denoiser */
    {0, 2, 3, 32, 32, 8, 3, 3, 1, 1, CLAE_PAD_SAME, 1},
    {0, 2, 8, 16, 16, 16, 3, 3, 1, 1, CLAE_PAD_SAME, 1},
    {1, 2, 16, 8, 8, 16, 3, 3, 2, 2, CLAE_PAD_SAME, 1},
    {1, 2, 16, 16, 16, 16, 3, 3, 2, 2, CLAE_PAD_SAME, 1},
    {0, 2, 16, 32, 32, 3, 3, 3, 1, 1, CLAE_PAD_SAME, 1},
    /* 256 x 256 x 3 x 3 weights (2.25 MiB): over PoCL's 1 MiB constant buffer */
    {0, 2, 256, 3, 5, 256, 3, 3, 1, 1, CLAE_PAD_SAME, 1},
};
#define NCASES ((int)(sizeof CASES / sizeof CASES[0]))

typedef enum path { PATH_DIRECT, PATH_GEMM } path;

static clae_status run_forward(clae_device *d, path p, int tr, cl_mem out, cl_mem in, cl_mem w,
                               cl_mem b, const clae_conv_shape *g, clae_epi e)
{
    if (p == PATH_DIRECT)
        return tr ? conv2d_transpose_forward_direct(d, out, in, w, b, g, e)
                  : conv2d_forward_direct(d, out, in, w, b, g, e);
    int keep = d->conv_path;
    d->conv_path = CLAE_CONV_GEMM;
    clae_status st = tr ? conv2d_transpose_forward_cl(d, out, in, w, b, g, e)
                        : conv2d_forward_cl(d, out, in, w, b, g, e);
    d->conv_path = keep;
    return st;
}

static clae_status run_backward(clae_device *d, path p, int tr, cl_mem din, cl_mem dw, cl_mem db,
                                cl_mem dout, cl_mem in, cl_mem w, const clae_conv_shape *g,
                                clae_epi e)
{
    if (p == PATH_DIRECT)
        return tr ? conv2d_transpose_backward_direct(d, din, dw, db, dout, in, w, g, e)
                  : conv2d_backward_direct(d, din, dw, db, dout, in, w, g, e);
    int keep = d->conv_path;
    d->conv_path = CLAE_CONV_GEMM;
    clae_status st = tr ? conv2d_transpose_backward_cl(d, din, dw, db, dout, in, w, g, e)
                        : conv2d_backward_cl(d, din, dw, db, dout, in, w, g, e);
    d->conv_path = keep;
    return st;
}

/* Host data of one case and the reference results; dw/db start non-zero
 * (dw0/db0) to check that the backward pass accumulates. */
typedef struct fixture {
    clae_conv_shape g;
    size_t nin, nout, nw, nb;
    float *in, *w, *b, *dout, *dw0, *db0;
    float *out_ref, *din_ref, *dw_ref, *db_ref;
} fixture;

static void fixture_init(fixture *f, const dcase *cc, uint64_t seed)
{
    f->g = make_shape(cc);
    const clae_conv_shape *g = &f->g;
    f->nin = (size_t)g->N * g->C * g->H * g->W;
    f->nout = (size_t)g->N * g->K * g->P * g->Q;
    f->nw = (size_t)g->K * g->C * g->R * g->S;
    f->nb = (size_t)g->K;
    f->in = tu_alloc_rand(f->nin, -1.0f, 1.0f, &seed);
    f->w = tu_alloc_rand(f->nw, -1.0f, 1.0f, &seed);
    f->b = tu_alloc_rand(f->nb, -1.0f, 1.0f, &seed);
    f->dout = tu_alloc_rand(f->nout, -1.0f, 1.0f, &seed);
    f->dw0 = tu_alloc_rand(f->nw, -1.0f, 1.0f, &seed);
    f->db0 = tu_alloc_rand(f->nb, -1.0f, 1.0f, &seed);
    f->out_ref = tu_alloc0(f->nout);
    f->din_ref = tu_alloc0(f->nin);
    f->dw_ref = tu_alloc0(f->nw);
    f->db_ref = tu_alloc0(f->nb);
    memcpy(f->dw_ref, f->dw0, f->nw * sizeof(float));
    memcpy(f->db_ref, f->db0, f->nb * sizeof(float));
    const float *bias = cc->bias ? f->b : NULL;
    if (cc->tr) {
        conv2d_transpose_forward_ref(f->out_ref, f->in, f->w, bias, g);
        conv2d_transpose_backward_ref(f->din_ref, f->dw_ref, f->db_ref, f->dout, f->in, f->w, g);
    } else {
        conv2d_forward_ref(f->out_ref, f->in, f->w, bias, g);
        conv2d_backward_ref(f->din_ref, f->dw_ref, f->db_ref, f->dout, f->in, f->w, g);
    }
}

static void fixture_free(fixture *f)
{
    float *fs[] = {f->in,      f->w,       f->b,      f->dout,  f->dw0,
                   f->db0,     f->out_ref, f->din_ref, f->dw_ref, f->db_ref};
    for (size_t i = 0; i < sizeof fs / sizeof fs[0]; i++) free(fs[i]);
}

static void case_tag(char *buf, size_t len, const dcase *cc, const clae_conv_shape *g,
                     const char *pathname)
{
    snprintf(buf, len, "%s %s %dx%dx%dx%d->%dx%dx%d %dx%d s%d,%d %s%s", pathname,
             cc->tr ? "tconv" : "conv", g->N, g->C, g->H, g->W, g->K, g->P, g->Q, g->R, g->S,
             g->sh, g->sw, pad_name(cc->pad), cc->bias ? "" : " nobias");
}

/* Whether the direct kernels take shape g on d: not where a work-item
 * would loop past the device's loop limit (rusticl's llvmpipe), which only
 * a device with one may refuse. */
static int direct_fits(clae_device *d, const clae_conv_shape *g, int tr)
{
    const int keep = d->conv_path;
    d->conv_path = CLAE_CONV_DIRECT;
    const int fits = clae_conv_use_direct(d, g, tr);
    d->conv_path = keep;
    ck_assert(fits || d->loop_limit > 0);
    return fits;
}

/* Forward and all backward outputs of one path vs the reference; where the
 * direct kernels do not take the shape (direct_fits), they refuse it. */
static void compare_case(const dcase *cc, uint64_t seed, path p)
{
    clae_device *d = tu_device();
    fixture f;
    fixture_init(&f, cc, seed);
    const clae_conv_shape *g = &f.g;
    if (p == PATH_DIRECT && !direct_fits(d, g, cc->tr)) {
        cl_mem ms[] = {tu_upload(f.in, f.nin * 4), tu_upload(f.w, f.nw * 4),
                       tu_upload(f.out_ref, f.nout * 4), tu_upload(f.dout, f.nout * 4),
                       tu_upload(f.din_ref, f.nin * 4), tu_upload(f.dw0, f.nw * 4),
                       tu_upload(f.db0, f.nb * 4)};
        tu_capture_begin();
        clae_status st = run_forward(d, p, cc->tr, ms[2], ms[0], ms[1], NULL, g, CLAE_EPI_NONE);
        if (st == CLAE_OK)
            st = run_backward(d, p, cc->tr, ms[4], ms[5], ms[6], ms[3], ms[0], ms[1], g,
                              CLAE_EPI_NONE);
        const char *msg = tu_capture_end();
        ck_assert_int_eq(st, CLAE_ERR_SHAPE);
        ck_assert_msg(strstr(msg, "loop iterations") != NULL, "refusal: %s", msg);
        printf("  %dx%dx%dx%d->%d: past %s's loop limit: refused by the direct kernels (the "
               "auto rule takes the GEMM path)\n", g->N, g->C, g->H, g->W, g->K, d->name);
        for (size_t i = 0; i < sizeof ms / sizeof ms[0]; i++) clReleaseMemObject(ms[i]);
        fixture_free(&f);
        return;
    }
    float *out_cl = tu_alloc_rand(f.nout, -9.0f, 9.0f, &seed); /* garbage to overwrite */
    float *din_cl = tu_alloc_rand(f.nin, -9.0f, 9.0f, &seed);
    float *dw_cl = tu_alloc0(f.nw), *db_cl = tu_alloc0(f.nb);
    cl_mem m_in = tu_upload(f.in, f.nin * 4), m_w = tu_upload(f.w, f.nw * 4);
    cl_mem m_b = tu_upload(f.b, f.nb * 4), m_dout = tu_upload(f.dout, f.nout * 4);
    cl_mem m_out = tu_upload(out_cl, f.nout * 4), m_din = tu_upload(din_cl, f.nin * 4);
    cl_mem m_dw = tu_upload(f.dw0, f.nw * 4), m_db = tu_upload(f.db0, f.nb * 4);
    ck_assert_int_eq(run_forward(d, p, cc->tr, m_out, m_in, m_w, cc->bias ? m_b : NULL, g, CLAE_EPI_NONE),
                     CLAE_OK);
    ck_assert_int_eq(run_backward(d, p, cc->tr, m_din, m_dw, m_db, m_dout, m_in, m_w, g, CLAE_EPI_NONE),
                     CLAE_OK);
    tu_download(m_out, out_cl, f.nout * 4);
    tu_download(m_din, din_cl, f.nin * 4);
    tu_download(m_dw, dw_cl, f.nw * 4);
    tu_download(m_db, db_cl, f.nb * 4);

    char tag[128], what[160];
    case_tag(tag, sizeof tag, cc, g, p == PATH_DIRECT ? "direct" : "gemm");
    snprintf(what, sizeof what, "%s fwd", tag);
    ck_assert_close(what, out_cl, f.out_ref, f.nout, TOL_SUM_ABS, TOL_SUM_REL);
    snprintf(what, sizeof what, "%s din", tag);
    ck_assert_close(what, din_cl, f.din_ref, f.nin, TOL_SUM_ABS, TOL_SUM_REL);
    snprintf(what, sizeof what, "%s dw+=", tag);
    ck_assert_close(what, dw_cl, f.dw_ref, f.nw, TOL_SUM_ABS, TOL_SUM_REL);
    snprintf(what, sizeof what, "%s db+=", tag);
    ck_assert_close(what, db_cl, f.db_ref, f.nb, TOL_SUM_ABS, TOL_SUM_REL);

    cl_mem ms[] = {m_in, m_w, m_b, m_dout, m_out, m_din, m_dw, m_db};
    for (size_t i = 0; i < sizeof ms / sizeof ms[0]; i++) clReleaseMemObject(ms[i]);
    free(out_cl);
    free(din_cl);
    free(dw_cl);
    free(db_cl);
    fixture_free(&f);
}

START_TEST(test_conv2d_direct_vs_ref) { compare_case(&CASES[_i], 300 + (uint64_t)_i, PATH_DIRECT); }
END_TEST

/* The im2col + GEMM path stays the general fallback: the same cases, forced. */
START_TEST(test_conv2d_direct_gemm_vs_ref)
{
    compare_case(&CASES[_i], 300 + (uint64_t)_i, PATH_GEMM);
}
END_TEST

/* One backward output at a time (the others NULL): din alone, dw alone (no
 * fused bias sums), db alone (the shared bias reduction), dw and db. */
static void single_outputs(const dcase *cc, uint64_t seed)
{
    clae_device *d = tu_device();
    fixture f;
    fixture_init(&f, cc, seed);
    const clae_conv_shape *g = &f.g;
    cl_mem m_in = tu_upload(f.in, f.nin * 4), m_w = tu_upload(f.w, f.nw * 4);
    cl_mem m_dout = tu_upload(f.dout, f.nout * 4);
    float *din = tu_alloc0(f.nin), *dw = tu_alloc0(f.nw), *db = tu_alloc0(f.nb);
    char tag[128], what[160];
    case_tag(tag, sizeof tag, cc, g, "direct");

    cl_mem m_din = tu_upload(din, f.nin * 4);
    ck_assert_int_eq(run_backward(d, PATH_DIRECT, cc->tr, m_din, NULL, NULL, m_dout, m_in, m_w, g, CLAE_EPI_NONE),
                     CLAE_OK);
    tu_download(m_din, din, f.nin * 4);
    snprintf(what, sizeof what, "%s din only", tag);
    ck_assert_close(what, din, f.din_ref, f.nin, TOL_SUM_ABS, TOL_SUM_REL);

    cl_mem m_dw = tu_upload(f.dw0, f.nw * 4), m_db = tu_upload(f.db0, f.nb * 4);
    ck_assert_int_eq(run_backward(d, PATH_DIRECT, cc->tr, NULL, m_dw, NULL, m_dout, m_in, m_w, g, CLAE_EPI_NONE),
                     CLAE_OK);
    ck_assert_int_eq(run_backward(d, PATH_DIRECT, cc->tr, NULL, NULL, m_db, m_dout, m_in, m_w, g, CLAE_EPI_NONE),
                     CLAE_OK);
    tu_download(m_dw, dw, f.nw * 4);
    tu_download(m_db, db, f.nb * 4);
    snprintf(what, sizeof what, "%s dw only", tag);
    ck_assert_close(what, dw, f.dw_ref, f.nw, TOL_SUM_ABS, TOL_SUM_REL);
    snprintf(what, sizeof what, "%s db only", tag);
    ck_assert_close(what, db, f.db_ref, f.nb, TOL_SUM_ABS, TOL_SUM_REL);

    clae_write(d, m_dw, f.dw0, f.nw * 4);
    clae_write(d, m_db, f.db0, f.nb * 4);
    ck_assert_int_eq(run_backward(d, PATH_DIRECT, cc->tr, NULL, m_dw, m_db, m_dout, m_in, m_w, g, CLAE_EPI_NONE),
                     CLAE_OK);
    tu_download(m_dw, dw, f.nw * 4);
    tu_download(m_db, db, f.nb * 4);
    snprintf(what, sizeof what, "%s dw+db", tag);
    ck_assert_close(what, dw, f.dw_ref, f.nw, TOL_SUM_ABS, TOL_SUM_REL);
    snprintf(what, sizeof what, "%s db with dw", tag);
    ck_assert_close(what, db, f.db_ref, f.nb, TOL_SUM_ABS, TOL_SUM_REL);

    cl_mem ms[] = {m_in, m_w, m_dout, m_din, m_dw, m_db};
    for (size_t i = 0; i < sizeof ms / sizeof ms[0]; i++) clReleaseMemObject(ms[i]);
    free(din);
    free(dw);
    free(db);
    fixture_free(&f);
}

START_TEST(test_conv2d_direct_single_outputs)
{
    static const dcase cs[] = {{0, 11, 2, 7, 13, 4, 3, 3, 2, 2, CLAE_PAD_SAME, 1},
                               {1, 11, 2, 7, 13, 4, 3, 3, 2, 2, CLAE_PAD_SAME, 1}};
    single_outputs(&cs[_i], 40 + (uint64_t)_i);
}
END_TEST

/* Two identical backward passes give bit-identical dw and db (fixed
 * summation order, no atomics). */
START_TEST(test_conv2d_direct_deterministic)
{
    clae_device *d = tu_device();
    const dcase cc = _i ? (dcase){1, 21, 16, 8, 8, 16, 3, 3, 2, 2, CLAE_PAD_SAME, 1}
                        : (dcase){0, 21, 8, 16, 16, 16, 3, 3, 1, 1, CLAE_PAD_SAME, 1};
    fixture f;
    fixture_init(&f, &cc, 7);
    const clae_conv_shape *g = &f.g;
    cl_mem m_in = tu_upload(f.in, f.nin * 4), m_w = tu_upload(f.w, f.nw * 4);
    cl_mem m_dout = tu_upload(f.dout, f.nout * 4);
    float *dw[2], *db[2];
    for (int t = 0; t < 2; t++) {
        dw[t] = tu_alloc0(f.nw);
        db[t] = tu_alloc0(f.nb);
        cl_mem m_dw = tu_upload(f.dw0, f.nw * 4), m_db = tu_upload(f.db0, f.nb * 4);
        ck_assert_int_eq(run_backward(d, PATH_DIRECT, cc.tr, NULL, m_dw, m_db, m_dout, m_in, m_w,
                                      g, CLAE_EPI_NONE),
                         CLAE_OK);
        tu_download(m_dw, dw[t], f.nw * 4);
        tu_download(m_db, db[t], f.nb * 4);
        clReleaseMemObject(m_dw);
        clReleaseMemObject(m_db);
    }
    ck_assert_int_eq(memcmp(dw[0], dw[1], f.nw * 4), 0);
    ck_assert_int_eq(memcmp(db[0], db[1], f.nb * 4), 0);
    ck_assert_close(cc.tr ? "tconv dw deterministic vs ref" : "conv dw deterministic vs ref",
                    dw[0], f.dw_ref, f.nw, TOL_SUM_ABS, TOL_SUM_REL);
    ck_assert_close(cc.tr ? "tconv db deterministic vs ref" : "conv db deterministic vs ref",
                    db[0], f.db_ref, f.nb, TOL_SUM_ABS, TOL_SUM_REL);
    for (int t = 0; t < 2; t++) {
        free(dw[t]);
        free(db[t]);
    }
    clReleaseMemObject(m_in);
    clReleaseMemObject(m_w);
    clReleaseMemObject(m_dout);
    fixture_free(&f);
}
END_TEST

/* The fused activations: forward writes act(conv + b), backward's din is
 * multiplied by the derivative of the activation that produced `in`
 * (through in as its saved output), against the reference composition
 * (conv then act_forward_ref; din then act_backward_ref). dw and db are
 * unaffected. _i: bit 0 conv2d / conv2d_transpose, bits 1-2 the activation
 * (relu, sigmoid, tanh, leaky_relu 0.2), bit 3 the direct kernels or the
 * GEMM path (whose epilogue is an activation pass of its own). */
START_TEST(test_conv2d_direct_fused_act)
{
    clae_device *d = tu_device();
    static const clae_act ACTS[] = {CLAE_ACT_RELU, CLAE_ACT_SIGMOID, CLAE_ACT_TANH,
                                    CLAE_ACT_LEAKY_RELU};
    const int tr = _i & 1;
    const clae_epi e = {.act = ACTS[(_i >> 1) & 3], .alpha = 0.2f};
    const path p = _i & 8 ? PATH_GEMM : PATH_DIRECT;
    /* bit 4: grids of 8-pixel rows (the conv kind's RP 2 where VW is 16: a
     * conv2d's forward, a conv2d_transpose's din) */
    const dcase cc = _i & 16 ? (dcase){tr, 2, 5, 16 >> tr, 16 >> tr, 6, 3, 3, 2, 2, CLAE_PAD_SAME, 1}
                             : (dcase){tr, 3, 5, 7, 13, 6, 3, 3, 2 - tr, 2, CLAE_PAD_SAME, 1};
    fixture f;
    fixture_init(&f, &cc, 900 + (uint64_t)_i);
    const clae_conv_shape *g = &f.g;
    act_forward_ref(f.out_ref, f.out_ref, f.nout, e.act, e.alpha);
    act_backward_ref(f.din_ref, f.din_ref, f.in, f.nin, e.act, e.alpha);
    uint64_t seed = 77;
    float *out = tu_alloc_rand(f.nout, -9.0f, 9.0f, &seed), *din = tu_alloc_rand(f.nin, -9.0f, 9.0f, &seed);
    float *dw = tu_alloc0(f.nw), *db = tu_alloc0(f.nb);
    cl_mem m_in = tu_upload(f.in, f.nin * 4), m_w = tu_upload(f.w, f.nw * 4);
    cl_mem m_b = tu_upload(f.b, f.nb * 4), m_dout = tu_upload(f.dout, f.nout * 4);
    cl_mem m_out = tu_upload(out, f.nout * 4), m_din = tu_upload(din, f.nin * 4);
    cl_mem m_dw = tu_upload(f.dw0, f.nw * 4), m_db = tu_upload(f.db0, f.nb * 4);
    ck_assert_int_eq(run_forward(d, p, tr, m_out, m_in, m_w, m_b, g, e), CLAE_OK);
    ck_assert_int_eq(run_backward(d, p, tr, m_din, m_dw, m_db, m_dout, m_in, m_w, g, e), CLAE_OK);
    tu_download(m_out, out, f.nout * 4);
    tu_download(m_din, din, f.nin * 4);
    tu_download(m_dw, dw, f.nw * 4);
    tu_download(m_db, db, f.nb * 4);
    char tag[128], what[192];
    case_tag(tag, sizeof tag, &cc, g, p == PATH_DIRECT ? "direct" : "gemm");
    snprintf(what, sizeof what, "%s fwd + %s", tag, clae_act_name(e.act));
    ck_assert_close(what, out, f.out_ref, f.nout, TOL_SUM_ABS, TOL_SUM_REL);
    snprintf(what, sizeof what, "%s din * %s'", tag, clae_act_name(e.act));
    ck_assert_close(what, din, f.din_ref, f.nin, TOL_SUM_ABS, TOL_SUM_REL);
    snprintf(what, sizeof what, "%s dw+= (with a fused din)", tag);
    ck_assert_close(what, dw, f.dw_ref, f.nw, TOL_SUM_ABS, TOL_SUM_REL);
    snprintf(what, sizeof what, "%s db+= (with a fused din)", tag);
    ck_assert_close(what, db, f.db_ref, f.nb, TOL_SUM_ABS, TOL_SUM_REL);
    cl_mem ms[] = {m_in, m_w, m_b, m_dout, m_out, m_din, m_dw, m_db};
    for (size_t i = 0; i < sizeof ms / sizeof ms[0]; i++) clReleaseMemObject(ms[i]);
    free(out);
    free(din);
    free(dw);
    free(db);
    fixture_free(&f);
}
END_TEST

/* $CLAE_CONV is read at device open: gemm / direct / auto force or choose
 * the path, anything else is refused; the auto rule takes the denoiser's
 * layers direct. */
START_TEST(test_conv2d_direct_env)
{
    clae_device dev;
    const char *outer = getenv("CLAE_CONV");
    char keep[32] = "";
    if (outer) snprintf(keep, sizeof keep, "%s", outer);
    setenv("CLAE_CONV", "bogus", 1);
    ck_assert_int_eq(clae_device_open(&dev, NULL), CLAE_ERR_ARG);
    setenv("CLAE_CONV", "gemm", 1);
    ck_assert_int_eq(clae_device_open(&dev, "ref"), CLAE_OK);
    ck_assert_int_eq(dev.conv_path, CLAE_CONV_GEMM);
    clae_device_close(&dev);
    setenv("CLAE_CONV", "direct", 1);
    ck_assert_int_eq(clae_device_open(&dev, "ref"), CLAE_OK);
    ck_assert_int_eq(dev.conv_path, CLAE_CONV_DIRECT);
    clae_device_close(&dev);
    unsetenv("CLAE_CONV");
    ck_assert_int_eq(clae_device_open(&dev, "ref"), CLAE_OK);
    ck_assert_int_eq(dev.conv_path, CLAE_CONV_AUTO);

    clae_conv_shape g;
    for (int i = NCASES - 6; i < NCASES - 1; i++) {
        g = make_shape(&CASES[i]);
        ck_assert_int_eq(clae_conv_use_direct(&dev, &g, CASES[i].tr), 1);
    }
    dev.conv_path = CLAE_CONV_GEMM;
    ck_assert_int_eq(clae_conv_use_direct(&dev, &g, 0), 0);
    dev.conv_path = CLAE_CONV_DIRECT;
    ck_assert_int_eq(clae_conv_use_direct(&dev, &g, 0), 1);
    clae_device_close(&dev);
    if (outer) setenv("CLAE_CONV", keep, 1);
}
END_TEST

static Suite *conv2d_direct_suite(void)
{
    Suite *s = suite_create("conv2d_direct");
    /* Under oclgrind, both paths: small odd widths with strides (edge
     * work-items), 17 -> 20 channels (channel blocks with a tail; a dw
     * work-group of 85), a batch of 19 (several dw slices) for each kind,
     * the denoiser's five layers, and single outputs. */
    TCase *sim = tu_tcase("conv2d_direct sim", 600, 1);
    tcase_add_test(sim, test_conv2d_direct_env);
    tcase_add_loop_test(sim, test_conv2d_direct_vs_ref, 0, 2);
    tcase_add_loop_test(sim, test_conv2d_direct_vs_ref, 6, 8);
    tcase_add_loop_test(sim, test_conv2d_direct_vs_ref, 11, 12);
    tcase_add_loop_test(sim, test_conv2d_direct_vs_ref, NCASES - 6, NCASES - 1);
    tcase_add_loop_test(sim, test_conv2d_direct_gemm_vs_ref, NCASES - 6, NCASES - 1);
    tcase_add_loop_test(sim, test_conv2d_direct_single_outputs, 0, 2);
    tcase_add_loop_test(sim, test_conv2d_direct_fused_act, 0, 8);
    tcase_add_loop_test(sim, test_conv2d_direct_fused_act, 16, 20);
    tcase_add_loop_test(sim, test_conv2d_direct_vs_ref, 13, 15); /* RP 2 */
    suite_add_tcase(s, sim);
    TCase *tc = tu_tcase("conv2d_direct", 600, 0);
    tcase_add_loop_test(tc, test_conv2d_direct_vs_ref, 2, 6);
    tcase_add_loop_test(tc, test_conv2d_direct_vs_ref, 8, 11);
    tcase_add_loop_test(tc, test_conv2d_direct_vs_ref, 12, 13);
    tcase_add_loop_test(tc, test_conv2d_direct_vs_ref, 15, 17); /* PP, TB 2 */
    tcase_add_loop_test(tc, test_conv2d_direct_fused_act, 20, 24);
    tcase_add_loop_test(tc, test_conv2d_direct_vs_ref, NCASES - 1, NCASES);
    tcase_add_loop_test(tc, test_conv2d_direct_deterministic, 0, 2);
    tcase_add_loop_test(tc, test_conv2d_direct_gemm_vs_ref, 0, NCASES - 6);
    tcase_add_loop_test(tc, test_conv2d_direct_gemm_vs_ref, NCASES - 1, NCASES);
    tcase_add_loop_test(tc, test_conv2d_direct_fused_act, 8, 16);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run(conv2d_direct_suite()); }
