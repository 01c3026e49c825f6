/* The model description: an INI config parsed into a list of layers with
 * inferred shapes, the parameter tensors (PyTorch names and layouts) packed
 * into one float block each for parameters, gradients and Adam's m and v,
 * Glorot-uniform initialisation, and a small seeded PRNG.
 *
 * Config format (INI; '#' or ';' start a comment, also after a value when
 * preceded by a space; sections may repeat, each layer section is one layer
 * in order; indices count every layer, pools included, from 0):
 *
 *   [net]    input=H,W,C (required)  batch=32  optimizer=adam  lr=0.001
 *            beta1=0.9  beta2=0.999  eps=1e-7  loss=mse
 *            weight_decay=0 (AdamW)  global_clipnorm=0 (0: off)
 *            (lr and eps from 1e-37 to 1e38, betas in [0, 1) as floats too)
 *   [train]  epochs=1  seed=42  validation_split=0.2
 *            corrupt=blur|noise|saltpepper|mask|none  blur_size=5 (odd)
 *            blur_sigma=1.1 (0.001 to 1000)
 *            noise_sigma=0.1  sp_rate=0.05  mask_count=1  mask_min=8  mask_max=16
 *            augment=none|recipe  augment_fraction=0.3  normalize=none|gcn_l1_minmax
 *            data=data/cifar-10-batches-bin  out=runs/clae  max_steps=0 (0: no limit)  shuffle=1
 *            schedule=constant|cosine|step|exponential  warmup_steps=0  decay_steps=1000
 *            decay_rate=0.1  decay_alpha=0 (clae/schedule.h)
 *   [conv2d], [conv2d_transpose]
 *            filters (required)  size=3 or 3,3 (required)  stride=1 or 2,2
 *            padding=valid|same (valid)  activation=linear|relu|sigmoid|tanh (linear)
 *   [maxpool], [avgpool]
 *            size=2  stride=size  padding=valid|same (valid)
 *
 * The last layer's output must have the input's shape (an autoencoder).
 * Every error is one line on stderr, `clae: <file>:<line>: <problem> (key '<key>')`,
 * or `clae: <file>: <problem>` for file-level problems, and a clae_status.
 *
 * Tensors: layers.<i>.weight and layers.<i>.bias for every conv layer i;
 * conv2d weight (K,C,R,S), conv2d_transpose weight (C_in,C_out,R,S), bias (K).
 * Each tensor starts at an offset (in floats) that is a multiple of
 * m->align (default CLAE_ALIGN_FLOATS = 256 floats = 1 KiB), so a device
 * sub-buffer (clCreateSubBuffer) can start at it; the four blocks share one
 * layout (the gradient of tensor t is at grads + tensors[t].offset). */
#ifndef CLAE_MODEL_H
#define CLAE_MODEL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "clae/classes.h"
#include "clae/layer.h"
#include "clae/normalize.h"
#include "clae/ops.h"
#include "clae/rng.h"
#include "clae/schedule.h"
#include "clae/status.h"

/* 256 floats = 1024 bytes = 8192 bits: enough for every
 * CL_DEVICE_MEM_BASE_ADDR_ALIGN seen (1024 bits PoCL, up to 4096 bits on GPUs). */
#define CLAE_ALIGN_FLOATS 256
/* Most epochs a run may have (config, --epochs): what history.jsonl and
 * `clae plot` take, and the per-epoch keys of the corruption's random
 * streams stay distinct. */
#define CLAE_MAX_EPOCHS 1000000000L
_Static_assert(CLAE_ALIGN_FLOATS * sizeof(float) * 8 >= 4096,
               "tensor alignment must cover a 4096-bit CL_DEVICE_MEM_BASE_ADDR_ALIGN");

/* ---- config ------------------------------------------------------------ */

/* "linear", "relu", "sigmoid", "tanh" */
const char *clae_act_name(clae_act a);

typedef struct clae_net_config {
    int H, W, C;          /* input=H,W,C (Keras order) */
    int batch;
    char optimizer[16];   /* "adam" or "sgd" */
    clae_optimizer opt_kind; /* the same */
    float momentum;       /* sgd */
    int nesterov;         /* sgd */
    char loss[32];        /* "mse", "mae", "binary_crossentropy", "categorical_crossentropy" */
    clae_loss loss_kind;  /* the same */
    clae_adam adam;       /* lr, beta1, beta2, eps, weight_decay (AdamW's) */
    float clipnorm;       /* global gradient clipping's norm (0: off) */
} clae_net_config;

typedef struct clae_train_config {
    long epochs;
    uint64_t seed;
    double validation_split; /* [0, 1) */
    char corrupt[16];        /* "blur" or "none" */
    int blur_size;           /* odd, >= 1 */
    double blur_sigma;       /* 0.001 to 1000 */
    char data[512];
    char out[512];
    long max_steps;          /* 0: no limit */
    int shuffle;             /* 0 or 1 */
    char augment[16];        /* "none" or "recipe" (flip lr / flip ud / rotate -30, appended) */
    double augment_fraction; /* recipe: extra images as a fraction of the training set (0.3) */
    double noise_sigma;      /* corrupt = noise: additive Gaussian, clipped to [0, 1] */
    double sp_rate;          /* corrupt = saltpepper: fraction of pixels set to 0 or 1 */
    int mask_count, mask_min, mask_max; /* corrupt = mask: rectangles set to 0 */
    clae_classes classes;    /* train (and test) on these labels only; empty: all */
    clae_normalize norm;     /* normalize = none|gcn_l1_minmax, and its min-max pair once
                                known (clae/normalize.h) */
    int labels;              /* target = labels: the network classifies (one-hot CIFAR labels
                                as targets, a 1x1xK output), not reconstructs */
    char freeze_name[32];    /* freeze = NAME: "" for none */
    int freeze;              /* layers 0..freeze keep their weights (no backward); -1: none */
    long patience;           /* early stopping: epochs without a lower val loss (0: off) */
    long lr_patience;        /* reduce on plateau: epochs without a lower val loss (0: off) */
    double lr_factor;        /* reduce on plateau: lr *= lr_factor, (0, 1) */
    double lr_min;           /* reduce on plateau: the floor */
    int restore_best;        /* at the end, the best validation epoch's weights are tested and
                                written as last (Keras's restore_best_weights) */
    int tensorboard;         /* 1: OUT/tb/ event files (clae/tensorboard_log.h) */
    clae_schedule sched;     /* the learning-rate schedule (clae/schedule.h) */
} clae_train_config;

typedef struct clae_tensor {
    char name[32];        /* "layers.<i>.weight" / "layers.<i>.bias" */
    int layer;            /* index of its layer */
    int role;             /* 0: its layer's weight, 1: its bias, 2 + s: state tensor s
                             (not trained: clae_tensor_is_state) */
    int ndim;             /* 4 for weights, 1 for biases */
    int dims[4];          /* PyTorch layout */
    size_t offset;        /* in floats from the start of each block, multiple of m->align */
    size_t count;         /* product of dims */
} clae_tensor;

/* [branch]: a model may end in two or more branches after a shared trunk
 * (the layers before the first [branch]); each [branch] section names one
 * and the layer sections after it, up to the next [branch], are its own.
 * Layers are numbered over the whole file (trunk, then each branch), as are
 * their tensors; a branch's first layer takes the trunk's output, and its
 * last layer's output is the input's shape. */
#define CLAE_MAX_BRANCHES 8
#define CLAE_BRANCH_NAME_MAX 32
typedef struct clae_branch {
    char name[CLAE_BRANCH_NAME_MAX];
    int first, count;      /* its layers: first .. first + count - 1 */
    char data[512];        /* its training data folder ("": [train] data) */
    clae_classes classes;  /* the labels of that data it trains on (empty: all) */
    char loss[32];         /* its loss: "" for [net] loss, else mse, mae or binary_crossentropy */
    clae_loss loss_kind;   /* the one it takes (the [net] loss's when loss is "") */
    int line;              /* its section's line in the config */
} clae_branch;

typedef struct clae_model {
    char *name;           /* file name (or the name given for a string) used in errors */
    char *text;           /* the whole config text, NUL-terminated (for checkpoints) */
    clae_net_config net;
    clae_train_config train;
    int nlayers;
    clae_layer *layers;
    int nbranches;        /* 0: one path through every layer */
    clae_branch branches[CLAE_MAX_BRANCHES];
    int ntensors;
    clae_tensor *tensors;
    size_t nparams;       /* sum of tensor counts (what summary prints) */
    size_t align;         /* tensor offset alignment in floats */
    size_t block_floats;  /* floats in each block (last offset + count, rounded up to align) */
    /* Host blocks of block_floats floats each, NULL until clae_model_alloc();
     * padding between tensors is zero. */
    float *params, *grads, *adam_m, *adam_v;
} clae_model;

/* Parse a config file into m (m is overwritten; free with clae_model_free).
 * On error prints one line to stderr, leaves m empty (safe to free) and
 * returns CLAE_ERR_IO (cannot open/read) or CLAE_ERR_FORMAT (bad content,
 * impossible shapes included). */
clae_status clae_model_load(const char *path, clae_model *m);

/* The same from config text in memory (e.g. the copy stored in a
 * checkpoint); name is used in error messages in place of a file name. */
clae_status clae_model_parse_string(const char *text, const char *name, clae_model *m);

/* Either of the above without printing: when err is not NULL the message
 * (without the "clae: " prefix) goes to err instead of stderr. path == NULL
 * parses text; otherwise the file at path is read and text is ignored. */
clae_status clae_model_parse_ex(const char *path, const char *text, const char *name,
                                clae_model *m, char *err, size_t errlen);

/* `--set SECTION.KEY=VALUE`: set one key of m's config text and parse it
 * again into m (its text, and so a checkpoint's stored config, carries the
 * change). SECTION is net, train, a layer's name or layers.I (its index);
 * the key's line is replaced, or the key added under the section's header
 * (a missing [train] or [net] is added at the end). Before clae_model_alloc.
 * On error m is unchanged, and one line naming the assignment is printed
 * (an unknown key with the nearest one); CLAE_ERR_ARG / CLAE_ERR_FORMAT. */
clae_status clae_model_set(clae_model *m, const char *assign);
/* The same, for an assignment a flag of its own stands for (flag: what the
 * user wrote, like "--lr -1"): its errors name flag instead of --set, and
 * an error in the value is the flag's, not the config line's. */
clae_status clae_model_set_as(clae_model *m, const char *assign, const char *flag);

void clae_model_free(clae_model *m);

/* Recompute tensor offsets with another alignment (floats, a power of two).
 * Only before clae_model_alloc(); CLAE_ERR_ARG otherwise. */
clae_status clae_model_layout(clae_model *m, size_t align_floats);

/* CLAE_OK when m->align floats is a multiple of the device's base address
 * alignment (align_bytes, e.g. clae_device.align_bytes); otherwise prints
 * one line and returns CLAE_ERR_ARG. */
clae_status clae_model_check_align(const clae_model *m, size_t align_bytes);

/* Every layer's geometry at batch N into a caller's array of m->nlayers.
 * CLAE_ERR_SHAPE (with one line on stderr) if N is out of 1..2^20 or some
 * tensor would have more than INT_MAX elements. */
clae_status clae_model_shapes(const clae_model *m, int N, clae_conv_shape *g);

/* Whether [train] freeze keeps layer i as it is: the layers up to the one it
 * names; with branches, a trunk layer's freeze those of the trunk up to it,
 * a branch layer's the whole trunk and that branch's layers up to it. */
int clae_model_layer_frozen(const clae_model *m, int i);
/* Layer i's parameters (the elements of its tensors, state tensors included, as Keras counts). */
size_t clae_model_layer_params(const clae_model *m, int i);
/* The shared trunk's layers (all of them without branches), and the branch
 * layer i belongs to (-1: the trunk). */
int clae_model_trunk_layers(const clae_model *m);
int clae_model_branch_of(const clae_model *m, int i);
/* Whether layer i's output is a model output: the last layer, or a branch's last. */
int clae_model_is_head(const clae_model *m, int i);

/* Elements of one sample: the input, and layer i's output. */
size_t clae_model_in_count(const clae_model *m);
size_t clae_layer_out_count(const clae_layer *l);
/* Whether layer l has its kind's parameter p (a bias with use_bias = false
 * does not). */
int clae_layer_has_param(const clae_layer *l, int p);
/* Bytes of layer i's auxiliary buffer at batch N (0: none). */
size_t clae_layer_aux_bytes(const clae_layer *l, int N);
/* Whether tensor t is a state tensor (batch_norm's moving statistics): kept
 * in checkpoints, never trained. */
static inline int clae_tensor_is_state(const clae_tensor *t) { return t->role >= 2; }
/* Largest layer output (per sample) over the whole model, input included. */
size_t clae_model_max_count(const clae_model *m);

/* The tensor list (for the checkpoint writer): *n = m->ntensors. */
const clae_tensor *clae_model_tensors(const clae_model *m, int *n);
/* Index of a tensor by name, -1 if none. */
int clae_model_find_tensor(const clae_model *m, const char *name);

/* Allocate the four blocks (zeroed, 64-byte aligned host memory). */
clae_status clae_model_alloc(clae_model *m);

/* Glorot-uniform weights as Keras (limit = sqrt(6 / (fan_in + fan_out)),
 * fan_in + fan_out = R*S*(C_in + C_out) for both conv kinds), drawn from rng
 * in tensor order, each weight in PyTorch memory order:
 * w = limit * (2 u - 1), u = clae_rng_uniform(rng). Biases zero. Fills
 * m->params (allocating the blocks if needed); grads, m, v are left as they are. */
clae_status clae_model_init(clae_model *m, clae_rng *rng);

/* Glorot limit of tensor t (0 for biases). */
double clae_tensor_glorot_limit(const clae_model *m, int t);

/* Keras-like table: layer, output shape (None, H, W, C), parameter count,
 * then the totals with thousands separators. */
void clae_model_summary(const clae_model *m, FILE *out);
/* The non-trainable parameters: state tensors' and those [train] freeze keeps
 * (layers 0..freeze's). */
size_t clae_model_frozen_params(const clae_model *m);

/* 6467 -> "6,467" */
const char *clae_thousands(size_t v, char *buf, size_t len);

#endif
