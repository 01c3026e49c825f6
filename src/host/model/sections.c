/* [net] and [train]: their key tables (every default and what a key takes,
 * written once; `clae layers --all` prints them) and the parsers of their
 * values into the model's clae_net_config and clae_train_config. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "clae/parse.h"
#include "model/config.h"

/* [net] and [train]: every key once, with its default (parsed from here
 * into a fresh model, so this is the only place a default is written) and
 * what it takes (the config reference, `clae layers --markdown`, prints
 * this table; config_net_key and config_train_key below check the values). */
#define K CONFIG_KEY
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
    K("weight_decay", "0", "a number in [0, 1]",
      "adam: decoupled weight decay (AdamW, Keras's and PyTorch's): p -= lr * weight_decay * p "
      "before each step, on every trainable tensor (biases too)"),
    K("global_clipnorm", "0", "0 (off) or a number from 1e-30 to 1e30",
      "adam: clip the gradient by its global norm over every tensor (Keras's global_clipnorm, "
      "PyTorch's clip_grad_norm_): g *= min(1, global_clipnorm / (||g|| + 1e-6))"),
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
      "layers up to and including it keep their weights (a trained encoder under a new head); "
      "a branch's layer: the trunk and that branch's layers up to it"),
    K("classes", "all", "all or labels from 0 to 255 separated by commas, like 0,1",
      "train and test on these classes only (one-class anomaly detection; --classes wins)"),
    K("normalize", "none", "none or gcn_l1_minmax",
      "per-image preprocessing of every image fed to the model (Ruff et al. 2018's one-class "
      "CIFAR-10): gcn_l1_minmax divides x - mean(x) by mean(abs(x - mean(x))) over the whole image, "
      "then scales to [0, 1] by one min-max pair, the smallest and largest such value over the "
      "training images (after the validation split), computed when a run starts and kept in its "
      "checkpoints; the target is the normalised image, a corruption applies after it"),
    K("patience", "0", "an integer >= 0 (0: off)",
      "early stopping (Keras's EarlyStopping on val_loss): stop after this many epochs in a row "
      "without a lower validation loss"),
    K("lr_patience", "0", "an integer >= 0 (0: off)",
      "reduce on plateau (Keras's ReduceLROnPlateau on val_loss): after this many epochs in a "
      "row without a lower validation loss, multiply lr by lr_factor"),
    K("lr_factor", "0.1", "a number in (0, 1)", "reduce on plateau: the factor"),
    K("lr_min", "0", "a number >= 0", "reduce on plateau: lr never goes below this"),
    K("restore_best", "0", "0 or 1",
      "1: when training ends (its last epoch or early stopping), the weights of the best "
      "validation epoch are restored for the test pass and written as last.safetensors "
      "(Keras's restore_best_weights); when that is not the last epoch, the run is then "
      "finished (last.safetensors is no resume point)"),
    K("tensorboard", "1", "0 or 1",
      "OUT/tb/: the epochs' metrics (and --samples figures) as TensorBoard event files "
      "(--no-tensorboard: off)"),
    K("schedule", "constant", "constant, cosine, step or exponential",
      "the learning-rate schedule over optimizer steps (after the warm-up): cosine (Keras "
      "CosineDecay) from lr to decay_alpha * lr over decay_steps, step (PyTorch StepLR) lr * "
      "decay_rate^floor(k / decay_steps), exponential (Keras ExponentialDecay) lr * "
      "decay_rate^(k / decay_steps); times reduce on plateau's factor"),
    K("warmup_steps", "0", "an integer >= 0 (0: none)",
      "linear warm-up: lr * step / warmup_steps for the first optimizer steps (Keras "
      "CosineDecay's warm-up from 0), then the schedule"),
    K("decay_steps", "1000", "an integer >= 1", "the schedule's length or period in steps"),
    K("decay_rate", "0.1", "a number in (0, 1]", "step and exponential: the factor per decay_steps"),
    K("decay_alpha", "0", "a number in [0, 1]",
      "cosine: where it ends, a fraction of lr (Keras's alpha)"),
    {0}};
#undef K
#define NKEYS(t) (sizeof(t) / sizeof((t)[0]) - 1)
/* Every section's keys fit key_line[] and the seen bits (a key past them
 * once overwrote the parser's state). */
_Static_assert(MAX_KEYS <= 64, "sec_src.seen has 64 bits");
_Static_assert(NKEYS(clae_net_keys) <= MAX_KEYS && NKEYS(clae_train_keys) <= MAX_KEYS,
               "a section has more keys than MAX_KEYS");

/* ---- value parsers -------------------------------------------------------- */

int config_parse_ints(const char *v, int *out, int maxn, long lo, long hi)
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

/* ---- [net] and [train] values ---------------------------------------------- */

#define BAD(expect) config_fail(c, line, key, "bad value '%s': expected %s", value, expect)

void config_net_key(pctx *c, int line, const char *key, const char *value)
{
    clae_net_config *n = &c->m->net;
    long x;
    double d;
    if (strcmp(key, "input") == 0) {
        int v[3];
        if (config_parse_ints(value, v, 3, 1, MAX_DIM) != 3)
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
    } else {
        config_optim_net_key(c, line, key, value);
    }
}

void config_train_key(pctx *c, int line, const char *key, const char *value)
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
    } else if (strcmp(key, "normalize") == 0) {
        if (strcmp(value, "none") == 0)
            t->norm.kind = CLAE_NORM_NONE;
        else if (strcmp(value, "gcn_l1_minmax") == 0)
            t->norm.kind = CLAE_NORM_GCN_L1_MINMAX;
        else
            BAD("none or gcn_l1_minmax");
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
    } else if (strcmp(key, "shuffle") == 0 || strcmp(key, "tensorboard") == 0) {
        if (!clae_str_to_long(value, 0, 1, &x))
            BAD("0 or 1");
        else
            *(key[0] == 's' ? &t->shuffle : &t->tensorboard) = (int)x;
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
    } else if (strcmp(key, "restore_best") == 0) {
        if (!clae_str_to_long(value, 0, 1, &x))
            BAD("0 or 1");
        else
            t->restore_best = (int)x;
    } else {
        config_optim_train_key(c, line, key, value);
    }
}

/* The defaults of [net] and [train], parsed from their key tables. */
void config_section_defaults(pctx *c)
{
    for (const clae_key_spec *k = clae_net_keys; k->name; k++)
        if (k->def) config_net_key(c, 0, k->name, k->def);
    for (const clae_key_spec *k = clae_train_keys; k->name; k++)
        if (k->def) config_train_key(c, 0, k->name, k->def);
    c->m->align = CLAE_ALIGN_FLOATS;
}
