/* A training run's TensorBoard log (src/host/train/tensorboard_log.c):
 * OUT/tb/events.out.tfevents.* (clae/tensorboard.h), written from the
 * events of clae_train (clae/train.h) after each epoch's checkpoints, so it
 * holds the epochs history.jsonl does, at the same steps (the epoch
 * number, 1 for the first):
 *   train/loss, val/loss, val/psnr, val/accuracy (a classifier's),
 *   train/lr, train/images_per_s, train/TERM and val/TERM for a model's
 *   loss terms (reconstruction, kl, ...), and the image "samples" (the
 *   --samples figure). A value that was not measured (no validation
 *   images) is left out.
 * Each run (a resume too) adds a file of its own that starts with a
 * SessionLog START at its first epoch (a resume's: the epoch it resumes,
 * written again), so TensorBoard drops what an earlier file holds from
 * there on. A failure is one warning; the run goes
 * on without the log. */
#ifndef CLAE_TENSORBOARD_LOG_H
#define CLAE_TENSORBOARD_LOG_H

#include "clae/layer.h"
#include "clae/run.h"
#include "clae/tensorboard.h"
#include "clae/train.h"

typedef struct clae_tb_log {
    char out_dir[1100];   /* OUT */
    char dir[1100];       /* OUT/tb; "" when off */
    clae_tb_writer w;     /* opened at the first epoch written */
    int failed;
    /* the last EPOCH event's metrics, written at its SAVED */
    int pending;
    long epoch;
    double train_loss, val_loss, val_psnr, val_accuracy, images_per_s, lr;
    unsigned term_mask;
    int has_val_terms;
    double train_terms[CLAE_NTERMS], val_terms[CLAE_NTERMS];
    /* a resumed run: the epoch it starts from and that epoch's history line */
    long resume_epoch;
    char resume_line[CLAE_RUN_HISTORY_MAX];
} clae_tb_log;

/* A log into OUT/tb (out_dir NULL: off; nothing is written). */
void clae_tb_log_init(clae_tb_log *l, const char *out_dir);

/* A run that goes on from `epoch` epochs done, line the last one's
 * history.jsonl line (a checkpoint's, clae_run.history; "" or NULL: none):
 * its file starts at that epoch, written again from line (and with its
 * OUT/samples figure where there is one), so an epoch whose event a run
 * killed after its checkpoint never wrote is there too, as the resume puts
 * its history.jsonl line back. */
void clae_tb_log_resume(clae_tb_log *l, long epoch, const char *line);

/* Feed it every event of the run: START opens a resumed run's file (its
 * epoch again), EPOCH keeps the metrics, SAVED writes them with the PNG at
 * sample_png (NULL: none) and flushes. */
void clae_tb_log_event(clae_tb_log *l, const clae_train_event *e, const char *sample_png);

/* A resumed run with no epoch left to train: its file with the epoch it
 * resumed, written again (an event a kill cut off after the last
 * checkpoint), as the resume puts back a lost history.jsonl line. */
void clae_tb_log_restore(clae_tb_log *l);

void clae_tb_log_close(clae_tb_log *l);

/* Remove OUT/tb/events.out.tfevents.* (a run replaced with --overwrite). */
void clae_tb_log_remove(const char *out_dir);

#endif
