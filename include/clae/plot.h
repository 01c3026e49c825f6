/* The training-history plot of `clae plot` (src/host/io/plot.c). */
#ifndef CLAE_PLOT_HISTORY_H
#define CLAE_PLOT_HISTORY_H

#include "clae/history.h"
#include "clae/image.h"

/* The figure: a title, then the loss panel (CLAE_PLOT_W x CLAE_PLOT_H);
 * with loss terms a second panel below it, CLAE_PLOT_TERMS_H taller. */
#define CLAE_PLOT_W 800
#define CLAE_PLOT_H 500
#define CLAE_PLOT_TERMS_H 320
/* The loss panel's plot area (axes box). */
#define CLAE_PLOT_X0 92
#define CLAE_PLOT_X1 770
#define CLAE_PLOT_Y0 56
#define CLAE_PLOT_Y1 430
/* With a right-hand axis (validation PSNR or accuracy) the boxes end here. */
#define CLAE_PLOT_X1_PSNR 700
/* The loss terms panel's box (same columns). */
#define CLAE_PLOT_TY0 (CLAE_PLOT_H + 14)
#define CLAE_PLOT_TY1 (CLAE_PLOT_H + CLAE_PLOT_TERMS_H - 70)
/* Log axis when the values drawn on it (all positive) span more than this
 * factor; a linear one otherwise. The log axis spans the values, not whole
 * decades, so that a first epoch far above the rest leaves the others room. */
#define CLAE_PLOT_LOG_SPAN 5.0

/* What a plot drew (for tests and the command's summary). */
#define CLAE_PLOT_MAX_LEGEND (2 * CLAE_HISTORY_MAX_TERMS + 3)
typedef enum { CLAE_PLOT_RIGHT_NONE, CLAE_PLOT_RIGHT_PSNR, CLAE_PLOT_RIGHT_ACCURACY } clae_plot_right;
typedef struct clae_plot_info {
    int loss_log, terms_log; /* the panels' loss axes logarithmic */
    int terms_panel;         /* a second panel of the loss terms */
    clae_plot_right right;   /* the loss panel's right-hand axis */
    int nlegend;             /* legend entries, both panels, top first */
    char legend[CLAE_PLOT_MAX_LEGEND][48];
} clae_plot_info;

/* A white RGB figure, the TensorBoard scalars of a run: the title (title, or
 * "training history" when NULL) over the loss panel, "train loss" (blue)
 * and "val loss" (orange) against epoch, the loss axis linear or
 * logarithmic (CLAE_PLOT_LOG_SPAN); on its right-hand axis (teal,
 * CLAE_PLOT_PSNR_RGB, dashed, the box then ending at CLAE_PLOT_X1_PSNR)
 * "val PSNR" in dB when any epoch has a val_psnr, else "val accuracy" in %
 * when any has a val_accuracy (a classifier). A model with loss terms gets
 * a second panel below: "train <term>" solid and "val <term>" dashed, a
 * colour per term, on its own axis. Axes, ticks, tick labels, axis labels
 * ("epoch", "loss") and legends in a TrueType font (clae/draw.h); a
 * legend takes the corner (or top or bottom middle) of its box where it
 * hides the fewest curve pixels, top right first. info (may be NULL): what
 * was drawn. h->n >= 1. */
#define CLAE_PLOT_PSNR_RGB {0, 128, 128}
clae_status clae_plot_draw(const clae_history *h, const char *title, clae_image *out,
                           clae_plot_info *info);
/* clae_plot_draw without a title or info. */
clae_status clae_plot_history(const clae_history *h, clae_image *out);
/* 1 when values in [lo, hi] get a logarithmic axis. */
int clae_plot_log_axis(double lo, double hi);

#endif
