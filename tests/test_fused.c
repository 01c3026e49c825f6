/* The fused passes of a training step (clae/ops.h's conv2d_pool and
 * conv2d_loss, src/kernels/conv2d_direct.cl's conv_pool kind and the dw
 * kind's GSRC): each against the unfused device passes it replaces, which
 * must give the same bits (the fused kernels sum in the same order), and
 * against the composition of the reference twins within tolerance; then
 * whole training steps with and without fusion, bit-identical. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clae/net.h"
#include "testutil.h"

typedef struct conv_case {
    int N, C, H, W, K, R, S, sh, sw;
    clae_padding pad;
    clae_act act;
    int bias;
} conv_case;

/* conv2d + 2x2/2 max-pool: the denoiser's two (sim), then the edges: a
 * width that is not a multiple of 8 (12, 10: a partial vector of pooled
 * lanes), 'valid' padding, stride 2 with 5x5 taps, channels that do not
 * fill the last block (20 in blocks of 7), one channel, many channels. */
static const conv_case POOL_CASES[] = {
    {2, 3, 32, 32, 8, 3, 3, 1, 1, CLAE_PAD_SAME, CLAE_ACT_RELU, 1},
    {2, 8, 16, 16, 16, 3, 3, 1, 1, CLAE_PAD_SAME, CLAE_ACT_RELU, 1},
    {3, 5, 10, 14, 7, 3, 3, 1, 1, CLAE_PAD_VALID, CLAE_ACT_SIGMOID, 0},
    {1, 1, 4, 4, 1, 3, 3, 1, 1, CLAE_PAD_SAME, CLAE_ACT_NONE, 1},
    {2, 4, 20, 20, 6, 5, 5, 2, 2, CLAE_PAD_SAME, CLAE_ACT_LEAKY_RELU, 1},
    {5, 3, 12, 12, 20, 3, 3, 1, 1, CLAE_PAD_SAME, CLAE_ACT_TANH, 1},
    /* a slice's 4,096 weight-gradient work-items: on PoCL more than one
     * group holds (their accumulators), so each rebuilds its own rows */
    {1, 256, 4, 4, 64, 3, 3, 1, 1, CLAE_PAD_SAME, CLAE_ACT_RELU, 0},
};
enum { NPOOL = sizeof POOL_CASES / sizeof POOL_CASES[0], NPOOL_SIM = 4 };

/* The last conv2d with the loss: the denoiser's (sim), an odd width with
 * binary cross-entropy and no bias, mae through a linear output, relu. */
typedef struct loss_case {
    conv_case c;
    clae_loss lk;
} loss_case;
static const loss_case LOSS_CASES[] = {
    {{2, 16, 32, 32, 3, 3, 3, 1, 1, CLAE_PAD_SAME, CLAE_ACT_SIGMOID, 1}, CLAE_LOSS_MSE},
    {{1, 2, 6, 6, 5, 3, 3, 1, 1, CLAE_PAD_SAME, CLAE_ACT_RELU, 1}, CLAE_LOSS_MSE},
    {{3, 4, 9, 11, 2, 3, 3, 1, 1, CLAE_PAD_SAME, CLAE_ACT_SIGMOID, 0}, CLAE_LOSS_BCE},
    {{2, 5, 12, 12, 3, 3, 3, 1, 1, CLAE_PAD_SAME, CLAE_ACT_NONE, 1}, CLAE_LOSS_MAE},
};
enum { NLOSS = sizeof LOSS_CASES / sizeof LOSS_CASES[0], NLOSS_SIM = 2 };

static clae_epi epi_of(clae_act a) { return (clae_epi){.act = a, .alpha = 0.2f}; }

/* Tensors of one case, on the host and the device. */
typedef struct bufs {
    clae_conv_shape g, gp;
    size_t nin, nw, nout, npool;
    float *in, *w, *b;
    cl_mem din, in_d, w_d, b_d;
} bufs;

static void setup(bufs *t, const conv_case *c, uint64_t seed)
{
    memset(t, 0, sizeof *t);
    ck_assert_int_eq(clae_conv2d_shape(&t->g, c->N, c->C, c->H, c->W, c->K, c->R, c->S, c->sh,
                                       c->sw, c->pad),
                     CLAE_OK);
    t->nin = (size_t)c->N * c->C * c->H * c->W;
    t->nw = (size_t)c->K * c->C * c->R * c->S;
    t->nout = (size_t)c->N * c->K * t->g.P * t->g.Q;
    t->in = tu_alloc_rand(t->nin, -1.0f, 1.0f, &seed);
    t->w = tu_alloc_rand(t->nw, -0.5f, 0.5f, &seed);
    t->b = c->bias ? tu_alloc_rand((size_t)c->K, -0.2f, 0.2f, &seed) : NULL;
    t->in_d = tu_upload(t->in, t->nin * 4);
    t->w_d = tu_upload(t->w, t->nw * 4);
    t->b_d = t->b ? tu_upload(t->b, (size_t)c->K * 4) : NULL;
}

static void pool_shape(bufs *t)
{
    const clae_conv_shape *g = &t->g;
    ck_assert_int_eq(clae_conv2d_shape(&t->gp, g->N, g->K, g->P, g->Q, g->K, 2, 2, 2, 2,
                                       CLAE_PAD_VALID),
                     CLAE_OK);
    t->npool = (size_t)g->N * g->K * t->gp.P * t->gp.Q;
}

static void teardown(bufs *t)
{
    clReleaseMemObject(t->in_d);
    clReleaseMemObject(t->w_d);
    if (t->b_d) clReleaseMemObject(t->b_d);
    free(t->in), free(t->w), free(t->b);
}

static cl_mem dev_zeros(size_t bytes)
{
    void *z = calloc(1, bytes);
    cl_mem m = tu_upload(z, bytes);
    free(z);
    return m;
}

static void expect_same_bits(const char *what, cl_mem a, cl_mem b, size_t bytes)
{
    unsigned char *x = malloc(bytes), *y = malloc(bytes);
    tu_download(a, x, bytes);
    tu_download(b, y, bytes);
    ck_assert_msg(memcmp(x, y, bytes) == 0, "%s: fused and unfused differ", what);
    free(x), free(y);
}

/* The device whose fused passes are under test; 0 (and a line) where the
 * shape does not take them there (a loop-limited device's budget). */
static int fusable_here(clae_device *d, int ok)
{
    if (!ok) {
        ck_assert_msg(d->loop_limit > 0, "a test shape is not fusable on %s", d->name);
        printf("  not fusable within %s's loop limit: skipped\n", d->name);
    }
    return ok;
}

/* The reference: conv2d, act, max-pool (twins), pooled values and argmax. */
static void ref_conv_pool(const bufs *t, clae_act a, float *conv, float *pooled, int32_t *idx)
{
    conv2d_forward_ref(conv, t->in, t->w, t->b, &t->g);
    act_forward_ref(conv, conv, t->nout, a, 0.2f);
    maxpool_forward_ref(pooled, idx, conv, &t->gp);
}

START_TEST(test_fused_pool_forward)
{
    const conv_case *c = &POOL_CASES[_i];
    clae_device *d = tu_device();
    bufs t;
    setup(&t, c, 100 + (uint64_t)_i);
    pool_shape(&t);
    if (!fusable_here(d, conv2d_pool_fusable(d, &t.g, &t.gp))) return;
    cl_mem conv = dev_zeros(t.nout * 4), pu = dev_zeros(t.npool * 4), iu = dev_zeros(t.npool * 4);
    cl_mem pf = dev_zeros(t.npool * 4), ifu = dev_zeros(t.npool * 4);
    ck_assert_int_eq(conv2d_forward_cl(d, conv, t.in_d, t.w_d, t.b_d, &t.g, epi_of(c->act)),
                     CLAE_OK);
    ck_assert_int_eq(maxpool_forward_cl(d, pu, iu, conv, &t.gp), CLAE_OK);
    ck_assert_int_eq(conv2d_pool_forward_cl(d, pf, ifu, t.in_d, t.w_d, t.b_d, &t.g,
                                            epi_of(c->act)),
                     CLAE_OK);
    expect_same_bits("pooled", pf, pu, t.npool * 4);
    expect_same_bits("argmax", ifu, iu, t.npool * 4);

    float *cr = tu_alloc0(t.nout), *pr = tu_alloc0(t.npool), *pg = tu_alloc0(t.npool);
    int32_t *ir = malloc(t.npool * 4);
    ref_conv_pool(&t, c->act, cr, pr, ir);
    tu_download(pf, pg, t.npool * 4);
    ck_assert_close("pooled vs twins", pg, pr, t.npool, TOL_SUM_ABS, TOL_SUM_REL);
    free(cr), free(pr), free(pg), free(ir);
    clReleaseMemObject(conv), clReleaseMemObject(pu), clReleaseMemObject(iu);
    clReleaseMemObject(pf), clReleaseMemObject(ifu);
    teardown(&t);
}
END_TEST

/* Gradients of one case: dw and db start from the same nonzero values in
 * both runs (the passes add into them). */
typedef struct grads {
    cl_mem din, dw, db, dout;
} grads;

/* Rounds of the backward tests: 0 with din (and dout), 1 without din (the
 * first layer: the weight gradient's group rebuilds its grid into dout, its
 * GSTAGE), 2 with neither (each work-item rebuilds the rows it reads). */
static void grads_alloc(grads *g, const bufs *t, const conv_case *c, int round, uint64_t seed)
{
    float *w0 = tu_alloc_rand(t->nw + (size_t)c->K, -0.1f, 0.1f, &seed);
    g->dw = tu_upload(w0, t->nw * 4);
    g->db = c->bias ? tu_upload(w0 + t->nw, (size_t)c->K * 4) : NULL;
    g->din = round == 0 ? dev_zeros(t->nin * 4) : NULL;
    g->dout = round < 2 ? dev_zeros(t->nout * 4) : NULL;
    free(w0);
}

static void grads_same(const grads *f, const grads *u, const bufs *t, const conv_case *c)
{
    expect_same_bits("dw", f->dw, u->dw, t->nw * 4);
    if (c->bias) expect_same_bits("db", f->db, u->db, (size_t)c->K * 4);
    if (f->din) {
        expect_same_bits("din", f->din, u->din, t->nin * 4);
        expect_same_bits("rebuilt dout", f->dout, u->dout, t->nout * 4);
    }
}

static void grads_free(grads *g)
{
    cl_mem m[] = {g->din, g->dw, g->db, g->dout};
    for (size_t i = 0; i < 4; i++)
        if (m[i]) clReleaseMemObject(m[i]);
}

/* The twins' gradients from the conv's dout (dconv): dw, db (from the same
 * start as the device's) and din times din_act's derivative through in. */
static void ref_grads_check(const bufs *t, const conv_case *c, const float *dconv,
                            const grads *f, clae_act din_act, uint64_t seed)
{
    float *w0 = tu_alloc_rand(t->nw + (size_t)c->K, -0.1f, 0.1f, &seed);
    float *din = tu_alloc0(t->nin), *got = tu_alloc0(t->nin > t->nw ? t->nin : t->nw + 64);
    conv2d_backward_ref(f->din ? din : NULL, w0, c->bias ? w0 + t->nw : NULL, dconv, t->in, t->w,
                        &t->g);
    tu_download(f->dw, got, t->nw * 4);
    ck_assert_close("dw vs twins", got, w0, t->nw, TOL_SUM_ABS, TOL_SUM_REL);
    if (c->bias) {
        tu_download(f->db, got, (size_t)c->K * 4);
        ck_assert_close("db vs twins", got, w0 + t->nw, (size_t)c->K, TOL_SUM_ABS, TOL_SUM_REL);
    }
    if (f->din) {
        act_backward_ref(din, din, t->in, t->nin, din_act, 0.2f);
        tu_download(f->din, got, t->nin * 4);
        ck_assert_close("din vs twins", got, din, t->nin, TOL_SUM_ABS, TOL_SUM_REL);
    }
    free(w0), free(din), free(got);
}

START_TEST(test_fused_pool_backward)
{
    const conv_case *c = &POOL_CASES[_i % NPOOL];
    const int round = _i / NPOOL; /* as grads_alloc says */
    clae_device *d = tu_device();
    bufs t;
    setup(&t, c, 200 + (uint64_t)_i);
    pool_shape(&t);
    if (!fusable_here(d, conv2d_pool_fusable(d, &t.g, &t.gp))) return;
    uint64_t seed = 300 + (uint64_t)_i;
    float *dp = tu_alloc_rand(t.npool, -1.0f, 1.0f, &seed);
    cl_mem dpool = tu_upload(dp, t.npool * 4);
    cl_mem conv = dev_zeros(t.nout * 4), pooled = dev_zeros(t.npool * 4),
           idx = dev_zeros(t.npool * 4);
    const clae_epi act = epi_of(c->act), din_act = epi_of(CLAE_ACT_RELU);
    ck_assert_int_eq(conv2d_forward_cl(d, conv, t.in_d, t.w_d, t.b_d, &t.g, act), CLAE_OK);
    ck_assert_int_eq(maxpool_forward_cl(d, pooled, idx, conv, &t.gp), CLAE_OK);
    grads u, f;
    grads_alloc(&u, &t, c, 0, seed); /* (the unfused passes need dout) */
    grads_alloc(&f, &t, c, round, seed);
    /* unfused: the pool's backward through act', then the conv's */
    ck_assert_int_eq(maxpool_backward_cl(d, u.dout, dpool, idx, conv, &t.gp, act), CLAE_OK);
    ck_assert_int_eq(conv2d_backward_cl(d, u.din, u.dw, u.db, u.dout, t.in_d, t.w_d, &t.g,
                                        din_act),
                     CLAE_OK);
    ck_assert_int_eq(conv2d_pool_backward_cl(d, f.din, f.dw, f.db, f.dout, dpool, idx, pooled,
                                             t.in_d, t.w_d, &t.g, act, din_act),
                     CLAE_OK);
    grads_same(&f, &u, &t, c);

    float *cr = tu_alloc0(t.nout), *pr = tu_alloc0(t.npool), *dconv = tu_alloc0(t.nout);
    int32_t *ir = malloc(t.npool * 4);
    ref_conv_pool(&t, c->act, cr, pr, ir);
    maxpool_backward_ref(dconv, dp, ir, &t.gp);
    act_backward_ref(dconv, dconv, cr, t.nout, c->act, 0.2f);
    ref_grads_check(&t, c, dconv, &f, CLAE_ACT_RELU, seed);
    free(cr), free(pr), free(dconv), free(ir), free(dp);
    grads_free(&u), grads_free(&f);
    clReleaseMemObject(dpool), clReleaseMemObject(conv), clReleaseMemObject(pooled);
    clReleaseMemObject(idx);
    teardown(&t);
}
END_TEST

static void loss_ref(clae_loss lk, float *loss, float *dy, const float *y, const float *t,
                     size_t n)
{
    switch (lk) {
    case CLAE_LOSS_MAE: mae_forward_ref(loss, y, t, n), mae_backward_ref(dy, y, t, n); break;
    case CLAE_LOSS_BCE: bce_forward_ref(loss, y, t, n), bce_backward_ref(dy, y, t, n); break;
    default: mse_forward_ref(loss, y, t, n), mse_backward_ref(dy, y, t, n); break;
    }
}

START_TEST(test_fused_loss_backward)
{
    const loss_case *lc = &LOSS_CASES[_i % NLOSS];
    const conv_case *c = &lc->c;
    const int round = _i / NLOSS; /* as grads_alloc says */
    clae_device *d = tu_device();
    bufs t;
    setup(&t, c, 400 + (uint64_t)_i);
    if (!fusable_here(d, conv2d_loss_fusable(d, &t.g, lc->lk))) return;
    uint64_t seed = 500 + (uint64_t)_i;
    /* an output of the activation (sigmoid's range fits them all) and a target */
    float *y = tu_alloc_rand(t.nout, 0.02f, 0.98f, &seed);
    float *tg = tu_alloc_rand(t.nout, 0.0f, 1.0f, &seed);
    cl_mem y_d = tu_upload(y, t.nout * 4), t_d = tu_upload(tg, t.nout * 4);
    cl_mem lu = dev_zeros(4), lf = dev_zeros(4);
    const clae_epi act = epi_of(c->act), din_act = epi_of(CLAE_ACT_TANH);
    grads u, f;
    grads_alloc(&u, &t, c, 0, seed);
    grads_alloc(&f, &t, c, round, seed);
    ck_assert_int_eq(loss_step_cl(d, lc->lk, lu, u.dout, y_d, t_d, t.nout, act), CLAE_OK);
    ck_assert_int_eq(conv2d_backward_cl(d, u.din, u.dw, u.db, u.dout, t.in_d, t.w_d, &t.g,
                                        din_act),
                     CLAE_OK);
    ck_assert_int_eq(conv2d_loss_backward_cl(d, f.din, f.dw, f.db, f.dout, lf, lc->lk, y_d, t_d,
                                             t.in_d, t.w_d, &t.g, act, din_act),
                     CLAE_OK);
    grads_same(&f, &u, &t, c);
    float l_u, l_f, l_r;
    tu_download(lu, &l_u, 4);
    tu_download(lf, &l_f, 4);
    ck_assert_close("loss vs loss_step", &l_f, &l_u, 1, TOL_SUM_ABS, TOL_SUM_REL);

    float *dy = tu_alloc0(t.nout);
    loss_ref(lc->lk, &l_r, dy, y, tg, t.nout);
    ck_assert_close("loss vs twins", &l_f, &l_r, 1, TOL_SUM_ABS, TOL_SUM_REL);
    act_backward_ref(dy, dy, y, t.nout, c->act, 0.2f);
    ref_grads_check(&t, c, dy, &f, CLAE_ACT_TANH, seed);
    free(y), free(tg), free(dy);
    grads_free(&u), grads_free(&f);
    clReleaseMemObject(y_d), clReleaseMemObject(t_d), clReleaseMemObject(lu);
    clReleaseMemObject(lf);
    teardown(&t);
}
END_TEST

/* Whole training steps of a model, fused and not (clae_device.fuse), from
 * the same weights on the same batches: every parameter, gradient and Adam
 * moment bit-identical, the losses equal within a sum's tolerance, and the
 * fused steps launch fewer kernels: the denoiser fuses both pools and the
 * loss, unpool-ae (whose pools an unpooling refers to) and batchnorm only
 * the loss. */
static const char *NET_CONFIGS[] = {"configs/denoiser.cfg", "configs/unpool-ae.cfg",
                                    "tests/models/batchnorm.cfg"};


static void net_load(clae_model *m, const char *cfg)
{
    ck_assert_int_eq(clae_model_load(cfg, m), CLAE_OK);
    clae_rng rng;
    clae_rng_seed(&rng, 77);
    ck_assert_int_eq(clae_model_init(m, &rng), CLAE_OK);
}

START_TEST(test_fused_steps_match_unfused)
{
    enum { NB = 2, STEPS = 3 };
    const char *cfg = NET_CONFIGS[_i];
    clae_device *d = tu_device();
    clae_model ma, mb;
    net_load(&ma, cfg);
    net_load(&mb, cfg);
    clae_net na, nb;
    ck_assert_int_eq(clae_net_create(&na, &ma, d, NB), CLAE_OK);
    ck_assert_int_eq(clae_net_create(&nb, &mb, d, NB), CLAE_OK);
    size_t cnt = NB * clae_model_in_count(&ma);
    float *in = tu_alloc0(cnt), *target = tu_alloc0(cnt);
    uint64_t seed = 11;
    const int fuse = d->fuse;
    unsigned long kernels[2] = {0, 0};
    for (int s = 0; s < STEPS; s++) {
        tu_rand(in, cnt, 0.0f, 1.0f, &seed);
        tu_rand(target, cnt, 0.0f, 1.0f, &seed);
        clae_net *nets[2] = {&na, &nb};
        float loss[2];
        for (int k = 0; k < 2; k++) {
            d->fuse = k == 0; /* na fused, nb not */
            ck_assert_int_eq(clae_buf_write(d, nets[k]->act[0], in, cnt * 4), CLAE_OK);
            ck_assert_int_eq(clae_buf_write(d, nets[k]->target, target, cnt * 4), CLAE_OK);
            unsigned long k0 = d->launches;
            ck_assert_int_eq(clae_net_train_step(nets[k], NB), CLAE_OK);
            kernels[k] = d->launches - k0;
            ck_assert_int_eq(clae_net_read_loss(nets[k], &loss[k]), CLAE_OK);
        }
        ck_assert_close("loss, fused vs unfused", &loss[0], &loss[1], 1, TOL_SUM_ABS,
                        TOL_SUM_REL);
    }
    d->fuse = fuse;
    ck_assert_int_eq(clae_net_download(&na), CLAE_OK);
    ck_assert_int_eq(clae_net_download(&nb), CLAE_OK);
    size_t bytes = ma.block_floats * sizeof(float);
    ck_assert_msg(memcmp(ma.params, mb.params, bytes) == 0, "%s: parameters differ", cfg);
    ck_assert_msg(memcmp(ma.grads, mb.grads, bytes) == 0, "%s: gradients differ", cfg);
    ck_assert_msg(memcmp(ma.adam_m, mb.adam_m, bytes) == 0, "%s: first moments differ", cfg);
    ck_assert_msg(memcmp(ma.adam_v, mb.adam_v, bytes) == 0, "%s: second moments differ", cfg);
    printf("  %s: %d steps bit-identical; %lu kernels a step fused, %lu unfused\n", cfg, STEPS,
           kernels[0], kernels[1]);
    if (d->loop_limit == 0 && d->conv_path != CLAE_CONV_GEMM) /* each has a fusable pair */
        ck_assert_uint_lt(kernels[0], kernels[1]);
    clae_net_free(&na);
    clae_net_free(&nb);
    clae_model_free(&ma);
    clae_model_free(&mb);
    free(in), free(target);
}
END_TEST

static Suite *fused_suite(void)
{
    Suite *s = suite_create("fused");
    TCase *sim = tu_tcase("fused sim", 600, 1);
    tcase_add_loop_test(sim, test_fused_pool_forward, 0, NPOOL_SIM);
    tcase_add_loop_test(sim, test_fused_pool_backward, 0, NPOOL_SIM);
    tcase_add_loop_test(sim, test_fused_pool_backward, NPOOL, NPOOL + 1);
    tcase_add_loop_test(sim, test_fused_pool_backward, 2 * NPOOL, 2 * NPOOL + 1);
    tcase_add_loop_test(sim, test_fused_loss_backward, 0, NLOSS_SIM);
    tcase_add_loop_test(sim, test_fused_loss_backward, 2 * NLOSS, 2 * NLOSS + 1);
    tcase_add_loop_test(sim, test_fused_steps_match_unfused, 0, 1);
    suite_add_tcase(s, sim);
    TCase *tc = tu_tcase("fused", 600, 0);
    tcase_add_loop_test(tc, test_fused_pool_forward, NPOOL_SIM, NPOOL);
    tcase_add_loop_test(tc, test_fused_pool_backward, NPOOL_SIM, NPOOL);
    tcase_add_loop_test(tc, test_fused_pool_backward, NPOOL + 1, 2 * NPOOL);
    tcase_add_loop_test(tc, test_fused_pool_backward, 2 * NPOOL + 1, 3 * NPOOL);
    tcase_add_loop_test(tc, test_fused_loss_backward, NLOSS_SIM, 2 * NLOSS);
    tcase_add_loop_test(tc, test_fused_loss_backward, 2 * NLOSS + 1, 3 * NLOSS);
    tcase_add_loop_test(tc, test_fused_steps_match_unfused, 1, 3);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run(fused_suite()); }
