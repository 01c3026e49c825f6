/* [upsampling2d] and [bed_of_nails]: fixed upsampling by integer factors.
 * upsampling2d is Keras UpSampling2D (size, interpolation = nearest or
 * bilinear, bilinear as tf.image.resize); bed_of_nails puts each value at
 * the top-left of its block, zeros elsewhere. No parameters. */
#include <stddef.h>
#include <stdio.h>

#include "layers.h"

static const char *const INTERP[] = {"nearest", "bilinear", NULL};

typedef struct upsampling_settings {
    int interpolation; /* upsampling2d: an index into INTERP */
} upsampling_settings;
CLAE_KIND_SETTINGS(upsampling_settings, settings_of)

static const clae_key_spec UP_KEYS[] = {
    {.name = "size", .type = CLAE_KEY_PAIR, .def = "2", .min = 1, .max = 65536,
     .field = offsetof(clae_layer, sh), .help = "factors rows,columns (one number: both)"},
    {.name = "interpolation", .type = CLAE_KEY_CHOICE, .def = "nearest", .choices = INTERP,
     .field = CLAE_KIND_FIELD(upsampling_settings, interpolation),
     .help = "Keras: bilinear has half-pixel centres"},
};

static clae_status shape(const clae_layer *l, int N, clae_conv_shape *g)
{
    if (N < 1) return CLAE_ERR_SHAPE;
    *g = (clae_conv_shape){.N = N, .C = l->in_c, .H = l->in_h, .W = l->in_w, .K = l->in_c,
                           .sh = l->sh, .sw = l->sw, .P = l->in_h * l->sh,
                           .Q = l->in_w * l->sw};
    return CLAE_OK;
}

extern const clae_layer_kind clae_layer_bed_of_nails; /* this file's second kind, below */

static clae_upsample mode_of(const clae_layer *l)
{
    return l->kind == &clae_layer_bed_of_nails ? CLAE_UP_NAILS
           : settings_of(l).interpolation == 1 ? CLAE_UP_BILINEAR
                                               : CLAE_UP_NEAREST;
}

static clae_status forward(const clae_layer_run *r)
{
    return upsample_forward(r->d, mode_of(r->l), r->out, r->in, r->g);
}

static clae_status backward(const clae_layer_run *r)
{
    if (!r->din.h && !r->din.d) return CLAE_OK; /* the first layer: no input gradient */
    return upsample_backward(r->d, mode_of(r->l), r->din, r->dout, r->g);
}

/* nearest and bed of nails move values (the backward of nearest adds
 * sh*sw per input); bilinear: 3 lerps of 3 flops forward, 4 weights of 2
 * flops a read backward. */
static void cost(const clae_layer *l, const clae_conv_shape *g, clae_layer_cost *c)
{
    double ins = (double)g->N * g->C * g->H * g->W, outs = (double)g->N * g->C * g->P * g->Q;
    clae_upsample m = mode_of(l);
    c->fwd_flops = m == CLAE_UP_BILINEAR ? 9 * outs : 0;
    c->fwd_bytes = 4 * (ins + outs);
    c->din_flops = m == CLAE_UP_BILINEAR ? 8 * outs : m == CLAE_UP_NEAREST ? outs : 0;
    c->din_bytes = 4 * ((m == CLAE_UP_NAILS ? ins : outs) + ins);
}

static void describe(const clae_layer *l, char *buf, size_t len)
{
    if (l->kind == &clae_layer_bed_of_nails)
        snprintf(buf, len, "x%d,%d", l->sh, l->sw);
    else
        snprintf(buf, len, "x%d,%d %s", l->sh, l->sw, INTERP[settings_of(l).interpolation]);
}

const clae_layer_kind clae_layer_upsampling2d = {
    .name = "upsampling2d",
    .summary = "upsampling by repeating (nearest) or interpolating (bilinear), Keras UpSampling2D",
    .keys = UP_KEYS,
    .nkeys = 2,
    .shape = shape,
    .forward = forward,
    .backward = backward,
    .cost = cost,
    .downsamples = 0,
    .grow_key = "size",
    .describe = describe,
};

const clae_layer_kind clae_layer_bed_of_nails = {
    .name = "bed_of_nails",
    .summary = "upsampling with each value at the top-left of its block, zeros elsewhere",
    .keys = UP_KEYS,
    .nkeys = 1,
    .shape = shape,
    .forward = forward,
    .backward = backward,
    .cost = cost,
    .downsamples = 0,
    .grow_key = "size",
    .describe = describe,
};
