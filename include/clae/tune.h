/* Tuned parameters of the direct convolution kernels (src/kernels/conv2d_direct.cl),
 * per device and shape, in the spirit of CLBlast's tuners: `clae tune` searches
 * the candidates of every direct-convolution shape of a config's training step,
 * checks each against the reference twin, keeps the fastest, and writes them to
 * one file per device and driver beside the program cache,
 *   <cache dir>/tune-<16 hex digits>.json   (clae_tune_path)
 * which clae_device_open loads (clae_device.tune) and the direct kernels read
 * (src/host/ops/conv2d_tune.c); a shape without an entry takes its device
 * class's defaults. $CLAE_NO_TUNE=1 leaves the file unread.
 *
 * The file: {"format": "clae-tune 1", "platform": ..., "device": ...,
 * "driver": ..., "entries": {KEY: {"blk", "dw_blk", "dw_slice_images", "wg",
 * "batch", "default_ms", "best_ms"}}}, KEY the kernel kind and its geometry's
 * build options ("conv -DGC=8 -DGH=32 ... -DPL=1"; clae_dc_key). A file that
 * does not parse, has a bad entry, or names another device or driver is
 * ignored with one warning naming it and the problem. */
#ifndef CLAE_TUNE_H
#define CLAE_TUNE_H

#include <stdio.h>

#include "clae/device.h"
#include "clae/model.h"
#include "clae/status.h"

/* Work-group shapes of the direct kernels' launches. */
typedef enum clae_dc_wg {
    CLAE_DC_WG_PLANE = 0,  /* conv/tconv: one output plane (else a row); dw: one slice */
    CLAE_DC_WG_ROW = 1,    /* conv/tconv: one row of work-items */
    CLAE_DC_WG_DRIVER = 2, /* NULL: the driver's choice */
    CLAE_DC_WG_STACK = 3,  /* conv/tconv: planes of several channel blocks, up to 256 */
    CLAE_DC_WG_MODES
} clae_dc_wg;
extern const char *const clae_dc_wg_names[CLAE_DC_WG_MODES]; /* "plane", "row", ... */

/* What a direct kernel launch is compiled and launched with. blk: output
 * channels per work-item of the conv and tconv kinds (-DBLK); dw_blk: grid
 * channels per work-item of the dw kind; dw_slice_images: images per
 * weight-gradient slice (before the scratch and loop limits); wg: the
 * work-group shape. Fields a kind does not read are kept as its defaults. */
typedef struct clae_dc_params {
    int blk, dw_blk, dw_slice_images;
    int wg; /* clae_dc_wg */
    int vw; /* pixels per work-item along the width, 8 or 16 (conv2d_direct.cl's VW) */
} clae_dc_params;

/* Bounds a tuning file's values must keep (a larger one is a bad entry). */
#define CLAE_DC_BLK_MAX 64
#define CLAE_DC_SLICE_MAX 1024

typedef struct clae_tune_entry {
    char key[224];
    clae_dc_params p;
    int batch;                 /* what it was tuned at (for people; 0: unknown) */
    double default_ms, best_ms; /* the defaults' and its median time there */
} clae_tune_entry;

typedef struct clae_tune_table {
    int n, cap;
    clae_tune_entry *e;
} clae_tune_table;

/* The tuning file of d: 1 and its path, or 0 when there is no cache folder. */
int clae_tune_path(const clae_device *d, char *buf, size_t len);
/* Read the tuning file at path for d into *out (malloc'ed; free with
 * clae_tune_free). CLAE_OK with *out NULL when there is none; CLAE_ERR_FORMAT
 * after one warning line (`clae: warning: tuning file PATH: PROBLEM; using the
 * defaults`) when it does not parse, has a bad entry or is another device's. */
clae_status clae_tune_read(const clae_device *d, const char *path, clae_tune_table **out);
/* At device open: d->tune from d's tuning file (NULL when there is none, it
 * is bad, or $CLAE_NO_TUNE is set). Never fails. */
void clae_tune_load(clae_device *d);
/* Write t as d's tuning file at path (atomically; the folder made, owner
 * only). CLAE_ERR_IO after one line naming path, also when the folder is not
 * one clae_cache_dir_safe accepts (the file would never be read). */
clae_status clae_tune_write(const clae_device *d, const clae_tune_table *t, const char *path);
/* t's entry for key, NULL if none. */
clae_tune_entry *clae_tune_find(const clae_tune_table *t, const char *key);
/* t's entry for key, added (its fields zeroed but the key) when missing;
 * NULL when memory runs out. */
clae_tune_entry *clae_tune_put(clae_tune_table *t, const char *key);
void clae_tune_remove(clae_tune_table *t, const char *key);
void clae_tune_free(clae_tune_table *t); /* NULL is fine */

/* ---- the tuner (`clae tune`, src/host/bench/tune.c) ----------------------- */

typedef struct clae_tune_opts {
    int batch;       /* images (the config's batch when 0) */
    int repeats;     /* timed runs per candidate; the median is kept */
    double budget_s; /* stop searching after this many seconds (0: no limit) */
    int dry_run;     /* list the shapes and their candidates only */
    FILE *out;       /* the table */
} clae_tune_opts;

/* Tune every direct-convolution shape of m's training step on d (each
 * layer's forward, input gradient and weight gradient that take the direct
 * kernels), print a row per shape to o->out, and unless dry_run write d's
 * tuning file (earlier entries of other shapes kept) and put the result in
 * d->tune. CLAE_OK when every shape has a verified choice. */
clae_status clae_tune_model(const clae_model *m, clae_device *d, const clae_tune_opts *o);

#endif
