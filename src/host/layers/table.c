/* The table of layer kinds and what they share: adding a kind is its file
 * here and one line in CLAE_LAYER_KINDS. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "layers.h"

/* The kinds, in the order `clae layers` lists them: X(name) declares
 * clae_layer_<name> (defined in its own file) and puts it in KINDS. */
#define CLAE_LAYER_KINDS(X)                                                                   \
    X(conv2d)                                                                                 \
    X(conv2d_transpose)                                                                       \
    X(batch_norm)                                                                             \
    X(maxpool)                                                                                \
    X(avgpool)                                                                                \
    X(upsampling2d)                                                                           \
    X(bed_of_nails)                                                                           \
    X(max_unpooling2d)                                                                        \
    X(dropout)                                                                                \
    X(gaussian_noise)                                                                         \
    X(add)                                                                                    \
    X(flatten)                                                                                \
    X(dense)                                                                                  \
    X(reshape)                                                                                \
    X(sampling)

#define DECLARE_KIND(name_) extern const clae_layer_kind clae_layer_##name_;
CLAE_LAYER_KINDS(DECLARE_KIND)
#define LIST_KIND(name_) &clae_layer_##name_,
static const clae_layer_kind *const KINDS[] = {CLAE_LAYER_KINDS(LIST_KIND)};

const char *const clae_term_names[CLAE_NTERMS] = {"reconstruction", "kl", "activity",
                                                  "contractive"};
#define NKINDS ((int)(sizeof KINDS / sizeof KINDS[0]))

const clae_layer_kind *clae_layer_kind_find(const char *name)
{
    for (int i = 0; i < NKINDS; i++)
        if (strcmp(KINDS[i]->name, name) == 0) return KINDS[i];
    return NULL;
}

const char *clae_layer_kind_list(void)
{
    static char buf[512];
    if (!buf[0]) {
        size_t at = 0;
        for (int i = 0; i < NKINDS; i++)
            at += (size_t)snprintf(buf + at, sizeof buf - at, "%s%s",
                                   i == 0 ? "" : i + 1 == NKINDS ? " or " : ", ", KINDS[i]->name);
    }
    return buf;
}

const char *const clae_padding_names[] = {"valid", "same", NULL};
const char *const clae_bool_names[] = {"false", "true", NULL};

int clae_has_bias_param(const clae_layer *l, int p) { return p == 0 || l->use_bias; }
const char *const clae_act_names[] = {"linear", "relu",       "sigmoid", "tanh",
                                      "leaky_relu", "softmax", NULL};

#define PAIR(n_, d_, from_, f_, h_)                                                         \
    {.name = n_, .type = CLAE_KEY_PAIR, .def = d_, .def_from = from_, .min = 1, .max = 65536,   \
     .field = offsetof(clae_layer, f_), .help = h_}
#define PADDING(h_)                                                                           \
    {.name = "padding", .type = CLAE_KEY_CHOICE, .def = "valid", .choices = clae_padding_names, \
     .field = offsetof(clae_layer, pad), .help = h_}

const clae_key_spec clae_conv_keys[CLAE_CONV_NKEYS] = {
    {.name = "filters", .type = CLAE_KEY_INT, .min = 1, .max = 65536,
     .field = offsetof(clae_layer, filters), .help = "output channels"},
    PAIR("size", NULL, NULL, R, "kernel rows,columns (one number: square)"),
    PAIR("stride", "1", NULL, sh, "step rows,columns"),
    PADDING("Keras padding (same: the odd pad row/column goes last)"),
    {.name = "activation", .type = CLAE_KEY_CHOICE, .def = "linear", .choices = clae_act_names,
     .field = offsetof(clae_layer, act), .help = "applied to the output"},
    {.name = "alpha", .type = CLAE_KEY_FLOAT, .def = "0.3", .fmin = 0, .fmax = 1,
     .field = offsetof(clae_layer, alpha), .help = "leaky_relu's slope for x < 0 (Keras)"},
    CLAE_USE_BIAS_KEY,
};
_Static_assert(sizeof clae_conv_keys / sizeof clae_conv_keys[0] == CLAE_CONV_NKEYS, "conv keys");

const clae_key_spec clae_pool_keys[CLAE_POOL_NKEYS] = {
    PAIR("size", "2", NULL, R, "window rows,columns (one number: square)"),
    PAIR("stride", NULL, "size", sh, "step rows,columns"),
    PADDING("Keras padding (same: windows are cut at the border)"),
};
_Static_assert(sizeof clae_pool_keys / sizeof clae_pool_keys[0] == CLAE_POOL_NKEYS, "pool keys");
#undef PAIR
#undef PADDING

void clae_window_describe(const clae_layer *l, char *buf, size_t len)
{
    snprintf(buf, len, "%dx%d stride %d,%d %s", l->R, l->S, l->sh, l->sw,
             clae_padding_names[l->pad]);
}

clae_status clae_shape_elementwise(const clae_layer *l, int N, clae_conv_shape *g)
{
    if (N < 1) return CLAE_ERR_SHAPE;
    *g = (clae_conv_shape){.N = N, .C = l->in_c, .H = l->in_h, .W = l->in_w, .K = l->in_c,
                           .R = 1, .S = 1, .sh = 1, .sw = 1, .P = l->in_h, .Q = l->in_w};
    return CLAE_OK;
}

double clae_conv_fans(const clae_layer *l)
{
    return (double)l->R * l->S * ((double)l->in_c + l->filters);
}

static void allowed(const clae_key_spec *k, char *buf, size_t len)
{
    if (k->allowed) {
        snprintf(buf, len, "%s", k->allowed);
    } else if (k->type == CLAE_KEY_INT) {
        snprintf(buf, len, "an integer from %ld to %ld", k->min, k->max);
    } else if (k->type == CLAE_KEY_SHAPE) {
        snprintf(buf, len, "three integers H,W,C from %ld to %ld, like 32,32,3", k->min, k->max);
    } else if (k->type == CLAE_KEY_FLOAT) {
        snprintf(buf, len, "a number from %g to %g", k->fmin, k->fmax);
    } else if (k->type == CLAE_KEY_PAIR) {
        snprintf(buf, len, "one or two integers from %ld to %ld, like 3 or 3,2", k->min, k->max);
    } else if (k->type == CLAE_KEY_LAYER) {
        snprintf(buf, len, "the name of an earlier layer");
    } else {
        size_t at = 0;
        int n = 0;
        while (k->choices[n]) n++;
        for (int i = 0; i < n && at < len; i++)
            at += (size_t)snprintf(buf + at, len - at, "%s%s",
                                   i == 0 ? "" : i + 1 == n ? " or " : ", ", k->choices[i]);
    }
}

void clae_key_allowed(const clae_key_spec *k, char *buf, size_t len) { allowed(k, buf, len); }

static void default_text(const clae_key_spec *k, char *buf, size_t len)
{
    if (k->def)
        snprintf(buf, len, "%s", k->def);
    else if (k->def_from)
        snprintf(buf, len, "= %s", k->def_from);
    else
        snprintf(buf, len, "required");
}

const clae_key_spec clae_common_layer_keys[CLAE_COMMON_NKEYS] = {
    {.name = "name", .type = CLAE_KEY_CUSTOM, .def = "", .allowed = "letters, digits and _, not "
     "starting with a digit, at most 31, unique", .help = "what other layers call this one"},
    {.name = "activity_l1", .type = CLAE_KEY_FLOAT, .def = "0", .fmin = 0, .fmax = 1e6,
     .field = offsetof(clae_layer, activity_l1),
     .help = "sparse AE: λ·Σ abs(output) / batch added to the loss (Keras "
             "activity_regularizer=l1(λ)); not on the last layer"},
};

static void section_text(FILE *out, const char *name, const char *summary,
                         const clae_key_spec *keys, int n, int with_name)
{
    fprintf(out, "[%s]%s%s\n", name, summary ? "  " : "", summary ? summary : "");
    for (int j = 0; j < n + (with_name ? CLAE_COMMON_NKEYS : 0); j++) {
        const clae_key_spec *k = j < n ? &keys[j] : &clae_common_layer_keys[j - n];
        char al[200], def[64];
        allowed(k, al, sizeof al);
        default_text(k, def, sizeof def);
        fprintf(out, "  %-17s %-26s %s; %s\n", k->name, def[0] ? def : "(none)", k->help, al);
    }
}

static void section_markdown(FILE *out, const char *name, const char *summary,
                             const clae_key_spec *keys, int n, int with_name)
{
    fprintf(out, "`[%s]`%s%s\n\n| key | default | takes | what |\n|---|---|---|---|\n", name,
            summary ? ": " : "", summary ? summary : "");
    for (int j = 0; j < n + (with_name ? CLAE_COMMON_NKEYS : 0); j++) {
        const clae_key_spec *k = j < n ? &keys[j] : &clae_common_layer_keys[j - n];
        char al[200], def[64];
        allowed(k, al, sizeof al);
        default_text(k, def, sizeof def);
        int lit = k->def && k->def[0]; /* a value, not "required" or "= size" */
        fprintf(out, "| `%s` | %s%s%s | %s | %s |\n", k->name, lit ? "`" : "", def, lit ? "`" : "",
                al, k->help);
    }
    fprintf(out, "\n");
}

static int count_keys(const clae_key_spec *k)
{
    int n = 0;
    while (k[n].name) n++;
    return n;
}

void clae_layers_describe(FILE *out)
{
    for (int i = 0; i < NKINDS; i++) {
        section_text(out, KINDS[i]->name, KINDS[i]->summary, KINDS[i]->keys, KINDS[i]->nkeys, 1);
        if (i + 1 < NKINDS) fprintf(out, "\n");
    }
}

void clae_config_describe(FILE *out, int markdown)
{
    void (*sec)(FILE *, const char *, const char *, const clae_key_spec *, int, int) =
        markdown ? section_markdown : section_text;
    sec(out, "net", "the network's input and optimizer", clae_net_keys, count_keys(clae_net_keys),
        0);
    if (!markdown) fprintf(out, "\n");
    sec(out, "train", "data, corruption and the run", clae_train_keys,
        count_keys(clae_train_keys), 0);
    if (!markdown) fprintf(out, "\n");
    sec(out, "branch",
        "starts a branch: the layer sections after it (to the next [branch]) are its own, the "
        "layers before the first [branch] the trunk every branch shares (two or more branches: "
        "one encoder, two decoders; trained in turns on each branch's data, applied by clae "
        "swap)",
        clae_branch_keys, count_keys(clae_branch_keys), 0);
    for (int i = 0; i < NKINDS; i++) {
        if (!markdown) fprintf(out, "\n");
        sec(out, KINDS[i]->name, KINDS[i]->summary, KINDS[i]->keys, KINDS[i]->nkeys, 1);
    }
}
