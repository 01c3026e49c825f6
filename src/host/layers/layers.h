/* What the layer kinds share (src/host/layers/): their key tables and the
 * summary text of a window (size, stride, padding). Not a public header. */
#ifndef CLAE_LAYERS_INTERNAL_H
#define CLAE_LAYERS_INTERNAL_H

#include "clae/layer.h"

/* filters, size, stride, padding, activation, alpha, use_bias */
#define CLAE_CONV_NKEYS 7
extern const clae_key_spec clae_conv_keys[CLAE_CONV_NKEYS];
/* size, stride, padding */
#define CLAE_POOL_NKEYS 3
extern const clae_key_spec clae_pool_keys[CLAE_POOL_NKEYS];

/* "3x3 stride 1,1 same" */
void clae_window_describe(const clae_layer *l, char *buf, size_t len);
/* The shape of a kind whose output is its input's (dropout, noise, add):
 * a 1x1 window at stride 1. */
clae_status clae_shape_elementwise(const clae_layer *l, int N, clae_conv_shape *g);
/* Values in a batch at g: N*C*H*W. */
static inline size_t clae_shape_values(const clae_conv_shape *g)
{
    return (size_t)g->N * g->C * g->H * g->W;
}
/* use_bias (Keras): false leaves the layer without a bias tensor */
#define CLAE_USE_BIAS_KEY                                                                   \
    {.name = "use_bias", .type = CLAE_KEY_CHOICE, .def = "true", .choices = clae_bool_names,   \
     .field = offsetof(clae_layer, use_bias), .help = "whether the layer has a bias (Keras)"}
/* "false", "true" (a choice key's index is then the flag) */
extern const char *const clae_bool_names[];
/* has_param of the kinds with use_bias: the weight always, the bias when use_bias */
int clae_has_bias_param(const clae_layer *l, int p);
/* fan_in + fan_out of a conv weight: R*S*(C_in + C_out), both kinds */
double clae_conv_fans(const clae_layer *l);

/* Kinds another kind's file refers to (max_unpooling2d's source must be a
 * maxpool); every kind is declared in table.c's list. */
extern const clae_layer_kind clae_layer_maxpool;

#endif
