/* clae selftest: every op family but the convolutions, forward and
 * backward, at the denoiser's shapes and odd ones: pooling (max with its
 * indices, average, max-unpooling), upsampling, activations, the losses,
 * Adam and SGD, dense layers (with their bias) on the direct and the
 * CLBlast path and a CLBlast GEMM over a long inner dimension, the blur and
 * the dataset conversion. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "selftest/selftest_int.h"

static clae_epi epi(clae_act a)
{
    return (clae_epi){.act = a, .alpha = a == CLAE_ACT_LEAKY_RELU ? 0.2f : 0.0f};
}

/* ---- pooling ------------------------------------------------------------ */

typedef struct pool_run {
    clae_conv_shape g, gu; /* the pool; the unpool back to its input's size */
    int unpool;
} pool_run;
enum { P_IN, P_OUT, P_IDX, P_DOUT, P_DIN, P_AOUT, P_ADIN, P_UOUT, P_UDIN };

static clae_status run_pool(clae_device *d, clae_buf *b, const void *arg)
{
    const pool_run *r = arg;
    CLAE_TRY(maxpool_forward(d, b[P_OUT], b[P_IDX], b[P_IN], &r->g));
    CLAE_TRY(maxpool_backward(d, b[P_DIN], b[P_DOUT], b[P_IDX], b[P_IN], &r->g,
                              epi(CLAE_ACT_RELU)));
    CLAE_TRY(avgpool_forward(d, b[P_AOUT], b[P_IN], &r->g));
    CLAE_TRY(avgpool_backward(d, b[P_ADIN], b[P_DOUT], &r->g));
    if (!r->unpool) return CLAE_OK;
    CLAE_TRY(max_unpool_forward(d, b[P_UOUT], b[P_OUT], b[P_IDX], &r->gu));
    return max_unpool_backward(d, b[P_UDIN], b[P_IN], b[P_IDX], &r->gu);
}

/* N, C, H, W, window, stride, padding; the 2x2 one also unpools */
static void pool_one(st_ctx *c, int N, int C, int H, int W, int R, int s, clae_padding pad)
{
    pool_run r = {.unpool = R == s && pad == CLAE_PAD_VALID && H % R == 0 && W % R == 0};
    char tag[80];
    snprintf(tag, sizeof tag, "%dx%dx%dx%d %dx%d s%d %s", N, C, H, W, R, R, s,
             pad == CLAE_PAD_SAME ? "same" : "valid");
    if (clae_conv2d_shape(&r.g, N, C, H, W, C, R, R, s, s, pad) != CLAE_OK) {
        st_row_failed(c, tag, "no such shape");
        return;
    }
    const clae_conv_shape *g = &r.g;
    r.gu = *g;
    r.gu.H = g->P, r.gu.W = g->Q, r.gu.P = g->H, r.gu.Q = g->W;
    const size_t nin = (size_t)N * C * H * W, nout = (size_t)N * C * g->P * g->Q;
    st_io io = {0};
    st_rand(c, &io, nin, -1.0f, 1.0f); /* P_IN */
    st_fill(&io, nout, 1e3f);          /* P_OUT */
    st_buf(&io, NULL, nout * 4);       /* P_IDX */
    st_rand(c, &io, nout, -1.0f, 1.0f); /* P_DOUT */
    st_fill(&io, nin, 1e3f);           /* P_DIN */
    st_fill(&io, nout, 1e3f);          /* P_AOUT */
    st_fill(&io, nin, 1e3f);           /* P_ADIN */
    st_fill(&io, nin, 1e3f);           /* P_UOUT */
    st_fill(&io, nout, 1e3f);          /* P_UDIN */
    if (st_run(c, tag, &io, run_pool, &r)) {
        static const char *const part[] = {"maxpool fwd", "maxpool argmax", "maxpool din",
                                           "avgpool fwd", "avgpool din", "max_unpool fwd",
                                           "max_unpool din"};
        static const int buf[] = {P_OUT, P_IDX, P_DIN, P_AOUT, P_ADIN, P_UOUT, P_UDIN};
        for (int i = 0; i < (r.unpool ? 7 : 5); i++) {
            /* max-pooling and unpooling move values: exact; averages: sums */
            const int exact = buf[i] != P_AOUT && buf[i] != P_ADIN && buf[i] != P_DIN;
            st_row(c, part[i], tag, &io, buf[i], exact ? 0.0 : TOL_ELEM_ABS,
                   exact ? 0.0 : TOL_ELEM_REL);
        }
    }
    st_io_free(&io);
}

/* ---- upsampling --------------------------------------------------------- */

typedef struct up_run {
    clae_conv_shape g;
    clae_upsample mode;
} up_run;

static clae_status run_up(clae_device *d, clae_buf *b, const void *arg)
{
    const up_run *r = arg;
    CLAE_TRY(upsample_forward(d, r->mode, b[1], b[0], &r->g));
    return upsample_backward(d, r->mode, b[3], b[2], &r->g);
}

static void upsample_cases(st_ctx *c)
{
    static const char *const name[] = {"nearest", "bilinear", "bed_of_nails"};
    const int N = 2, C = 3, H = 5, W = 4, sh = 2, sw = 3;
    for (int m = 0; m < 3; m++) {
        up_run r = {.mode = (clae_upsample)m,
                    .g = {.N = N, .C = C, .H = H, .W = W, .K = C, .R = sh, .S = sw, .sh = sh,
                          .sw = sw, .P = H * sh, .Q = W * sw}};
        const size_t nin = (size_t)N * C * H * W, nout = nin * sh * sw;
        char tag[64];
        snprintf(tag, sizeof tag, "upsample %s %dx%dx%dx%d x%d,%d", name[m], N, C, H, W, sh, sw);
        st_io io = {0};
        st_rand(c, &io, nin, -1.0f, 1.0f);
        st_fill(&io, nout, 1e3f);
        st_rand(c, &io, nout, -1.0f, 1.0f);
        st_fill(&io, nin, 1e3f);
        if (st_run(c, tag, &io, run_up, &r)) {
            st_row(c, tag, "fwd", &io, 1, TOL_ELEM_ABS, TOL_ELEM_REL);
            st_row(c, tag, "din", &io, 3, TOL_SUM_ABS, TOL_SUM_REL);
        }
        st_io_free(&io);
    }
}

/* ---- activations ----------------------------------------------- */

typedef struct act_run {
    clae_act a;
    size_t n;
} act_run;

static clae_status run_act(clae_device *d, clae_buf *b, const void *arg)
{
    const act_run *r = arg;
    const float alpha = r->a == CLAE_ACT_LEAKY_RELU ? 0.2f : 0.0f;
    CLAE_TRY(act_forward(d, b[1], b[0], r->n, r->a, alpha));
    return act_backward(d, b[3], b[2], b[1], r->n, r->a, alpha);
}

static void act_cases(st_ctx *c)
{
    static const clae_act acts[] = {CLAE_ACT_RELU, CLAE_ACT_SIGMOID, CLAE_ACT_TANH,
                                    CLAE_ACT_LEAKY_RELU};
    static const char *const name[] = {"relu", "sigmoid", "tanh", "leaky_relu"};
    for (int i = 0; i < 4; i++) {
        act_run r = {.a = acts[i], .n = 4099};
        char tag[48];
        snprintf(tag, sizeof tag, "act %s n=%zu", name[i], r.n);
        st_io io = {0};
        st_rand(c, &io, r.n, -6.0f, 6.0f);
        st_fill(&io, r.n, 1e3f);
        st_rand(c, &io, r.n, -1.0f, 1.0f);
        st_fill(&io, r.n, 1e3f);
        if (st_run(c, tag, &io, run_act, &r)) {
            st_row(c, tag, "fwd", &io, 1, TOL_ELEM_ABS, TOL_ELEM_REL);
            st_row(c, tag, "bwd", &io, 3, TOL_ELEM_ABS, TOL_ELEM_REL);
        }
        st_io_free(&io);
    }
}

/* ---- losses ------------------------------------------------------------- */

typedef struct loss_run {
    clae_loss kind;
    size_t n;
    clae_epi act;
} loss_run;

static clae_status run_loss(clae_device *d, clae_buf *b, const void *arg)
{
    const loss_run *r = arg;
    return loss_step(d, r->kind, b[2], b[3], b[0], b[1], r->n, r->act);
}

static void loss_cases(st_ctx *c)
{
    static const char *const name[] = {"mse", "mae", "bce"};
    const size_t n = 2 * 3 * 32 * 32 + 5; /* a batch of 2 and a tail past 8 */
    for (int k = 0; k < 3; k++) {
        loss_run r = {.kind = (clae_loss)k, .n = n, .act = epi(CLAE_ACT_SIGMOID)};
        char tag[64];
        snprintf(tag, sizeof tag, "loss %s (sigmoid output) n=%zu", name[k], n);
        st_io io = {0};
        st_rand(c, &io, n, 0.02f, 0.98f); /* y: a sigmoid's output */
        st_rand(c, &io, n, 0.0f, 1.0f);   /* t */
        st_fill(&io, 1, 1e3f);
        st_fill(&io, n, 1e3f);
        if (st_run(c, tag, &io, run_loss, &r)) {
            st_row(c, tag, "value", &io, 2, TOL_SUM_ABS, TOL_SUM_REL);
            st_row(c, tag, "grad", &io, 3, TOL_ELEM_ABS, TOL_ELEM_REL);
        }
        st_io_free(&io);
    }
}

/* ---- optimizers --------------------------------------------------------- */

typedef struct opt_run {
    size_t n;
} opt_run;

static clae_status run_opt(clae_device *d, clae_buf *b, const void *arg)
{
    const opt_run *r = arg;
    const clae_adam adam = {.lr = 1e-3f, .beta1 = 0.9f, .beta2 = 0.999f, .eps = 1e-7f};
    const clae_sgd sgd = {.lr = 0.01f, .momentum = 0.9f, .nesterov = 1};
    for (long t = 1; t <= 3; t++) CLAE_TRY(adam_update(d, b[0], b[1], b[2], b[3], r->n, &adam, t));
    for (int t = 0; t < 2; t++) CLAE_TRY(sgd_update(d, b[4], b[5], b[3], r->n, &sgd));
    return CLAE_OK;
}

static void opt_cases(st_ctx *c)
{
    opt_run r = {.n = 1031};
    st_io io = {0};
    st_rand(c, &io, r.n, -1.0f, 1.0f); /* Adam: p, m, v, then the gradient */
    st_rand(c, &io, r.n, -0.1f, 0.1f);
    st_rand(c, &io, r.n, 0.0f, 0.01f);
    st_rand(c, &io, r.n, -1.0f, 1.0f);
    st_rand(c, &io, r.n, -1.0f, 1.0f); /* SGD: p, velocity */
    st_rand(c, &io, r.n, -0.1f, 0.1f);
    if (st_run(c, "adam and sgd", &io, run_opt, &r)) {
        st_row(c, "adam 3 steps n=1031", "weights", &io, 0, TOL_ELEM_ABS, TOL_ELEM_REL);
        st_row(c, "adam 3 steps n=1031", "moments m", &io, 1, TOL_ELEM_ABS, TOL_ELEM_REL);
        st_row(c, "adam 3 steps n=1031", "moments v", &io, 2, TOL_ELEM_ABS, TOL_ELEM_REL);
        st_row(c, "sgd nesterov 2 steps n=1031", "weights", &io, 4, TOL_ELEM_ABS, TOL_ELEM_REL);
    }
    st_io_free(&io);
}

/* ---- dense and a long GEMM ---------------------------------------------- */

typedef struct dense_run {
    int N, I, U;
} dense_run;

static clae_status run_dense(clae_device *d, clae_buf *b, const void *arg)
{
    const dense_run *r = arg;
    CLAE_TRY(dense_forward(d, b[3], b[0], b[1], b[2], r->N, r->I, r->U, CLAE_EPI_NONE));
    if (r->I > 4096) return CLAE_OK; /* the long GEMM: forward only */
    return dense_backward(d, b[5], b[6], b[7], b[4], b[0], b[1], r->N, r->I, r->U,
                          CLAE_EPI_NONE);
}

/* path: CLAE_DENSE_DIRECT or _GEMM (the harness restores the device's own) */
static void dense_one(st_ctx *c, int N, int I, int U, int integers, int path)
{
    dense_run r = {.N = N, .I = I, .U = U};
    c->dut->dense_path = path;
    char tag[80];
    st_io io = {0};
    if (integers) { /* small integers: every sum exact in float, so exact on any device */
        snprintf(tag, sizeof tag, "gemm (CLBlast) long inner dim %dx%d.%dx%d", N, I, I, U);
        float *x = malloc((size_t)N * I * sizeof *x), *w = malloc((size_t)U * I * sizeof *w);
        for (size_t i = 0; x && i < (size_t)N * I; i++) x[i] = (float)(clae_rng_next(&c->rng) % 3);
        for (size_t i = 0; w && i < (size_t)U * I; i++) w[i] = (float)(clae_rng_next(&c->rng) % 2);
        st_buf(&io, x, x ? (size_t)N * I * 4 : 0);
        st_buf(&io, w, w ? (size_t)U * I * 4 : 0);
        if (!x || !w) io.oom = 1;
        free(x), free(w);
    } else {
        snprintf(tag, sizeof tag, "dense %dx%d->%d (%s)", N, I, U,
                 path == CLAE_DENSE_GEMM ? "CLBlast" : "direct");
        st_rand(c, &io, (size_t)N * I, -1.0f, 1.0f);
        st_rand(c, &io, (size_t)U * I, -0.5f, 0.5f);
    }
    st_rand(c, &io, (size_t)U, -0.5f, 0.5f);
    if (integers) memset(io.init[2], 0, (size_t)U * 4); /* no bias: exact */
    st_fill(&io, (size_t)N * U, 1e3f);
    st_rand(c, &io, (size_t)N * U, -1.0f, 1.0f);
    st_fill(&io, (size_t)N * I, 1e3f);
    st_rand(c, &io, (size_t)U * I, -1.0f, 1.0f);
    st_rand(c, &io, (size_t)U, -1.0f, 1.0f);
    if (st_run(c, tag, &io, run_dense, &r)) {
        st_row(c, tag, "fwd", &io, 3, integers ? 0.0 : TOL_SUM_ABS, integers ? 0.0 : TOL_SUM_REL);
        static const char *const part[] = {"din", "dw+=", "db+="};
        for (int i = 0; i < 3 && !integers; i++)
            st_row(c, tag, part[i], &io, 5 + i, TOL_SUM_ABS, TOL_SUM_REL);
    }
    st_io_free(&io);
}

/* ---- data: blur and conversion ------------------------------------------ */

typedef struct data_run {
    int N, C, H, W, ksize;
} data_run;

static clae_status run_blur(clae_device *d, clae_buf *b, const void *arg)
{
    const data_run *r = arg;
    return blur_forward(d, b[1], b[0], b[2], r->ksize, r->N, r->C, r->H, r->W);
}

static clae_status run_convert(clae_device *d, clae_buf *b, const void *arg)
{
    const data_run *r = arg;
    return cifar_to_float(d, b[1], b[0], r->N, r->C, r->H, r->W);
}

/* [train] normalize's per-image step, in place, with a pair of CIFAR-10's size */
static clae_status run_normalize(clae_device *d, clae_buf *b, const void *arg)
{
    const data_run *r = arg;
    return gcn_minmax(d, b[0], r->N, r->C * r->H * r->W, -10.6f, 11.1f);
}

static void data_one(st_ctx *c, int N, int C, int H, int W)
{
    data_run r = {.N = N, .C = C, .H = H, .W = W, .ksize = 5};
    const size_t n = (size_t)N * C * H * W;
    char tag[64];
    float k[5];
    clae_gaussian_kernel(k, 5, 1.1);
    snprintf(tag, sizeof tag, "blur 5x5 sigma 1.1 %dx%dx%dx%d", N, C, H, W);
    st_io io = {0};
    st_rand(c, &io, n, 0.0f, 1.0f);
    st_fill(&io, n, 1e3f);
    st_buf(&io, k, sizeof k);
    if (st_run(c, tag, &io, run_blur, &r)) st_row(c, tag, NULL, &io, 1, TOL_SUM_ABS, TOL_SUM_REL);
    st_io_free(&io);
    snprintf(tag, sizeof tag, "convert bytes to floats %dx%dx%dx%d", N, C, H, W);
    st_rand_bytes(c, &io, (size_t)N * (n / N + 1));
    st_fill(&io, n, 1e3f);
    if (st_run(c, tag, &io, run_convert, &r)) st_row(c, tag, "(exact)", &io, 1, 0.0, 0.0);
    st_io_free(&io);
    snprintf(tag, sizeof tag, "normalize gcn_l1_minmax %dx%dx%dx%d", N, C, H, W);
    st_rand(c, &io, n, 0.0f, 1.0f);
    if (st_run(c, tag, &io, run_normalize, &r))
        st_row(c, tag, NULL, &io, 0, TOL_ELEM_ABS, TOL_ELEM_REL);
    st_io_free(&io);
}

void st_op_cases(st_ctx *c)
{
    pool_one(c, 2, 8, 32, 32, 2, 2, CLAE_PAD_VALID); /* the denoiser's */
    pool_one(c, 1, 3, 7, 9, 3, 2, CLAE_PAD_SAME);
    if (!c->o->quick) pool_one(c, 2, 16, 16, 16, 2, 2, CLAE_PAD_VALID);
    upsample_cases(c);
    act_cases(c);
    loss_cases(c);
    opt_cases(c);
    dense_one(c, 3, 50, 7, 0, CLAE_DENSE_DIRECT);
    dense_one(c, 3, 50, 7, 0, CLAE_DENSE_GEMM);
    /* past any loop limit of one CLBlast call (llvmpipe's: 2^20); quick: 2^16
     * (a part of 2^15 on llvmpipe) */
    dense_one(c, 2, (c->o->quick ? 1 << 16 : 1 << 20) + 3, 2, 1, CLAE_DENSE_GEMM);
    data_one(c, 2, 3, 32, 32);
    data_one(c, 1, 2, 3, 7);
}
