/* [add]: a residual connection (Keras Add of this layer's input and an
 * earlier output): out = in + the output of the layer named by `from`, or
 * of the network input (from = input). Restoration models learn x + f(x).
 * The gradient goes both ways: to the previous layer and, collected by the
 * net, to the named layer's output. */
#include <stddef.h>
#include <stdio.h>

#include "layers.h"

static const clae_key_spec KEYS[] = {
    {.name = "from", .type = CLAE_KEY_LAYER, .field = offsetof(clae_layer, src),
     .help = "the name of an earlier layer (or input) whose output is added"},
};

static const char *check(const clae_layer *l, char *msg, size_t len)
{
    if (l->in_h != l->src_h || l->in_w != l->src_w || l->in_c != l->src_c) {
        snprintf(msg, len, "its input is %dx%dx%d but '%s' gives %dx%dx%d", l->in_h, l->in_w,
                 l->in_c, l->src_layer ? l->src_layer->name : "input", l->src_h, l->src_w,
                 l->src_c);
        return "from";
    }
    return NULL;
}

static clae_status forward(const clae_layer_run *r)
{
    return add_forward(r->d, r->out, r->in, r->src_out, clae_shape_values(r->g));
}

static clae_status backward(const clae_layer_run *r)
{
    size_t n = clae_shape_values(r->g);
    if (r->din.h || r->din.d)
        CLAE_TRY(clae_buf_copy(r->d, r->din, 0, r->dout, 0, n * sizeof(float)));
    if (r->src_grad.h || r->src_grad.d) CLAE_TRY(add_into(r->d, r->src_grad, r->dout, n));
    return CLAE_OK;
}

static void cost(const clae_layer *l, const clae_conv_shape *g, clae_layer_cost *c)
{
    double n = (double)clae_shape_values(g);
    c->fwd_flops = n;
    c->fwd_bytes = 12 * n;
    c->din_flops = n;               /* the add into the source's gradient */
    c->din_bytes = 8 * n + 12 * n;  /* the copy, then y += x */
}

static void describe(const clae_layer *l, char *buf, size_t len)
{
    snprintf(buf, len, "+ %s", l->src_layer ? l->src_layer->name : "input");
}

const clae_layer_kind clae_layer_add = {
    .name = "add",
    .summary = "a residual connection: the input plus an earlier layer's output (or the input)",
    .keys = KEYS,
    .nkeys = 1,
    .shape = clae_shape_elementwise,
    .check = check,
    .forward = forward,
    .backward = backward,
    .cost = cost,
    .grads_src = 1,
    .downsamples = 0,
    .describe = describe,
};
