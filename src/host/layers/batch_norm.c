/* [batch_norm]: Keras BatchNormalization over the channels (PyTorch
 * BatchNorm2d, and BatchNorm1d after a [dense]): a training step normalises
 * each channel with the batch's mean and variance and moves the moving
 * statistics toward them; validation, eval and every other command use the
 * moving ones. weight (gamma) and bias (beta) as PyTorch names them, absent
 * with scale = false / center = false (PyTorch's affine=False: both);
 * running_mean and running_var are state tensors (clae/layer.h). */
#include <stddef.h>
#include <stdio.h>

#include "layers.h"

typedef struct batch_norm_settings {
    float momentum, epsilon;
    int center, scale;
} batch_norm_settings;
CLAE_KIND_SETTINGS(batch_norm_settings, settings_of)

static const clae_key_spec KEYS[] = {
    {.name = "momentum", .type = CLAE_KEY_FLOAT, .def = "0.99", .fmin = 0, .fmax = 1,
     .field = CLAE_KIND_FIELD(batch_norm_settings, momentum),
     .help = "moving = momentum * moving + (1 - momentum) * batch (Keras; PyTorch's "
             "momentum m is 1 - m here)"},
    {.name = "epsilon", .type = CLAE_KEY_FLOAT, .def = "0.001", .fmin = 1e-12, .fmax = 1,
     .field = CLAE_KIND_FIELD(batch_norm_settings, epsilon),
     .help = "added to the variance (Keras 0.001, PyTorch eps 1e-5)"},
    {.name = "center", .type = CLAE_KEY_CHOICE, .def = "true", .choices = clae_bool_names,
     .field = CLAE_KIND_FIELD(batch_norm_settings, center), .help = "a learned offset beta"},
    {.name = "scale", .type = CLAE_KEY_CHOICE, .def = "true", .choices = clae_bool_names,
     .field = CLAE_KIND_FIELD(batch_norm_settings, scale), .help = "a learned factor gamma"},
    {.name = "activation", .type = CLAE_KEY_CHOICE, .def = "linear", .choices = clae_act_names,
     .field = offsetof(clae_layer, act), .help = "applied to the output"},
    {.name = "alpha", .type = CLAE_KEY_FLOAT, .def = "0.3", .fmin = 0, .fmax = 1,
     .field = offsetof(clae_layer, alpha), .help = "leaky_relu's slope for x < 0 (Keras)"},
};

static void param_dims(const clae_layer *l, int p, int *ndim, int dims[4])
{
    (void)p;
    *ndim = 1, dims[0] = l->in_c;
}

static int has_param(const clae_layer *l, int p)
{
    batch_norm_settings s = settings_of(l);
    return p == 0 ? s.scale : s.center;
}

static clae_batch_norm params_of(const clae_layer *l)
{
    batch_norm_settings s = settings_of(l);
    return (clae_batch_norm){.momentum = s.momentum, .eps = s.epsilon};
}

/* A training step of a layer [train] freeze keeps normalises as inference does. */
static int batch_stats(const clae_layer_run *r) { return r->training && !r->frozen; }

static clae_status forward(const clae_layer_run *r)
{
    const clae_conv_shape *g = r->g;
    clae_batch_norm p = params_of(r->l);
    return batch_norm_forward(r->d, r->out, r->in, r->aux, r->w, r->b, r->state[0], r->state[1],
                              g->N, g->C, g->H * g->W, &p, batch_stats(r));
}

static clae_status backward(const clae_layer_run *r)
{
    const clae_conv_shape *g = r->g;
    return batch_norm_backward(r->d, r->din, r->dw, r->db, r->aux, r->dout, r->in, r->w, g->N,
                               g->C, g->H * g->W);
}

/* Forward: two reads for the statistics, one read and one write to apply;
 * backward: two reads for the sums, three reads and a write for din. */
static void cost(const clae_layer *l, const clae_conv_shape *g, clae_layer_cost *c)
{
    double n = (double)clae_shape_values(g);
    c->fwd_flops = 5 * n;
    c->fwd_bytes = 16 * n;
    c->din_flops = 4 * n;
    c->din_bytes = 16 * n;
    c->param_flops = 4 * n;
    c->param_bytes = 8 * n;
}

static void describe(const clae_layer *l, char *buf, size_t len)
{
    batch_norm_settings s = settings_of(l);
    const char *affine = s.scale && s.center ? "" : s.scale ? " no beta" : s.center ? " no gamma"
                                                                                     : " no affine";
    snprintf(buf, len, "momentum %g eps %g%s %s", (double)s.momentum, (double)s.epsilon, affine,
             clae_act_names[l->act]);
}

const clae_layer_kind clae_layer_batch_norm = {
    .name = "batch_norm",
    .summary = "batch normalization per channel (Keras BatchNormalization) with moving "
               "statistics for inference",
    .keys = KEYS,
    .nkeys = (int)(sizeof KEYS / sizeof KEYS[0]),
    .shape = clae_shape_elementwise,
    .nparams = 2,
    .param_names = {"weight", "bias"},
    .param_init = {CLAE_INIT_ONE, CLAE_INIT_ZERO},
    .param_dims = param_dims,
    .has_param = has_param,
    .nstate = 2,
    .state_names = {"running_mean", "running_var"},
    .state_init = {CLAE_INIT_ZERO, CLAE_INIT_ONE},
    .aux_channel_bytes = 4 * sizeof(float),
    .forward = forward,
    .backward = backward,
    .cost = cost,
    .describe = describe,
};
