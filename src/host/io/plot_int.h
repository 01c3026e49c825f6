/* Inside the figures (io/plot.c, io/plot_legend.c, io/plot_scatter.c): a panel's series
 * and axes, the tick steps and labels, the legends. */
#ifndef CLAE_PLOT_INT_H
#define CLAE_PLOT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "clae/plot.h"

typedef struct plot_series {
    const double *v; /* h->n values, NAN: none that epoch */
    char name[48];   /* the legend's text */
    const uint8_t *rgb;
    int dashed; /* a validation curve of the terms panel */
    int have;   /* any value that is not NAN */
} plot_series;

/* A panel: the axes box in pixels, the ranges it shows, its curves. */
typedef struct plot_panel {
    int X0, X1, Y0, Y1;
    double vx0, vx1, xs; /* epochs shown (with a margin), tick step */
    int logy;            /* the loss axis in decades */
    int ymant;           /* log ticks at 1, 2, 5 x 10^k (else 10^k only) */
    double ly0, ly1, ys; /* loss axis range (log10 when logy), tick step */
    const char *xlabel, *ylabel;
    int ns;
    plot_series s[2 * CLAE_HISTORY_MAX_TERMS];
    clae_plot_right right; /* a right-hand axis of rv * rmul */
    const double *rv;
    double rmul;
    const char *rlabel, *rname; /* its axis label and legend text */
    double py0, py1, ps;        /* its range, tick step */
} plot_panel;

extern const uint8_t PLOT_WHITE[3], PLOT_BLACK[3], PLOT_GRID[3], PLOT_GREY[3];

/* A dashed line, 2 pixels thick: 6 on, 4 off, the pattern carried on from
 * *phase (so a polyline's dashes run on across its vertices). */
void plot_dashed_line(clae_image *img, int x0, int y0, int x1, int y1, const uint8_t rgb[3],
                      int *phase);
/* A nice tick step (1, 2 or 5 times a power of ten) for about `want` ticks over span. */
double plot_nice_step(double span, int want);
/* v as a tick label with just enough decimals for step ("%.2g" for extremes). */
void plot_tick_label(char *buf, size_t len, double v, double step);
/* Grid, ticks and tick labels of a panel's axes (x: vx0..vx1, ticks every xs; y: ly0..ly1,
 * ticks every ys from ly0, or decades when logy), the frame and the axis labels. */
void plot_draw_axes(clae_image *out, const plot_panel *a);

/* A legend entry: its name and key. */
typedef enum { PLOT_KEY_LINE, PLOT_KEY_DASHED, PLOT_KEY_DOT } plot_key_style;
typedef struct plot_key {
    const char *name;
    const uint8_t *rgb;
    plot_key_style style;
} plot_key;
/* The box of a legend of n entries, and the legend drawn with its top-left corner at (x, y). */
void plot_legend_size(const plot_key *keys, int n, int *w, int *h);
void plot_legend_draw(clae_image *out, const plot_key *keys, int n, int x, int y);
/* A filled dot of radius 2.5 pixels centred on (x, y): a scatter's point and its key. */
void plot_dot(clae_image *img, int x, int y, const uint8_t rgb[3]);
/* The legend of the series of a (with values) and of its right-hand axis
 * (in right_rgb, dashed) inside a's box where it hides the fewest curve
 * pixels. */
void plot_draw_legend(clae_image *out, const plot_panel *a, const uint8_t right_rgb[3]);

#endif
