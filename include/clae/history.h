/* The training history that `clae train` appends to (history.jsonl):
 * loading it (src/host/io/history.c), trimming it on a resume, and its CSV
 * copy (src/host/io/history_csv.c). */
#ifndef CLAE_HISTORY_H
#define CLAE_HISTORY_H

#include <stddef.h>

#include "clae/status.h"

/* The history.jsonl that `clae train` appends to: one JSON object per line
 * with numbers epoch and train_loss (required) and val_loss (optional; a
 * negative value or none: not measured, NAN here), and for models with loss
 * terms an object "terms" of each term's training mean and "val_terms" of
 * its validation mean (the first line that has a term names its series; up
 * to CLAE_HISTORY_MAX_TERMS, NAN where a line lacks one). Blank lines are
 * skipped. */
#define CLAE_HISTORY_MAX_TERMS 4
typedef struct clae_history {
    size_t n;
    double *epoch, *train_loss, *val_loss;
    int nterms;
    char term_name[CLAE_HISTORY_MAX_TERMS][24];
    double *term[CLAE_HISTORY_MAX_TERMS];
    double *val_term[CLAE_HISTORY_MAX_TERMS]; /* "val_terms": the same on validation */
    double *val_psnr; /* "val_psnr" in dB (optional; negative or none: NAN) */
    double *val_accuracy; /* "val_accuracy" 0..1 (optional; negative or none: NAN) */
} clae_history;

/* history.jsonl files past this are refused (a line is about 200 bytes) */
#define CLAE_HISTORY_MAX_BYTES (256 << 20)

/* Bad line: `clae: <file>:<line>: <problem>` and CLAE_ERR_FORMAT; no
 * epochs at all: CLAE_ERR_FORMAT; unreadable: CLAE_ERR_IO. */
clae_status clae_history_load(const char *path, clae_history *h);
void clae_history_free(clae_history *h);
/* Keep only the lines of path whose epoch is at most max_epoch (a resume
 * from an earlier checkpoint drops the epochs it will train again), and
 * blank lines. With last_line (the line for epoch max_epoch that the
 * checkpoint carries, no newline), lines up to max_epoch - 1 are kept and
 * last_line follows them, so a kill between a checkpoint and its history
 * append loses no line. A final line cut short that does not parse is
 * dropped. A last_line that is not one JSON object with that epoch is
 * ignored. Rewritten atomically, untouched when nothing changes. A missing
 * file is fine (created when last_line is given); any other line that is
 * not a history record is kept. */
clae_status clae_history_keep(const char *path, long max_epoch, const char *last_line);
/* The records of history.jsonl as CSV, written atomically to csv: a header
 * row of every number's key in the order they first appear (a number inside
 * an object as "terms.kl"), then a row per record (JSON objects only; other
 * lines skipped), an empty cell where a record lacks the key; values as
 * the JSON has them ("%.9g"; -1 still marks "not measured"). One line on
 * error: CLAE_ERR_IO / CLAE_ERR_FORMAT / CLAE_ERR_NOMEM. */
clae_status clae_history_csv(const char *jsonl, const char *csv);

#endif
