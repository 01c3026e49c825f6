/* The model description: config (INI via libinih) -> layers with Keras
 * shapes, parameter tensors in one block each, Glorot init, summary. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "clae/model.h"
#include "clae/layer.h"
#include "clae/parse.h"

#define MAX_DIM 65536         /* any size, stride, channel count or spatial size */
#define MAX_BATCH (1 << 20)
#define MAX_CONFIG_BYTES (1 << 20)
#define MAX_KEYS 32 /* keys per section: bits of sec_src.seen */

/* ---- names ------------------------------------------------------------- */

const char *clae_act_name(clae_act a)
{
    return (unsigned)a <= CLAE_ACT_LEAKY_RELU ? clae_act_names[a] : "?";
}

/* ---- parse context ------------------------------------------------------ */

typedef enum sec_kind { SEC_NONE = -1, SEC_NET, SEC_TRAIN, SEC_LAYER } sec_kind;

/* [net] and [train]: every key once, with its default (parsed from here
 * into a fresh model, so this is the only place a default is written) and
 * what it takes (the config reference, `clae layers --markdown`, prints
 * this table; net_key and train_key below check the values). */
#define K(n_, d_, a_, h_)                                                                    \
    {.name = n_, .type = CLAE_KEY_CUSTOM, .def = d_, .allowed = a_, .help = h_}
const clae_key_spec clae_net_keys[] = {
    K("input", NULL, "three positive integers H,W,C like 32,32,3",
      "one sample's shape (Keras order)"),
    K("batch", "32", "an integer from 1 to 1048576", "images per training step"),
    K("optimizer", "adam", "adam or sgd", "the optimizer (Keras's)"),
    K("momentum", "0", "a number in [0, 1)", "sgd: momentum"),
    K("nesterov", "0", "0 or 1", "sgd: Nesterov momentum"),
    K("lr", "0.001", "a number from 1e-37 to 1e38", "the learning rate (Adam's and SGD's)"),
    K("beta1", "0.9", "a number in [0, 1)", "Adam's first-moment decay"),
    K("beta2", "0.999", "a number in [0, 1)", "Adam's second-moment decay"),
    K("eps", "1e-7", "a number from 1e-37 to 1e38",
      "Adam's epsilon (Keras: added after the bias correction)"),
    K("loss", "mse", "mse, mae, binary_crossentropy or categorical_crossentropy",
      "the loss (Keras's definitions; categorical_crossentropy after a softmax head)"),
    {0}};
const clae_key_spec clae_train_keys[] = {
    K("epochs", "1", "an integer from 1 to 1000000000", "epochs to train (--epochs wins)"),
    K("seed", "42", "an integer from 0 to 18446744073709551615",
      "initialisation, batch order, augmentation and corruption"),
    K("validation_split", "0.2", "a number in [0, 1)",
      "the last fraction of the training images, held out (Keras)"),
    K("corrupt", "blur", "blur, noise, saltpepper, mask or none",
      "what the network learns to undo"),
    K("blur_size", "5", "an odd integer from 1 to 63", "corrupt = blur: Gaussian kernel size"),
    K("blur_sigma", "1.1", "a number from 0.001 to 1000", "corrupt = blur: Gaussian sigma"),
    K("data", "data/cifar-10-batches-bin", "a path of 1 to 511 characters",
      "data folder: CIFAR-10 binary or clae data import's (--data wins)"),
    K("out", "runs/clae", "a path of 1 to 511 characters", "checkpoint folder (--out wins)"),
    K("max_steps", "0", "an integer >= 0 (0: no limit)",
      "stop after this many steps (--max-steps wins)"),
    K("shuffle", "1", "0 or 1", "shuffle the batches every epoch"),
    K("augment", "none", "recipe or none",
      "recipe: extra images by flip lr / flip ud / rotate -30"),
    K("augment_fraction", "0.3", "a number from 0 to 10",
      "augment = recipe: extra images per training image"),
    K("noise_sigma", "0.1", "a number from 0 to 10",
      "corrupt = noise: Gaussian noise sigma (clipped to [0, 1])"),
    K("sp_rate", "0.05", "a number in [0, 1]",
      "corrupt = saltpepper: fraction of pixels set to 0 or 1"),
    K("mask_count", "1", "an integer from 0 to 4096", "corrupt = mask: rectangles per image"),
    K("mask_min", "8", "an integer from 1 to 4096", "corrupt = mask: smallest side"),
    K("mask_max", "16", "an integer from 1 to 4096", "corrupt = mask: largest side"),
    K("target", "images", "images or labels",
      "what the network learns to give: the clean image (an autoencoder), or the CIFAR label "
      "(a classifier: a 1x1xK output, a softmax head, categorical_crossentropy, corrupt = none)"),
    K("freeze", "none", "none or the name of a layer",
      "layers up to and including it keep their weights (a trained encoder under a new head)"),
    K("classes", "all", "all or labels from 0 to 255 separated by commas, like 0,1",
      "train and test on these classes only (one-class anomaly detection; --classes wins)"),
    K("patience", "0", "an integer >= 0 (0: off)",
      "early stopping (Keras's EarlyStopping on val_loss): stop after this many epochs in a row "
      "without a lower validation loss"),
    K("lr_patience", "0", "an integer >= 0 (0: off)",
      "reduce on plateau (Keras's ReduceLROnPlateau on val_loss): after this many epochs in a "
      "row without a lower validation loss, multiply lr by lr_factor"),
    K("lr_factor", "0.1", "a number in (0, 1)", "reduce on plateau: the factor"),
    K("lr_min", "0", "a number >= 0", "reduce on plateau: lr never goes below this"),
    {0}};
#undef K
#define NKEYS(t) (sizeof(t) / sizeof((t)[0]) - 1)
static const clae_key_spec *const KEYS[] = {clae_net_keys, clae_train_keys};
/* Every section's keys fit key_line[] and the seen bits (a key past them
 * once overwrote the parser's state). */
_Static_assert(MAX_KEYS <= 32, "sec_src.seen has 32 bits");
_Static_assert(NKEYS(clae_net_keys) <= MAX_KEYS && NKEYS(clae_train_keys) <= MAX_KEYS,
               "a section has more keys than MAX_KEYS");

/* What one section has said: which keys, on which lines. */
typedef struct sec_src {
    sec_kind kind;
    const clae_layer_kind *lk; /* a layer section's kind: its keys, then "name" */
    int line;          /* header line, 0 if the section never appeared */
    unsigned seen;     /* bit i: KEYS[kind][i] was set */
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
    sec_kind kind;      /* current section */
    sec_src *cur;
    int stop;           /* first error recorded */
    clae_status st;
    int err_line;
    char err[512];
} pctx;

static void fail(pctx *c, int line, const char *key, const char *fmt, ...)
{
    if (c->stop) return;
    c->stop = 1;
    c->st = CLAE_ERR_FORMAT;
    c->err_line = line;
    char msg[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (line > 0 && key)
        snprintf(c->err, sizeof c->err, "%s:%d: %s (key '%s')", c->name, line, msg, key);
    else if (line > 0)
        snprintf(c->err, sizeof c->err, "%s:%d: %s", c->name, line, msg);
    else
        snprintf(c->err, sizeof c->err, "%s: %s", c->name, msg);
}

static int key_index(const sec_src *s, const char *key)
{
    if (s->kind == SEC_LAYER) {
        for (int i = 0; i < s->lk->nkeys; i++)
            if (strcmp(s->lk->keys[i].name, key) == 0) return i;
        for (int i = 0; i < CLAE_COMMON_NKEYS; i++)
            if (strcmp(clae_common_layer_keys[i].name, key) == 0) return s->lk->nkeys + i;
        return -1;
    }
    for (int i = 0; KEYS[s->kind][i].name; i++)
        if (strcmp(KEYS[s->kind][i].name, key) == 0) return i;
    return -1;
}

static int key_seen(const sec_src *s, const char *key)
{
    int i = key_index(s, key);
    return i >= 0 && (s->seen >> i & 1u);
}

/* Line of a key if the section set it, else the section header's line. */
static int key_line(const sec_src *s, const char *key)
{
    int i = key_index(s, key);
    return i >= 0 && (s->seen >> i & 1u) ? s->key_line[i] : s->line;
}


/* A section header line "[name]" (str starts with '['). */
static void section_start(pctx *c, const char *str)
{
    const char *end = strchr(str, ']');
    if (!end) {
        fail(c, c->lineno, NULL, "syntax error: section header without ']'");
        return;
    }
    for (const char *p = end + 1; *p && *p != '\n'; p++) {
        if (*p == ';' || *p == '#') break;
        if (*p != ' ' && *p != '\t' && *p != '\r') {
            fail(c, c->lineno, NULL, "syntax error: text after the section header");
            return;
        }
    }
    const char *b = str + 1;
    while (b < end && (*b == ' ' || *b == '\t')) b++;
    const char *e = end;
    while (e > b && (e[-1] == ' ' || e[-1] == '\t')) e--;
    char sec[64];
    size_t len = (size_t)(e - b);
    if (len >= sizeof sec) len = sizeof sec - 1;
    memcpy(sec, b, len);
    sec[len] = '\0';

    if (strcmp(sec, "net") == 0 || strcmp(sec, "train") == 0) {
        sec_src *s = sec[0] == 'n' ? &c->net : &c->train;
        if (s->line) {
            fail(c, c->lineno, NULL, "duplicate [%s] section (first on line %d)", sec, s->line);
            return;
        }
        s->line = c->lineno;
        s->kind = c->kind = sec[0] == 'n' ? SEC_NET : SEC_TRAIN;
        c->cur = s;
        return;
    }
    const clae_layer_kind *lk = clae_layer_kind_find(sec);
    if (!lk) {
        fail(c, c->lineno, NULL, "unknown section [%s] (expected net, train, %s)", sec,
             clae_layer_kind_list());
        return;
    }
    clae_model *m = c->m;
    if (m->nlayers == c->cap) {
        int cap = c->cap ? 2 * c->cap : 8;
        clae_layer *l = realloc(m->layers, (size_t)cap * sizeof *l);
        if (l) m->layers = l;
        sec_src *s = realloc(c->lsrc, (size_t)cap * sizeof *s);
        if (s) c->lsrc = s;
        if (!l || !s) {
            fail(c, 0, NULL, "out of memory");
            c->st = CLAE_ERR_NOMEM;
            return;
        }
        c->cap = cap;
    }
    clae_layer *l = &m->layers[m->nlayers];
    memset(l, 0, sizeof *l);
    l->kind = lk;
    l->line = c->lineno;
    l->weight = l->bias = -1;
    l->src = -1;
    sec_src *s = &c->lsrc[m->nlayers];
    memset(s, 0, sizeof *s);
    s->kind = SEC_LAYER;
    s->lk = lk;
    s->line = c->lineno;
    m->nlayers++;
    c->kind = SEC_LAYER;
    c->cur = s;
}

/* fgets over c->text: one line per call, so c->lineno is the line of the
 * handler call that follows. Strips leading blanks (no multi-line values),
 * '#' comments after a blank, and notices section headers. */
static char *reader(char *str, int num, void *stream)
{
    pctx *c = stream;
    if (c->stop || c->text[c->pos] == '\0') return NULL;
    const char *p = c->text + c->pos;
    const char *nl = strchr(p, '\n');
    size_t len = nl ? (size_t)(nl - p) : strlen(p);
    c->pos += len + (nl ? 1 : 0);
    c->lineno++;
    if (c->lineno == 1 && len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) p += 3, len -= 3;
    while (len && (*p == ' ' || *p == '\t')) p++, len--;
    for (size_t i = 1; i < len; i++)
        if (p[i] == '#' && (p[i - 1] == ' ' || p[i - 1] == '\t')) {
            len = i;
            break;
        }
    while (len && (p[len - 1] == ' ' || p[len - 1] == '\t' || p[len - 1] == '\r')) len--;
    if (num < 3 || len + 2 > (size_t)num) {
        fail(c, c->lineno, NULL, "line too long (at most %d characters)", num - 2);
        return NULL;
    }
    memcpy(str, p, len);
    str[len] = '\n';
    str[len + 1] = '\0';
    if (len == 0 || str[0] == '#' || str[0] == ';') return str;
    if (str[0] == '[') {
        section_start(c, str);
    } else if (!memchr(str, '=', len) && !memchr(str, ':', len)) {
        fail(c, c->lineno, NULL, "syntax error: expected key=value or [section]");
    }
    return c->stop ? NULL : str;
}

/* ---- value parsers -------------------------------------------------------- */

/* Comma-separated integers in [lo, hi]; returns how many (0 on a bad one). */
static int parse_ints(const char *v, int *out, int maxn, long lo, long hi)
{
    int n = 0;
    char buf[128];
    if (strlen(v) >= sizeof buf) return 0;
    strcpy(buf, v);
    char *p = buf;
    for (;;) {
        char *comma = strchr(p, ',');
        if (comma) *comma = '\0';
        long x;
        if (n == maxn || !clae_str_to_long(p, lo, hi, &x)) return 0;
        out[n++] = (int)x;
        if (!comma) return n;
        p = comma + 1;
    }
}

/* A positive float parameter: within [1e-37, 1e38], so that the float it
 * becomes is neither 0 nor infinite (lr = 1e300 once became inf and trained
 * on NaN; eps = 1e-60 silently became 0). */
#define FLOAT_POS_MIN 1e-37
#define FLOAT_POS_MAX 1e38
static int parse_float_pos(const char *v, float *out)
{
    double d;
    if (!clae_str_to_double(v, &d) || d < FLOAT_POS_MIN || d > FLOAT_POS_MAX) return 0;
    *out = (float)d;
    return 1;
}

static int copy_word(char *dst, size_t len, const char *v, const char *const *allowed)
{
    for (int i = 0; allowed[i]; i++)
        if (strcmp(v, allowed[i]) == 0) {
            snprintf(dst, len, "%s", v);
            return 1;
        }
    return 0;
}

/* ---- handler ---------------------------------------------------------------- */

#define BAD(expect) fail(c, line, key, "bad value '%s': expected %s", value, expect)

static void net_key(pctx *c, int line, const char *key, const char *value)
{
    clae_net_config *n = &c->m->net;
    long x;
    double d;
    if (strcmp(key, "input") == 0) {
        int v[3];
        if (parse_ints(value, v, 3, 1, MAX_DIM) != 3)
            BAD("three positive integers H,W,C like 32,32,3");
        else
            n->H = v[0], n->W = v[1], n->C = v[2];
    } else if (strcmp(key, "batch") == 0) {
        if (!clae_str_to_long(value, 1, MAX_BATCH, &x))
            BAD("an integer from 1 to 1048576");
        else
            n->batch = (int)x;
    } else if (strcmp(key, "optimizer") == 0) {
        static const char *const ok[] = {"adam", "sgd", NULL};
        if (!copy_word(n->optimizer, sizeof n->optimizer, value, ok))
            BAD("adam or sgd");
        else
            n->opt_kind = value[0] == 's' ? CLAE_OPT_SGD : CLAE_OPT_ADAM;
    } else if (strcmp(key, "momentum") == 0) {
        if (!clae_str_to_double(value, &d) || d < 0 || d >= 1 || (float)d >= 1.0f)
            BAD("a number in [0, 1)");
        else
            n->momentum = (float)d;
    } else if (strcmp(key, "nesterov") == 0) {
        if (!clae_str_to_long(value, 0, 1, &x))
            BAD("0 or 1");
        else
            n->nesterov = (int)x;
    } else if (strcmp(key, "loss") == 0) {
        static const char *const ok[] = {"mse", "mae", "binary_crossentropy",
                                         "categorical_crossentropy", NULL};
        if (!copy_word(n->loss, sizeof n->loss, value, ok))
            BAD("mse, mae, binary_crossentropy or categorical_crossentropy");
        else
            n->loss_kind = value[0] == 'c'   ? CLAE_LOSS_CCE
                           : value[0] == 'b' ? CLAE_LOSS_BCE
                           : value[1] == 'a' ? CLAE_LOSS_MAE
                                             : CLAE_LOSS_MSE;
    } else if (strcmp(key, "lr") == 0) {
        if (!parse_float_pos(value, &n->adam.lr)) BAD("a number from 1e-37 to 1e38");
    } else if (strcmp(key, "beta1") == 0 || strcmp(key, "beta2") == 0) {
        /* below 1 as a float too: 1 - beta^t is a divisor */
        if (!clae_str_to_double(value, &d) || d < 0 || d >= 1 || (float)d >= 1.0f)
            BAD("a number in [0, 1)");
        else if (key[4] == '1')
            n->adam.beta1 = (float)d;
        else
            n->adam.beta2 = (float)d;
    } else if (strcmp(key, "eps") == 0) {
        if (!parse_float_pos(value, &n->adam.eps)) BAD("a number from 1e-37 to 1e38");
    }
}

static void train_key(pctx *c, int line, const char *key, const char *value)
{
    clae_train_config *t = &c->m->train;
    long x;
    double d;
    if (strcmp(key, "epochs") == 0) {
        if (!clae_str_to_long(value, 1, CLAE_MAX_EPOCHS, &x))
            BAD("an integer from 1 to 1000000000");
        else
            t->epochs = x;
    } else if (strcmp(key, "seed") == 0) {
        if (!clae_str_to_u64(value, &t->seed)) BAD("an integer from 0 to 18446744073709551615");
    } else if (strcmp(key, "validation_split") == 0) {
        if (!clae_str_to_double(value, &d) || d < 0 || d >= 1)
            BAD("a number in [0, 1)");
        else
            t->validation_split = d;
    } else if (strcmp(key, "corrupt") == 0) {
        static const char *const ok[] = {"blur", "noise", "saltpepper", "mask", "none", NULL};
        if (!copy_word(t->corrupt, sizeof t->corrupt, value, ok))
            BAD("blur, noise, saltpepper, mask or none");
    } else if (strcmp(key, "target") == 0) {
        if (strcmp(value, "images") == 0)
            t->labels = 0;
        else if (strcmp(value, "labels") == 0)
            t->labels = 1;
        else
            BAD("images or labels");
    } else if (strcmp(key, "freeze") == 0) {
        if (strcmp(value, "none") == 0)
            t->freeze_name[0] = '\0';
        else if (!*value || strlen(value) >= sizeof t->freeze_name)
            BAD("none or the name of a layer");
        else
            snprintf(t->freeze_name, sizeof t->freeze_name, "%s", value);
    } else if (strcmp(key, "classes") == 0) {
        if (!clae_classes_parse(value, &t->classes))
            BAD("all or labels from 0 to 255 separated by commas, like 0,1");
    } else if (strcmp(key, "augment") == 0) {
        static const char *const ok[] = {"recipe", "none", NULL};
        if (!copy_word(t->augment, sizeof t->augment, value, ok)) BAD("recipe or none");
    } else if (strcmp(key, "augment_fraction") == 0) {
        if (!clae_str_to_double(value, &d) || d < 0 || d > 10)
            BAD("a number from 0 to 10");
        else
            t->augment_fraction = d;
    } else if (strcmp(key, "noise_sigma") == 0) {
        if (!clae_str_to_double(value, &d) || d < 0 || d > 10)
            BAD("a number from 0 to 10");
        else
            t->noise_sigma = d;
    } else if (strcmp(key, "sp_rate") == 0) {
        if (!clae_str_to_double(value, &d) || d < 0 || d > 1)
            BAD("a number in [0, 1]");
        else
            t->sp_rate = d;
    } else if (strcmp(key, "mask_count") == 0 || strcmp(key, "mask_min") == 0 ||
               strcmp(key, "mask_max") == 0) {
        int *dst = key[5] == 'c' ? &t->mask_count : key[6] == 'i' ? &t->mask_min : &t->mask_max;
        if (!clae_str_to_long(value, key[5] == 'c' ? 0 : 1, 4096, &x))
            BAD(key[5] == 'c' ? "an integer from 0 to 4096" : "an integer from 1 to 4096");
        else
            *dst = (int)x;
    } else if (strcmp(key, "blur_size") == 0) {
        if (!clae_str_to_long(value, 1, 63, &x) || x % 2 == 0) /* the device blur's largest */
            BAD("an odd integer from 1 to 63");
        else
            t->blur_size = (int)x;
    } else if (strcmp(key, "blur_sigma") == 0) {
        /* 2 sigma^2 is a divisor of the Gaussian's exponent: keep it normal */
        if (!clae_str_to_double(value, &d) || d < 1e-3 || d > 1e3)
            BAD("a number from 0.001 to 1000");
        else
            t->blur_sigma = d;
    } else if (strcmp(key, "data") == 0 || strcmp(key, "out") == 0) {
        char *dst = key[0] == 'd' ? t->data : t->out;
        if (!*value || strlen(value) >= sizeof t->data)
            BAD("a path of 1 to 511 characters");
        else
            strcpy(dst, value);
    } else if (strcmp(key, "max_steps") == 0) {
        if (!clae_str_to_long(value, 0, LONG_MAX, &x))
            BAD("an integer >= 0 (0: no limit)");
        else
            t->max_steps = x;
    } else if (strcmp(key, "shuffle") == 0) {
        if (!clae_str_to_long(value, 0, 1, &x))
            BAD("0 or 1");
        else
            t->shuffle = (int)x;
    } else if (strcmp(key, "patience") == 0 || strcmp(key, "lr_patience") == 0) {
        if (!clae_str_to_long(value, 0, CLAE_MAX_EPOCHS, &x))
            BAD("an integer >= 0 (0: off)");
        else
            *(key[0] == 'p' ? &t->patience : &t->lr_patience) = x;
    } else if (strcmp(key, "lr_factor") == 0) {
        if (!clae_str_to_double(value, &d) || !(d > 0 && d < 1))
            BAD("a number in (0, 1)");
        else
            t->lr_factor = d;
    } else if (strcmp(key, "lr_min") == 0) {
        if (!clae_str_to_double(value, &d) || d < 0 || d > 1e38)
            BAD("a number >= 0");
        else
            t->lr_min = d;
    }
}

/* The bytes of key k's field in l: a common member, or a member of the
 * kind's settings struct (written byte-wise, as the kind reads them). */
static unsigned char *layer_field(clae_layer *l, const clae_key_spec *k)
{
    return (unsigned char *)l + k->field;
}

/* Parse value as key k of a layer into its field; 0 when it is not allowed. */
static int layer_value(clae_layer *l, const clae_key_spec *k, const char *value)
{
    unsigned char *f = layer_field(l, k);
    long x;
    int a[3];
    switch (k->type) {
    case CLAE_KEY_INT:
        if (!clae_str_to_long(value, k->min, k->max, &x)) return 0;
        a[0] = (int)x;
        memcpy(f, a, sizeof a[0]);
        return 1;
    case CLAE_KEY_SHAPE:
        if (parse_ints(value, a, 3, k->min, k->max) != 3) return 0;
        memcpy(f, a, 3 * sizeof a[0]);
        return 1;
    case CLAE_KEY_FLOAT: {
        double v;
        if (!clae_str_to_double(value, &v) || v < k->fmin || v > k->fmax) return 0;
        float fv = (float)v;
        memcpy(f, &fv, sizeof fv);
        return 1;
    }
    case CLAE_KEY_PAIR: {
        int n = parse_ints(value, a, 2, k->min, k->max);
        if (n < 1) return 0;
        if (n == 1) a[1] = a[0];
        memcpy(f, a, 2 * sizeof a[0]);
        return 1;
    }
    case CLAE_KEY_CHOICE:
        for (int i = 0; k->choices[i]; i++)
            if (strcmp(value, k->choices[i]) == 0) {
                memcpy(f, &i, sizeof i);
                return 1;
            }
        return 0;
    case CLAE_KEY_LAYER:  /* resolved in finish(), once every name is known */
    case CLAE_KEY_CUSTOM: /* [net] and [train] parse their own */
        return 0;
    }
    return 0;
}

/* name = ...: letters, digits and '_', not starting with a digit, unique. */
static int good_name(const char *v)
{
    size_t n = strlen(v);
    if (n == 0 || n >= CLAE_LAYER_NAME_MAX || (v[0] >= '0' && v[0] <= '9')) return 0;
    if (strcmp(v, "input") == 0) return 0; /* reserved: the network input */
    for (size_t i = 0; i < n; i++)
        if (!(isalnum((unsigned char)v[i]) || v[i] == '_')) return 0;
    return 1;
}

static void layer_key(pctx *c, int line, const char *key, const char *value)
{
    clae_model *m = c->m;
    clae_layer *l = &m->layers[m->nlayers - 1];
    const clae_layer_kind *lk = c->cur->lk;
    int ki = key_index(c->cur, key);
    if (ki == lk->nkeys) { /* name */
        if (!good_name(value)) {
            BAD("a name of letters, digits and _ (not starting with a digit, not 'input'), at "
                "most 31");
            return;
        }
        for (int i = 0; i + 1 < m->nlayers; i++)
            if (strcmp(m->layers[i].name, value) == 0) {
                fail(c, line, key, "layer name '%s' is already layer %d's (line %d)", value, i,
                     m->layers[i].line);
                return;
            }
        snprintf(l->name, sizeof l->name, "%s", value);
        return;
    }
    const clae_key_spec *k = ki < lk->nkeys ? &lk->keys[ki] : &clae_common_layer_keys[ki - lk->nkeys];
    if (k->type == CLAE_KEY_LAYER) { /* every earlier layer is read by now */
        int src = -1;
        if (strcmp(value, "input") == 0) src = CLAE_SRC_INPUT;
        for (int i = 0; i + 1 < m->nlayers; i++)
            if (m->layers[i].name[0] && strcmp(m->layers[i].name, value) == 0) src = i;
        if (src == -1)
            fail(c, line, key, "no earlier layer is named '%s'", value);
        else
            memcpy(layer_field(l, k), &src, sizeof src);
        return;
    }
    if (!layer_value(l, k, value)) {
        char al[200];
        clae_key_allowed(k, al, sizeof al);
        BAD(al);
    }
}

/* Defaults for the keys a layer section did not set; the first required
 * key missing fails. */
static int layer_defaults(pctx *c, clae_layer *l, const sec_src *s)
{
    const clae_layer_kind *lk = s->lk;
    for (int i = 0; i < lk->nkeys; i++) {
        const clae_key_spec *k = &lk->keys[i];
        if (s->seen >> i & 1u) continue;
        if (k->def) {
            if (!layer_value(l, k, k->def)) {
                fail(c, s->line, k->name, "[%s]: bad built-in default '%s'", lk->name, k->def);
                return 0;
            }
        } else if (!k->def_from) {
            fail(c, s->line, k->name, "[%s] needs %s", lk->name, k->name);
            return 0;
        }
    }
    for (int i = 0; i < lk->nkeys; i++) { /* defaults taken from another key, after those */
        const clae_key_spec *k = &lk->keys[i];
        if ((s->seen >> i & 1u) || !k->def_from) continue;
        for (int j = 0; j < lk->nkeys; j++)
            if (strcmp(lk->keys[j].name, k->def_from) == 0)
                memmove(layer_field(l, k), layer_field(l, &lk->keys[j]),
                        (k->type == CLAE_KEY_PAIR ? 2 : 1) * sizeof(int));
    }
    return 1;
}

/* The i-th key a section takes (a layer's: its kind's, then the common
 * ones), NULL past the last. */
static const char *section_key(const sec_src *s, int i)
{
    if (s->kind != SEC_LAYER) return KEYS[s->kind][i].name;
    if (i < s->lk->nkeys) return s->lk->keys[i].name;
    if (i < s->lk->nkeys + CLAE_COMMON_NKEYS) return clae_common_layer_keys[i - s->lk->nkeys].name;
    return NULL;
}

/* The keys of s close to an unknown one (one edit away, then two; at most
 * three), each after prefix, joined by " or " into buf: "" for none. */
static const char *close_keys(const sec_src *s, const char *key, const char *prefix, char *buf,
                              size_t len)
{
    size_t at = 0;
    int n = 0;
    buf[0] = '\0';
    for (int d = 0; d <= 2; d++)
        for (int i = 0; section_key(s, i) && n < 3; i++) {
            if (clae_edit_distance(key, section_key(s, i)) != d) continue;
            int w = snprintf(buf + at, len - at, "%s%s%s", n ? " or " : "", prefix,
                             section_key(s, i));
            if (w < 0 || (size_t)w >= len - at) return buf;
            at += (size_t)w;
            n++;
        }
    return buf;
}

static const char *kind_name(const pctx *c)
{
    if (c->kind == SEC_NET) return "net";
    if (c->kind == SEC_TRAIN) return "train";
    return c->cur->lk->name;
}

static int handler(void *user, const char *section, const char *key, const char *value)
{
    pctx *c = user;
    (void)section; /* the reader tracks sections itself (repeats are new layers) */
    if (c->stop) return 1;
    int line = c->lineno;
    if (c->kind == SEC_NONE) {
        fail(c, line, key, "key outside any section (start with [net])");
        return 1;
    }
    int ki = key_index(c->cur, key);
    if (ki < 0) {
        char near[160];
        if (*close_keys(c->cur, key, "", near, sizeof near))
            fail(c, line, key, "unknown key in [%s]; did you mean %s?", kind_name(c), near);
        else
            fail(c, line, key, "unknown key in [%s]", kind_name(c));
        return 1;
    }
    if (c->cur->seen >> ki & 1u) {
        fail(c, line, key, "duplicate key (first set on line %d)", c->cur->key_line[ki]);
        return 1;
    }
    c->cur->seen |= 1u << ki;
    c->cur->key_line[ki] = line;
    if (c->kind == SEC_NET)
        net_key(c, line, key, value);
    else if (c->kind == SEC_TRAIN)
        train_key(c, line, key, value);
    else
        layer_key(c, line, key, value);
    return 1;
}

/* ---- shapes, tensors, layout ------------------------------------------------ */

/* a * b if it stays <= lim, else 0 */
static size_t mul_lim(size_t a, size_t b, size_t lim)
{
    if (a && b > lim / a) return 0;
    return a * b;
}

static clae_status layer_shape(const clae_layer *l, int N, clae_conv_shape *g)
{
    return l->kind->shape(l, N, g);
}

/* Shapes at batch N; msg explains a failure. */
static clae_status build_shapes(const clae_model *m, int N, clae_conv_shape *g, char *msg,
                                size_t len)
{
    if (N < 1 || N > MAX_BATCH) {
        snprintf(msg, len, "batch %d out of range 1..%d", N, MAX_BATCH);
        return CLAE_ERR_SHAPE;
    }
    if (!mul_lim((size_t)N, clae_model_in_count(m), INT_MAX)) {
        snprintf(msg, len, "batch %d: the input would have more than %d elements", N, INT_MAX);
        return CLAE_ERR_SHAPE;
    }
    for (int i = 0; i < m->nlayers; i++) {
        const clae_layer *l = &m->layers[i];
        if (layer_shape(l, N, &g[i]) != CLAE_OK) {
            snprintf(msg, len, "layer %d has no valid shape", i);
            return CLAE_ERR_SHAPE;
        }
        if (!mul_lim((size_t)N, clae_layer_out_count(l), INT_MAX)) {
            snprintf(msg, len, "batch %d: layer %d's output would have more than %d elements", N,
                     i, INT_MAX);
            return CLAE_ERR_SHAPE;
        }
    }
    return CLAE_OK;
}

clae_status clae_model_shapes(const clae_model *m, int N, clae_conv_shape *g)
{
    char msg[160];
    clae_status st = build_shapes(m, N, g, msg, sizeof msg);
    if (st != CLAE_OK) fprintf(stderr, "clae: %s: %s\n", m->name ? m->name : "model", msg);
    return st;
}

size_t clae_model_in_count(const clae_model *m)
{
    return (size_t)m->net.H * (size_t)m->net.W * (size_t)m->net.C;
}

size_t clae_layer_out_count(const clae_layer *l)
{
    return (size_t)l->out_h * (size_t)l->out_w * (size_t)l->out_c;
}

size_t clae_model_max_count(const clae_model *m)
{
    size_t mx = clae_model_in_count(m);
    for (int i = 0; i < m->nlayers; i++) {
        size_t n = clae_layer_out_count(&m->layers[i]);
        if (n > mx) mx = n;
    }
    return mx;
}

const clae_tensor *clae_model_tensors(const clae_model *m, int *n)
{
    if (n) *n = m->ntensors;
    return m->tensors;
}

int clae_model_find_tensor(const clae_model *m, const char *name)
{
    for (int i = 0; i < m->ntensors; i++)
        if (strcmp(m->tensors[i].name, name) == 0) return i;
    return -1;
}

static size_t round_up(size_t x, size_t a) { return (x + a - 1) / a * a; }

clae_status clae_model_layout(clae_model *m, size_t align_floats)
{
    if (align_floats == 0 || (align_floats & (align_floats - 1)) || m->params || m->grads ||
        m->adam_m || m->adam_v)
        return CLAE_ERR_ARG;
    size_t cur = 0;
    for (int i = 0; i < m->ntensors; i++) {
        m->tensors[i].offset = round_up(cur, align_floats);
        cur = m->tensors[i].offset + m->tensors[i].count;
    }
    m->align = align_floats;
    m->block_floats = round_up(cur, align_floats);
    return CLAE_OK;
}

clae_status clae_model_check_align(const clae_model *m, size_t align_bytes)
{
    if (align_bytes == 0 || (m->align * sizeof(float)) % align_bytes == 0) return CLAE_OK;
    fprintf(stderr,
            "clae: tensor alignment %zu bytes is not a multiple of the device's base address "
            "alignment %zu bytes\n",
            m->align * sizeof(float), align_bytes);
    return CLAE_ERR_ARG;
}

static void add_tensor(clae_model *m, int layer, const char *what, int ndim, const int *dims)
{
    clae_tensor *t = &m->tensors[m->ntensors++];
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "layers.%d.%s", layer, what);
    t->layer = layer;
    t->ndim = ndim;
    t->count = 1;
    for (int i = 0; i < ndim; i++) {
        t->dims[i] = dims[i];
        t->count *= (size_t)dims[i];
    }
}

/* After the text is read: defaults, required keys, shapes, tensors. */
/* The last layer against what the network learns: an autoencoder's output
 * is the input's shape; a classifier's (target = labels) is 1x1xK after a
 * softmax [dense] head, with categorical_crossentropy, on clean inputs.
 * Softmax and categorical_crossentropy go together and nowhere else. */
static int check_head(pctx *c, int H, int W, int C)
{
    clae_model *m = c->m;
    const clae_layer *last = &m->layers[m->nlayers - 1];
    for (int i = 0; i < m->nlayers; i++) {
        const clae_layer *l = &m->layers[i];
        if (l->act == CLAE_ACT_SOFTMAX && (i != m->nlayers - 1 || !l->kind->softmax_head)) {
            fail(c, key_line(&c->lsrc[i], "activation"), "activation",
                 "layer %d (%s): softmax only on the last layer, a [dense] head", i,
                 l->kind->name);
            return 0;
        }
    }
    int cce = m->net.loss_kind == CLAE_LOSS_CCE, soft = last->act == CLAE_ACT_SOFTMAX;
    if (cce != soft || (cce && !m->train.labels)) {
        fail(c, key_line(&c->net, "loss"), "loss",
             "categorical_crossentropy goes with a softmax last layer and [train] target = labels "
             "(loss %s, last activation %s, target %s)", m->net.loss, clae_act_names[last->act],
             m->train.labels ? "labels" : "images");
        return 0;
    }
    if (!m->train.labels) {
        if (H == m->net.H && W == m->net.W && C == m->net.C) return 1;
        fail(c, last->line, NULL,
             "the last layer's output (None, %d, %d, %d) must match the input (None, %d, %d, %d)",
             H, W, C, m->net.H, m->net.W, m->net.C);
        return 0;
    }
    if (H != 1 || W != 1 || C < 2) {
        fail(c, last->line, NULL, "target = labels: the last layer's output (None, %d, %d, %d) "
             "must be (None, 1, 1, K), one value a class", H, W, C);
        return 0;
    }
    if (strcmp(m->train.corrupt, "none") != 0) {
        fail(c, key_line(&c->train, "corrupt"), "corrupt",
             "target = labels takes corrupt = none (a classifier of clean images)");
        return 0;
    }
    return 1;
}

static void finish(pctx *c)
{
    clae_model *m = c->m;
    if (!c->net.line) {
        fail(c, 0, NULL, "missing [net] section");
        return;
    }
    if (!key_seen(&c->net, "input")) {
        fail(c, c->net.line, "input", "[net] needs input=H,W,C");
        return;
    }
    if (m->nlayers == 0) {
        fail(c, 0, NULL, "no layers (add sections of the layer kinds: %s)", clae_layer_kind_list());
        return;
    }
    if (m->train.mask_min > m->train.mask_max) {
        const char *k = key_seen(&c->train, "mask_min") ? "mask_min" : "mask_max";
        fail(c, key_line(&c->train, k), k, "mask_min %d is larger than mask_max %d",
             m->train.mask_min, m->train.mask_max);
        return;
    }
    int H = m->net.H, W = m->net.W, C = m->net.C;
    for (int i = 0; i < m->nlayers; i++) {
        clae_layer *l = &m->layers[i];
        const sec_src *s = &c->lsrc[i];
        const char *tn = l->kind->name;
        if (!layer_defaults(c, l, s)) return;
        l->in_h = H, l->in_w = W, l->in_c = C;
        l->src_layer = l->src >= 0 ? &m->layers[l->src] : NULL;
        if (l->src_layer)
            l->src_h = l->src_layer->out_h, l->src_w = l->src_layer->out_w,
            l->src_c = l->src_layer->out_c;
        else if (l->src == CLAE_SRC_INPUT)
            l->src_h = m->net.H, l->src_w = m->net.W, l->src_c = m->net.C;
        if (l->activity_l1 > 0 && i == m->nlayers - 1) {
            fail(c, key_line(s, "activity_l1"), "activity_l1",
                 "layer %d (%s): not on the last layer (its derivative goes with the loss's); "
                 "put it on the code layer", i, tn);
            return;
        }
        if (l->kind->check) {
            char msg[200];
            const char *k = l->kind->check(l, msg, sizeof msg);
            if (k) {
                fail(c, key_line(s, k), k, "layer %d (%s): %s", i, tn, msg);
                return;
            }
        }
        /* an upsampling layer's output is about its input times its stride
         * (or factor): bounded before the shape is computed in int */
        const char *k = l->kind->grow_key;
        if (k && ((long)H * l->sh + l->R > MAX_DIM || (long)W * l->sw + l->S > MAX_DIM)) {
            fail(c, key_line(s, k), k,
                 "layer %d (%s): output would be larger than %dx%d", i, tn, MAX_DIM, MAX_DIM);
            return;
        }
        clae_conv_shape g;
        if (layer_shape(l, 1, &g) != CLAE_OK) {
            fail(c, key_line(s, "size"), "size",
                 "layer %d (%s): a %dx%d window with padding=valid does not fit its %dx%d input",
                 i, tn, l->R, l->S, H, W);
            return;
        }
        if (g.P > MAX_DIM || g.Q > MAX_DIM) {
            fail(c, key_line(s, "stride"), "stride",
                 "layer %d (%s): output %dx%d is larger than %dx%d", i, tn, g.P, g.Q, MAX_DIM,
                 MAX_DIM);
            return;
        }
        l->out_h = H = g.P;
        l->out_w = W = g.Q;
        l->out_c = C = g.K;
        for (int p = 0; p < l->kind->nparams; p++) {
            int nd, dims[4];
            l->kind->param_dims(l, p, &nd, dims);
            size_t cnt = 1;
            for (int j = 0; j < nd && cnt; j++) cnt = mul_lim(cnt, (size_t)dims[j], INT_MAX);
            if (!cnt) {
                const char *k0 = l->kind->keys[0].name;
                fail(c, key_line(s, k0), k0, "layer %d (%s): the %s would have more than %d "
                     "elements", i, tn, l->kind->param_names[p], INT_MAX);
                return;
            }
        }
    }
    if (!check_head(c, H, W, C)) return;

    m->train.freeze = -1;
    if (m->train.freeze_name[0]) { /* a name, resolved now that every layer is read */
        for (int i = 0; i < m->nlayers; i++)
            if (strcmp(m->layers[i].name, m->train.freeze_name) == 0) m->train.freeze = i;
        if (m->train.freeze < 0) {
            fail(c, key_line(&c->train, "freeze"), "freeze", "no layer is named '%s'",
                 m->train.freeze_name);
            return;
        }
        if (m->train.freeze == m->nlayers - 1) {
            fail(c, key_line(&c->train, "freeze"), "freeze",
                 "'%s' is the last layer: nothing would train", m->train.freeze_name);
            return;
        }
    }

    int ntens = 0;
    for (int i = 0; i < m->nlayers; i++) ntens += m->layers[i].kind->nparams;
    m->tensors = calloc((size_t)ntens + 1, sizeof *m->tensors);
    if (!m->tensors) {
        fail(c, 0, NULL, "out of memory");
        c->st = CLAE_ERR_NOMEM;
        return;
    }
    m->nparams = 0;
    for (int i = 0; i < m->nlayers; i++) {
        clae_layer *l = &m->layers[i];
        for (int p = 0; p < l->kind->nparams; p++) {
            int nd, dims[4];
            l->kind->param_dims(l, p, &nd, dims);
            if (p == 0) l->weight = m->ntensors;
            if (p == 1) l->bias = m->ntensors;
            add_tensor(m, i, l->kind->param_names[p], nd, dims);
            m->nparams += m->tensors[m->ntensors - 1].count;
        }
    }
    clae_model_layout(m, CLAE_ALIGN_FLOATS);
    /* One block holds every parameter, and the optimizer's kernels count it
     * with 32-bit integers. */
    if (m->block_floats > INT_MAX) {
        fail(c, 0, NULL, "the layers have %zu parameters in all (aligned); at most %d",
             m->block_floats, INT_MAX);
        return;
    }

    char msg[160];
    clae_conv_shape *g = malloc((size_t)m->nlayers * sizeof *g);
    if (!g) {
        fail(c, 0, NULL, "out of memory");
        c->st = CLAE_ERR_NOMEM;
        return;
    }
    if (build_shapes(m, m->net.batch, g, msg, sizeof msg) != CLAE_OK) /* the batch fits */
        fail(c, key_line(&c->net, "batch"), "batch", "%s", msg);
    free(g);
}

/* The defaults of [net] and [train], parsed from their key tables. */
static void set_defaults(pctx *c)
{
    for (const clae_key_spec *k = clae_net_keys; k->name; k++)
        if (k->def) net_key(c, 0, k->name, k->def);
    for (const clae_key_spec *k = clae_train_keys; k->name; k++)
        if (k->def) train_key(c, 0, k->name, k->def);
    c->m->align = CLAE_ALIGN_FLOATS;
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

/* Read a whole config file; on failure fills c->err as a file-level error. */
static char *read_file(pctx *c, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fail(c, 0, NULL, "cannot open: %s", strerror(errno));
        c->st = CLAE_ERR_IO;
        return NULL;
    }
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (len + 1 == cap) {
            if (cap > MAX_CONFIG_BYTES) break;
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb, cap *= 2;
        }
        size_t got = fread(buf + len, 1, cap - 1 - len, f);
        len += got;
        if (got == 0) break;
    }
    int rd_err = ferror(f);
    fclose(f);
    if (!buf) {
        fail(c, 0, NULL, "out of memory");
        c->st = CLAE_ERR_NOMEM;
        return NULL;
    }
    if (rd_err) {
        fail(c, 0, NULL, "cannot read: %s", strerror(errno ? errno : EIO));
        c->st = CLAE_ERR_IO;
    } else if (len > MAX_CONFIG_BYTES) {
        fail(c, 0, NULL, "too large for a config (more than %d bytes)", MAX_CONFIG_BYTES);
    } else if (memchr(buf, '\0', len)) {
        fail(c, 0, NULL, "not a text file (contains a NUL byte)");
    }
    if (c->stop) {
        free(buf);
        return NULL;
    }
    buf[len] = '\0';
    return buf;
}

clae_status clae_model_parse_ex(const char *path, const char *text, const char *name,
                                clae_model *m, char *err, size_t errlen)
{
    memset(m, 0, sizeof *m);
    pctx c = {0};
    c.name = path ? path : (name ? name : "config");
    c.m = m;
    c.kind = SEC_NONE;
    c.st = CLAE_OK;
    set_defaults(&c);
    m->name = dup_str(c.name);
    if (!m->name) {
        fail(&c, 0, NULL, "out of memory");
        c.st = CLAE_ERR_NOMEM;
    } else if (path) {
        m->text = read_file(&c, path);
    } else if (!text) {
        fail(&c, 0, NULL, "no config text");
        c.st = CLAE_ERR_ARG;
    } else if (strlen(text) > MAX_CONFIG_BYTES) {
        fail(&c, 0, NULL, "too large for a config (more than %d bytes)", MAX_CONFIG_BYTES);
    } else if (!(m->text = dup_str(text))) {
        fail(&c, 0, NULL, "out of memory");
        c.st = CLAE_ERR_NOMEM;
    }
    if (!c.stop) {
        c.text = m->text;
        int ret = ini_parse_stream(reader, &c, handler, &c);
        /* ret > 0: a line inih rejected that the reader let through; report
         * whichever problem comes first. */
        if (ret > 0 && (!c.stop || ret < c.err_line)) {
            c.stop = 0;
            fail(&c, ret, NULL, "syntax error: expected key=value or [section]");
        } else if (ret < 0 && !c.stop) {
            fail(&c, 0, NULL, "cannot parse (inih error %d)", ret);
        }
    }
    if (!c.stop) finish(&c);
    free(c.lsrc);
    if (c.stop) {
        if (err && errlen)
            snprintf(err, errlen, "%s", c.err);
        else if (!err)
            fprintf(stderr, "clae: %s\n", c.err);
        clae_model_free(m);
        return c.st;
    }
    if (err && errlen) err[0] = '\0';
    return CLAE_OK;
}

clae_status clae_model_load(const char *path, clae_model *m)
{
    return clae_model_parse_ex(path, NULL, NULL, m, NULL, 0);
}

clae_status clae_model_parse_string(const char *text, const char *name, clae_model *m)
{
    return clae_model_parse_ex(NULL, text, name, m, NULL, 0);
}

/* ---- --set: one key of the config text changed ---------------------------- */

/* The text of line `no` (1-based) of text: *len characters from the
 * returned pointer (no newline), or NULL past the end. */
static const char *text_line(const char *text, int no, size_t *len)
{
    const char *p = text;
    for (int i = 1; i < no; i++) {
        p = strchr(p, '\n');
        if (!p) return NULL;
        p++;
    }
    if (!*p && no > 1) return NULL;
    *len = strcspn(p, "\n");
    return p;
}

/* A section header's name: "[ net ]" -> "net" into buf; 0 if the line is
 * no header. */
static int header_name(const char *line, size_t len, char *buf, size_t blen)
{
    size_t i = 0;
    while (i < len && (line[i] == ' ' || line[i] == '\t')) i++;
    if (i == len || line[i] != '[') return 0;
    const char *b = line + i + 1, *e = memchr(b, ']', len - i - 1);
    if (!e) return 0;
    while (b < e && (*b == ' ' || *b == '\t')) b++;
    while (e > b && (e[-1] == ' ' || e[-1] == '\t')) e--;
    snprintf(buf, blen, "%.*s", (int)(e - b), b);
    return 1;
}

/* The key a "key = value" line sets, into buf ("" for a blank, comment or
 * header line). */
static void line_key(const char *line, size_t len, char *buf, size_t blen)
{
    size_t i = 0;
    while (i < len && (line[i] == ' ' || line[i] == '\t')) i++;
    size_t j = i;
    while (j < len && line[j] != '=' && line[j] != ':') j++;
    buf[0] = '\0';
    if (i == len || line[i] == '#' || line[i] == ';' || line[i] == '[' || j == len) return;
    while (j > i && (line[j - 1] == ' ' || line[j - 1] == '\t')) j--;
    snprintf(buf, blen, "%.*s", (int)(j - i), line + i);
}

clae_status clae_model_set(clae_model *m, const char *assign)
{
    if (strpbrk(assign, "\r\n")) {
        fprintf(stderr, "clae: --set %.*s...: a setting is one line\n",
                (int)strcspn(assign, "\r\n"), assign);
        return CLAE_ERR_ARG;
    }
    const char *eq = strchr(assign, '=');
    char lhs[128];
    if (!eq || (size_t)(eq - assign) >= sizeof lhs) {
        fprintf(stderr, "clae: --set %s: expected SECTION.KEY=VALUE, like net.lr=0.01\n", assign);
        return CLAE_ERR_ARG;
    }
    snprintf(lhs, sizeof lhs, "%.*s", (int)(eq - assign), assign);
    const char *value = eq + 1;
    char *dot = strrchr(lhs, '.');
    if (!dot || dot == lhs || !dot[1] || !*value) {
        fprintf(stderr, "clae: --set %s: expected SECTION.KEY=VALUE, like net.lr=0.01\n", assign);
        return CLAE_ERR_ARG;
    }
    *dot = '\0';
    const char *sec = lhs, *key = dot + 1;

    /* The section: its header line, and its keys for checking the name. */
    sec_src src = {.kind = SEC_NONE};
    int header = 0;
    long li = -1;
    if (strcmp(sec, "net") == 0 || strcmp(sec, "train") == 0) {
        src.kind = sec[0] == 'n' ? SEC_NET : SEC_TRAIN;
        size_t len;
        const char *l;
        char name[64];
        for (int no = 1; (l = text_line(m->text, no, &len)) != NULL; no++)
            if (header_name(l, len, name, sizeof name) && strcmp(name, sec) == 0) header = no;
    } else {
        if (strncmp(sec, "layers.", 7) == 0 && !clae_str_to_long(sec + 7, 0, m->nlayers - 1, &li))
            li = -2;
        for (int i = 0; li == -1 && i < m->nlayers; i++)
            if (m->layers[i].name[0] && strcmp(m->layers[i].name, sec) == 0) li = i;
        if (li < 0) {
            fprintf(stderr, "clae: --set %s: %s has no section '%s' (net, train, a layer's name or "
                    "layers.0 to layers.%d)\n", assign, m->name, sec, m->nlayers - 1);
            return CLAE_ERR_ARG;
        }
        src.kind = SEC_LAYER;
        src.lk = m->layers[li].kind;
        header = m->layers[li].line;
    }
    if (key_index(&src, key) < 0) {
        sec_src other = {.kind = src.kind == SEC_NET ? SEC_TRAIN : SEC_NET};
        char prefix[136], near[480];
        snprintf(prefix, sizeof prefix, "%s.", sec);
        close_keys(&src, key, prefix, near, sizeof near);
        if (src.kind != SEC_LAYER && key_index(&other, key) >= 0)
            fprintf(stderr, "clae: --set %s: %s is a key of [%s]: --set %s.%s=%s\n", assign, key,
                    other.kind == SEC_NET ? "net" : "train", other.kind == SEC_NET ? "net" : "train",
                    key, value);
        else if (*near)
            fprintf(stderr, "clae: --set %s: [%s] has no key '%s'; did you mean %s?\n", assign,
                    src.kind == SEC_LAYER ? src.lk->name : sec, key, near);
        else
            fprintf(stderr, "clae: --set %s: [%s] has no key '%s' (clae layers lists every key)\n",
                    assign, src.kind == SEC_LAYER ? src.lk->name : sec, key);
        return CLAE_ERR_ARG;
    }

    /* The new text: the key's line replaced, or the key added under the
     * header, or (no [train] yet) a [train] section at the end. */
    size_t tlen = strlen(m->text), need = tlen + strlen(key) + strlen(value) + 32;
    char *text = malloc(need);
    if (!text) {
        fprintf(stderr, "clae: out of memory\n");
        return CLAE_ERR_NOMEM;
    }
    int target = 0; /* the line to replace, or 0 */
    if (header > 0) {
        size_t len;
        const char *l;
        char name[64], k[64];
        for (int no = header + 1; (l = text_line(m->text, no, &len)) != NULL; no++) {
            if (header_name(l, len, name, sizeof name)) break;
            line_key(l, len, k, sizeof k);
            if (strcmp(k, key) == 0) target = no;
        }
    }
    size_t at = 0;
    if (header == 0) { /* [train] or [net] missing: a new section at the end */
        at = (size_t)snprintf(text, need, "%s%s[%s]\n%s = %s\n", m->text,
                              tlen && m->text[tlen - 1] != '\n' ? "\n" : "", sec, key, value);
    } else {
        size_t len;
        int edit = target ? target : header; /* replace target, or insert after header */
        const char *l = text_line(m->text, edit, &len);
        size_t cut = (size_t)(l - m->text), rest = cut + len;
        memcpy(text, m->text, target ? cut : rest);
        at = target ? cut : rest;
        at += (size_t)snprintf(text + at, need - at, "%s%s = %s", target ? "" : "\n", key, value);
        memcpy(text + at, m->text + rest, tlen - rest + 1);
        at += tlen - rest;
    }
    (void)at;
    clae_model fresh;
    char err[512];
    clae_status st = clae_model_parse_ex(NULL, text, m->name, &fresh, err, sizeof err);
    free(text);
    if (st != CLAE_OK) {
        fprintf(stderr, "clae: --set %s: %s\n", assign, err);
        return st;
    }
    fresh.train.classes = m->train.classes;
    clae_model_free(m);
    *m = fresh;
    return CLAE_OK;
}

void clae_model_free(clae_model *m)
{
    free(m->name);
    free(m->text);
    free(m->layers);
    free(m->tensors);
    free(m->params);
    free(m->grads);
    free(m->adam_m);
    free(m->adam_v);
    memset(m, 0, sizeof *m);
}

/* ---- blocks and init ------------------------------------------------------ */

clae_status clae_model_alloc(clae_model *m)
{
    if (m->params) return CLAE_OK;
    size_t bytes = round_up((m->block_floats ? m->block_floats : 1) * sizeof(float), 64);
    float **blocks[4] = {&m->params, &m->grads, &m->adam_m, &m->adam_v};
    for (int i = 0; i < 4; i++) {
        *blocks[i] = aligned_alloc(64, bytes);
        if (!*blocks[i]) {
            for (int j = 0; j < 4; j++) {
                free(*blocks[j]);
                *blocks[j] = NULL;
            }
            fprintf(stderr, "clae: out of memory for %zu bytes of parameters\n", 4 * bytes);
            return CLAE_ERR_NOMEM;
        }
        memset(*blocks[i], 0, bytes);
    }
    return CLAE_OK;
}

double clae_tensor_glorot_limit(const clae_model *m, int t)
{
    const clae_tensor *x = &m->tensors[t];
    const clae_layer *l = &m->layers[x->layer];
    if (t != l->weight || l->kind->param_init[0] != CLAE_INIT_GLOROT) return 0.0;
    return sqrt(6.0 / l->kind->fans(l));
}

clae_status clae_model_init(clae_model *m, clae_rng *rng)
{
    CLAE_TRY(clae_model_alloc(m));
    for (int t = 0; t < m->ntensors; t++) {
        const clae_tensor *x = &m->tensors[t];
        float *p = m->params + x->offset;
        const clae_layer *l = &m->layers[x->layer];
        int pi = t == l->weight ? 0 : 1;
        if (l->kind->param_init[pi] != CLAE_INIT_GLOROT) {
            memset(p, 0, x->count * sizeof *p);
            continue;
        }
        double limit = clae_tensor_glorot_limit(m, t);
        for (size_t i = 0; i < x->count; i++) {
            double u = (double)clae_rng_uniform(rng);
            p[i] = (float)(limit * (2.0 * u - 1.0));
        }
    }
    return CLAE_OK;
}

/* ---- summary ------------------------------------------------------------------- */

const char *clae_thousands(size_t v, char *buf, size_t len)
{
    char digits[32];
    int n = snprintf(digits, sizeof digits, "%zu", v);
    char out[48];
    int o = 0;
    for (int i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0) out[o++] = ',';
        out[o++] = digits[i];
    }
    out[o] = '\0';
    snprintf(buf, len, "%s", out);
    return buf;
}

static const char *human_bytes(double b, char *buf, size_t len)
{
    static const char *const units[] = {"B", "KB", "MB", "GB", "TB"};
    int u = 0;
    while (b >= 1024.0 && u < 4) b /= 1024.0, u++;
    snprintf(buf, len, "%.2f %s", b, units[u]);
    return buf;
}

void clae_model_summary(const clae_model *m, FILE *out)
{
    static const char *const rule =
        "_________________________________________________________________________________________";
    static const char *const dbl =
        "=========================================================================================";
    char shape[64], num[32], hb[32], name[96], detail[128];
    fprintf(out, "Model: \"%s\"\n", m->name);
    fprintf(out, "Input: (None, %d, %d, %d)\n", m->net.H, m->net.W, m->net.C);
    fprintf(out, "%s\n", rule);
    fprintf(out, " %-28s %-22s %10s   %s\n", "Layer (type)", "Output Shape", "Param #", "Config");
    fprintf(out, "%s\n", dbl);
    for (int i = 0; i < m->nlayers; i++) {
        const clae_layer *l = &m->layers[i];
        size_t count = 0;
        if (l->weight >= 0) count += m->tensors[l->weight].count;
        if (l->bias >= 0) count += m->tensors[l->bias].count;
        if (l->name[0])
            snprintf(name, sizeof name, "layers.%d %s (%s)", i, l->name, l->kind->name);
        else
            snprintf(name, sizeof name, "layers.%d (%s)", i, l->kind->name);
        snprintf(shape, sizeof shape, "(None, %d, %d, %d)", l->out_h, l->out_w, l->out_c);
        l->kind->describe(l, detail, sizeof detail);
        if (l->activity_l1 > 0) { /* the penalty beside the layer it is on */
            size_t at = strlen(detail);
            snprintf(detail + at, sizeof detail - at, ", activity_l1 %g", (double)l->activity_l1);
        }
        fprintf(out, " %-28s %-22s %10s   %s\n", name, shape,
                clae_thousands(count, num, sizeof num), detail);
    }
    fprintf(out, "%s\n", dbl);
    double bytes = (double)m->nparams * sizeof(float);
    fprintf(out, " Total params: %s (%s)\n", clae_thousands(m->nparams, num, sizeof num),
            human_bytes(bytes, hb, sizeof hb));
    fprintf(out, " Trainable params: %s (%s)\n", num, hb);
    fprintf(out, " Non-trainable params: 0 (0.00 B)\n");
    fprintf(out, "%s\n", rule);
    if (m->net.opt_kind == CLAE_OPT_SGD)
        fprintf(out, "batch %d, optimizer sgd (lr %g, momentum %g%s), loss %s\n", m->net.batch,
                (double)m->net.adam.lr, (double)m->net.momentum,
                m->net.nesterov ? ", nesterov" : "", m->net.loss);
    else
        fprintf(out, "batch %d, optimizer %s (lr %g, beta1 %g, beta2 %g, eps %g), loss %s\n",
                m->net.batch, m->net.optimizer, (double)m->net.adam.lr,
                (double)m->net.adam.beta1, (double)m->net.adam.beta2, (double)m->net.adam.eps,
                m->net.loss);
}
