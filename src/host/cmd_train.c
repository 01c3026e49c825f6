/* clae train CONFIG [options]: train a model on CIFAR-10; see --help. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clae/checkpoint.h"
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
            "  --seed S          seed for initialisation and batch order\n"
            "  --max-steps N     stop after N steps (checkpoint written)\n"
            "  --no-shuffle      batches in file order\n"
            "  --limit N         use only the first N training and test images\n"
            "  --quiet           no per-epoch lines\n"
            "Command-line options win over the config's [train] section.\n"
            "Ctrl-C finishes the current step, writes OUT/last.safetensors and exits.\n");
}

/* Parse a non-negative integer option value; one line on error. */
int clae_parse_long(const char *flag, const char *v, long min, long *out)
{
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (errno || end == v || *end != '\0' || x < min) {
        fprintf(stderr, "clae: bad value '%s' for %s: expected an integer >= %ld\n", v, flag, min);
        return 0;
    }
    *out = x;
    return 1;
}

int cmd_train(int argc, char **argv)
{
    const char *config = NULL, *data = NULL, *device = NULL, *out = NULL, *resume = NULL,
               *weights = NULL;
    long epochs = -1, max_steps = -1, seed = -1, limit = 0;
    int no_shuffle = 0, quiet = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define NEEDV                                                               \
    if (!v) {                                                               \
        fprintf(stderr, "clae train: %s needs a value (see --help)\n", a);  \
        return 2;                                                           \
    }                                                                       \
    i++
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--data") == 0) {
            NEEDV;
            data = v;
        } else if (strcmp(a, "--device") == 0) {
            NEEDV;
            device = v;
        } else if (strcmp(a, "--out") == 0) {
            NEEDV;
            out = v;
        } else if (strcmp(a, "--resume") == 0) {
            NEEDV;
            resume = v;
        } else if (strcmp(a, "--weights") == 0) {
            NEEDV;
            weights = v;
        } else if (strcmp(a, "--epochs") == 0) {
            NEEDV;
            if (!clae_parse_long(a, v, 1, &epochs)) return 2;
            if (epochs > CLAE_MAX_EPOCHS) {
                fprintf(stderr, "clae train: --epochs %ld: at most %ld\n", epochs, CLAE_MAX_EPOCHS);
                return 2;
            }
        } else if (strcmp(a, "--max-steps") == 0) {
            NEEDV;
            if (!clae_parse_long(a, v, 1, &max_steps)) return 2;
        } else if (strcmp(a, "--seed") == 0) {
            NEEDV;
            if (!clae_parse_long(a, v, 0, &seed)) return 2;
        } else if (strcmp(a, "--limit") == 0) {
            NEEDV;
            if (!clae_parse_long(a, v, 1, &limit)) return 2;
        } else if (strcmp(a, "--no-shuffle") == 0) {
            no_shuffle = 1;
        } else if (strcmp(a, "--quiet") == 0) {
            quiet = 1;
        } else if (a[0] == '-') {
            fprintf(stderr, "clae train: unknown option '%s' (see --help)\n", a);
            return 2;
        } else if (!config) {
            config = a;
        } else {
            fprintf(stderr, "clae train: unexpected argument '%s' (see --help)\n", a);
            return 2;
        }
#undef NEEDV
    }
    if (!config) {
        fprintf(stderr, "clae train: missing CONFIG (see --help)\n");
        return 2;
    }
    if (resume && weights) {
        fprintf(stderr, "clae train: --resume and --weights exclude each other\n");
        return 2;
    }

    clae_model m;
    if (clae_model_load(config, &m) != CLAE_OK) return 1;
    clae_train_opts o;
    memset(&o, 0, sizeof o);
    o.out_dir = out ? out : m.train.out;
    o.epochs = epochs > 0 ? epochs : m.train.epochs;
    o.max_steps = max_steps > 0 ? max_steps : m.train.max_steps;
    o.seed = seed >= 0 ? (uint64_t)seed : m.train.seed;
    o.shuffle = no_shuffle ? 0 : m.train.shuffle;
    o.limit = 0; /* applied to the datasets below */
    o.quiet = quiet;
    o.best_val = INFINITY;

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
    }

    clae_device d;
    if (clae_device_open(&d, device) != CLAE_OK) goto done_model;
    clae_dataset train = {0}, test = {0};
    const char *dir = data ? data : m.train.data;
    if (clae_cifar_load(dir, CLAE_CIFAR_TRAIN, &train) != CLAE_OK ||
        clae_cifar_load(dir, CLAE_CIFAR_TEST, &test) != CLAE_OK)
        goto done_data; /* the loader said which file; scripts/fetch-cifar10.sh fetches it */
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
