/* What the files of the config reader share (src/host/model/): the parse
 * context, what each section has said, and the steps of a parse — the
 * reader (read.c), the [net] and [train] keys (sections.c), the checks once
 * the text is read (finish.c), shapes (shapes.c) and tensors (tensors.c);
 * --set (set.c) looks keys up with the same functions. Not a public header. */
#ifndef CLAE_MODEL_CONFIG_H
#define CLAE_MODEL_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "clae/layer.h"
#include "clae/model.h"

#define MAX_DIM 65536         /* any size, stride, channel count or spatial size */
#define MAX_BATCH (1 << 20)
#define MAX_CONFIG_BYTES (1 << 20)
#define MAX_KEYS 64 /* keys per section: bits of sec_src.seen */

/* An entry of a section's key table whose value its own parser checks:
 * name, default (NULL: required), what it takes, what it is for. */
#define CONFIG_KEY(n_, d_, a_, h_)                                                           \
    {.name = n_, .type = CLAE_KEY_CUSTOM, .def = d_, .allowed = a_, .help = h_}

typedef enum sec_kind { SEC_NONE = -1, SEC_NET, SEC_TRAIN, SEC_LAYER, SEC_BRANCH } sec_kind;

/* What one section has said: which keys, on which lines. */
typedef struct sec_src {
    sec_kind kind;
    const clae_layer_kind *lk; /* a layer section's kind: its keys, then "name" */
    int line;          /* header line, 0 if the section never appeared */
    uint64_t seen;     /* bit i: the section's key i was set */
    int key_line[MAX_KEYS];
} sec_src;

typedef struct pctx {
    const char *name;
    const char *text;
    size_t pos;
    int lineno;
    clae_model *m;
    int cap;            /* capacity of m->layers and lsrc */
    sec_src *lsrc;      /* one per layer */
    sec_src net, train;
    sec_src bsrc[CLAE_MAX_BRANCHES]; /* one per [branch] */
    sec_kind kind;      /* current section */
    sec_src *cur;
    int stop;           /* first error recorded */
    clae_status st;
    int err_line;
    char err[512];
} pctx;

/* Record the first error (later ones are ignored): "<file>:<line>: <msg>
 * (key '<key>')", without the line or the key where they are 0 / NULL. */
void config_fail(pctx *c, int line, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Index of key among the keys section s takes (a layer's: its kind's, then
 * the common ones), -1 if none; whether s set it; the line that set it, or
 * the section header's. */
int config_key_index(const sec_src *s, const char *key);
int config_key_seen(const sec_src *s, const char *key);
int config_key_line(const sec_src *s, const char *key);
/* The keys of s close to an unknown one (one edit away, then two; at most
 * three), each after prefix, joined by " or " into buf: "" for none. */
const char *config_close_keys(const sec_src *s, const char *key, const char *prefix, char *buf,
                              size_t len);

/* Comma-separated integers in [lo, hi]; returns how many (0 on a bad one). */
int config_parse_ints(const char *v, int *out, int maxn, long lo, long hi);

/* [net] and [train] (sections.c): one key's value into c->m, or an error;
 * every default (line 0) into a fresh model. */
void config_net_key(pctx *c, int line, const char *key, const char *value);
void config_train_key(pctx *c, int line, const char *key, const char *value);
void config_section_defaults(pctx *c);
/* The optimizer's keys (optim_keys.c): 1 when key is one of them. */
int config_optim_train_key(pctx *c, int line, const char *key, const char *value);
int config_optim_net_key(pctx *c, int line, const char *key, const char *value);
/* Their checks once the text is read: weight decay and clipping need Adam. */
void config_optim_finish(pctx *c);

/* A layer section's key (layer_keys.c): its value into the current layer;
 * the defaults of the keys section s did not set (0 after an error: a
 * required one missing). */
void config_layer_key(pctx *c, int line, const char *key, const char *value);
int config_layer_defaults(pctx *c, clae_layer *l, const sec_src *s);

/* [branch] (branches.c): a section's start (its layers follow), one key's
 * value, and the checks once the text is read: two or more branches, each
 * named once and with layers, after a trunk; a layer's from= within its own
 * path. 0 after an error. */
void config_branch_start(pctx *c);
void config_branch_key(pctx *c, int line, const char *key, const char *value);
int config_branches_finish(pctx *c);
/* A layer's or branch's name: letters, digits and _, not starting with a
 * digit, not 'input', shorter than max (layer_keys.c). */
int config_good_name(const char *v, size_t max);

/* After the text is read (finish.c): defaults, checks, shapes, tensors. */
void config_finish(pctx *c);

/* Every layer's shape at batch N into g (shapes.c); msg explains a failure. */
clae_status model_build_shapes(const clae_model *m, int N, clae_conv_shape *g, char *msg,
                               size_t len);
/* a * b if it stays <= lim, else 0 */
size_t model_mul_lim(size_t a, size_t b, size_t lim);

/* The tensor list of the layers, laid out at CLAE_ALIGN_FLOATS (tensors.c);
 * CLAE_ERR_NOMEM. */
clae_status model_build_tensors(clae_model *m);

#endif
