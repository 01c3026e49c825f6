/* clae train CONFIG [options]: train a model on CIFAR-10; see --help. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clae/app.h"
#include "clae/checkpoint.h"
#include "clae/layer.h"
#include "clae/augment.h"
#include "clae/cifar.h"
#include "clae/train.h"
#include "cli.h"

static volatile sig_atomic_t g_stop; /* set by SIGINT/SIGTERM; polled after each step */

static void on_signal(int sig) { g_stop = sig; }

static void usage(FILE *f)
{
    fprintf(f,
            "usage: clae train CONFIG [options]\n"
            "  --data DIR        CIFAR-10 binary folder (default: [train] data)\n"
            "  --epochs N        total epochs (default: [train] epochs)\n"
            "  --device N|ref    OpenCL device index or the reference path\n"
            "  --out DIR         checkpoint folder (default: [train] out)\n"
            "  --resume CKPT     continue a run from its checkpoint (weights, optimizer, epoch)\n"
            "  --weights CKPT    start from these weights with a fresh optimizer\n"
            "  --transfer CKPT   start from the tensors of CKPT that this model has too (same\n"
            "                    name, layers.<i>.*, and shape; each is named), the others\n"
            "                    freshly initialised: a trained encoder under a new head (with\n"
            "                    [train] freeze)\n"
            "  --seed S          seed for initialisation and batch order\n"
            "  --max-steps N     stop after N steps (checkpoint written); 0: no limit, over\n"
            "                    [train] max_steps\n"
            "  --no-shuffle      batches in file order\n"
            "  --limit N         use only the first N training and test images\n"
            "  --classes LIST    train (and test) on these labels only, like 0 or 0,1: one-class\n"
            "                    training for anomaly detection (clae score); default: [train]\n"
            "                    classes, on resume the checkpoint's\n"
            "  --quiet           no per-epoch lines\n"
            "Command-line options win over the config's [train] section.\n"
            "Ctrl-C finishes the current step, writes OUT/last.safetensors and exits.\n");
}

/* What `clae train` prints of a run: a line at the start, a live progress
 * bar on a terminal, a line per epoch, the test MSE. */
struct printer {
    int bar;   /* stdout is a terminal */
    int drawn; /* a bar is on the screen */
};

static void print_event(const clae_train_event *e, void *user)
{
    struct printer *p = user;
    if (p->drawn && e->kind != CLAE_TRAIN_STEP) {
        printf("\r%*s\r", 100, "");
        p->drawn = 0;
    }
    switch (e->kind) {
    case CLAE_TRAIN_START:
        printf("training %s on %s: %zu train / %zu validation images, batch %d, %ld steps per "
               "epoch\n",
               e->model, e->device, e->ntrain, e->nval, e->batch, e->steps);
        break;
    case CLAE_TRAIN_STEP: {
        if (!p->bar) return;
        enum { WIDTH = 24 };
        int fill = (int)((double)WIDTH * (double)e->step / (double)e->steps);
        char bar[WIDTH + 1];
        for (int i = 0; i < WIDTH; i++) bar[i] = i < fill ? '=' : (i == fill ? '>' : ' ');
        bar[WIDTH] = '\0';
        /* nothing measured yet: a dash, not "loss 0.00000" or a first step's rate */
        char loss[32] = "-", rate[32] = "-";
        if (!isnan(e->loss)) snprintf(loss, sizeof loss, "%.5f", (double)e->loss);
        if (!isnan(e->images_per_s)) snprintf(rate, sizeof rate, "%.0f", e->images_per_s);
        printf("\repoch %ld/%ld [%s] %ld/%ld  loss %s  %s img/s  ETA %.0f s   ", e->epoch + 1,
               e->epochs, bar, e->step, e->steps, loss, rate, e->eta_s);
        p->drawn = 1;
        break;
    }
    case CLAE_TRAIN_EPOCH:
        printf("epoch %ld/%ld  train loss %.6f  val loss %.6f%s  ", e->epoch, e->epochs,
               e->train_loss, e->val_loss, e->is_best ? " *" : "");
        if (!isnan(e->val_psnr)) printf("val PSNR %.2f dB  ", e->val_psnr);
        printf("acc %.1f%%  %.0f img/s  %.1f s (total %.1f s)\n", 100.0 * e->val_accuracy,
               e->images_per_s, e->seconds, e->total_seconds);
        for (int k = 0; e->term_mask > 1u && k < CLAE_NTERMS; k++)
            if (e->term_mask >> k & 1u) {
                printf("%s%s %.6f", k == 0 ? "  terms: " : ", ", clae_term_names[k],
                       e->train_terms[k]);
                if (e->val_terms) printf(" (val %.6f)", e->val_terms[k]);
            }
        if (e->term_mask > 1u) printf("\n");
        break;
    case CLAE_TRAIN_TEST:
        if (!isnan(e->test_accuracy))
            printf("test loss %.6f, accuracy %.2f%% (%zu images)\n", e->test_mse,
                   100.0 * e->test_accuracy, e->ntest);
        else
            printf("test MSE %.6f (%zu images)\n", e->test_mse, e->ntest);
        break;
    case CLAE_TRAIN_READY:
        printf("first step done %.2f s after start (device, kernels, data, one step)\n",
               e->seconds);
        break;
    }
    fflush(stdout);
}

/* "(2,3,3,3)" */
static void dims_text(const clae_tensor *t, char *buf, size_t len)
{
    size_t at = (size_t)snprintf(buf, len, "(");
    for (int k = 0; k < t->ndim && at < len; k++)
        at += (size_t)snprintf(buf + at, len - at, "%s%d", k ? "," : "", t->dims[k]);
    if (at < len) snprintf(buf + at, len - at, ")");
}

/* --transfer: the tensors of ckpt that m has too (same name and shape)
 * over m's fresh ones, and a line naming each; a tensor of the same name and
 * another shape (a new head where the checkpoint had its decoder) stays
 * fresh and is named too. 1, or 0 after a one-line error (none taken). */
static int transfer_tensors(clae_model *m, const char *ckpt)
{
    clae_model src;
    if (!clae_app_load(ckpt, &src)) return 0;
    int taken = 0;
    for (int t = 0; t < m->ntensors; t++) {
        const clae_tensor *T = &m->tensors[t];
        int j = clae_model_find_tensor(&src, T->name);
        if (j < 0) continue;
        const clae_tensor *S = &src.tensors[j];
        if (S->ndim != T->ndim || memcmp(S->dims, T->dims, (size_t)T->ndim * sizeof(int)) != 0) {
            char a[64], b[64];
            dims_text(S, a, sizeof a);
            dims_text(T, b, sizeof b);
            printf("  %s is %s in %s and %s here: left fresh\n", T->name, a, ckpt, b);
            continue;
        }
        memcpy(m->params + T->offset, src.params + S->offset, T->count * sizeof(float));
        printf("  %s from %s\n", T->name, ckpt);
        taken++;
    }
    if (taken == 0)
        fprintf(stderr, "clae: %s: none of its tensors is in this model (same name and shape)\n",
                ckpt);
    else
        printf("took %d of this model's %d tensors from %s (%d of its %d unused); the others "
               "start fresh\n", taken, m->ntensors, ckpt, src.ntensors - taken, src.ntensors);
    clae_model_free(&src);
    return taken > 0;
}

int cmd_train(int argc, char **argv)
{
    struct timespec launch;
    clock_gettime(CLOCK_MONOTONIC, &launch);
    const char *config = NULL, *data = NULL, *device = NULL, *out = NULL, *resume = NULL,
               *weights = NULL, *classes = NULL, *transfer = NULL;
    long epochs = -1, max_steps = -1, seed = -1, limit = 0;
    int no_shuffle = 0, quiet = 0;
    enum { DATA = 256, DEVICE, OUT, RESUME, WEIGHTS, EPOCHS, MAX_STEPS, SEED, LIMIT, NO_SHUFFLE,
           QUIET, CLASSES, TRANSFER };
    static const struct option LONGOPTS[] = {
        {"help", no_argument, NULL, 'h'},
        {"data", required_argument, NULL, DATA},
        {"device", required_argument, NULL, DEVICE},
        {"out", required_argument, NULL, OUT},
        {"resume", required_argument, NULL, RESUME},
        {"weights", required_argument, NULL, WEIGHTS},
        {"transfer", required_argument, NULL, TRANSFER},
        {"epochs", required_argument, NULL, EPOCHS},
        {"max-steps", required_argument, NULL, MAX_STEPS},
        {"seed", required_argument, NULL, SEED},
        {"limit", required_argument, NULL, LIMIT},
        {"no-shuffle", no_argument, NULL, NO_SHUFFLE},
        {"quiet", no_argument, NULL, QUIET},
        {"classes", required_argument, NULL, CLASSES},
        {0}};
    clae_opts cli = {.cmd = "clae train", .hint = "see --help", .longopts = LONGOPTS};
    optind = 0;
    for (int c; (c = clae_getopt(&cli, argc, argv)) != -1;) {
        switch (c) {
        case 'h':
            usage(stdout);
            return 0;
        case DATA: data = optarg; break;
        case DEVICE: device = optarg; break;
        case OUT: out = optarg; break;
        case RESUME: resume = optarg; break;
        case WEIGHTS: weights = optarg; break;
        case TRANSFER: transfer = optarg; break;
        case EPOCHS:
            if (!clae_parse_long("--epochs", optarg, 1, &epochs)) return 2;
            if (epochs > CLAE_MAX_EPOCHS) {
                fprintf(stderr, "clae train: --epochs %ld: at most %ld\n", epochs, CLAE_MAX_EPOCHS);
                return 2;
            }
            break;
        case MAX_STEPS:
            if (!clae_parse_long("--max-steps", optarg, 0, &max_steps)) return 2;
            break;
        case SEED:
            if (!clae_parse_long("--seed", optarg, 0, &seed)) return 2;
            break;
        case LIMIT:
            if (!clae_parse_long("--limit", optarg, 1, &limit)) return 2;
            break;
        case CLASSES: {
            clae_classes probe;
            if (!clae_classes_parse(optarg, &probe)) {
                fprintf(stderr, "clae train: bad --classes '%s': expected all or labels from 0 to "
                        "255 separated by commas, like 0,1\n", optarg);
                return 2;
            }
            classes = optarg;
            break;
        }
        case NO_SHUFFLE: no_shuffle = 1; break;
        case QUIET: quiet = 1; break;
        case 1:
            if (optarg[0] == '-') return clae_opt_error(&cli, '?'); /* "-" */
            if (config) {
                fprintf(stderr, "clae train: unexpected argument '%s' (see --help)\n", optarg);
                return 2;
            }
            config = optarg;
            break;
        default: return clae_opt_error(&cli, c);
        }
    }
    if (!config) {
        fprintf(stderr, "clae train: missing CONFIG (see --help)\n");
        return 2;
    }
    if (!!resume + !!weights + !!transfer > 1) {
        fprintf(stderr, "clae train: --resume, --weights and --transfer exclude each other\n");
        return 2;
    }

    clae_model m;
    if (clae_model_load(config, &m) != CLAE_OK) return 1;
    clae_train_opts o;
    memset(&o, 0, sizeof o);
    o.out_dir = out ? out : m.train.out;
    o.epochs = epochs > 0 ? epochs : m.train.epochs;
    o.max_steps = max_steps >= 0 ? max_steps : m.train.max_steps; /* 0: no limit, as the key */
    o.seed = seed >= 0 ? (uint64_t)seed : m.train.seed;
    o.shuffle = no_shuffle ? 0 : m.train.shuffle;
    o.limit = 0; /* applied to the datasets below */
    struct printer pr = {.bar = isatty(fileno(stdout))};
    if (!quiet) {
        o.report = print_event;
        o.report_user = &pr;
    }
    o.best_val = INFINITY;
    o.launch_s = (double)launch.tv_sec + 1e-9 * (double)launch.tv_nsec;

    int rc = 1;
    clae_ckpt_meta meta;
    clae_ckpt_meta_init(&meta);
    if (resume) {
        if (clae_ckpt_load(resume, &m, &meta, 0) != CLAE_OK) goto done_model;
        o.start_epoch = meta.epoch;
        if (clae_ckpt_resume_point(&meta, resume, &o.start_epoch_step, &o.start_loss_sum) !=
            CLAE_OK)
            goto done_model;
        o.adam_t = meta.step;
        o.history_line = clae_ckpt_meta_get(&meta, "history");
        const char *mc = clae_ckpt_meta_get(&meta, "classes");
        if (mc && !classes && !clae_classes_parse(mc, &m.train.classes)) {
            fprintf(stderr, "clae: %s: bad classes '%s' in the metadata\n", resume, mc);
            goto done_model;
        }
        o.best_val = isnan(meta.best_val_loss) ? INFINITY : meta.best_val_loss;
        if (seed < 0) o.seed = meta.seed;
        if (o.start_epoch >= o.epochs) /* still run: it restores a lost last history line */
            printf("%s: already trained for %ld epochs (asked for %ld): nothing to do\n", resume,
                   o.start_epoch, o.epochs);
        else
            printf("resuming %s at epoch %ld (step %ld of it), %ld steps taken\n", resume,
                   o.start_epoch + 1, o.start_epoch_step, meta.step);
    } else if (weights) {
        if (clae_ckpt_load(weights, &m, &meta, CLAE_CKPT_WEIGHTS_ONLY) != CLAE_OK) goto done_model;
        printf("starting from the weights of %s with a fresh optimizer\n", weights);
    } else {
        clae_rng rng;
        clae_rng_seed(&rng, o.seed);
        if (clae_model_init(&m, &rng) != CLAE_OK) goto done_model;
        if (transfer && !transfer_tensors(&m, transfer)) goto done_model;
    }

    clae_device d;
    if (clae_device_open(&d, device) != CLAE_OK) goto done_model;
    clae_dataset train = {0}, test = {0};
    const char *dir = data ? data : m.train.data;
    if (clae_dataset_load(dir, CLAE_CIFAR_TRAIN, m.net.H, m.net.W, m.net.C, &train) != CLAE_OK ||
        clae_dataset_load(dir, CLAE_CIFAR_TEST, m.net.H, m.net.W, m.net.C, &test) != CLAE_OK)
        goto done_data; /* the loader said which file; scripts/fetch-cifar10.sh fetches it */
    if (classes) clae_classes_parse(classes, &m.train.classes); /* checked above */
    if (!clae_classes_empty(&m.train.classes)) { /* one class (or a few): the others are out */
        size_t n0 = train.n, t0 = test.n;
        clae_dataset_keep_classes(&train, &m.train.classes);
        clae_dataset_keep_classes(&test, &m.train.classes);
        char cls[1024];
        clae_classes_format(&m.train.classes, cls, sizeof cls);
        if (train.n == 0) {
            fprintf(stderr, "clae: %s: no training image has a label in classes %s\n", dir, cls);
            goto done_data;
        }
        printf("classes %s: %zu of %zu training images, %zu of %zu test images\n", cls, train.n,
               n0, test.n, t0);
    }
    if (m.train.labels) { /* a classifier: every label needs one of its K outputs */
        int K = (int)clae_layer_out_count(&m.layers[m.nlayers - 1]);
        const clae_dataset *sets[2] = {&train, &test};
        for (int k = 0; k < 2; k++)
            for (size_t i = 0; i < sets[k]->n; i++)
                if (clae_dataset_label(sets[k], i) >= K) {
                    fprintf(stderr, "clae: %s: a %s image has label %d, but the classifier has %d "
                            "outputs (labels 0 to %d)\n", dir, k ? "test" : "training",
                            clae_dataset_label(sets[k], i), K, K - 1);
                    goto done_data;
                }
    }
    if (limit > 0) { /* a subset: the first images of each split */
        if ((size_t)limit < train.n) train.n = (size_t)limit;
        if ((size_t)limit < test.n) test.n = (size_t)limit;
    }
    if (strcmp(m.train.augment, "recipe") == 0) {
        /* The recipe: extra copies (flip lr / flip ud / rotate -30) of random
         * training images appended after the originals, before the
         * validation split takes the last part of the array (as in the source). */
        clae_dataset aug;
        size_t counts[3];
        if (clae_augment_recipe(&aug, &train, m.train.augment_fraction, o.seed, counts) !=
            CLAE_OK) {
            fprintf(stderr, "clae: cannot build the augmented training set\n");
            goto done_data;
        }
        printf("augmented %zu training images with %zu more (%zu flip lr, %zu flip ud, %zu "
               "rotate -30)\n",
               train.n, aug.n - train.n, counts[0], counts[1], counts[2]);
        clae_dataset_free(&train);
        train = aug;
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    clae_train_result res;
    clae_status st = clae_train(&m, &d, &train, &test, &o, &g_stop, &res);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    if (st == CLAE_OK && resume && o.start_epoch >= o.epochs) {
        rc = 0;
    } else if (st == CLAE_OK) {
        if (res.stopped == 2) {
            printf("interrupted after step %ld; checkpoint written to %s (resume with --resume)\n",
                   res.steps, res.last_path);
            rc = 128 + (int)g_stop;
        } else {
            if (res.stopped == 1)
                printf("stopped after %ld steps (--max-steps); checkpoint: %s\n", res.steps,
                       res.last_path);
            printf("checkpoint: %s\n", res.last_path);
            rc = 0;
        }
    }
done_data:
    clae_dataset_free(&train);
    clae_dataset_free(&test);
    clae_device_close(&d);
done_model:
    clae_ckpt_meta_free(&meta);
    clae_model_free(&m);
    return rc;
}
