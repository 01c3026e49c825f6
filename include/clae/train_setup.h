/* Setting up a training run from what `clae train` was asked: the model (a
 * config with --set overrides, or a checkpoint to resume), the run's state
 * (clae/run.h) with the refusals of options that would change a resumed
 * run, the output folder, the initial weights and the data. The steps are
 * called in this order; the library prints errors only, the command prints
 * what each step did (src/host/train/setup.c). */
#ifndef CLAE_TRAIN_SETUP_H
#define CLAE_TRAIN_SETUP_H

#include "clae/checkpoint.h"
#include "clae/cifar.h"
#include "clae/dist.h"
#include "clae/model.h"
#include "clae/run.h"
#include "clae/train.h"

/* What `clae train` was asked (NULL, or -1 for a number: not given). */
typedef struct clae_train_request {
    const char *config;      /* CONFIG (may be left out with resume) */
    const char *resume;      /* --resume CKPT */
    const char *weights;     /* --weights CKPT */
    const char *data, *out, *classes;
    long epochs, max_steps, seed;
    long limit;              /* 0: not given */
    int no_shuffle, overwrite;
    const char *sets[CLAE_RUN_MAX_SETS]; /* --set, --lr, --batch as SEC.KEY=V */
    const char *set_flags[CLAE_RUN_MAX_SETS]; /* "--lr X" as given, NULL for --set */
    int nsets;
} clae_train_request;

typedef struct clae_train_setup {
    clae_model m;
    clae_ckpt_meta meta;     /* the checkpoint resumed (or --weights') */
    clae_run run;
    clae_train_opts opts;    /* out_dir, max_steps, continues, overwrite (the rest: the caller's) */
    clae_dataset train, test;
    const char *data_dir;    /* where the data was loaded from */
    size_t class_ntrain, class_ntest; /* with --classes: the images before keeping them */
    size_t augment_from;     /* augment = recipe: the training images before, and */
    size_t augment_counts[3]; /* the copies added: flipped lr, flipped ud, rotated */
    int refused;             /* after a failed step: the request was refused (exit status 2) */
    char out_buf[1100], data_buf[CLAE_RUN_PATH_MAX];
    clae_train_branches branches; /* a model with branches: each one's images (opts.branches) */
    const char *branch_dirs[CLAE_MAX_BRANCHES]; /* and the folders they came from */
} clae_train_setup;

void clae_train_setup_init(clae_train_setup *s);
void clae_train_setup_free(clae_train_setup *s);

/* The model and the run: resuming, the checkpoint's (a CONFIG given as well
 * must be the one it stores), its run's state; else CONFIG with the
 * request's overrides and a new run. */
clae_status clae_train_setup_model(clae_train_setup *s, const clae_train_request *q);

/* The run's settings (options over the config's [train]; a resume keeps its
 * own and refuses an option that would change them), its output folder
 * (whether the run continues there), and the refusal of a folder holding
 * another run. */
clae_status clae_train_setup_run(clae_train_setup *s, const clae_train_request *q);

/* A new run's weights: --weights' (a fresh optimizer), else initialised
 * from the run's seed. Nothing to do on resume. */
clae_status clae_train_setup_weights(clae_train_setup *s, const clae_train_request *q);

/* The data-parallel device of this rank: entry rank % n of a --device list
 * N,M,..., else (no --device, no CLAE_DEVICE) the default device of its
 * local rank; device itself otherwise. buf holds the entry chosen. */
const char *clae_train_rank_device(const clae_dist *dist, const char *device, char *buf,
                                   size_t len);

/* The data: loaded from --data, the run's recorded folder or [train] data;
 * checked against a resumed run's; recorded in the run; the run's classes
 * kept (class_ntrain/class_ntest: the counts before). */
clae_status clae_train_setup_data(clae_train_setup *s, const clae_train_request *q);
/* The same for a model with branches (clae_train_setup_data calls it):
 * each branch's images from its [branch] data (else --data, else [train]
 * data), its classes, --limit of each, [train] augment and validation_split
 * applied to each; the training set every branch's training images then
 * every branch's validation images, the test set their test images, where
 * they are in s->branches. */
clae_status clae_train_setup_branch_data(clae_train_setup *s, const clae_train_request *q);

/* The data made ready to train on: a classifier's labels checked against
 * its outputs, the run's --limit applied, augment = recipe's copies added
 * (augment_counts). */
clae_status clae_train_setup_data_ready(clae_train_setup *s);

/* --samples N: where the N images of each epoch's figure come from, the
 * first validation images (the last part of the training array) or else the
 * first test images: *ds and *first. CLAE_ERR_ARG after one line when
 * neither has N. */
clae_status clae_train_setup_samples(const clae_train_setup *s, long samples,
                                     const clae_dataset **ds, size_t *first);

/* What a resumed run r will do with max_steps (0: no limit; they count the steps of this
 * invocation): "will train to the end of epoch N ..." or "will stop after M more steps ...",
 * and that [train] patience (> 0) may stop it sooner, into buf (src/host/train/plan.c). */
void clae_train_resume_plan(const clae_run *r, long max_steps, long patience, char *buf,
                            size_t len);

/* Which weights a TEST event's numbers are of, for its line: "with the best weights (epoch
 * 7 of 10, restored: [train] restore_best)", "with the last weights (epoch 10; the best,
 * epoch 7, is in best.safetensors)", ... (src/host/train/plan.c). */
void clae_train_weights_text(const clae_train_event *e, char *buf, size_t len);

#endif
