/* Layer kinds as modules. Each kind (src/host/layers/<kind>.c) describes
 * itself once — its config section and keys, its output shape, its
 * parameter tensors and their initialisation, an auxiliary buffer, forward
 * and backward through the op entries of clae/ops.h, its cost for
 * `clae bench` and its spatial scale for `clae denoise` — and one table
 * (src/host/layers/table.c) lists the kinds. The config parser, the
 * summary, `clae layers`, the net and the benchmark read only this. */
#ifndef CLAE_LAYER_H
#define CLAE_LAYER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "clae/device.h"
#include "clae/ops.h"
#include "clae/status.h"

struct clae_layer;

/* ---- config keys ---------------------------------------------------------- */

typedef enum clae_key_type {
    CLAE_KEY_INT,    /* one integer in [min, max] */
    CLAE_KEY_FLOAT,  /* one number in [fmin, fmax], stored as a float */
    CLAE_KEY_PAIR,   /* one or two integers in [min, max]: "3" is "3,3" (rows, columns) */
    CLAE_KEY_SHAPE,  /* three integers H,W,C in [min, max] (Keras order), stored as three ints */
    CLAE_KEY_CHOICE, /* one of choices[]; stored as its index */
    CLAE_KEY_LAYER,  /* the name of an earlier layer; stored as its index */
    CLAE_KEY_CUSTOM  /* parsed by its section's own code ([net], [train]); see allowed */
} clae_key_type;

typedef struct clae_key_spec {
    const char *name;
    clae_key_type type;
    const char *def;            /* default, as config text; NULL: required, or see def_from */
    const char *def_from;       /* default: the value of this other key (pool stride = size) */
    long min, max;              /* INT, PAIR */
    double fmin, fmax;          /* FLOAT */
    const char *const *choices; /* CHOICE: NULL-terminated */
    size_t field;               /* offsetof(clae_layer, ...) or CLAE_KIND_FIELD(...): an int
                                   (PAIR: two; SHAPE: three; FLOAT: a float) */
    const char *help;
    const char *allowed;        /* CUSTOM: what it takes, as an error names it */
} clae_key_spec;

/* The keys of [net] and [train] (src/host/model/sections.c) and [branch]
 * (branches.c), NULL-name terminated: their defaults are parsed from here. */
extern const clae_key_spec clae_net_keys[], clae_train_keys[], clae_branch_keys[];

/* The whole config reference: [net], [train] and every layer kind, as text
 * (`clae layers --all`) or as Markdown tables (`--markdown`, README's
 * reference is this output). */
void clae_config_describe(FILE *out, int markdown);

/* Keys every layer takes, whatever its kind, after its own: name (CUSTOM:
 * letters, digits, '_', not starting with a digit, at most
 * CLAE_LAYER_NAME_MAX - 1) and activity_l1. */
#define CLAE_LAYER_NAME_MAX 32
#define CLAE_COMMON_NKEYS 2
extern const clae_key_spec clae_common_layer_keys[CLAE_COMMON_NKEYS];

/* ---- a layer --------------------------------------------------------------- */

/* What a layer's src is when it names the network input (the reserved name "input"). */
#define CLAE_SRC_INPUT (-2)
/* Bytes of a layer's settings block: the settings only its kind reads. */
#define CLAE_LAYER_SETTINGS_BYTES 32

/* One layer of a model: its kind, the settings several kinds share (a
 * window, an activation, a layer it refers to) and its shapes. What only
 * one kind reads (dense's units, dropout's rate, ...) is that kind's own
 * struct in `settings`, declared in its file with CLAE_KIND_SETTINGS. */
typedef struct clae_layer {
    const struct clae_layer_kind *kind; /* its entry in the layer table */
    char name[32];        /* name = ... (optional; "" if none) */
    int src;              /* a layer it refers to by name (max_unpooling's pool, add's
                             source), CLAE_SRC_INPUT for the network input, -1 if none */
    int src_h, src_w, src_c; /* the shape of what src gives (its output, or the input) */
    const struct clae_layer *src_layer; /* the same, once the config is read */
    int line;             /* config line of the section header */
    int filters;          /* conv: output channels; pools: 0 */
    int R, S;             /* kernel / window size */
    int sh, sw;           /* strides (upsampling: factors) */
    clae_padding pad;
    clae_act act;         /* pools: CLAE_ACT_NONE */
    float alpha;          /* leaky_relu's slope */
    float activity_l1;    /* any layer: Keras activity_regularizer=l1(λ) on its output, 0: none */
    int in_h, in_w, in_c;    /* input of one sample (H, W, C) */
    int out_h, out_w, out_c; /* output of one sample (P, Q, K) */
    int weight, bias;     /* indices into m->tensors, -1 for pools and absent ones */
    int state[2];         /* its state tensors' indices (batch_norm's moving statistics),
                             -1: none */
    int use_bias;         /* conv2d, conv2d_transpose, dense: 1 with a bias (Keras use_bias) */
    /* The kind's own settings, zeroed, then set by its keys (a key spec's
     * field is CLAE_KIND_FIELD(struct, member)); read them through the
     * accessor CLAE_KIND_SETTINGS defines. */
    _Alignas(8) unsigned char settings[CLAE_LAYER_SETTINGS_BYTES];
} clae_layer;

/* A key spec's field for member of a kind's settings struct. */
#define CLAE_KIND_FIELD(type, member) (offsetof(clae_layer, settings) + offsetof(type, member))

/* In a kind's file: `CLAE_KIND_SETTINGS(dense_settings, settings_of)` checks
 * that the struct fits the block and defines `dense_settings settings_of(const
 * clae_layer *l)`, which returns a copy of l's settings. */
#define CLAE_KIND_SETTINGS(type, accessor)                                                   \
    _Static_assert(sizeof(type) <= CLAE_LAYER_SETTINGS_BYTES && _Alignof(type) <= 8,          \
                   #type " does not fit a layer's settings block");                          \
    static inline type accessor(const clae_layer *l)                                          \
    {                                                                                         \
        type s_;                                                                              \
        memcpy(&s_, l->settings, sizeof s_);                                                  \
        return s_;                                                                            \
    }

/* ---- running a layer ------------------------------------------------------ */

/* What forward and backward see: the buffers of one layer at one batch
 * size (g), on the device d (the reference path included). din is absent
 * (zeroed) for the first layer; w, b, dw, db for kinds without parameters;
 * aux for kinds without an auxiliary buffer. */
typedef struct clae_layer_run {
    clae_device *d;
    const struct clae_layer *l;
    const clae_conv_shape *g;
    clae_buf in, out, din, dout, aux;
    clae_buf w, b, dw, db;
    clae_buf state[2]; /* the layer's state tensors (absent: none), updated by a training
                          forward pass, never by the optimizer */
    clae_buf src_aux; /* the auxiliary buffer of the layer it refers to (a pool's indices) */
    clae_buf src_out; /* the output of the layer it refers to (or the network input) */
    clae_buf src_grad; /* where the gradient for that output collects (absent: none needed) */
    int index;        /* the layer's position in the net */
    int training;     /* a training step (dropout drops), not inference */
    int out_is_view;  /* out is in's memory (and din dout's): a views_input kind has no pass */
    int frozen;       /* [train] freeze keeps the layer (batch_norm then normalises with its
                         moving statistics, as Keras's trainable = False does) */
    uint64_t seed;    /* the run's seed */
    long step;        /* optimizer steps taken before this one */
    /* Fused activations (kinds with fuses_act / fuses_din_act; zeroed for
     * others and where the net runs the pass on its own): forward writes
     * act(out), the layer's activation; backward writes din times the
     * derivative of din_act, the activation that produced `in`. */
    clae_epi act, din_act;
    /* The step's loss terms (CLAE_TERM_* slots; absent when the model has no
     * penalty): the kind's terms hook adds its own into it. */
    clae_buf terms;
} clae_layer_run;

/* The loss's terms: the reconstruction loss and the penalties beside it,
 * each the sum over the layers that have it (history.jsonl records them
 * apart; the loss trained is their sum). */
enum {
    CLAE_TERM_RECON = 0, /* the config's loss (mse, mae, binary_crossentropy) */
    CLAE_TERM_KL,        /* [sampling]: kl_weight * KL(q(z|x) || N(0, I)) */
    CLAE_TERM_ACTIVITY,  /* activity_l1 on any layer */
    CLAE_TERM_CONTRACTIVE, /* contractive on a dense sigmoid layer */
    CLAE_NTERMS
};
/* "reconstruction", "kl", "activity", "contractive" */
extern const char *const clae_term_names[CLAE_NTERMS];

/* Arithmetic and memory traffic at the geometry g (for `clae bench`:
 * GFLOP/s and GB/s), bytes counting every tensor read once and every
 * tensor written once: the forward pass, the backward pass's input
 * gradient (din), and its parameter gradients (dw, db; 0 without). */
typedef struct clae_layer_cost {
    double fwd_flops, fwd_bytes;
    double din_flops, din_bytes;
    double param_flops, param_bytes;
} clae_layer_cost;

typedef enum clae_init { CLAE_INIT_ZERO = 0, CLAE_INIT_GLOROT, CLAE_INIT_ONE } clae_init;

typedef struct clae_layer_kind {
    const char *name;    /* config section, e.g. "conv2d" */
    const char *summary; /* one line for `clae layers` */
    const clae_key_spec *keys;
    int nkeys;
    /* Geometry at batch N from l's settings and input (l->in_*): output
     * size in g->P, g->Q, g->K. CLAE_ERR_SHAPE when it does not fit. */
    clae_status (*shape)(const struct clae_layer *l, int N, clae_conv_shape *g);
    /* Checks beyond the keys' own ranges, before the shape (e.g. what a
     * referred layer must be); NULL: none. On failure: the key to blame,
     * with a message in msg. */
    const char *(*check)(const struct clae_layer *l, char *msg, size_t len);
    /* Parameter tensors: names ("weight", "bias"), PyTorch-layout dims, and
     * how clae_model_init fills them. has_param: whether l has parameter p
     * (a bias with use_bias = false does not); NULL: every one. */
    int nparams;
    const char *param_names[2];
    clae_init param_init[2];
    void (*param_dims)(const struct clae_layer *l, int p, int *ndim, int dims[4]);
    int (*has_param)(const struct clae_layer *l, int p);
    /* State tensors (batch_norm's running_mean and running_var, PyTorch's
     * names): saved in checkpoints beside the parameters and counted as
     * non-trainable, written by the kind's training forward pass, never by
     * the optimizer. Their dims: (out_c). */
    int nstate;
    const char *state_names[2];
    clae_init state_init[2];
    /* Glorot fan_in + fan_out of the weight (param 0). */
    double (*fans)(const struct clae_layer *l);
    /* Bytes of the auxiliary buffer per output element (maxpool's argmax
     * indices: 4), 0 for none; aux_channel_bytes: bytes per output channel
     * whatever the batch (batch_norm's statistics), added to it. */
    size_t aux_bytes;
    size_t aux_channel_bytes;
    clae_status (*forward)(const clae_layer_run *r);
    clae_status (*backward)(const clae_layer_run *r);
    /* The kind's own loss terms (sampling's KL, dense's contractive
     * penalty), added into r->terms after the forward pass and the
     * activation (r->out holds the activated output); NULL: none. Its
     * gradients are the backward pass's. */
    clae_status (*terms)(const clae_layer_run *r);
    /* Whether l has a term of its own to add (terms is then called), and
     * the CLAE_TERM_* slot it adds to. */
    int (*has_terms)(const struct clae_layer *l);
    int term;
    void (*cost)(const struct clae_layer *l, const clae_conv_shape *g, clae_layer_cost *c);
    /* The kind adds a gradient into the output of the layer it refers to
     * (a residual add): the net collects it in r->src_grad. */
    int grads_src;
    /* The layer fixes the size of the network input (dense): `clae denoise`
     * cannot run it on other sizes. */
    int fixed_size;
    /* The layer's strides shrink the image (conv2d, pools: 1) or grow it
     * (conv2d_transpose: 0): denoise pads inputs to a multiple of the
     * product of the shrinking strides. */
    int downsamples;
    /* The forward pass applies r->act itself (conv2d, conv2d_transpose: in
     * the convolution's epilogue); without it the net runs the activation as
     * a pass of its own. */
    int fuses_act;
    /* The backward pass multiplies din by the derivative of r->din_act
     * (conv2d, conv2d_transpose, maxpool); without it the net runs that
     * activation's backward pass on its own. */
    int fuses_din_act;
    /* The output is the input's floats in the same order (flatten,
     * reshape): the net gives it a view of the input's buffer (and the
     * input gradient a view of the output gradient's) instead of a buffer
     * and a copy, and sets r->out_is_view (clae_net_out_is_view). */
    int views_input;
    /* A training step may fuse the kind's passes (net_fuse.c): a conv2d
     * with the 2x2 max-pool after it, or with the loss after it
     * (fusable_conv); the max-pool (fusable_pool). */
    int fusable_conv, fusable_pool;
    /* The key whose value grows the image (conv2d_transpose's stride,
     * upsampling's size factors: out about in * sh + R), blamed when the
     * output would be larger than the largest size; NULL: the kind does not
     * grow it that way. */
    const char *grow_key;
    /* The layer may carry activation = softmax as the network's last layer
     * (a classifier's head: dense); no other layer takes softmax. */
    int softmax_head;
    /* The layer draws a VAE's latent code (sampling): `clae encode` takes
     * its output by default, `clae sample` decodes from it. */
    int samples_latent;
    /* The summary's config column, e.g. "8 3x3 stride 1,1 same relu". */
    void (*describe)(const struct clae_layer *l, char *buf, size_t len);
} clae_layer_kind;

/* The table (src/host/layers/table.c). */
/* By section name; NULL if there is none. */
const clae_layer_kind *clae_layer_kind_find(const char *name);
/* "conv2d, conv2d_transpose, maxpool or avgpool" (for error messages). */
const char *clae_layer_kind_list(void);

/* Shared by the kinds: the keys and checks of a convolution or a pool. */
extern const char *const clae_padding_names[]; /* "valid", "same" */
extern const char *const clae_act_names[];     /* "linear", "relu", "sigmoid", "tanh" */

/* "an integer from 1 to 65536", "valid or same", ... (what an error names) */
void clae_key_allowed(const clae_key_spec *k, char *buf, size_t len);

/* `clae layers`: every kind, its keys, defaults and allowed values. */
void clae_layers_describe(FILE *out);

#endif
