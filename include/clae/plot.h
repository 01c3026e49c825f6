/* The training-history plot of `clae plot` (src/host/io/plot.c). */
#ifndef CLAE_PLOT_HISTORY_H
#define CLAE_PLOT_HISTORY_H

#include "clae/history.h"
#include "clae/image.h"

#define CLAE_PLOT_W 640
#define CLAE_PLOT_H 400
/* The plot area (axes box) inside the CLAE_PLOT_W x CLAE_PLOT_H figure. */
#define CLAE_PLOT_X0 78
#define CLAE_PLOT_X1 620
#define CLAE_PLOT_Y0 20
#define CLAE_PLOT_Y1 346
/* With a validation PSNR axis on the right, the box ends here instead. */
#define CLAE_PLOT_X1_PSNR 572
/* Train (blue) and validation (orange) loss against epoch on a white
 * CLAE_PLOT_W x CLAE_PLOT_H RGB figure: axes, ticks, tick labels, axis
 * labels "epoch" and "loss", a legend; the loss terms as thinner lines of
 * their own colours. A logarithmic loss axis when the values drawn (all
 * positive) span more than a factor of ten. When any epoch has a val_psnr,
 * that too (teal, CLAE_PLOT_PSNR_RGB, dashed) on its own linear dB axis on
 * the right (at least 1 dB tall), labelled in its colour, the box then
 * ending at CLAE_PLOT_X1_PSNR.
 * The legend takes the corner (or top or bottom middle) of the box where it
 * hides the fewest curve pixels, top right first. h->n >= 1. */
#define CLAE_PLOT_PSNR_RGB {0, 128, 128}
clae_status clae_plot_history(const clae_history *h, clae_image *out);

#endif
