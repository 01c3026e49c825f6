/* A training run's whole state, in one struct: who the run is (seed, data,
 * --limit, --classes, shuffle, epochs, folder), where it is (epoch, step,
 * the place inside an epoch), and what it carries from epoch to epoch (the
 * best validation loss, the learning rate and the plateau counters, the
 * last history line). clae_run_to_meta / clae_run_from_meta are the one
 * place a run's checkpoint metadata is written and read (src/host/run.c).
 *
 * The metadata of a checkpoint written by `clae train`, after the base keys
 * of clae/checkpoint.h (epoch, step, seed, rng, best_val_loss, val_loss,
 * train_loss), in this order:
 *   epoch_step, epoch_loss_sum   where inside epoch `epoch + 1` it stopped
 *   history                      the last completed epoch's history.jsonl line
 *   data, data_shape, data_images, limit, shuffle, epochs, out
 *                                the run's settings (written by the CLI only)
 *   lr, plateau                  the learning rate, "wait,lr_wait"
 *   classes                      the labels trained on (when not all)
 *   normalize_minmax             [train] normalize's min-max pair "lo,hi" (clae/normalize.h),
 *                                once the run has computed it
 *   best_epoch                   the epoch of best_val_loss, "N", or "N,restored" when
 *                                [train] restore_best put its weights in place at the end */
#ifndef CLAE_RUN_H
#define CLAE_RUN_H

#include <stdint.h>

#include "clae/checkpoint.h"
#include "clae/cifar.h"
#include "clae/model.h"

#define CLAE_RUN_PATH_MAX 4096   /* the absolute data and output folders */
#define CLAE_RUN_HISTORY_MAX 1024 /* one history.jsonl line, its NUL included */
#define CLAE_RUN_MAX_SETS 64      /* --set options */

typedef struct clae_run {
    /* The config overrides a new run was started with (--set, --lr,
     * --batch as SEC.KEY=V): applied to the model's config, whose text
     * every checkpoint stores, so they are no metadata of their own. */
    const char *sets[CLAE_RUN_MAX_SETS];
    int nsets;

    /* Who the run is. */
    uint64_t seed;          /* initialisation, batch order, host-drawn corruption */
    int shuffle;            /* batches in a seeded order per epoch, else file order */
    long epochs;            /* total epochs (a resume continues up to this) */
    clae_classes classes;   /* the labels trained on (empty: all) */
    clae_normalize norm;    /* [train] normalize; its pair once computed or read (ready) */
    /* The run's data and folder, recorded by the CLI (data[0] == '\0': not
     * recorded: a run started from the library, or an older checkpoint). */
    char data[CLAE_RUN_PATH_MAX]; /* absolute data folder */
    char out[CLAE_RUN_PATH_MAX];  /* absolute output folder */
    int data_H, data_W, data_C;   /* its image shape */
    long data_ntrain, data_ntest; /* its image counts (before --classes and --limit) */
    long limit;                   /* the first `limit` training and test images (0: all) */

    /* Where it is. */
    long epoch;             /* completed epochs */
    long epoch_step;        /* steps done in epoch `epoch + 1` (0 at an epoch's start) */
    double epoch_loss_sum;  /* the sum of batch loss x batch size of those steps */
    long step;              /* Adam steps taken */

    /* What it carries. */
    double best_val;        /* the best validation loss so far (INFINITY: none) */
    long best_epoch;        /* the epoch (1-based) that had it (0: none) */
    int restored;           /* [train] restore_best put epoch best_epoch's weights in place
                               when training ended: no longer where it stopped (finished) */
    double val_loss;        /* the last validation loss this process measured (NAN: none) */
    double train_loss;      /* the last (partial) epoch's training loss (NAN: none) */
    float lr;               /* the learning rate (the optimizer takes m->net.adam.lr) */
    long wait, lr_wait;     /* epochs in a row without a lower val loss: [train]
                               patience and lr_patience (lr_wait is reset when the
                               rate is lowered) */
    char history[CLAE_RUN_HISTORY_MAX]; /* the last completed epoch's history line ("": none) */
} clae_run;

/* A new run of m: its [train] seed, shuffle, epochs and classes, its
 * [net] lr, nothing done yet (best_val INFINITY, the losses NAN). */
void clae_run_init(clae_run *r, const clae_model *m);

/* The run's checkpoint metadata into meta (initialised here; free it with
 * clae_ckpt_meta_free). CLAE_ERR_ARG or CLAE_ERR_NOMEM after one line. */
clae_status clae_run_to_meta(const clae_run *r, clae_ckpt_meta *meta);

/* The run a checkpoint's metadata records, over r (clae_run_init first):
 * position, seed, losses and history line always; the settings, classes, lr
 * and plateau counters where present (older checkpoints and `clae init`'s
 * lack them: r keeps its own); the resume point (0 when absent). A
 * malformed value gets one line naming path, and CLAE_ERR_FORMAT (r partly
 * set). */
clae_status clae_run_from_meta(clae_run *r, const clae_ckpt_meta *meta, const char *path);

#endif
