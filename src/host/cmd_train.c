/* clae train CONFIG [options]: train a model on CIFAR-10; see --help. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
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
#include "clae/dist.h"
#include "clae/fs.h"
#include "clae/parse.h"
#include "clae/train.h"
#include "cli.h"

static volatile sig_atomic_t g_stop; /* set by SIGINT/SIGTERM; polled after each step */

static void on_signal(int sig) { g_stop = sig; }

static void usage(FILE *f)
{
    fprintf(f,
            "usage: clae train CONFIG [options]        a new run\n"
            "       clae train --resume CKPT [options]  continue a run where it stopped\n"
            "  --data DIR        data folder, CIFAR-10 binary or clae data import's (default:\n"
            "                    [train] data; on resume the run's)\n"
            "  --epochs N        total epochs (default: [train] epochs; on resume the run's,\n"
            "                    which --epochs may raise)\n"
            "  --device N|ref    OpenCL device index or the reference path\n"
            "  --out DIR         checkpoint folder (default: [train] out; on resume the\n"
            "                    checkpoint's folder). A folder that holds another run is\n"
            "                    refused: --resume it, choose another --out, or --overwrite\n"
            "  --overwrite       replace the run in --out (its checkpoints and history)\n"
            "  --resume CKPT     continue the run of CKPT (weights, optimizer, epoch, and its\n"
            "                    settings: config, data, --limit, --seed, --classes, shuffle,\n"
            "                    epochs, folder); CONFIG may be left out. An option that would\n"
            "                    change the run is refused\n"
            "  --weights CKPT    start from these weights with a fresh optimizer\n"
            "  --transfer CKPT   start from the tensors of CKPT that this model has too (same\n"
            "                    name, layers.<i>.*, and shape; each is named), the others\n"
            "                    freshly initialised: a trained encoder under a new head (with\n"
            "                    [train] freeze)\n"
            "  --set SEC.KEY=V   set a config key, like net.lr=0.01, train.corrupt=noise or\n"
            "                    enc1.filters=16 (SEC: net, train, a layer's name or layers.I);\n"
            "                    repeatable; the checkpoints' stored config carries it\n"
            "  --lr X            --set net.lr=X\n"
            "  --batch N         --set net.batch=N\n"
            "  --seed S          seed for initialisation and batch order\n"
            "  --max-steps N     stop after N steps (checkpoint written); 0: no limit, over\n"
            "                    [train] max_steps\n"
            "  --no-shuffle      batches in file order\n"
            "  --limit N         use only the first N training and test images\n"
            "  --classes LIST    train (and test) on these labels only, like 0 or 0,1: one-class\n"
            "                    training for anomaly detection (clae score); default: [train]\n"
            "                    classes\n"
            "  --samples N       after every epoch, OUT/samples/epoch-NNNN.png: N validation\n"
            "                    images (test images without validation), original /\n"
            "                    corrupted / restored, as clae show draws them\n"
            "  --quiet           no per-epoch lines\n"
            "Command-line options win over the config's [train] section.\n"
            "Ctrl-C finishes the current step, writes OUT/last.safetensors and exits.\n");
}

/* What `clae train` prints of a run: a line at the start, a live progress
 * bar on a terminal, a line per epoch, the test MSE. */
struct printer {
    int bar;   /* stdout is a terminal */
    int drawn; /* a bar is on the screen */
    int quiet; /* --quiet: no lines (samples are still written) */
    /* --samples N: a figure of N validation (or test) images after every
     * epoch, run on the reference path from the parameters just saved. */
    int samples;
    clae_model *m;
    const clae_dataset *ds;
    size_t first;
    const char *out_dir;
    clae_device ref;
    int ref_open, failed;
};

/* OUT/samples/epoch-NNNN.png after an epoch: original / corrupted /
 * restored. A failure is a warning (once); the run goes on. */
static void write_samples(struct printer *p, const clae_train_event *e)
{
    if (p->failed) return;
    char dir[1200], path[1300];
    snprintf(dir, sizeof dir, "%s/samples", p->out_dir);
    snprintf(path, sizeof path, "%s/epoch-%04ld.png", dir, e->epoch);
    if (!p->ref_open && clae_device_open(&p->ref, "ref") == CLAE_OK) p->ref_open = 1;
    if (!p->ref_open || clae_mkdir_p(dir, 0755) != 0 ||
        !clae_app_figure(p->m, &p->ref, p->ds, p->first, p->samples, path, NULL, NULL, NULL)) {
        fprintf(stderr, "clae: warning: %s: cannot write the samples figure; training goes on "
                "without them\n", path);
        p->failed = 1;
        return;
    }
    if (!p->quiet) printf("  samples: %s\n", path);
}

static void print_event(const clae_train_event *e, void *user)
{
    struct printer *p = user;
    if (p->quiet && e->kind != CLAE_TRAIN_SAVED) return;
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
        if (e->next_lr < e->lr)
            printf("  lr %.3g -> %.3g: no lower val loss for lr_patience epochs\n", e->lr,
                   e->next_lr);
        if (e->early_stop)
            printf("  stopping early: no lower val loss for %ld epochs ([train] patience); the "
                   "best is in best.safetensors\n", e->since_best);
        break;
    case CLAE_TRAIN_SAVED:
        if (p->samples > 0) write_samples(p, e);
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

/* The run a checkpoint was trained in (its metadata, written by clae
 * train since the run's settings were recorded; older checkpoints have
 * none and a resume takes the options as they are given). */
typedef struct recorded {
    int has;                       /* the metadata records the run */
    const char *data;              /* absolute data folder */
    long limit, epochs;
    int shuffle;
    long ntrain, ntest;            /* the folder's image counts */
} recorded;

static int read_recorded(const clae_ckpt_meta *meta, const char *ckpt, recorded *r)
{
    memset(r, 0, sizeof *r);
    r->data = clae_ckpt_meta_get(meta, "data");
    if (!r->data) return 1;
    r->has = 1;
    const char *lim = clae_ckpt_meta_get(meta, "limit"), *ep = clae_ckpt_meta_get(meta, "epochs"),
               *sh = clae_ckpt_meta_get(meta, "shuffle"),
               *cnt = clae_ckpt_meta_get(meta, "data_images");
    long shuffle = 1;
    if (!lim || !clae_str_to_long(lim, 0, LONG_MAX, &r->limit) || !ep ||
        !clae_str_to_long(ep, 1, CLAE_MAX_EPOCHS, &r->epochs) || !sh ||
        !clae_str_to_long(sh, 0, 1, &shuffle) || !cnt ||
        sscanf(cnt, "%ld,%ld", &r->ntrain, &r->ntest) != 2) {
        fprintf(stderr, "clae: %s: the run's settings in the metadata are incomplete or bad "
                "(limit, epochs, shuffle, data_images)\n", ckpt);
        return 0;
    }
    r->shuffle = (int)shuffle;
    return 1;
}

/* The folder of a file path: "runs/x/last.safetensors" -> "runs/x", "f" -> ".". */
static void dir_of(const char *path, char *buf, size_t len)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(buf, len, ".");
    else if (slash == path)
        snprintf(buf, len, "/");
    else
        snprintf(buf, len, "%.*s", (int)(slash - path), path);
}

enum { MAX_SETS = 64, MAX_SAMPLES = 64 };

static int train_main(int argc, char **argv, clae_dist *dist)
{
    struct timespec launch;
    clock_gettime(CLOCK_MONOTONIC, &launch);
    const char *config = NULL, *data = NULL, *device = NULL, *out = NULL, *resume = NULL,
               *weights = NULL, *classes = NULL, *transfer = NULL;
    long epochs = -1, max_steps = -1, seed = -1, limit = 0, samples = 0;
    int no_shuffle = 0, quiet = 0, overwrite = 0, nsets = 0;
    const char *sets[MAX_SETS], *set_flag = NULL; /* the first of --set, --lr, --batch */
    char shortcut[2][96]; /* --lr and --batch as --set assignments */
    enum { DATA = 256, DEVICE, OUT, RESUME, WEIGHTS, EPOCHS, MAX_STEPS, SEED, LIMIT, NO_SHUFFLE,
           QUIET, CLASSES, TRANSFER, SET, LR, BATCH, OVERWRITE, SAMPLES };
    static const struct option LONGOPTS[] = {
        {"help", no_argument, NULL, 'h'},
        {"data", required_argument, NULL, DATA},
        {"device", required_argument, NULL, DEVICE},
        {"out", required_argument, NULL, OUT},
        {"overwrite", no_argument, NULL, OVERWRITE},
        {"resume", required_argument, NULL, RESUME},
        {"weights", required_argument, NULL, WEIGHTS},
        {"transfer", required_argument, NULL, TRANSFER},
        {"set", required_argument, NULL, SET},
        {"lr", required_argument, NULL, LR},
        {"batch", required_argument, NULL, BATCH},
        {"epochs", required_argument, NULL, EPOCHS},
        {"max-steps", required_argument, NULL, MAX_STEPS},
        {"seed", required_argument, NULL, SEED},
        {"limit", required_argument, NULL, LIMIT},
        {"no-shuffle", no_argument, NULL, NO_SHUFFLE},
        {"quiet", no_argument, NULL, QUIET},
        {"classes", required_argument, NULL, CLASSES},
        {"samples", required_argument, NULL, SAMPLES},
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
        case OVERWRITE: overwrite = 1; break;
        case RESUME: resume = optarg; break;
        case WEIGHTS: weights = optarg; break;
        case TRANSFER: transfer = optarg; break;
        case SET:
        case LR:
        case BATCH: {
            if (nsets == MAX_SETS) {
                fprintf(stderr, "clae train: more than %d --set options\n", MAX_SETS);
                return 2;
            }
            const char *v = optarg;
            if (c != SET) { /* --lr X is --set net.lr=X */
                char *buf = shortcut[c == LR ? 0 : 1];
                snprintf(buf, sizeof shortcut[0], "net.%s=%.80s", c == LR ? "lr" : "batch", v);
                v = buf;
            }
            sets[nsets++] = v;
            if (!set_flag) set_flag = c == SET ? "--set" : c == LR ? "--lr" : "--batch";
            break;
        }
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
        case SAMPLES:
            if (!clae_parse_long("--samples", optarg, 0, &samples)) return 2;
            if (samples > MAX_SAMPLES) {
                fprintf(stderr, "clae train: --samples %ld: at most %d\n", samples, MAX_SAMPLES);
                return 2;
            }
            break;
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
    if (!config && !resume) {
        fprintf(stderr, "clae train: missing CONFIG (see --help)\n");
        return 2;
    }
    if (!!resume + !!weights + !!transfer > 1) {
        fprintf(stderr, "clae train: --resume, --weights and --transfer exclude each other\n");
        return 2;
    }
    if (resume && nsets > 0) {
        fprintf(stderr, "clae train: %s with --resume: a resumed run keeps the settings stored in "
                "%s; to change them, start a new run from its weights (--weights)\n", set_flag,
                resume);
        return 2;
    }

    clae_model m = {0};
    clae_ckpt_meta meta;
    clae_ckpt_meta_init(&meta);
    recorded rec = {0};
    char out_buf[1100], data_abs[4096], out_abs[4096];
    int rc = 1;
    if (resume) {
        /* The run's model and settings come from its checkpoint; a CONFIG
         * given as well must be the one stored there. */
        if (clae_ckpt_load(resume, &m, &meta, 0) != CLAE_OK) goto done_model;
        if (!read_recorded(&meta, resume, &rec)) goto done_model;
        if (config) {
            clae_model given;
            if (clae_model_load(config, &given) != CLAE_OK) goto done_model;
            int same = strcmp(given.text, m.text) == 0;
            clae_model_free(&given);
            if (!same) {
                fprintf(stderr, "clae train: %s is not the config stored in %s: resume without "
                        "CONFIG (the run's own is used), or start a new run from its weights with "
                        "--weights\n", config, resume);
                rc = 2;
                goto done_model;
            }
        }
    } else {
        if (clae_model_load(config, &m) != CLAE_OK) goto done_model;
        for (int i = 0; i < nsets; i++)
            if (clae_model_set(&m, sets[i]) != CLAE_OK) {
                rc = 2;
                goto done_model;
            }
    }
    if (samples > 0 && m.train.labels) {
        fprintf(stderr, "clae train: --samples draws restored images; a classifier (target = "
                "labels) gives none\n");
        rc = 2;
        goto done_model;
    }
    clae_train_opts o;
    memset(&o, 0, sizeof o);
    if (resume && !out) { /* the run goes on in its own folder */
        dir_of(resume, out_buf, sizeof out_buf);
        out = out_buf;
    }
    o.out_dir = out ? out : m.train.out;
    o.epochs = epochs > 0 ? epochs : rec.has ? rec.epochs : m.train.epochs;
    o.max_steps = max_steps >= 0 ? max_steps : m.train.max_steps; /* 0: no limit, as the key */
    o.seed = seed >= 0 ? (uint64_t)seed : m.train.seed;
    o.shuffle = no_shuffle ? 0 : m.train.shuffle;
    o.limit = 0; /* applied to the datasets below */
    o.overwrite = overwrite;
    struct printer pr = {.bar = isatty(fileno(stdout))};
    pr.quiet = quiet;
    pr.samples = dist->rank == 0 ? (int)samples : 0; /* rank 0 writes the run's files */
    pr.m = &m;
    pr.out_dir = o.out_dir;
    o.report = print_event;
    o.report_user = &pr;
    o.best_val = INFINITY;
    o.launch_s = (double)launch.tv_sec + 1e-9 * (double)launch.tv_nsec;

    if (resume) {
        /* What would change the run is refused; what it already was is fine. */
        const char *mc = clae_ckpt_meta_get(&meta, "classes");
        clae_classes want, had;
        memset(&had, 0, sizeof had);
        if (mc && !clae_classes_parse(mc, &had)) {
            fprintf(stderr, "clae: %s: bad classes '%s' in the metadata\n", resume, mc);
            goto done_model;
        }
        const char *changed = NULL;
        char was[160] = "";
        if (seed >= 0 && (uint64_t)seed != meta.seed) {
            changed = "--seed";
            snprintf(was, sizeof was, "seed %" PRIu64, meta.seed);
        } else if (classes && clae_classes_parse(classes, &want) &&
                   memcmp(&want, &had, sizeof want) != 0) {
            changed = "--classes";
            snprintf(was, sizeof was, "classes %s", mc ? mc : "all");
        } else if (rec.has && limit > 0 && limit != rec.limit) {
            changed = "--limit";
            if (rec.limit > 0)
                snprintf(was, sizeof was, "--limit %ld", rec.limit);
            else
                snprintf(was, sizeof was, "no --limit");
        } else if (rec.has && no_shuffle && rec.shuffle) {
            changed = "--no-shuffle";
            snprintf(was, sizeof was, "shuffled batches");
        }
        if (changed) {
            fprintf(stderr, "clae train: %s would change the run of %s (it has %s); to change it, "
                    "start a new run from its weights (--weights)\n", changed, resume, was);
            rc = 2;
            goto done_model;
        }
        m.train.classes = had;
        o.seed = meta.seed;
        if (rec.has) {
            limit = rec.limit;
            o.shuffle = rec.shuffle;
        }
        o.start_epoch = meta.epoch;
        if (clae_ckpt_resume_point(&meta, resume, &o.start_epoch_step, &o.start_loss_sum) !=
            CLAE_OK)
            goto done_model;
        o.adam_t = meta.step;
        o.history_line = clae_ckpt_meta_get(&meta, "history");
        /* where reduce on plateau and early stopping were */
        const char *lr = clae_ckpt_meta_get(&meta, "lr"), *pl = clae_ckpt_meta_get(&meta, "plateau");
        double lr_now;
        if ((lr && (!clae_str_to_double(lr, &lr_now) || !(lr_now >= 1e-37 && lr_now <= 1e38))) ||
            (pl && (sscanf(pl, "%ld,%ld", &o.start_wait, &o.start_lr_wait) != 2 ||
                    o.start_wait < 0 || o.start_lr_wait < 0))) {
            fprintf(stderr, "clae: %s: bad 'lr' or 'plateau' in the metadata\n", resume);
            goto done_model;
        }
        if (lr) m.net.adam.lr = (float)lr_now;
        o.best_val = isnan(meta.best_val_loss) ? INFINITY : meta.best_val_loss;
        /* The run goes on in its own folder: the checkpoint's, or the one
         * it recorded (a copy of an earlier checkpoint kept elsewhere). */
        char ckdir[1100];
        dir_of(resume, ckdir, sizeof ckdir);
        const char *rec_out = clae_ckpt_meta_get(&meta, "out");
        o.continues = clae_same_file(ckdir, o.out_dir) ||
                      (rec_out && clae_abs_path(o.out_dir, out_abs, sizeof out_abs) == 0 &&
                       strcmp(rec_out, out_abs) == 0);
    }
    if (!o.continues && !overwrite && clae_train_claim_out(o.out_dir, 0) != CLAE_OK) {
        rc = 2;
        goto done_model;
    }
    if (resume) {
        if (o.start_epoch >= o.epochs) /* still run: it restores a lost last history line */
            printf("%s: already trained for %ld epochs (asked for %ld): nothing to do\n", resume,
                   o.start_epoch, o.epochs);
        else
            printf("resuming %s at epoch %ld (step %ld of it), %ld steps taken%s%s\n", resume,
                   o.start_epoch + 1, o.start_epoch_step, meta.step,
                   o.continues ? "" : "; writing to ", o.continues ? "" : o.out_dir);
    } else if (weights) {
        if (clae_ckpt_load(weights, &m, &meta, CLAE_CKPT_WEIGHTS_ONLY) != CLAE_OK) goto done_model;
        printf("starting from the weights of %s with a fresh optimizer\n", weights);
    } else {
        clae_rng rng;
        clae_rng_seed(&rng, o.seed);
        if (clae_model_init(&m, &rng) != CLAE_OK) goto done_model;
        if (transfer && !transfer_tensors(&m, transfer)) goto done_model;
    }

    /* Data parallel: a device per rank, from the --device list (N,M,...:
     * rank r takes entry r modulo their number) or by local rank. */
    char dev_spec[32];
    if (dist->size > 1) {
        const char *env = getenv("CLAE_DEVICE");
        if (device && strchr(device, ',')) {
            int n = 1;
            for (const char *c = device; *c; c++) n += *c == ',';
            const char *at = device;
            for (int k = dist->rank % n; k > 0; k--) at = strchr(at, ',') + 1;
            snprintf(dev_spec, sizeof dev_spec, "%.*s", (int)strcspn(at, ","), at);
            device = dev_spec;
        } else if (!device && !env) {
            int idx = clae_device_nth_default(dist->local_rank);
            if (idx >= 0) {
                snprintf(dev_spec, sizeof dev_spec, "%d", idx);
                device = dev_spec;
            }
        }
        o.dist = dist;
    }
    clae_device d;
    if (clae_device_open(&d, device) != CLAE_OK) goto done_model;
    if (dist->size > 1)
        printf("data parallel: %d ranks (MPI), each batch split over them; rank 0 on %s\n",
               dist->size, d.name);
    clae_dataset train = {0}, test = {0};
    const char *dir = data ? data : rec.has ? rec.data : m.train.data;
    if (clae_dataset_load(dir, CLAE_CIFAR_TRAIN, m.net.H, m.net.W, m.net.C, &train) != CLAE_OK ||
        clae_dataset_load(dir, CLAE_CIFAR_TEST, m.net.H, m.net.W, m.net.C, &test) != CLAE_OK)
        goto done_data; /* the loader said which file, --data and the fetch script */
    if (rec.has && ((long)train.n != rec.ntrain || (long)test.n != rec.ntest)) {
        fprintf(stderr, "clae train: %s holds %zu training and %zu test images, the run of %s was "
                "trained on %ld and %ld (in %s): not the same data\n", dir, train.n, test.n,
                resume, rec.ntrain, rec.ntest, rec.data);
        rc = 2;
        goto done_data;
    }
    /* The run's settings, into every checkpoint (what a resume takes back). */
    char v_shape[64], v_images[64], v_limit[32], v_epochs[32];
    if (clae_abs_path(dir, data_abs, sizeof data_abs) != 0 ||
        clae_abs_path(o.out_dir, out_abs, sizeof out_abs) != 0) {
        fprintf(stderr, "clae: %s: cannot make the path absolute: %s\n", dir, strerror(errno));
        goto done_data;
    }
    snprintf(v_shape, sizeof v_shape, "%d,%d,%d", train.H, train.W, train.C);
    snprintf(v_images, sizeof v_images, "%zu,%zu", train.n, test.n);
    snprintf(v_limit, sizeof v_limit, "%ld", limit);
    snprintf(v_epochs, sizeof v_epochs, "%ld", o.epochs);
    const char *run_keys[] = {"data", "data_shape", "data_images", "limit", "shuffle", "epochs",
                              "out"};
    const char *run_vals[] = {data_abs, v_shape, v_images, v_limit, o.shuffle ? "1" : "0",
                              v_epochs, out_abs};
    o.run_keys = run_keys;
    o.run_vals = run_vals;
    o.nrun = (int)(sizeof run_keys / sizeof run_keys[0]);
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
        const clae_dataset *both[2] = {&train, &test};
        for (int k = 0; k < 2; k++)
            for (size_t i = 0; i < both[k]->n; i++)
                if (clae_dataset_label(both[k], i) >= K) {
                    fprintf(stderr, "clae: %s: a %s image has label %d, but the classifier has %d "
                            "outputs (labels 0 to %d)\n", dir, k ? "test" : "training",
                            clae_dataset_label(both[k], i), K, K - 1);
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

    if (samples > 0) { /* the first validation images (the last part of the array), or test */
        size_t ntr = (size_t)((double)train.n * (1.0 - m.train.validation_split));
        if (train.n - ntr >= (size_t)samples) {
            pr.ds = &train;
            pr.first = ntr;
        } else if (test.n >= (size_t)samples) {
            pr.ds = &test;
        } else {
            fprintf(stderr, "clae train: --samples %ld: only %zu validation and %zu test images\n",
                    samples, train.n - ntr, test.n);
            rc = 2;
            goto done_data;
        }
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
            rc = 128 + (g_stop ? (int)g_stop : SIGINT); /* another rank's signal */
        } else {
            if (res.stopped == 1)
                printf("stopped after %ld steps (--max-steps); checkpoint: %s\n", res.steps,
                       res.last_path);
            if (res.stopped == 3) printf("stopped early ([train] patience)\n");
            printf("checkpoint: %s\n", res.last_path);
            rc = 0;
        }
        if (dist->size > 1 && dist->calls > 0) /* what a user needs to predict scaling */
            printf("communication: %ld gradient exchanges of %.1f KB in and out per rank, %.2f ms "
                   "each (%.1f s in all)\n", dist->calls, dist->bytes / (double)dist->calls / 1e3,
                   1e3 * dist->seconds / (double)dist->calls, dist->seconds);
    }
done_data:
    if (pr.ref_open) clae_device_close(&pr.ref);
    clae_dataset_free(&train);
    clae_dataset_free(&test);
    clae_device_close(&d);
done_model:
    clae_ckpt_meta_free(&meta);
    clae_model_free(&m);
    return rc;
}

int cmd_train(int argc, char **argv)
{
    clae_dist dist;
    if (clae_dist_init(&dist, &argc, &argv) != CLAE_OK) return 1;
    /* one voice: rank 0 prints the run; the others only their errors */
    if (dist.rank != 0 && !freopen("/dev/null", "w", stdout)) {
        fprintf(stderr, "clae: rank %d: cannot silence its output\n", dist.rank);
        clae_dist_abort(&dist, 1);
    }
    int rc = train_main(argc, argv, &dist);
    if (dist.size > 1 && (rc == 1 || rc == 2)) { /* one rank failed: end them all */
        fprintf(stderr, "clae: rank %d of %d failed; stopping the run\n", dist.rank, dist.size);
        clae_dist_abort(&dist, rc);
    }
    clae_dist_finalize(&dist);
    return rc;
}
