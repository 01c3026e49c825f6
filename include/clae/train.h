/* The training scheduler: batch order (a seeded shuffle per epoch), double-
 * buffered upload of uint8 CIFAR records, conversion and corruption on the
 * device, the training step, validation after each epoch, checkpoints
 * (last / best / on stop), and a test-set MSE at the end. */
#ifndef CLAE_TRAIN_H
#define CLAE_TRAIN_H

#include <signal.h>

#include "clae/cifar.h"
#include "clae/device.h"
#include "clae/model.h"

/* Longest output folder path: the checkpoint paths built from it must fit
 * clae_train_result.last_path and the scheduler's buffers (a longer one was
 * once truncated silently). */
#define CLAE_TRAIN_MAX_OUT 960

typedef struct clae_train_opts {
    const char *out_dir;       /* checkpoints: OUT/last.safetensors, OUT/best.safetensors */
    long epochs;               /* total epochs (a resumed run continues up to this) */
    long max_steps;            /* stop after this many steps in this run (0: no limit) */
    uint64_t seed;
    int shuffle;
    long limit;                /* use only the first `limit` training/test images (0: all) */
    int quiet;                 /* no per-epoch lines (tests) */
    /* Resume state (from a checkpoint; zero for a fresh run). */
    long start_epoch;          /* completed epochs */
    long start_epoch_step;     /* steps already done in epoch start_epoch */
    double start_loss_sum;     /* sum of batch loss * batch size so far in that epoch */
    long adam_t;               /* Adam steps taken */
    double best_val;           /* best validation loss so far (INFINITY if none) */
    const char *history_line;  /* the checkpoint's history.jsonl line for start_epoch, or NULL */
} clae_train_opts;

typedef struct clae_train_result {
    long epochs_done;          /* completed epochs at the end */
    long steps;                /* Adam steps at the end */
    double train_loss, val_loss, test_mse;
    int stopped;               /* 1: max_steps reached, 2: signal */
    char last_path[1024];
} clae_train_result;

/* Train m (parameters and Adam moments already in its host blocks) on
 * train/test datasets. *stop is polled after every step (set by a signal
 * handler). Writes checkpoints into opts->out_dir. */
clae_status clae_train(clae_model *m, clae_device *d, const clae_dataset *train,
                       const clae_dataset *test, const clae_train_opts *opts,
                       volatile sig_atomic_t *stop, clae_train_result *res);

/* The order of training indices for an epoch: identity without shuffle,
 * else a Fisher-Yates shuffle seeded by (seed, epoch) alone, so a resumed
 * run sees the same order as an uninterrupted one. */
void clae_epoch_order(uint32_t *order, size_t n, uint64_t seed, long epoch, int shuffle);

#endif
