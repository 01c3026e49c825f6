/* Curves of (x, y) points, a colour per series, in one or two panels side by side that share
 * the series and the x axis (src/host/io/plot_lines.c): clae rate-distortion's figure, PSNR
 * and SSIM against bits per pixel. The axes, ticks and legend of `clae plot`. */
#ifndef CLAE_PLOT_LINES_H
#define CLAE_PLOT_LINES_H

#include "clae/image.h"

#define CLAE_LINES_W 1100
#define CLAE_LINES_H 520
#define CLAE_LINES_MAX_SERIES 16

typedef struct clae_lines_series {
    const char *name;    /* the legend's text */
    const double *x;     /* n points, drawn joined in this order */
    const double *y[2];  /* their values in each panel */
    int n;
    int dashed;
} clae_lines_series;

typedef struct clae_lines_plot {
    const char *title, *xlabel, *ylabel[2];
    int npanels;                 /* 1 or 2 */
    const clae_lines_series *s;  /* at most CLAE_LINES_MAX_SERIES */
    int ns;
} clae_lines_plot;

/* A white RGB figure CLAE_LINES_W x CLAE_LINES_H: the title, the panels (each its own y range
 * over the points' values, the x range over all points; ticks and grid), every series a
 * polyline 2 pixels thick (dashed if it says so) with a dot at each point, in colour k of
 * clae_scatter_colour for series k; the legend right of the panels. Points that are not
 * finite are left out. CLAE_ERR_ARG for no series or too many, or npanels not 1 or 2. */
clae_status clae_plot_lines(const clae_lines_plot *p, clae_image *out);

#endif
