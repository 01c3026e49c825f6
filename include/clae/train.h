/* The training scheduler: batch order (a seeded shuffle per epoch), double-
 * buffered upload of uint8 CIFAR records, conversion and corruption on the
 * device, the training step, validation after each epoch, checkpoints
 * (last / best / on stop), and a test-set MSE at the end. */
#ifndef CLAE_TRAIN_H
#define CLAE_TRAIN_H

#include <signal.h>

#include "clae/cifar.h"
#include "clae/device.h"
#include "clae/dist.h"
#include "clae/model.h"
#include "clae/run.h"

/* Longest output folder path: the checkpoint paths built from it must fit
 * clae_train_result.last_path and the scheduler's buffers (a longer one was
 * once truncated silently). */
#define CLAE_TRAIN_MAX_OUT 960

/* What a run reports as it goes (clae_train_opts.report); the library
 * prints nothing itself but errors and warnings. */
typedef enum clae_train_event_kind {
    CLAE_TRAIN_START, /* before the first step: the data split and step count */
    CLAE_TRAIN_STEP,  /* a few times a second inside an epoch (for a progress bar) */
    CLAE_TRAIN_EPOCH, /* an epoch done: its metrics (its checkpoints follow) */
    CLAE_TRAIN_TEST,  /* the test set's MSE at the end */
    CLAE_TRAIN_READY, /* this run's first step done: seconds since opts.launch_s */
    CLAE_TRAIN_SAVED  /* an epoch's checkpoints written (after EPOCH) */
} clae_train_event_kind;

typedef struct clae_train_event {
    clae_train_event_kind kind;
    const char *model, *device;   /* START */
    size_t ntrain, nval, ntest;   /* START; ntest also TEST */
    int batch;                    /* START */
    long epoch, epochs;           /* STEP: the epoch running (0-based); EPOCH: epochs done */
    long step, steps;             /* STEP: steps done in the epoch; START, STEP: per epoch */
    float loss;                   /* STEP: the latest batch loss read back (NAN: none yet) */
    double images_per_s;          /* STEP, EPOCH: training images per second */
    double eta_s;                 /* STEP: seconds left in the epoch */
    double train_loss, val_loss;  /* EPOCH */
    double val_psnr, val_accuracy; /* EPOCH (NAN without validation images) */
    int is_best;                  /* EPOCH: the best validation loss so far */
    double seconds, total_seconds; /* EPOCH: this epoch, the whole run so far; READY */
    double compile_seconds;       /* EPOCH: of seconds, those spent compiling kernels (not
                                     counted in images_per_s) */
    double test_mse;              /* TEST (with loss terms: the reconstruction term; a
                                     classifier's: its categorical cross-entropy) */
    double test_accuracy;         /* TEST: a classifier's (target = labels), else NAN */
    /* TEST: (epoch: the epochs trained) the epoch whose weights were tested, and 1 when
     * they are the best validation epoch's (restored by [train] restore_best, or the last
     * epoch being the best), 0 for the last epoch's; EPOCH: best_epoch is the epoch of the
     * best validation loss so far (0: none). */
    long weights_epoch, best_epoch;
    int best_weights;
    /* EPOCH, models with loss terms besides the reconstruction (term_mask
     * beyond bit 0, CLAE_TERM_* of clae/layer.h): each term's mean over the
     * epoch's training batches and over the validation (NULL: none). */
    unsigned term_mask;
    const double *train_terms, *val_terms;
    /* EPOCH: the learning rate of the epoch, the one the next epoch takes
     * (lower after a plateau: [train] lr_patience), epochs in a row without
     * a lower validation loss, and 1 when [train] patience stops the run. */
    double lr, next_lr;
    long since_best;
    int early_stop;
    /* SAVED: the epoch's checkpoints are written, last.safetensors at path;
     * the model's host parameters are that checkpoint's (for a figure). */
    const char *path;
    /* EPOCH, TEST of a model with branches: each branch's validation (test)
     * loss, in branch order (NULL: none) */
    const double *branch_loss;
} clae_train_event;

typedef void (*clae_train_report)(const clae_train_event *e, void *user);

/* A model with branches (clae_model.branches): where each branch's images
 * are in the datasets clae_train takes. The training set holds every
 * branch's training images, then every branch's validation images; the
 * test set every branch's test images. Steps take turns (a batch of the
 * first branch, of the second, ...; a branch whose images are done sits
 * the rest of the epoch out), each batch of one branch's images through
 * its path; validation and test run each branch on its own images. */
typedef struct clae_train_branches {
    int n;
    size_t train_from[CLAE_MAX_BRANCHES], train_n[CLAE_MAX_BRANCHES];
    size_t val_from[CLAE_MAX_BRANCHES], val_n[CLAE_MAX_BRANCHES];
    size_t test_from[CLAE_MAX_BRANCHES], test_n[CLAE_MAX_BRANCHES];
} clae_train_branches;

/* How clae_train runs (the run itself, what it is and where it stands, is
 * the clae_run of clae/run.h). */
typedef struct clae_train_opts {
    const char *out_dir;       /* checkpoints: OUT/last.safetensors, OUT/best.safetensors */
    long max_steps;            /* stop after this many steps in this run (0: no limit) */
    clae_train_report report;  /* called with every event (NULL: none); user passed back */
    double launch_s;           /* when the command started (CLOCK_MONOTONIC seconds; 0: when
                                  clae_train was called), for the READY event */
    void *report_user;
    /* A folder that already holds a run (last.safetensors, best.safetensors
     * or history.jsonl) is refused unless the run continues there (a resume
     * from its own checkpoint) or overwrite is set, which removes them first. */
    int continues, overwrite;
    /* Data parallel (NULL or size 1: this process alone). Every rank runs
     * clae_train with the same model, data and options; each global batch
     * is split into size parts in rank order, the gradient blocks are
     * summed over the ranks (each weighted by its share of the batch) before
     * one identical update on every rank, and rank 0 alone writes the
     * checkpoints and history (the others leave report NULL). Validation and
     * test run whole on every rank (the same weights, the same numbers). */
    clae_dist *dist;
    const clae_train_branches *branches; /* a model with branches: its data (else NULL) */
} clae_train_opts;

typedef struct clae_train_result {
    long epochs_done;          /* completed epochs at the end */
    long steps;                /* Adam steps at the end */
    long run_steps;            /* steps taken by this call (what max_steps counts) */
    double train_loss, val_loss, test_mse;
    double test_accuracy;      /* a classifier's (target = labels), else NAN */
    int stopped;               /* 1: max_steps reached, 2: signal, 3: early stopping,
                                * 4: signal during the final test pass (skipped) */
    int restored;              /* [train] restore_best: the best epoch's weights (run->best_epoch)
                                   were tested and written as last.safetensors */
    char last_path[1024];
    double branch_test_mse[CLAE_MAX_BRANCHES]; /* a model with branches: each one's */
} clae_train_result;

/* Train m (parameters and Adam moments already in its host blocks) on
 * train/test datasets (their data already chosen: run->limit and
 * run->classes are for the checkpoints), going on from where run stands
 * (a new run: clae_run_init) up to run->epochs; run follows the training
 * (its rate is m->net.adam.lr's) and ends where the last checkpoint does.
 * *stop is polled after every step (set by a signal handler). Writes
 * checkpoints (their metadata: clae_run_to_meta) into opts->out_dir. */
clae_status clae_train(clae_model *m, clae_device *d, const clae_dataset *train,
                       const clae_dataset *test, const clae_train_opts *opts, clae_run *run,
                       volatile sig_atomic_t *stop, clae_train_result *res);

/* m's training run once on made-up images of its shape (one full batch, one
 * part, validation and a test pass; checkpoints into a temporary folder,
 * removed after), so that every kernel a real run of m launches on d is
 * built and kept in the kernel caches: a first run then starts at once.
 * m's weights and optimizer state are changed. Errors: one line. */
clae_status clae_train_warmup(clae_model *m, clae_device *d);

/* A new run into dir: CLAE_OK when dir holds no run's files (last.safetensors,
 * best.safetensors, history.jsonl, history.csv; a missing dir holds none);
 * otherwise with overwrite they are removed (and the run's --samples
 * figures, OUT/samples/epoch-NNNN.png, and its TensorBoard files,
 * OUT/tb/events.out.tfevents.*), and without it one line says
 * what to do and CLAE_ERR_ARG is returned. clae_train checks this again with
 * the folder locked. */
clae_status clae_train_claim_out(const char *dir, int overwrite);

/* The order of training indices for an epoch: identity without shuffle,
 * else a Fisher-Yates shuffle seeded by (seed, epoch) alone, so a resumed
 * run sees the same order as an uninterrupted one. */
void clae_epoch_order(uint32_t *order, size_t n, uint64_t seed, long epoch, int shuffle);

#endif
