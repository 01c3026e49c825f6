/* A training run set up from what `clae train` was asked: the model, the
 * run's state and the refusals of a resume, the output folder, the initial
 * weights, the data; see include/clae/train_setup.h. */
#include "clae/train_setup.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clae/augment.h"
#include "clae/device.h"
#include "clae/fs.h"
#include "clae/layer.h"
#include "clae/net.h"

void clae_train_setup_init(clae_train_setup *s)
{
    memset(s, 0, sizeof *s);
    clae_ckpt_meta_init(&s->meta);
}

void clae_train_setup_free(clae_train_setup *s)
{
    clae_dataset_free(&s->train);
    clae_dataset_free(&s->test);
    clae_ckpt_meta_free(&s->meta);
    clae_model_free(&s->m);
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

/* The run's model and settings come from its checkpoint; a CONFIG given as
 * well must be the one stored there. */
static clae_status resume_model(clae_train_setup *s, const clae_train_request *q)
{
    CLAE_TRY(clae_ckpt_load(q->resume, &s->m, &s->meta, 0));
    clae_run_init(&s->run, &s->m);
    memset(&s->run.classes, 0, sizeof s->run.classes); /* the checkpoint's alone: none is all */
    CLAE_TRY(clae_run_from_meta(&s->run, &s->meta, q->resume));
    if (!q->config) return CLAE_OK;
    clae_model given;
    CLAE_TRY(clae_model_load(q->config, &given));
    int same = strcmp(given.text, s->m.text) == 0;
    clae_model_free(&given);
    if (same) return CLAE_OK;
    fprintf(stderr, "clae train: %s is not the config stored in %s: resume without CONFIG (the "
            "run's own is used), or start a new run from its weights with --weights\n",
            q->config, q->resume);
    s->refused = 1;
    return CLAE_ERR_ARG;
}

clae_status clae_train_setup_model(clae_train_setup *s, const clae_train_request *q)
{
    if (q->resume) return resume_model(s, q);
    CLAE_TRY(clae_model_load(q->config, &s->m));
    for (int i = 0; i < q->nsets; i++)
        if (clae_model_set_as(&s->m, q->sets[i], q->set_flags[i]) != CLAE_OK) {
            s->refused = 1;
            return CLAE_ERR_ARG;
        }
    clae_run_init(&s->run, &s->m);
    memcpy(s->run.sets, q->sets, sizeof s->run.sets);
    s->run.nsets = q->nsets;
    return CLAE_OK;
}

/* A resume refuses what would change the run; what it already was is fine.
 * The option named and what the run has, or NULL. */
static const char *resume_change(const clae_run *r, const clae_train_request *q, char *was,
                                 size_t len)
{
    clae_classes want;
    const int recorded = r->data[0] != '\0';
    if (q->seed >= 0 && (uint64_t)q->seed != r->seed) {
        snprintf(was, len, "seed %" PRIu64, r->seed);
        return "--seed";
    }
    if (q->classes && clae_classes_parse(q->classes, &want) &&
        memcmp(&want, &r->classes, sizeof want) != 0) {
        char cls[1024];
        clae_classes_format(&r->classes, cls, sizeof cls);
        snprintf(was, len, "classes %.151s", cls); /* was: 160 bytes */
        return "--classes";
    }
    if (recorded && q->limit > 0 && q->limit != r->limit) {
        if (r->limit > 0)
            snprintf(was, len, "--limit %ld", r->limit);
        else
            snprintf(was, len, "no --limit");
        return "--limit";
    }
    if (recorded && q->no_shuffle && r->shuffle) {
        snprintf(was, len, "shuffled batches");
        return "--no-shuffle";
    }
    return NULL;
}

/* The run goes on in its own folder: the checkpoint's, or the one it
 * recorded (a copy of an earlier checkpoint kept elsewhere). */
static int continues_in(const clae_run *r, const char *ckpt, const char *out_dir)
{
    char ckdir[1100], out_abs[CLAE_RUN_PATH_MAX];
    dir_of(ckpt, ckdir, sizeof ckdir);
    return clae_same_file(ckdir, out_dir) ||
           (r->out[0] && clae_abs_path(out_dir, out_abs, sizeof out_abs) == 0 &&
            strcmp(r->out, out_abs) == 0);
}

clae_status clae_train_setup_run(clae_train_setup *s, const clae_train_request *q)
{
    clae_run *r = &s->run;
    clae_train_opts *o = &s->opts;
    const clae_train_config *tc = &s->m.train;
    const char *out = q->out;
    if (q->resume && !out) { /* the run goes on in its own folder */
        dir_of(q->resume, s->out_buf, sizeof s->out_buf);
        out = s->out_buf;
    }
    o->out_dir = out ? out : tc->out;
    o->max_steps = q->max_steps >= 0 ? q->max_steps : tc->max_steps; /* 0: no limit, as the key */
    o->overwrite = q->overwrite;
    const long run_epochs = r->epochs; /* the config's, or a resumed run's recorded */
    if (q->resume) {
        char was[160] = "";
        const char *changed = resume_change(r, q, was, sizeof was);
        if (changed) {
            fprintf(stderr, "clae train: %s would change the run of %s (it has %s); to change it, "
                    "start a new run from its weights (--weights)\n", changed, q->resume, was);
            s->refused = 1;
            return CLAE_ERR_ARG;
        }
        if (!r->data[0]) { /* an older checkpoint: the options as they are given */
            r->limit = q->limit;
            r->shuffle = q->no_shuffle ? 0 : tc->shuffle;
        }
        s->m.train.classes = r->classes;
        o->continues = continues_in(r, q->resume, o->out_dir);
    } else {
        r->seed = q->seed >= 0 ? (uint64_t)q->seed : tc->seed;
        r->shuffle = q->no_shuffle ? 0 : tc->shuffle;
        r->limit = q->limit;
        if (q->classes) clae_classes_parse(q->classes, &r->classes); /* checked by the caller */
    }
    r->epochs = q->epochs > 0 ? q->epochs : run_epochs;
    if (q->resume && r->restored) { /* [train] restore_best ended it: no resume point */
        if (q->epochs > r->epoch) {
            fprintf(stderr, "clae train: --epochs %ld: the run of %s is finished ([train] "
                    "restore_best put the weights of its best epoch, %ld, in it when training "
                    "ended): start a new run from them with --weights\n", q->epochs, q->resume,
                    r->best_epoch);
            s->refused = 1;
            return CLAE_ERR_ARG;
        }
        r->epochs = r->epoch;
    }
    if (!o->continues && !q->overwrite && clae_train_claim_out(o->out_dir, 0) != CLAE_OK) {
        s->refused = 1;
        return CLAE_ERR_ARG;
    }
    return CLAE_OK;
}

clae_status clae_train_setup_weights(clae_train_setup *s, const clae_train_request *q)
{
    if (q->resume) return CLAE_OK;
    if (q->weights) return clae_ckpt_load(q->weights, &s->m, &s->meta, CLAE_CKPT_WEIGHTS_ONLY);
    clae_rng rng;
    clae_rng_seed(&rng, s->run.seed);
    return clae_model_init(&s->m, &rng);
}

const char *clae_train_rank_device(const clae_dist *dist, const char *device, char *buf,
                                   size_t len)
{
    if (device && strchr(device, ',')) {
        int n = 1;
        for (const char *c = device; *c; c++) n += *c == ',';
        const char *at = device;
        for (int k = dist->rank % n; k > 0; k--) at = strchr(at, ',') + 1;
        snprintf(buf, len, "%.*s", (int)strcspn(at, ","), at);
        return buf;
    }
    if (!device && !getenv("CLAE_DEVICE")) {
        int idx = clae_device_nth_default(dist->local_rank);
        if (idx >= 0) {
            snprintf(buf, len, "%d", idx);
            return buf;
        }
    }
    return device;
}

clae_status clae_train_setup_data(clae_train_setup *s, const clae_train_request *q)
{
    if (s->m.nbranches > 0) return clae_train_setup_branch_data(s, q);
    clae_run *r = &s->run;
    clae_model *m = &s->m;
    const int recorded = r->data[0] != '\0';
    snprintf(s->data_buf, sizeof s->data_buf, "%s", r->data); /* r->data becomes dir's */
    const char *dir = s->data_dir = q->data ? q->data : recorded ? s->data_buf : m->train.data;
    /* the loader says which file, --data and the fetch script */
    CLAE_TRY(clae_dataset_load(dir, CLAE_CIFAR_TRAIN, m->net.H, m->net.W, m->net.C, &s->train));
    CLAE_TRY(clae_dataset_load(dir, CLAE_CIFAR_TEST, m->net.H, m->net.W, m->net.C, &s->test));
    if (recorded && ((long)s->train.n != r->data_ntrain || (long)s->test.n != r->data_ntest)) {
        fprintf(stderr, "clae train: %s holds %zu training and %zu test images, the run of %s was "
                "trained on %ld and %ld (in %s): not the same data\n", dir, s->train.n, s->test.n,
                q->resume, r->data_ntrain, r->data_ntest, r->data);
        s->refused = 1;
        return CLAE_ERR_ARG;
    }
    /* The run's settings, into every checkpoint (what a resume takes back). */
    if (clae_abs_path(dir, r->data, sizeof r->data) != 0 ||
        clae_abs_path(s->opts.out_dir, r->out, sizeof r->out) != 0) {
        fprintf(stderr, "clae: %s: cannot make the path absolute: %s\n", dir, strerror(errno));
        return CLAE_ERR_IO;
    }
    r->data_H = s->train.H, r->data_W = s->train.W, r->data_C = s->train.C;
    r->data_ntrain = (long)s->train.n, r->data_ntest = (long)s->test.n;
    m->train.classes = r->classes;
    s->class_ntrain = s->train.n, s->class_ntest = s->test.n;
    if (!clae_classes_empty(&r->classes)) { /* one class (or a few): the others are out */
        clae_dataset_keep_classes(&s->train, &r->classes);
        clae_dataset_keep_classes(&s->test, &r->classes);
        if (s->train.n == 0) {
            char cls[1024];
            clae_classes_format(&r->classes, cls, sizeof cls);
            fprintf(stderr, "clae: %s: no training image has a label in classes %s\n",
                    s->data_dir, cls);
            return CLAE_ERR_ARG;
        }
    }
    return CLAE_OK;
}

clae_status clae_train_setup_data_ready(clae_train_setup *s)
{
    clae_model *m = &s->m;
    if (m->nbranches > 0) return CLAE_OK; /* done branch by branch (branch_data.c) */
    if (m->train.labels) { /* a classifier: every label needs one of its K outputs */
        int K = (int)clae_layer_out_count(&m->layers[m->nlayers - 1]);
        const clae_dataset *both[2] = {&s->train, &s->test};
        for (int k = 0; k < 2; k++)
            for (size_t i = 0; i < both[k]->n; i++)
                if (clae_dataset_label(both[k], i) >= K) {
                    fprintf(stderr, "clae: %s: a %s image has label %d, but the classifier has %d "
                            "outputs (labels 0 to %d)\n", s->data_dir, k ? "test" : "training",
                            clae_dataset_label(both[k], i), K, K - 1);
                    return CLAE_ERR_ARG;
                }
    }
    long limit = s->run.limit;
    if (limit > 0) { /* a subset: the first images of each split */
        if ((size_t)limit < s->train.n) s->train.n = (size_t)limit;
        if ((size_t)limit < s->test.n) s->test.n = (size_t)limit;
    }
    if (strcmp(m->train.augment, "recipe") != 0) return CLAE_OK;
    /* The recipe: extra copies (flip lr / flip ud / rotate -30) of random
     * training images appended after the originals, before the validation
     * split takes the last part of the array (as in the source). */
    clae_dataset aug;
    s->augment_from = s->train.n;
    if (clae_augment_recipe(&aug, &s->train, m->train.augment_fraction, s->run.seed,
                            s->augment_counts) != CLAE_OK) {
        fprintf(stderr, "clae: cannot build the augmented training set\n");
        return CLAE_ERR_NOMEM;
    }
    clae_dataset_free(&s->train);
    s->train = aug;
    return CLAE_OK;
}

clae_status clae_train_setup_samples(const clae_train_setup *s, long samples,
                                     const clae_dataset **ds, size_t *first)
{
    size_t ntr = (size_t)((double)s->train.n * (1.0 - s->m.train.validation_split));
    *first = 0;
    if (s->train.n - ntr >= (size_t)samples) {
        *ds = &s->train;
        *first = ntr;
    } else if (s->test.n >= (size_t)samples) {
        *ds = &s->test;
    } else {
        fprintf(stderr, "clae train: --samples %ld: only %zu validation and %zu test images\n",
                samples, s->train.n - ntr, s->test.n);
        return CLAE_ERR_ARG;
    }
    return CLAE_OK;
}
