/* [flatten] and [reshape]: the same values seen with another shape. Tensors
 * are NCHW, so flatten orders a sample's values C,H,W (PyTorch nn.Flatten)
 * and reshape's target_shape (given H,W,C as Keras) reads them back in that
 * order: flatten then reshape to the same shape is the identity. */
#include <stddef.h>
#include <stdio.h>

#include "layers.h"

typedef struct reshape_settings {
    int h, w, c; /* target_shape (H,W,C as Keras) */
} reshape_settings;
CLAE_KIND_SETTINGS(reshape_settings, settings_of)

static const clae_key_spec RESHAPE_KEYS[] = {
    {.name = "target_shape", .type = CLAE_KEY_SHAPE, .min = 1, .max = 65536,
     .field = CLAE_KIND_FIELD(reshape_settings, h), .help = "the output shape H,W,C (Keras order)"},
};

static const char *check_reshape(const clae_layer *l, char *msg, size_t len)
{
    reshape_settings t = settings_of(l);
    double in = (double)l->in_h * l->in_w * l->in_c;
    double out = (double)t.h * t.w * t.c;
    if (in != out) {
        snprintf(msg, len, "target_shape %d,%d,%d holds %.0f values, its input %dx%dx%d holds %.0f",
                 t.h, t.w, t.c, out, l->in_h, l->in_w, l->in_c, in);
        return "target_shape";
    }
    return NULL;
}

static clae_status shape_flatten(const clae_layer *l, int N, clae_conv_shape *g)
{
    if (N < 1) return CLAE_ERR_SHAPE;
    *g = (clae_conv_shape){.N = N, .C = l->in_c, .H = l->in_h, .W = l->in_w,
                           .K = l->in_c * l->in_h * l->in_w, .R = 1, .S = 1, .sh = 1, .sw = 1,
                           .P = 1, .Q = 1};
    return CLAE_OK;
}

static clae_status shape_reshape(const clae_layer *l, int N, clae_conv_shape *g)
{
    if (N < 1) return CLAE_ERR_SHAPE;
    reshape_settings t = settings_of(l);
    *g = (clae_conv_shape){.N = N, .C = l->in_c, .H = l->in_h, .W = l->in_w, .K = t.c, .R = 1,
                           .S = 1, .sh = 1, .sw = 1, .P = t.h, .Q = t.w};
    return CLAE_OK;
}

static size_t count(const clae_conv_shape *g) { return (size_t)g->N * g->C * g->H * g->W; }

/* Copies only where the net gave the output a buffer of its own (never in
 * a net's step: clae_net_out_is_view). */
static clae_status forward(const clae_layer_run *r)
{
    if (r->out_is_view) return CLAE_OK;
    return clae_buf_copy(r->d, r->out, 0, r->in, 0, count(r->g) * sizeof(float));
}

static clae_status backward(const clae_layer_run *r)
{
    if (!r->din.h && !r->din.d) return CLAE_OK; /* the first layer: no input gradient */
    if (r->out_is_view) return CLAE_OK;
    return clae_buf_copy(r->d, r->din, 0, r->dout, 0, count(r->g) * sizeof(float));
}

static void cost(const clae_layer *l, const clae_conv_shape *g, clae_layer_cost *c)
{
    c->fwd_bytes = c->din_bytes = 8.0 * (double)count(g);
}

static void describe_flatten(const clae_layer *l, char *buf, size_t len)
{
    snprintf(buf, len, "C,H,W order");
}

static void describe_reshape(const clae_layer *l, char *buf, size_t len)
{
    reshape_settings t = settings_of(l);
    snprintf(buf, len, "to %d,%d,%d", t.h, t.w, t.c);
}

const clae_layer_kind clae_layer_flatten = {
    .name = "flatten",
    .summary = "one flat vector per sample, values in C,H,W order (PyTorch nn.Flatten)",
    .shape = shape_flatten,
    .forward = forward,
    .backward = backward,
    .cost = cost,
    .downsamples = 0,
    .views_input = 1,
    .describe = describe_flatten,
};

const clae_layer_kind clae_layer_reshape = {
    .name = "reshape",
    .summary = "the same values as H,W,C = target_shape (Keras Reshape; NCHW inside)",
    .keys = RESHAPE_KEYS,
    .nkeys = 1,
    .shape = shape_reshape,
    .check = check_reshape,
    .forward = forward,
    .backward = backward,
    .cost = cost,
    .views_input = 1,
    .downsamples = 0,
    .describe = describe_reshape,
};
