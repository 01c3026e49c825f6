/* clae selftest: the op families beside a plain autoencoder's layers:
 * residual adds, dropout, the loss terms (activity L1, a VAE's sampling and
 * KL, the contractive penalty, their sum), and a classification head
 * (softmax, one-hot labels, categorical cross-entropy). */
#include <stdio.h>
#include <string.h>

#include "selftest/selftest_int.h"

typedef struct sizes {
    int N, I, U, L; /* batch; a dense layer's inputs and units; a VAE's code size */
    size_t n;       /* elementwise ops */
} sizes;

static clae_status run_add_dropout(clae_device *d, clae_buf *b, const void *arg)
{
    const sizes *s = arg;
    const clae_dropout p = clae_dropout_params(0.3f, 7, 2, 5);
    CLAE_TRY(add_forward(d, b[2], b[0], b[1], s->n));
    CLAE_TRY(add_into(d, b[2], b[0], s->n));
    CLAE_TRY(dropout_forward(d, b[3], b[0], s->n, &p));
    return dropout_backward(d, b[4], b[1], s->n, &p);
}

static void add_dropout_cases(st_ctx *c)
{
    sizes s = {.n = 1001};
    st_io io = {0};
    st_rand(c, &io, s.n, -1.0f, 1.0f);
    st_rand(c, &io, s.n, -1.0f, 1.0f);
    st_fill(&io, s.n, 1e3f);
    st_fill(&io, s.n, 1e3f);
    st_fill(&io, s.n, 1e3f);
    if (st_run(c, "add, dropout", &io, run_add_dropout, &s)) {
        st_row(c, "add n=1001", "fwd then add_into", &io, 2, TOL_ELEM_ABS, TOL_ELEM_REL);
        st_row(c, "dropout 0.3 n=1001", "fwd", &io, 3, TOL_ELEM_ABS, TOL_ELEM_REL);
        st_row(c, "dropout 0.3 n=1001", "bwd", &io, 4, TOL_ELEM_ABS, TOL_ELEM_REL);
    }
    st_io_free(&io);
}

enum { T_X, T_H, T_W, T_TERMS, T_LOSS, T_DY, T_Z, T_AUX, T_DZ, T_DX, T_HDZ, T_DW };

/* activity L1 and the sum of terms; a VAE's sampling (training: drawn
 * noise) forward and backward; the contractive penalty and its gradients */
static clae_status run_terms(clae_device *d, clae_buf *b, const void *arg)
{
    const sizes *s = arg;
    const clae_sampling p = clae_sampling_params(11, 3, 4);
    const size_t nx = (size_t)s->N * 2 * s->L;
    CLAE_TRY(penalty_sum(d, b[T_TERMS], 1, 0.5f, b[T_X], 0, nx, CLAE_PEN_ABS));
    CLAE_TRY(penalty_sum(d, b[T_TERMS], 2, 0.25f, b[T_X], 3, nx - 3, CLAE_PEN_SUM));
    CLAE_TRY(activity_l1_backward(d, b[T_DY], b[T_X], nx, 0.1f));
    CLAE_TRY(sampling_forward(d, b[T_Z], b[T_AUX], b[T_X], s->N, s->L, 1, &p, 1));
    CLAE_TRY(sampling_backward(d, b[T_DX], b[T_DZ], b[T_X], b[T_AUX], s->N, s->L, 1, 0.5f));
    CLAE_TRY(contractive_forward(d, b[T_TERMS], 3, 0.01f, b[T_H], b[T_W], s->N, s->I, s->U));
    CLAE_TRY(contractive_backward(d, b[T_HDZ], b[T_DW], 0.01f, b[T_H], b[T_W], s->N, s->I,
                                  s->U));
    return loss_terms(d, b[T_LOSS], b[T_TERMS], 4);
}

static void term_cases(st_ctx *c)
{
    sizes s = {.N = 3, .I = 6, .U = 5, .L = 4};
    const size_t nx = (size_t)s.N * 2 * s.L, nz = (size_t)s.N * s.L;
    st_io io = {0};
    st_rand(c, &io, nx, -1.0f, 1.0f);                  /* T_X: (N, 2L) mean, log-variance */
    st_rand(c, &io, (size_t)s.N * s.U, 0.05f, 0.95f);  /* T_H: a sigmoid layer's output */
    st_rand(c, &io, (size_t)s.U * s.I, -1.0f, 1.0f);   /* T_W: its weight */
    st_rand(c, &io, 4, 0.0f, 1.0f);                    /* T_TERMS: added into */
    st_rand(c, &io, 1, 0.0f, 1.0f);                    /* T_LOSS */
    st_rand(c, &io, nx, -1.0f, 1.0f);                  /* T_DY: added into */
    st_fill(&io, nz, 1e3f);                            /* T_Z */
    st_fill(&io, 2 * nz, 1e3f);                        /* T_AUX */
    st_rand(c, &io, nz, -1.0f, 1.0f);                  /* T_DZ */
    st_fill(&io, nx, 1e3f);                            /* T_DX */
    st_rand(c, &io, (size_t)s.N * s.U, -1.0f, 1.0f);   /* T_HDZ: added into */
    st_rand(c, &io, (size_t)s.U * s.I, -1.0f, 1.0f);   /* T_DW: added into */
    if (st_run(c, "loss terms", &io, run_terms, &s)) {
        st_row(c, "penalty sum, |x| and contractive", "terms+=", &io, T_TERMS, TOL_SUM_ABS,
               TOL_SUM_REL);
        st_row(c, "loss_terms", "sum", &io, T_LOSS, TOL_SUM_ABS, TOL_SUM_REL);
        st_row(c, "activity_l1 3x8", "dy+=", &io, T_DY, TOL_ELEM_ABS, TOL_ELEM_REL);
        st_row(c, "sampling 3x4 (training)", "z", &io, T_Z, TOL_ELEM_ABS, TOL_ELEM_REL);
        st_row(c, "sampling 3x4 (training)", "eps and KL", &io, T_AUX, TOL_ELEM_ABS,
               TOL_ELEM_REL);
        st_row(c, "sampling 3x4 (training)", "dx", &io, T_DX, TOL_ELEM_ABS, TOL_ELEM_REL);
        st_row(c, "contractive 3x6->5", "dz+=", &io, T_HDZ, TOL_SUM_ABS, TOL_SUM_REL);
        st_row(c, "contractive 3x6->5", "dw+=", &io, T_DW, TOL_SUM_ABS, TOL_SUM_REL);
    }
    st_io_free(&io);
}

enum { C_REC, C_IN, C_P, C_T, C_LOSS, C_DZ };

static clae_status run_classify(clae_device *d, clae_buf *b, const void *arg)
{
    const sizes *s = arg;
    CLAE_TRY(softmax_forward(d, b[C_P], b[C_IN], (size_t)s->N, s->U));
    CLAE_TRY(labels_onehot(d, b[C_T], b[C_REC], s->N, s->U, 1, 2, 2));
    return cce_step(d, b[C_LOSS], b[C_DZ], b[C_P], b[C_T], (size_t)s->N, s->U);
}

static void classify_cases(st_ctx *c)
{
    sizes s = {.N = 6, .U = 10};
    unsigned char rec[32] = {0}; /* a label byte and a 1x2x2 image each; whole floats */
    for (int i = 0; i < s.N * 5; i++) rec[i] = (unsigned char)(i % 5 ? 200 : (i / 5 * 3) % 10);
    st_io io = {0};
    st_buf(&io, rec, sizeof rec);
    st_rand(c, &io, (size_t)s.N * s.U, -4.0f, 4.0f);
    st_fill(&io, (size_t)s.N * s.U, 1e3f);
    st_fill(&io, (size_t)s.N * s.U, 1e3f);
    st_fill(&io, 1, 1e3f);
    st_fill(&io, (size_t)s.N * s.U, 1e3f);
    if (st_run(c, "classification head", &io, run_classify, &s)) {
        st_row(c, "softmax 6x10", NULL, &io, C_P, TOL_ELEM_ABS, TOL_ELEM_REL);
        st_row(c, "labels_onehot 6x10", "(exact)", &io, C_T, 0.0, 0.0);
        st_row(c, "categorical_crossentropy 6x10", "loss", &io, C_LOSS, TOL_SUM_ABS,
               TOL_SUM_REL);
        st_row(c, "categorical_crossentropy 6x10", "dz", &io, C_DZ, TOL_ELEM_ABS, TOL_ELEM_REL);
    }
    st_io_free(&io);
}

void st_term_cases(st_ctx *c)
{
    add_dropout_cases(c);
    term_cases(c);
    classify_cases(c);
}
