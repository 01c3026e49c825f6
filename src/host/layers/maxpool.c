/* [maxpool]: Keras MaxPooling2D; the argmax of each window is saved (the
 * auxiliary buffer) and the backward pass routes the gradient to it. */
#include "layers.h"

static clae_status shape(const clae_layer *l, int N, clae_conv_shape *g)
{
    return clae_conv2d_shape(g, N, l->in_c, l->in_h, l->in_w, l->in_c, l->R, l->S, l->sh, l->sw,
                             l->pad);
}

static clae_status forward(const clae_layer_run *r)
{
    return maxpool_forward(r->d, r->out, r->aux, r->in, r->g);
}

static clae_status backward(const clae_layer_run *r)
{
    if (!r->din.h && !r->din.d) return CLAE_OK; /* the first layer: no input gradient */
    return maxpool_backward(r->d, r->din, r->dout, r->aux, r->in, r->g, r->din_act);
}

/* R*S compares a window forward, one add per output backward. */
static void cost(const clae_layer *l, const clae_conv_shape *g, clae_layer_cost *c)
{
    double outs = (double)g->N * g->C * g->P * g->Q, in = 4.0 * g->N * g->C * g->H * g->W;
    c->fwd_flops = outs * g->R * g->S;
    c->fwd_bytes = in + 8 * outs;
    c->din_flops = outs;
    c->din_bytes = 8 * outs + in;
}

const clae_layer_kind clae_layer_maxpool = {
    .name = "maxpool",
    .summary = "max pooling (Keras MaxPooling2D); saves the argmax indices",
    .keys = clae_pool_keys,
    .nkeys = CLAE_POOL_NKEYS,
    .shape = shape,
    .aux_bytes = 4,
    .forward = forward,
    .backward = backward,
    .cost = cost,
    .fuses_din_act = 1,
    .fusable_pool = 1,
    .downsamples = 1,
    .describe = clae_window_describe,
};
