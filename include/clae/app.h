/* What the commands that apply a trained model share (eval, show,
 * denoise; src/host/apps/app.c). */
#ifndef CLAE_APP_H
#define CLAE_APP_H

#include "clae/model.h"

/* Load a checkpoint into an empty model (built from its config; the
 * classes it was trained on from its metadata, where `clae train --classes`
 * chose them, and m->train.data the absolute data folder it was trained
 * on, where recorded and still there); 1 on success, 0 after a one-line
 * error. */
int clae_app_load(const char *ckpt, clae_model *m);
/* The same, a model with branches too (clae_app_load refuses one: the
 * commands that take it run one path). */
int clae_app_load_any(const char *ckpt, clae_model *m);
/* Both refuse (one line) a checkpoint whose config sets [train] normalize
 * without its min-max pair; this one, for its tensors alone (--transfer),
 * takes it. */
int clae_app_load_tensors(const char *ckpt, clae_model *m);
/* 1 if the model gives images (an autoencoder), else (a classifier, target =
 * labels) a one-line error naming cmd and 0. */
int clae_app_check_images(const char *cmd, const char *ckpt, const clae_model *m);

/* 1 if path ends in .png, .jpg, .jpeg or .bmp (any case): an image clae writes. */
int clae_app_image_ext(const char *path);

/* Where clae_app_run_image ran the model. */
typedef struct clae_app_run {
    int H, W;          /* the padded size */
    char device[256];  /* the device's name */
} clae_app_run;
/* Restore one image of any size in place: x (C,H,W), read from the file in
 * (for messages), with the model in m (loaded from ckpt), reflect-padded to
 * a multiple of the model's downsampling, the model rebuilt at that size
 * with the same parameters and run on device, the output cropped back into
 * x (src/host/apps/run_image.c). Where the net's buffers for the whole image
 * do not fit the device (on the reference path: half the host's memory, or
 * of ulimit -v), it runs in overlapping tiles (a margin of the net's reach
 * each side, so the output is the whole run's), on the reference path if
 * even a tile does not fit the device; a one-line refusal naming the memory
 * needed if it does not fit there either. 1, or 0 after a one-line error. */
int clae_app_run_image(const char *ckpt, const clae_model *m, const char *in, float *x, int H,
                       int W, const char *device, clae_app_run *run);
/* The same through the trunk and branch `branch` of a model with branches. Both take x
 * as an image and apply [train] normalize to it first (clae/normalize.h) and its inverse,
 * with x's own mean and scale, to the output. */
int clae_app_run_image_branch(const char *ckpt, const clae_model *m, const char *in, float *x,
                              int H, int W, const char *device, int branch, clae_app_run *run);
/* The same with x as the model is fed (normalised already): no normalisation here. */
int clae_app_run_image_fed(const char *ckpt, const clae_model *m, const char *in, float *x, int H,
                           int W, const char *device, int branch, clae_app_run *run);

/* The figure of `clae show` (and `clae train --samples`): n images of ds
 * from record `first`, one row each of the originals, their corruption as
 * m's config says (seeded with its [train] seed: the same inputs every
 * time) and the model's restoration run on d, each enlarged to a tile of
 * about CLAE_APP_FIGURE_TILE pixels (x4 for 32x32, at least x1), a label
 * before each row; written to out (PNG, JPG or BMP). m's host parameters
 * are used. *what (if not NULL) gets the middle row's label ("blurred",
 * "corrupted" or "input"), *fig_w and *fig_h the figure's size. 1, or 0
 * after a one-line error. */
#define CLAE_APP_FIGURE_SCALE 4     /* a 32x32 image's enlargement */
#define CLAE_APP_FIGURE_TILE 128
#define CLAE_APP_FIGURE_GAP 4       /* between tiles and around the figure */
#define CLAE_APP_FIGURE_LABEL_W 112 /* label column: "corrupted" is 83 pixels (106 in the bitmap font) */
#define CLAE_APP_FIGURE_LABEL_PX 18 /* the labels' font size (clae_text_draw) */
struct clae_device;
struct clae_dataset;
int clae_app_figure(clae_model *m, struct clae_device *d, const struct clae_dataset *ds,
                    size_t first, int n, const char *out, const char **what, int *fig_w,
                    int *fig_h);
/* The figure of a model with branches: for each branch k, n test images of
 * its own (tests[k], from record first), then their decodes by each
 * branch's layers (rows "k > j": its own reconstruction, the swaps); 1, or
 * 0 after a one-line error (src/host/apps/figure_branches.c). */
int clae_app_figure_branches(clae_model *m, struct clae_device *d,
                             const struct clae_dataset *tests, size_t first, int n,
                             const char *out, int *fig_w, int *fig_h);

#endif
