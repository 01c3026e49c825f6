/* Batch normalization: OpenCL vs reference (a training forward pass with
 * its moving statistics, an inference one, the backward pass with and
 * without gamma and beta), the reference backward vs central finite
 * differences, hand-worked values, and the layer in a net: a step on the
 * device against the reference path, validation using the moving
 * statistics, the state tensors left alone by the optimizer. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clae/net.h"
#include "testutil.h"

typedef struct bn_case {
    int N, C, HW;
    int gamma, beta;
} bn_case;

/* HW 1: after a dense layer (BatchNorm1d); N * HW > 256: work-items loop */
static const bn_case CASES[] = {{2, 3, 16, 1, 1},  {3, 5, 7, 0, 0},   {17, 9, 1, 1, 0},
                                {4, 3, 300, 0, 1}, {1, 2, 1024, 1, 1}, {64, 8, 64, 1, 1}};
enum { NSIM = 3 };
#define NCASES (int)(sizeof CASES / sizeof CASES[0])

typedef struct bn_data {
    size_t n;
    float *x, *gamma, *beta, *rm, *rv, *dy, *dgamma, *dbeta;
} bn_data;

static void data_make(bn_data *t, const bn_case *c, uint64_t seed)
{
    t->n = (size_t)c->N * c->C * c->HW;
    t->x = tu_alloc_rand(t->n, -1.0f, 3.0f, &seed);
    t->gamma = tu_alloc_rand((size_t)c->C, 0.5f, 1.5f, &seed);
    t->beta = tu_alloc_rand((size_t)c->C, -0.5f, 0.5f, &seed);
    t->rm = tu_alloc_rand((size_t)c->C, -0.2f, 0.2f, &seed);
    t->rv = tu_alloc_rand((size_t)c->C, 0.5f, 2.0f, &seed);
    t->dy = tu_alloc_rand(t->n, -1.0f, 1.0f, &seed);
    /* the parameter gradients start non-zero: backward accumulates */
    t->dgamma = tu_alloc_rand((size_t)c->C, -1.0f, 1.0f, &seed);
    t->dbeta = tu_alloc_rand((size_t)c->C, -1.0f, 1.0f, &seed);
}

static void data_free(bn_data *t)
{
    free(t->x), free(t->gamma), free(t->beta), free(t->rm), free(t->rv), free(t->dy);
    free(t->dgamma), free(t->dbeta);
}

/* One buffer on the device from host floats (NULL when absent). */
static cl_mem up(const float *x, size_t n, int present)
{
    return present ? tu_upload(x, n * sizeof(float)) : NULL;
}

static void release(cl_mem *m, int k)
{
    for (int i = 0; i < k; i++)
        if (m[i]) clReleaseMemObject(m[i]);
}

START_TEST(test_batch_norm_cl_vs_ref)
{
    clae_device *d = tu_device();
    const bn_case *c = &CASES[_i];
    const size_t C = (size_t)c->C;
    bn_data t;
    data_make(&t, c, 700 + (uint64_t)_i);
    const clae_batch_norm p = {.momentum = 0.9f, .eps = 1e-3f};
    /* device */
    cl_mem m[10] = {up(t.x, t.n, 1), up(t.gamma, C, c->gamma), up(t.beta, C, c->beta),
                    up(t.rm, C, 1), up(t.rv, C, 1), up(t.dy, t.n, 1),
                    up(t.dgamma, C, c->gamma), up(t.dbeta, C, c->beta)};
    float *zero = tu_alloc0(4 * C + t.n);
    m[8] = tu_upload(zero, 4 * C * sizeof(float)); /* stats */
    m[9] = tu_upload(zero, t.n * sizeof(float));   /* y, then dx */
    ck_assert_int_eq(batch_norm_stats_cl(d, m[8], m[3], m[4], m[0], c->N, c->C, c->HW, &p),
                     CLAE_OK);
    ck_assert_int_eq(batch_norm_apply_cl(d, m[9], m[0], m[8], m[1], m[2], c->N, c->C, c->HW),
                     CLAE_OK);
    float *y_cl = tu_alloc0(t.n), *rm_cl = tu_alloc0(C), *rv_cl = tu_alloc0(C);
    tu_download(m[9], y_cl, t.n * sizeof(float));
    tu_download(m[3], rm_cl, C * sizeof(float));
    tu_download(m[4], rv_cl, C * sizeof(float));
    ck_assert_int_eq(batch_norm_backward_cl(d, m[9], m[6], m[7], m[8], m[5], m[0], m[1], c->N,
                                            c->C, c->HW),
                     CLAE_OK);
    float *dx_cl = tu_alloc0(t.n), *dg_cl = tu_alloc0(C), *db_cl = tu_alloc0(C);
    tu_download(m[9], dx_cl, t.n * sizeof(float));
    if (c->gamma) tu_download(m[6], dg_cl, C * sizeof(float));
    if (c->beta) tu_download(m[7], db_cl, C * sizeof(float));
    /* reference */
    float *stats = tu_alloc0(4 * C), *y = tu_alloc0(t.n), *dx = tu_alloc0(t.n);
    const float *g = c->gamma ? t.gamma : NULL, *b = c->beta ? t.beta : NULL;
    batch_norm_stats_ref(stats, t.rm, t.rv, t.x, c->N, c->C, c->HW, &p);
    batch_norm_apply_ref(y, t.x, stats, g, b, c->N, c->C, c->HW);
    batch_norm_backward_ref(dx, c->gamma ? t.dgamma : NULL, c->beta ? t.dbeta : NULL, stats,
                            t.dy, t.x, g, c->N, c->C, c->HW);
    char what[96];
    snprintf(what, sizeof what, "batch_norm %dx%dx%d%s%s", c->N, c->C, c->HW,
             c->gamma ? " gamma" : "", c->beta ? " beta" : "");
    printf("  %s\n", what);
    ck_assert_close("training y", y_cl, y, t.n, TOL_SUM_ABS, TOL_SUM_REL);
    ck_assert_close("moving mean", rm_cl, t.rm, C, TOL_SUM_ABS, TOL_SUM_REL);
    ck_assert_close("moving variance", rv_cl, t.rv, C, TOL_SUM_ABS, TOL_SUM_REL);
    ck_assert_close("dx", dx_cl, dx, t.n, TOL_SUM_ABS, TOL_SUM_REL);
    if (c->gamma) ck_assert_close("dgamma +=", dg_cl, t.dgamma, C, TOL_SUM_ABS, TOL_SUM_REL);
    if (c->beta) ck_assert_close("dbeta +=", db_cl, t.dbeta, C, TOL_SUM_ABS, TOL_SUM_REL);
    /* inference: the moving statistics (as updated above) */
    ck_assert_int_eq(batch_norm_moving_cl(d, m[8], m[3], m[4], c->C, p.eps), CLAE_OK);
    ck_assert_int_eq(batch_norm_apply_cl(d, m[9], m[0], m[8], m[1], m[2], c->N, c->C, c->HW),
                     CLAE_OK);
    tu_download(m[9], y_cl, t.n * sizeof(float));
    batch_norm_moving_ref(stats, t.rm, t.rv, c->C, p.eps);
    batch_norm_apply_ref(y, t.x, stats, g, b, c->N, c->C, c->HW);
    ck_assert_close("inference y", y_cl, y, t.n, TOL_ELEM_ABS, TOL_ELEM_REL);
    release(m, 10);
    data_free(&t);
    free(zero), free(y_cl), free(rm_cl), free(rv_cl), free(dx_cl), free(dg_cl), free(db_cl);
    free(stats), free(y), free(dx);
}
END_TEST

/* L = sum w * y for fixed random w, y from a training forward pass. */
static double fd_loss(const bn_case *c, const float *x, const float *gamma, const float *beta,
                      const float *w)
{
    const size_t n = (size_t)c->N * c->C * c->HW;
    const clae_batch_norm p = {.momentum = 0.9f, .eps = 1e-3f};
    float *stats = tu_alloc0(4 * (size_t)c->C), *y = tu_alloc0(n);
    batch_norm_stats_ref(stats, NULL, NULL, x, c->N, c->C, c->HW, &p);
    batch_norm_apply_ref(y, x, stats, gamma, beta, c->N, c->C, c->HW);
    double s = 0.0;
    for (size_t i = 0; i < n; i++) s += (double)w[i] * y[i];
    free(stats), free(y);
    return s;
}

/* d/dv of fd_loss by central differences, v one of x, gamma, beta. */
static float fd_at(const bn_case *c, float *x, float *gamma, float *beta, const float *w,
                   float *v)
{
    const float keep = *v;
    *v = keep + (float)FD_STEP;
    double up = fd_loss(c, x, gamma, beta, w);
    *v = keep - (float)FD_STEP;
    double down = fd_loss(c, x, gamma, beta, w);
    *v = keep;
    return (float)((up - down) / (2.0 * FD_STEP));
}

START_TEST(test_batch_norm_ref_vs_finite_differences)
{
    const bn_case c = {3, 2, 5, 1, 1};
    const size_t n = 30, C = 2;
    uint64_t seed = 4242;
    float *x = tu_alloc_rand(n, -1.0f, 2.0f, &seed), *w = tu_alloc_rand(n, -1.0f, 1.0f, &seed);
    float *gamma = tu_alloc_rand(C, 0.5f, 1.5f, &seed), *beta = tu_alloc_rand(C, -1.0f, 1.0f, &seed);
    float *stats = tu_alloc0(4 * C), *dx = tu_alloc0(n), *dg = tu_alloc0(C), *db = tu_alloc0(C);
    const clae_batch_norm p = {.momentum = 0.9f, .eps = 1e-3f};
    batch_norm_stats_ref(stats, NULL, NULL, x, c.N, c.C, c.HW, &p);
    batch_norm_backward_ref(dx, dg, db, stats, w, x, gamma, c.N, c.C, c.HW); /* dy = w */
    float *fx = tu_alloc0(n), *fg = tu_alloc0(C), *fb = tu_alloc0(C);
    for (size_t i = 0; i < n; i++) fx[i] = fd_at(&c, x, gamma, beta, w, &x[i]);
    for (size_t i = 0; i < C; i++) {
        fg[i] = fd_at(&c, x, gamma, beta, w, &gamma[i]);
        fb[i] = fd_at(&c, x, gamma, beta, w, &beta[i]);
    }
    ck_assert_close("dx vs finite differences", dx, fx, n, TOL_FD_ABS, TOL_FD_REL);
    ck_assert_close("dgamma vs finite differences", dg, fg, C, TOL_FD_ABS, TOL_FD_REL);
    ck_assert_close("dbeta vs finite differences", db, fb, C, TOL_FD_ABS, TOL_FD_REL);
    /* the gradient through the statistics is not the naive gamma * inv * dy */
    float apart = 0.0f;
    for (size_t i = 0; i < n; i++) {
        const int ch = (int)(i / (size_t)c.HW) % c.C;
        apart = fmaxf(apart, fabsf(gamma[ch] * stats[C + ch] * w[i] - dx[i]));
    }
    ck_assert_msg(apart > 10 * TOL_FD_ABS, "dx is the naive gradient (%g apart)", (double)apart);
    free(x), free(w), free(gamma), free(beta), free(stats), free(dx), free(dg), free(db);
    free(fx), free(fg), free(fb);
}
END_TEST

/* Hand-worked: x = 1, 3 (one channel, two images): mean 2, variance 1. */
START_TEST(test_batch_norm_hand)
{
    const float x[2] = {1.0f, 3.0f};
    float rm = 0.0f, rv = 1.0f, stats[4], y[2];
    const clae_batch_norm p = {.momentum = 0.75f, .eps = 0.0f};
    batch_norm_stats_ref(stats, &rm, &rv, x, 2, 1, 1, &p);
    batch_norm_apply_ref(y, x, stats, NULL, NULL, 2, 1, 1);
    const float want[6] = {-1.0f, 1.0f, 2.0f, 1.0f, 0.5f, 1.0f}; /* y, mean, inv, rm, rv */
    const float got[6] = {y[0], y[1], stats[0], stats[1], rm, rv};
    ck_assert_close("hand-worked batch_norm", got, want, 6, TOL_HAND_ABS, TOL_HAND_REL);
}
END_TEST


/* ---- the layer in a net (tests/models/batchnorm.cfg) ---------------------- */

enum { NB = 4 };

static void net_open(clae_model *m, clae_net *n, float **in)
{
    ck_assert_int_eq(clae_model_load("tests/models/batchnorm.cfg", m), CLAE_OK);
    clae_rng rng;
    clae_rng_seed(&rng, 77);
    ck_assert_int_eq(clae_model_init(m, &rng), CLAE_OK);
    clae_device *d = tu_device();
    ck_assert_int_eq(clae_net_create(n, m, d, NB), CLAE_OK);
    size_t cnt = NB * clae_model_in_count(m);
    uint64_t seed = 5;
    *in = tu_alloc_rand(cnt, 0.0f, 1.0f, &seed);
    ck_assert_int_eq(clae_buf_write(d, n->act[0], *in, cnt * sizeof(float)), CLAE_OK);
    ck_assert_int_eq(clae_buf_write(d, n->target, *in, cnt * sizeof(float)), CLAE_OK);
}

/* A state tensor's values now (the device's block). */
static void state_now(clae_net *n, int t, float *v)
{
    const clae_tensor *T = &n->m->tensors[t];
    ck_assert_int_eq(clae_buf_read_at(n->d, n->params, T->offset * sizeof(float), v,
                                      T->count * sizeof(float)),
                     CLAE_OK);
}

/* The moving statistics live first in the block, start at 0 and 1, move in
 * training steps only, keep Adam's moments at zero (AdamW's decay does not
 * reach them), and the inference forward pass normalises with them. */
START_TEST(test_batch_norm_in_net)
{
    clae_model m;
    clae_net n;
    float *in;
    net_open(&m, &n, &in);
    const int L = 1, rm = m.layers[L].state[0], rv = m.layers[L].state[1];
    ck_assert_int_ge(rm, 0);
    ck_assert_int_ge(rv, 0);
    for (int t = 0; t < m.ntensors; t++)
        if (!clae_tensor_is_state(&m.tensors[t]))
            ck_assert_uint_gt(m.tensors[t].offset, m.tensors[rv].offset);
    ck_assert_int_eq(m.layers[L].weight, -1); /* center = scale = false: no gamma, no beta */
    ck_assert_int_eq(m.layers[0].bias, -1);   /* use_bias = false */
    float mean[4], var[4], mean2[4], var2[4];
    state_now(&n, rm, mean);
    state_now(&n, rv, var);
    const float zero[4] = {0}, one[4] = {1, 1, 1, 1};
    ck_assert_close("moving mean at init", mean, zero, 4, TOL_EXACT_ABS, TOL_EXACT_REL);
    ck_assert_close("moving variance at init", var, one, 4, TOL_EXACT_ABS, TOL_EXACT_REL);
    for (int k = 0; k < 3; k++) ck_assert_int_eq(clae_net_train_step(&n, NB), CLAE_OK);
    state_now(&n, rm, mean);
    state_now(&n, rv, var);
    ck_assert_msg(mean[0] != 0.0f && var[0] != 1.0f, "the moving statistics did not move");
    /* inference: twice the same output, the statistics unchanged */
    const size_t out = NB * clae_layer_out_count(&m.layers[m.nlayers - 1]);
    float *y1 = tu_alloc0(out), *y2 = tu_alloc0(out);
    ck_assert_int_eq(clae_net_forward(&n, NB), CLAE_OK);
    ck_assert_int_eq(clae_net_read_output(&n, y1, NB), CLAE_OK);
    ck_assert_int_eq(clae_net_forward(&n, NB), CLAE_OK);
    ck_assert_int_eq(clae_net_read_output(&n, y2, NB), CLAE_OK);
    ck_assert_close("inference twice", y2, y1, out, TOL_EXACT_ABS, TOL_EXACT_REL);
    state_now(&n, rm, mean2);
    state_now(&n, rv, var2);
    ck_assert_close("moving mean after inference", mean2, mean, 4, TOL_EXACT_ABS, TOL_EXACT_REL);
    ck_assert_close("moving var after inference", var2, var, 4, TOL_EXACT_ABS, TOL_EXACT_REL);
    /* ... and not the batch's statistics: a training forward differs */
    n.training = 1;
    ck_assert_int_eq(clae_net_forward(&n, NB), CLAE_OK);
    n.training = 0;
    ck_assert_int_eq(clae_net_read_output(&n, y2, NB), CLAE_OK);
    float apart = 0.0f;
    for (size_t i = 0; i < out; i++) apart = fmaxf(apart, fabsf(y2[i] - y1[i]));
    ck_assert_msg(apart > 1e-4f, "inference normalised with the batch's statistics");
    /* Adam's moments of the state stay zero */
    ck_assert_int_eq(clae_net_download(&n), CLAE_OK);
    for (int t = 0; t < m.ntensors; t++) {
        const clae_tensor *T = &m.tensors[t];
        if (!clae_tensor_is_state(T)) continue;
        for (size_t j = 0; j < T->count; j++)
            ck_assert_msg(m.adam_m[T->offset + j] == 0.0f && m.adam_v[T->offset + j] == 0.0f,
                          "%s has Adam moments", T->name);
    }
    clae_net_free(&n);
    clae_model_free(&m);
    free(in), free(y1), free(y2);
}
END_TEST

/* AdamW's decay leaves the moving statistics alone: one step's forward pass
 * moves them the same with decay on or off, and the update after it (which
 * would shrink them by lr * weight_decay = 0.5%) does not touch them. */
START_TEST(test_batch_norm_decay_leaves_state)
{
    float got[2][4];
    for (int k = 0; k < 2; k++) {
        clae_model m;
        clae_net n;
        float *in;
        net_open(&m, &n, &in);
        m.net.adam.weight_decay = k ? 0.5f : 0.0f;
        ck_assert_int_eq(clae_net_train_step(&n, NB), CLAE_OK);
        state_now(&n, m.layers[1].state[1], got[k]);
        clae_net_free(&n);
        clae_model_free(&m);
        free(in);
    }
    ck_assert_close("moving variance with AdamW", got[1], got[0], 4, TOL_EXACT_ABS,
                    TOL_EXACT_REL);
}
END_TEST

static Suite *batch_norm_suite(void)
{
    Suite *s = suite_create("batch_norm");
    TCase *sim = tu_tcase("batch_norm_sim", 600, 1);
    tcase_add_loop_test(sim, test_batch_norm_cl_vs_ref, 0, NSIM);
    tcase_add_test(sim, test_batch_norm_hand);
    suite_add_tcase(s, sim);
    TCase *tc = tu_tcase("batch_norm", 600, 0);
    tcase_add_loop_test(tc, test_batch_norm_cl_vs_ref, NSIM, NCASES);
    tcase_add_test(tc, test_batch_norm_ref_vs_finite_differences);
    tcase_add_test(tc, test_batch_norm_in_net);
    tcase_add_test(tc, test_batch_norm_decay_leaves_state);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run(batch_norm_suite()); }
