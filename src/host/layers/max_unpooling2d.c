/* [max_unpooling2d]: the inverse of a named [maxpool] (PyTorch MaxUnpool2d):
 * each value goes back to where the pool found it, zeros elsewhere; the
 * output has the pool's input size. Uses the pool's saved indices, so the
 * pool must run before it in the same network and its windows must not
 * overlap (stride >= size). */
#include <stddef.h>
#include <stdio.h>

#include "layers.h"

static const clae_key_spec KEYS[] = {
    {.name = "pool", .type = CLAE_KEY_LAYER, .field = offsetof(clae_layer, src),
     .help = "the name of the [maxpool] whose indices it uses"},
};

static const char *check(const clae_layer *l, char *msg, size_t len)
{
    const clae_layer *p = l->src_layer;
    if (!p) {
        snprintf(msg, len, "pool names the network input, not a maxpool");
        return "pool";
    }
    if (p->kind != &clae_layer_maxpool) {
        snprintf(msg, len, "pool '%s' is a %s, not a maxpool", p->name, p->kind->name);
        return "pool";
    }
    if (p->sh < p->R || p->sw < p->S) {
        snprintf(msg, len, "pool '%s' has overlapping windows (%dx%d, stride %d,%d); unpooling "
                 "needs stride >= size", p->name, p->R, p->S, p->sh, p->sw);
        return "pool";
    }
    if (l->in_h != p->out_h || l->in_w != p->out_w || l->in_c != p->out_c) {
        snprintf(msg, len, "its input is %dx%dx%d but pool '%s' gives %dx%dx%d", l->in_h, l->in_w,
                 l->in_c, p->name, p->out_h, p->out_w, p->out_c);
        return "pool";
    }
    return NULL;
}

/* Input (N,C,H,W) = the pool's output, output (N,C,P,Q) = the pool's input. */
static clae_status shape(const clae_layer *l, int N, clae_conv_shape *g)
{
    const clae_layer *p = l->src_layer;
    if (N < 1) return CLAE_ERR_SHAPE;
    *g = (clae_conv_shape){.N = N, .C = l->in_c, .H = l->in_h, .W = l->in_w, .K = l->in_c,
                           .R = p->R, .S = p->S, .sh = p->sh, .sw = p->sw, .P = p->in_h,
                           .Q = p->in_w};
    return CLAE_OK;
}

static clae_status forward(const clae_layer_run *r)
{
    return max_unpool_forward(r->d, r->out, r->in, r->src_aux, r->g);
}

static clae_status backward(const clae_layer_run *r)
{
    if (!r->din.h && !r->din.d) return CLAE_OK; /* the first layer: no input gradient */
    return max_unpool_backward(r->d, r->din, r->dout, r->src_aux, r->g);
}

/* No arithmetic: zero the output, move each input; bytes in + idx + out. */
static void cost(const clae_layer *l, const clae_conv_shape *g, clae_layer_cost *c)
{
    double ins = (double)g->N * g->C * g->H * g->W, outs = (double)g->N * g->C * g->P * g->Q;
    c->fwd_bytes = 8 * ins + 4 * outs;
    c->din_bytes = 8 * ins + 4 * ins;
}

static void describe(const clae_layer *l, char *buf, size_t len)
{
    snprintf(buf, len, "from %s (%dx%d)", l->src_layer->name, l->src_layer->R, l->src_layer->S);
}

const clae_layer_kind clae_layer_max_unpooling2d = {
    .name = "max_unpooling2d",
    .summary = "max-unpooling (PyTorch MaxUnpool2d) with a named maxpool's saved indices",
    .keys = KEYS,
    .nkeys = 1,
    .shape = shape,
    .check = check,
    .forward = forward,
    .backward = backward,
    .cost = cost,
    .downsamples = 0,
    .describe = describe,
};
