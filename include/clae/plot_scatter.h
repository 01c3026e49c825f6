/* The scatter of `clae plot-codes` (src/host/io/plot_scatter.c): points in 2-D, a colour per
 * class, a legend of the class names beside the axes. */
#ifndef CLAE_PLOT_SCATTER_H
#define CLAE_PLOT_SCATTER_H

#include <stddef.h>
#include <stdint.h>

#include "clae/image.h"

#define CLAE_SCATTER_W 900
#define CLAE_SCATTER_H 640
#define CLAE_SCATTER_COLOURS 20 /* tab10, then tab20's light tones; more classes reuse them */

typedef struct clae_scatter {
    const double *xy;         /* (n, 2): x, y of each point */
    const uint8_t *label;     /* (n): its class */
    size_t n;
    int classes;              /* labels 0..classes-1 (at most 256): the legend lists those with
                               * points */
    const char *const *names; /* classes names, or NULL: the labels as numbers */
    const char *title, *xlabel, *ylabel;
} clae_scatter;

/* A white RGB figure CLAE_SCATTER_W x CLAE_SCATTER_H: the title, axes over the points'
 * range (a small margin each side; ticks, grid and labels as `clae plot`'s), every point a
 * filled dot of its class's colour (CLAE_SCATTER_COLOURS colours, tab10's first, class
 * k's colour k mod CLAE_SCATTER_COLOURS) drawn in the order given, and right of the axes a
 * legend of the names of the classes with points (at most 24, then "+N more"). Points that are
 * not finite are left out. CLAE_ERR_ARG for n 0 or classes out of range. */
clae_status clae_plot_scatter(const clae_scatter *s, clae_image *out);
/* Class k's colour. */
const uint8_t *clae_scatter_colour(int k);

#endif
