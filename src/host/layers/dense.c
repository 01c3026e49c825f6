/* [dense]: Keras Dense on a flat input (after [flatten]): weight (units,
 * inputs) and bias (units) in PyTorch nn.Linear layout, so a checkpoint's
 * tensors load into nn.Linear unchanged; GEMM through CLBlast on OpenCL.
 * With contractive = λ (sigmoid only) it adds the contractive
 * autoencoder's penalty λ·‖∂h/∂x‖²_F, averaged over the batch, in closed
 * form: Σ_j (h_j (1 - h_j))² Σ_i W_ji². */
#include <stddef.h>
#include <stdio.h>

#include "layers.h"

typedef struct dense_settings {
    int units;         /* outputs */
    float contractive; /* the contractive penalty's λ, 0: none */
} dense_settings;
CLAE_KIND_SETTINGS(dense_settings, settings_of)

static const clae_key_spec KEYS[] = {
    {.name = "units", .type = CLAE_KEY_INT, .min = 1, .max = 1 << 24,
     .field = CLAE_KIND_FIELD(dense_settings, units), .help = "outputs"},
    {.name = "activation", .type = CLAE_KEY_CHOICE, .def = "linear", .choices = clae_act_names,
     .field = offsetof(clae_layer, act), .help = "applied to the output"},
    {.name = "alpha", .type = CLAE_KEY_FLOAT, .def = "0.3", .fmin = 0, .fmax = 1,
     .field = offsetof(clae_layer, alpha), .help = "leaky_relu's slope for x < 0 (Keras)"},
    {.name = "contractive", .type = CLAE_KEY_FLOAT, .def = "0", .fmin = 0, .fmax = 1e6,
     .field = CLAE_KIND_FIELD(dense_settings, contractive),
     .help = "contractive AE: λ·‖∂h/∂x‖²_F averaged over the batch added to the loss "
             "(sigmoid only)"},
    CLAE_USE_BIAS_KEY,
};

static const char *check(const clae_layer *l, char *msg, size_t len)
{
    if (l->in_h != 1 || l->in_w != 1) {
        snprintf(msg, len, "its input is %dx%dx%d, not flat: add a [flatten] before it",
                 l->in_h, l->in_w, l->in_c);
        return "units";
    }
    if (settings_of(l).contractive > 0 && l->act != CLAE_ACT_SIGMOID) {
        snprintf(msg, len, "the contractive penalty's closed form needs activation = sigmoid");
        return "contractive";
    }
    return NULL;
}

/* a flat sample: C = inputs, K = units, 1x1 */
static clae_status shape(const clae_layer *l, int N, clae_conv_shape *g)
{
    if (N < 1) return CLAE_ERR_SHAPE;
    *g = (clae_conv_shape){.N = N, .C = l->in_c, .H = 1, .W = 1, .K = settings_of(l).units,
                           .R = 1, .S = 1, .sh = 1, .sw = 1, .P = 1, .Q = 1};
    return CLAE_OK;
}

static void param_dims(const clae_layer *l, int p, int *ndim, int dims[4])
{
    int units = settings_of(l).units;
    if (p == 1) {
        *ndim = 1, dims[0] = units;
        return;
    }
    *ndim = 2, dims[0] = units, dims[1] = l->in_c;
}

static double fans(const clae_layer *l) { return (double)l->in_c + settings_of(l).units; }

static clae_status forward(const clae_layer_run *r)
{
    return dense_forward(r->d, r->out, r->in, r->w, r->b, r->g->N, r->g->C, r->g->K, r->act);
}

static clae_status backward(const clae_layer_run *r)
{
    /* r->dout is the gradient at the pre-activation here (the net took it
     * through the sigmoid): the penalty's joins it before the GEMMs */
    float lambda = settings_of(r->l).contractive;
    if (lambda > 0)
        CLAE_TRY(contractive_backward(r->d, r->dout, r->dw, lambda / (float)r->g->N,
                                      r->out, r->w, r->g->N, r->g->C, r->g->K));
    return dense_backward(r->d, r->din, r->dw, r->db, r->dout, r->in, r->w, r->g->N, r->g->C,
                          r->g->K, r->din_act);
}

static clae_status terms(const clae_layer_run *r)
{
    return contractive_forward(r->d, r->terms, CLAE_TERM_CONTRACTIVE,
                               settings_of(r->l).contractive / (float)r->g->N, r->out, r->w,
                               r->g->N, r->g->C, r->g->K);
}

static int has_terms(const clae_layer *l) { return settings_of(l).contractive > 0; }

static void cost(const clae_layer *l, const clae_conv_shape *g, clae_layer_cost *c)
{
    double mac = 2.0 * g->N * g->C * g->K, in = 4.0 * g->N * g->C, out = 4.0 * g->N * g->K;
    double w = 4.0 * g->C * g->K, b = 4.0 * g->K;
    c->fwd_flops = mac + (double)g->N * g->K;
    c->fwd_bytes = in + w + b + out;
    c->din_flops = mac;
    c->din_bytes = out + w + in;
    c->param_flops = mac + (double)g->N * g->K;
    c->param_bytes = (out + in + 2 * w) + (out + 2 * b);
}

static void describe(const clae_layer *l, char *buf, size_t len)
{
    dense_settings s = settings_of(l);
    char pen[48] = "";
    if (s.contractive > 0) snprintf(pen, sizeof pen, " contractive %g", (double)s.contractive);
    snprintf(buf, len, "%d units %s%s%s", s.units, clae_act_names[l->act], pen,
             l->use_bias ? "" : " no bias");
}

const clae_layer_kind clae_layer_dense = {
    .name = "dense",
    .summary = "fully connected (Keras Dense) on a flat input, weight (units, inputs)",
    .keys = KEYS,
    .nkeys = 5,
    .shape = shape,
    .check = check,
    .nparams = 2,
    .has_param = clae_has_bias_param,
    .param_names = {"weight", "bias"},
    .param_init = {CLAE_INIT_GLOROT, CLAE_INIT_ZERO},
    .param_dims = param_dims,
    .fans = fans,
    .forward = forward,
    .backward = backward,
    .fuses_act = 1, /* but a softmax head's runs apart (the net's rule) */
    .fuses_din_act = 1,
    .terms = terms,
    .has_terms = has_terms,
    .term = CLAE_TERM_CONTRACTIVE,
    .cost = cost,
    .fixed_size = 1,
    .softmax_head = 1,
    .downsamples = 0,
    .describe = describe,
};
