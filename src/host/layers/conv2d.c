/* [conv2d]: Keras Conv2D — weight (K,C,R,S) as PyTorch, bias (K). */
#include <stdio.h>

#include "layers.h"

static clae_status shape(const clae_layer *l, int N, clae_conv_shape *g)
{
    return clae_conv2d_shape(g, N, l->in_c, l->in_h, l->in_w, l->filters, l->R, l->S, l->sh,
                             l->sw, l->pad);
}

static void param_dims(const clae_layer *l, int p, int *ndim, int dims[4])
{
    if (p == 1) {
        *ndim = 1, dims[0] = l->filters;
        return;
    }
    *ndim = 4;
    dims[0] = l->filters, dims[1] = l->in_c, dims[2] = l->R, dims[3] = l->S;
}

static clae_status forward(const clae_layer_run *r)
{
    return conv2d_forward(r->d, r->out, r->in, r->w, r->b, r->g, r->act);
}

static clae_status backward(const clae_layer_run *r)
{
    return conv2d_backward(r->d, r->din, r->dw, r->db, r->dout, r->in, r->w, r->g, r->din_act);
}

/* 2*N*K*C*R*S*P*Q for the forward pass (plus the bias adds), for din and
 * for dw; N*K*P*Q for db. dw and db are read and written (+=). */
static void cost(const clae_layer *l, const clae_conv_shape *g, clae_layer_cost *c)
{
    double mac = 2.0 * g->N * g->K * g->C * g->R * g->S * (double)g->P * g->Q;
    double outs = (double)g->N * g->K * g->P * g->Q;
    double in = 4.0 * g->N * g->C * g->H * g->W, out = 4 * outs;
    double w = 4.0 * g->K * g->C * g->R * g->S, b = 4.0 * g->K;
    c->fwd_flops = mac + outs;
    c->fwd_bytes = in + w + b + out;
    c->din_flops = mac;
    c->din_bytes = out + w + in;
    c->param_flops = mac + outs;
    c->param_bytes = (out + in + 2 * w) + (out + 2 * b);
}

static void describe(const clae_layer *l, char *buf, size_t len)
{
    char win[96];
    clae_window_describe(l, win, sizeof win);
    snprintf(buf, len, "%d %s %s%s", l->filters, win, clae_act_names[l->act],
             l->use_bias ? "" : " no bias");
}

const clae_layer_kind clae_layer_conv2d = {
    .name = "conv2d",
    .summary = "2-D convolution (Keras Conv2D) with bias and activation",
    .keys = clae_conv_keys,
    .nkeys = CLAE_CONV_NKEYS,
    .shape = shape,
    .nparams = 2,
    .has_param = clae_has_bias_param,
    .param_names = {"weight", "bias"},
    .param_init = {CLAE_INIT_GLOROT, CLAE_INIT_ZERO},
    .param_dims = param_dims,
    .fans = clae_conv_fans,
    .forward = forward,
    .backward = backward,
    .cost = cost,
    .fuses_act = 1,
    .fuses_din_act = 1,
    .fusable_conv = 1,
    .downsamples = 1,
    .describe = describe,
};
