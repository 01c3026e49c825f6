/* [avgpool]: Keras AveragePooling2D (padding excluded from the count). */
#include "layers.h"

static clae_status shape(const clae_layer *l, int N, clae_conv_shape *g)
{
    return clae_conv2d_shape(g, N, l->in_c, l->in_h, l->in_w, l->in_c, l->R, l->S, l->sh, l->sw,
                             l->pad);
}

static clae_status forward(const clae_layer_run *r)
{
    return avgpool_forward(r->d, r->out, r->in, r->g);
}

static clae_status backward(const clae_layer_run *r)
{
    if (!r->din.h && !r->din.d) return CLAE_OK; /* the first layer: no input gradient */
    return avgpool_backward(r->d, r->din, r->dout, r->g);
}

/* R*S adds and a divide per output, both ways. */
static void cost(const clae_layer *l, const clae_conv_shape *g, clae_layer_cost *c)
{
    double outs = (double)g->N * g->C * g->P * g->Q, in = 4.0 * g->N * g->C * g->H * g->W;
    c->fwd_flops = c->din_flops = outs * (g->R * g->S + 1);
    c->fwd_bytes = c->din_bytes = in + 4 * outs;
}

const clae_layer_kind clae_layer_avgpool = {
    .name = "avgpool",
    .summary = "average pooling (Keras AveragePooling2D)",
    .keys = clae_pool_keys,
    .nkeys = CLAE_POOL_NKEYS,
    .shape = shape,
    .forward = forward,
    .backward = backward,
    .cost = cost,
    .downsamples = 1,
    .describe = clae_window_describe,
};
