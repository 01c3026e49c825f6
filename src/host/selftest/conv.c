/* clae selftest: conv2d and conv2d_transpose on both paths (direct kernels,
 * im2col + CLBlast GEMM), forward with a fused activation and backward
 * (din through the previous layer's activation, dw and db accumulated). */
#include <stdio.h>

#include "ops/conv2d_direct.h"
#include "selftest/selftest_int.h"

typedef struct conv_case {
    int N, C, H, W, K, R, S, sh, sw;
    clae_padding pad;
    clae_act fwd_act, bwd_act; /* the layer's own; the previous layer's (through in) */
} conv_case;

/* The denoiser's layers at a small batch, then odd shapes: strides, 'valid',
 * 5x5 and non-square kernels, 1x1, and more than 32 channels (the GEMM
 * branch of the auto rule on GPUs). quick: the first QUICK of each. */
static const conv_case CONV[] = {
    {2, 3, 32, 32, 8, 3, 3, 1, 1, CLAE_PAD_SAME, CLAE_ACT_RELU, CLAE_ACT_NONE},
    {2, 16, 32, 32, 3, 3, 3, 1, 1, CLAE_PAD_SAME, CLAE_ACT_SIGMOID, CLAE_ACT_RELU},
    {3, 5, 9, 7, 3, 5, 5, 2, 2, CLAE_PAD_VALID, CLAE_ACT_NONE, CLAE_ACT_TANH},
    {8, 8, 16, 16, 16, 3, 3, 1, 1, CLAE_PAD_SAME, CLAE_ACT_RELU, CLAE_ACT_RELU},
    {2, 40, 6, 5, 36, 3, 3, 1, 1, CLAE_PAD_SAME, CLAE_ACT_LEAKY_RELU, CLAE_ACT_LEAKY_RELU},
    {1, 16, 6, 6, 8, 1, 1, 1, 1, CLAE_PAD_VALID, CLAE_ACT_NONE, CLAE_ACT_NONE},
    {2, 3, 7, 5, 4, 3, 5, 2, 1, CLAE_PAD_SAME, CLAE_ACT_TANH, CLAE_ACT_SIGMOID},
    {2, 64, 16, 16, 64, 3, 3, 1, 1, CLAE_PAD_SAME, CLAE_ACT_RELU, CLAE_ACT_RELU},
};
static const conv_case TCONV[] = {
    {2, 16, 8, 8, 16, 3, 3, 2, 2, CLAE_PAD_SAME, CLAE_ACT_RELU, CLAE_ACT_RELU},
    {2, 3, 5, 4, 4, 3, 3, 2, 2, CLAE_PAD_VALID, CLAE_ACT_NONE, CLAE_ACT_TANH},
    {8, 16, 16, 16, 16, 3, 3, 2, 2, CLAE_PAD_SAME, CLAE_ACT_RELU, CLAE_ACT_RELU},
    {2, 7, 5, 6, 5, 5, 5, 1, 1, CLAE_PAD_SAME, CLAE_ACT_SIGMOID, CLAE_ACT_NONE},
    {2, 36, 4, 5, 40, 3, 3, 2, 2, CLAE_PAD_SAME, CLAE_ACT_LEAKY_RELU, CLAE_ACT_RELU},
};
enum { QUICK_CONV = 3, QUICK_TCONV = 2 };
enum { B_IN, B_W, B_B, B_DOUT, B_OUT, B_DIN, B_DW, B_DB };

typedef struct conv_run {
    clae_conv_shape g;
    int transpose;
    clae_epi fwd, bwd;
} conv_run;

static clae_status run_conv(clae_device *d, clae_buf *b, const void *arg)
{
    const conv_run *r = arg;
    if (r->transpose) {
        CLAE_TRY(conv2d_transpose_forward(d, b[B_OUT], b[B_IN], b[B_W], b[B_B], &r->g, r->fwd));
        return conv2d_transpose_backward(d, b[B_DIN], b[B_DW], b[B_DB], b[B_DOUT], b[B_IN],
                                         b[B_W], &r->g, r->bwd);
    }
    CLAE_TRY(conv2d_forward(d, b[B_OUT], b[B_IN], b[B_W], b[B_B], &r->g, r->fwd));
    return conv2d_backward(d, b[B_DIN], b[B_DW], b[B_DB], b[B_DOUT], b[B_IN], b[B_W], &r->g,
                           r->bwd);
}

static clae_epi epi(clae_act a)
{
    return (clae_epi){.act = a, .alpha = a == CLAE_ACT_LEAKY_RELU ? 0.2f : 0.0f};
}

/* One shape on one path (d->conv_path set by the caller): 4 rows. */
static void conv_one(st_ctx *c, const conv_case *k, int transpose)
{
    conv_run r = {.transpose = transpose, .fwd = epi(k->fwd_act), .bwd = epi(k->bwd_act)};
    clae_status st = transpose ? clae_conv2d_transpose_shape(&r.g, k->N, k->C, k->H, k->W, k->K,
                                                             k->R, k->S, k->sh, k->sw, k->pad)
                               : clae_conv2d_shape(&r.g, k->N, k->C, k->H, k->W, k->K, k->R,
                                                   k->S, k->sh, k->sw, k->pad);
    const char *op = transpose ? "conv2d_transpose" : "conv2d";
    const char *path = clae_conv_use_direct(c->dut, &r.g, transpose) ? "direct" : "gemm";
    char tag[96];
    snprintf(tag, sizeof tag, "%s %s %dx%dx%dx%d->%d %dx%d s%d %s", op, path, k->N, k->C, k->H,
             k->W, k->K, k->R, k->S, k->sh, k->pad == CLAE_PAD_SAME ? "same" : "valid");
    if (st != CLAE_OK) {
        st_row_failed(c, tag, "no such shape");
        return;
    }
    const clae_conv_shape *g = &r.g;
    const size_t nin = (size_t)g->N * g->C * g->H * g->W, nout = (size_t)g->N * g->K * g->P * g->Q,
                 nw = (size_t)g->K * g->C * g->R * g->S;
    st_io io = {0};
    st_rand(c, &io, nin, -1.0f, 1.0f);         /* B_IN */
    st_rand(c, &io, nw, -0.5f, 0.5f);          /* B_W */
    st_rand(c, &io, (size_t)g->K, -0.5f, 0.5f); /* B_B */
    st_rand(c, &io, nout, -1.0f, 1.0f);        /* B_DOUT */
    st_fill(&io, nout, 1e3f);                  /* B_OUT: written */
    st_fill(&io, nin, 1e3f);                   /* B_DIN: written */
    st_rand(c, &io, nw, -1.0f, 1.0f);          /* B_DW: added into */
    st_rand(c, &io, (size_t)g->K, -1.0f, 1.0f); /* B_DB: added into */
    if (st_run(c, tag, &io, run_conv, &r)) {
        static const char *const part[] = {"fwd", "din", "dw+=", "db+="};
        static const int buf[] = {B_OUT, B_DIN, B_DW, B_DB};
        for (int i = 0; i < 4; i++) st_row(c, tag, part[i], &io, buf[i], TOL_SUM_ABS, TOL_SUM_REL);
    }
    st_io_free(&io);
}

void st_conv_cases(st_ctx *c)
{
    static const int paths[] = {CLAE_CONV_DIRECT, CLAE_CONV_GEMM};
    const int nconv = c->o->quick ? QUICK_CONV : (int)(sizeof CONV / sizeof CONV[0]);
    const int ntconv = c->o->quick ? QUICK_TCONV : (int)(sizeof TCONV / sizeof TCONV[0]);
    for (int p = 0; p < 2; p++) {
        c->dut->conv_path = paths[p];
        for (int i = 0; i < nconv; i++) conv_one(c, &CONV[i], 0);
        for (int i = 0; i < ntconv; i++) conv_one(c, &TCONV[i], 1);
    }
}
