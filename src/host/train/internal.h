/* The parts of the training scheduler (src/host/train/scheduler.c) that live in files
 * of their own under src/host/train/: the batch feeder, the data-parallel
 * split, the per-batch loss history, validation, the history.jsonl lines,
 * and the output folder with its checkpoints. Private to the scheduler. */
#ifndef CLAE_TRAIN_INTERNAL_H
#define CLAE_TRAIN_INTERNAL_H

#include <signal.h>
#include <stdint.h>

#include "clae/corrupt.h"
#include "clae/net.h"
#include "clae/run.h"
#include "clae/train.h"

/* ---- the batch feeder (feeder.c) ----------------------------------------- */

/* Two slots: while the device runs a step on one, the host gathers the
 * next batch's uint8 records into the other and starts its upload. */
typedef struct feeder {
    clae_net *net;
    clae_device *d;
    int B;
    int C, H, W;                  /* one image (the model's input and the data's) */
    size_t P, R;                  /* its pixel bytes C*H*W, record bytes 1 + P */
    uint8_t *stage[2];            /* host staging: B records each */
    clae_buf rec[2];              /* the records on the device (the stage itself on ref) */
    cl_event write_ev[2], conv_ev[2];
    cl_command_queue upq;         /* upload queue (NULL on the reference path) */
    int blur;                     /* corrupt = blur (a device op) */
    int ksize;
    float kern[64];
    clae_buf kbuf;
    /* Other corruptions (noise, salt-and-pepper, masks) are drawn on the host:
     * the batch is converted there too and its corrupted input uploaded. */
    int host_corrupt;
    clae_corrupt cor;
    uint64_t seed;
    float *h_clean, *h_input[2];
    clae_buf input[2];
    volatile sig_atomic_t *stop; /* set: evaluate_pass ends after the batch (interrupted) */
} feeder;

clae_status feeder_init(feeder *f, clae_net *net, const clae_model *m, uint64_t seed);
void feeder_free(feeder *f);
/* Gather records idx[0..nb) of ds (offset base; idx NULL: in order) into
 * slot k and start the upload. key names the batch (epoch and step) for
 * host-drawn corruptions, so a resumed run draws the same noise. */
clae_status feeder_prepare(feeder *f, int k, const clae_dataset *ds, size_t base,
                           const uint32_t *idx, int nb, uint64_t key);
/* Turn slot k into the net's target (clean) and input (corrupted). */
clae_status feeder_consume(feeder *f, int k, int nb);

/* ---- an epoch's steps (epoch_plan.c) ------------------------------------ */

/* Each step's batch: its images are order[first, first + nb) of the
 * epoch's order, through branch `branch`'s path (0 without branches). */
typedef struct epoch_plan {
    long steps;
    int *branch;
    size_t *first;
    int *nb;
} epoch_plan;

/* The steps of an epoch of ntrain images in batches of B: in file order of
 * the batches; with branches (br not NULL) the branches' batches in turns. */
clae_status epoch_plan_init(epoch_plan *p, const clae_train_branches *br, size_t ntrain, int B);
void epoch_plan_free(epoch_plan *p);
/* The epoch's order of training indices: clae_epoch_order's; with branches
 * each branch's images in an order of its own, laid out by the plan. */
clae_status epoch_plan_order(const epoch_plan *p, const clae_train_branches *br, size_t ntrain,
                             uint32_t *order, uint64_t seed, long epoch, int shuffle);

/* ---- data parallel (parallel.c) ------------------------------------------ */

/* This rank's part of a batch of nb images: [*lo, *lo + *cnt), the parts
 * in rank order (all of it without dist). */
void batch_rank_part(const clae_dist *dist, int nb, int *lo, int *cnt);

/* The gradient exchange of a data-parallel step (clae_net.grad_hook with
 * an exchange as its user): the stop flags of the ranks agreed on the way. */
typedef struct exchange {
    clae_dist *dist;
    int nb, cnt;                  /* the global batch, this rank's part */
    volatile sig_atomic_t *stop;  /* this rank's signal flag */
    int stop_all;                 /* out: some rank was signalled */
} exchange;

clae_status exchange_grads(clae_net *n, void *user);

/* ---- loss history: one scalar per batch, read once per pass (losses.c) ---- */

typedef struct loss_history {
    float *h;      /* host copy */
    clae_buf m;    /* on the device (h itself on the reference path) */
    long cap;
    /* A model with loss terms (clae_net.terms): each batch's terms too,
     * CLAE_NTERMS a batch, and their means over the last history_sum. */
    float *th;
    clae_buf tm;
    double tmean[CLAE_NTERMS];
} loss_history;

clae_status loss_history_init(loss_history *hs, clae_net *n, long cap);
void loss_history_free(loss_history *hs);
/* Batch i's loss (and terms) copied into the history, on the device. */
clae_status loss_history_put(loss_history *hs, clae_net *n, long i);
/* Sum of loss[i] * batch size over i in [from, to) plus start; the terms'
 * means over the same batches into hs->tmean (the batches of this process:
 * after a resume inside an epoch, those since the resume). Batch i holds
 * nbs[i] images, or (nbs NULL) B but the last of total. */
clae_status loss_history_sum(loss_history *hs, clae_device *d, long from, long to,
                             const int *nbs, size_t total, int B, double start, clae_dist *dist,
                             double *sum);

/* ---- validation (evaluate.c) --------------------------------------------- */

/* Validation extras computed on the host from the outputs: mean per-image
 * PSNR (peak 1) and Keras's channel-argmax accuracy (ties to the first
 * channel, as tf.argmax). Costs one read-back per validation batch. */
typedef struct val_metrics {
    float *out, *target; /* B images each: output, clean target */
    int classes;         /* a classifier's K (target = labels), else 0 */
    double psnr_sum;
    size_t images, correct, pixels;
} val_metrics;

/* Mean loss over records [base, base + count) of ds, in file order (NAN
 * for none); the extras into vm unless it is NULL. */
clae_status evaluate_pass(feeder *f, loss_history *hs, const clae_dataset *ds, size_t base,
                          size_t count, double *mse, val_metrics *vm);

/* ---- history.jsonl (history_file.c) -------------------------------------- */

/* The loss's terms apart (models with penalties: mask beyond the
 * reconstruction): their means over the epoch's training batches and over
 * the validation batches; NULL: not measured. */
typedef struct history_terms {
    unsigned mask;
    const double *train, *val;
} history_terms;

/* One JSON object per epoch for OUT/history.jsonl (no newline, at most
 * CLAE_RUN_HISTORY_MAX with its NUL); the epoch's checkpoints carry it too,
 * so a resume can put it back. */
void history_jsonl_line(char *buf, long epoch, double tl, double vl, double psnr, double acc,
                        double ips, double secs, long steps, double lr, const history_terms *ht);
/* OUT/history.csv, rewritten from OUT/history.jsonl (a warning on failure). */
void history_csv_update(const char *dir);
/* A line appended to OUT/history.jsonl, then history.csv rewritten. */
void history_jsonl_append(const char *dir, const char *line);

/* ---- the output folder (outdir.c) ---------------------------------------- */

/* Lock OUT for this run (OUT/.lock, flock, holding the pid): the descriptor
 * to close at the end, or -1 after one line. */
int out_dir_lock(const char *dir);
/* Remove the temporary files of writes that a killed run left in dir. */
void out_dir_remove_temps(const char *dir);
/* OUT/FILE (the path into path): n's parameters and Adam moments with the
 * run's metadata; refused (CLAE_ERR_NUMERIC) for non-finite weights. */
clae_status save_checkpoint(clae_net *n, const char *dir, const char *file, const clae_run *run,
                            char *path, size_t len);

/* [train] restore_best (restore.c): the net's parameters copied into *keep (allocated on
 * the first call), and put back from keep (NULL: from dir/best.safetensors) into the model
 * and the device. */
clae_status best_weights_keep(clae_net *n, float **keep);
clae_status best_weights_put(clae_net *n, const float *keep, const char *dir);

#endif
