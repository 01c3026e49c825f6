/* [dropout]: Keras Dropout, inverted: in a training step each value is
 * zeroed with probability rate and the rest scaled by 1 / (1 - rate); the
 * identity otherwise (validation, eval, show, denoise). The masks are
 * hashed from the run's seed, the layer and the step, so a resumed run
 * draws the same ones. */
#include <stddef.h>
#include <stdio.h>

#include "layers.h"

typedef struct dropout_settings {
    float rate; /* the fraction dropped */
} dropout_settings;
CLAE_KIND_SETTINGS(dropout_settings, settings_of)

static const clae_key_spec KEYS[] = {
    {.name = "rate", .type = CLAE_KEY_FLOAT, .fmin = 0, .fmax = 0.99,
     .field = CLAE_KIND_FIELD(dropout_settings, rate),
     .help = "the fraction of values dropped in training"},
};

static clae_status forward(const clae_layer_run *r)
{
    float rate = settings_of(r->l).rate;
    if (!r->training || rate == 0.0f)
        return clae_buf_copy(r->d, r->out, 0, r->in, 0,
                             clae_shape_values(r->g) * sizeof(float));
    clae_dropout p = clae_dropout_params(rate, r->seed, r->index, r->step);
    return dropout_forward(r->d, r->out, r->in, clae_shape_values(r->g), &p);
}

static clae_status backward(const clae_layer_run *r)
{
    if (!r->din.h && !r->din.d) return CLAE_OK; /* the first layer: no input gradient */
    float rate = settings_of(r->l).rate;
    if (!r->training || rate == 0.0f)
        return clae_buf_copy(r->d, r->din, 0, r->dout, 0,
                             clae_shape_values(r->g) * sizeof(float));
    clae_dropout p = clae_dropout_params(rate, r->seed, r->index, r->step);
    return dropout_backward(r->d, r->din, r->dout, clae_shape_values(r->g), &p);
}

/* a hash and a multiply per value each way */
static void cost(const clae_layer *l, const clae_conv_shape *g, clae_layer_cost *c)
{
    double n = (double)clae_shape_values(g);
    c->fwd_flops = c->din_flops = n;
    c->fwd_bytes = c->din_bytes = 8 * n;
}

static void describe(const clae_layer *l, char *buf, size_t len)
{
    snprintf(buf, len, "rate %g", (double)settings_of(l).rate);
}

const clae_layer_kind clae_layer_dropout = {
    .name = "dropout",
    .summary = "inverted dropout in training steps (Keras Dropout), the identity otherwise",
    .keys = KEYS,
    .nkeys = 1,
    .shape = clae_shape_elementwise,
    .forward = forward,
    .backward = backward,
    .cost = cost,
    .downsamples = 0,
    .describe = describe,
};
