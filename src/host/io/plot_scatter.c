/* The scatter of `clae plot-codes` (see clae/plot_scatter.h): the axes, ticks and legend of
 * `clae plot` (io/plot.c, io/plot_legend.c) around dots, a colour per class. */
#include "clae/plot_scatter.h"

#include <math.h>
#include <stdio.h>

#include "clae/draw.h"
#include "plot_int.h"

#define TITLE_PX 18
#define MARGIN 0.04 /* of the points' span, each side, so that no dot sits on the frame */
#define LEGEND_MAX 24

/* tab10, then tab20's light tones (matplotlib's palettes) */
static const uint8_t PALETTE[CLAE_SCATTER_COLOURS][3] = {
    {31, 119, 180},  {255, 127, 14},  {44, 160, 44},   {214, 39, 40},   {148, 103, 189},
    {140, 86, 75},   {227, 119, 194}, {127, 127, 127}, {188, 189, 34},  {23, 190, 207},
    {174, 199, 232}, {255, 187, 120}, {152, 223, 138}, {255, 152, 150}, {197, 176, 213},
    {196, 156, 148}, {247, 182, 210}, {199, 199, 199}, {219, 219, 141}, {158, 218, 229}};

const uint8_t *clae_scatter_colour(int k) { return PALETTE[k % CLAE_SCATTER_COLOURS]; }

/* The finite range of column c of xy, widened when it is a single value; 0 when no point
 * is finite. */
static int column_range(const clae_scatter *s, int c, double *lo, double *hi)
{
    *lo = INFINITY;
    *hi = -INFINITY;
    for (size_t i = 0; i < s->n; i++) {
        double x = s->xy[2 * i], y = s->xy[2 * i + 1], v = s->xy[2 * i + c];
        if (!isfinite(x) || !isfinite(y)) continue;
        *lo = fmin(*lo, v);
        *hi = fmax(*hi, v);
    }
    if (!(*lo <= *hi)) {
        *lo = -1;
        *hi = 1;
        return 0;
    }
    if (*hi - *lo < 1e-12 * fmax(1.0, fabs(*lo))) {
        double d = fmax(fabs(*lo) * 0.1, 1.0);
        *lo -= d;
        *hi += d;
    }
    double m = MARGIN * (*hi - *lo);
    *lo -= m;
    *hi += m;
    return 1;
}

/* The legend's keys: the names and colours of the classes that have points, at most
 * LEGEND_MAX and "+N more". */
static int legend_keys(const clae_scatter *s, plot_key *keys, char (*num)[24])
{
    int n = 0, present[256] = {0}, more = 0;
    for (size_t i = 0; i < s->n; i++)
        if (s->label[i] < s->classes) present[s->label[i]] = 1;
    for (int k = 0; k < s->classes; k++) {
        if (!present[k]) continue;
        if (n == LEGEND_MAX) {
            more++;
            continue;
        }
        const char *name = s->names ? s->names[k] : NULL;
        if (!name) {
            snprintf(num[n], sizeof num[n], "%d", k);
            name = num[n];
        }
        keys[n++] = (plot_key){name, clae_scatter_colour(k), PLOT_KEY_DOT};
    }
    if (more) {
        snprintf(num[n], sizeof num[n], "+%d more", more);
        keys[n] = (plot_key){num[n], PLOT_WHITE, PLOT_KEY_DOT};
        n++;
    }
    return n;
}

static void draw_points(clae_image *out, const clae_scatter *s, const plot_panel *a)
{
    for (size_t i = 0; i < s->n; i++) {
        double x = s->xy[2 * i], y = s->xy[2 * i + 1];
        if (!isfinite(x) || !isfinite(y)) continue;
        int px = a->X0 + (int)lround((x - a->vx0) / (a->vx1 - a->vx0) * (a->X1 - a->X0));
        int py = a->Y1 - (int)lround((y - a->ly0) / (a->ly1 - a->ly0) * (a->Y1 - a->Y0));
        plot_dot(out, px, py, clae_scatter_colour(s->label[i]));
    }
}

clae_status clae_plot_scatter(const clae_scatter *s, clae_image *out)
{
    if (s->n == 0 || s->classes < 1 || s->classes > 256) return CLAE_ERR_ARG;
    plot_key keys[LEGEND_MAX + 1];
    char num[LEGEND_MAX + 1][24];
    int nkeys = legend_keys(s, keys, num), lw, lh;
    plot_legend_size(keys, nkeys, &lw, &lh);
    plot_panel a = {.X0 = 92, .Y0 = 56, .Y1 = CLAE_SCATTER_H - 70, .xlabel = s->xlabel,
                    .ylabel = s->ylabel};
    a.X1 = CLAE_SCATTER_W - 24 - lw - 16;
    column_range(s, 0, &a.vx0, &a.vx1);
    a.xs = plot_nice_step(a.vx1 - a.vx0, 8);
    double y0, y1;
    column_range(s, 1, &y0, &y1);
    a.ys = plot_nice_step(y1 - y0, 8); /* fine enough that snapping to ticks wastes little */
    a.ly0 = floor(y0 / a.ys) * a.ys; /* the y ticks start at the axis' foot */
    a.ly1 = ceil(y1 / a.ys) * a.ys;
    clae_status st = clae_image_alloc(out, CLAE_SCATTER_W, CLAE_SCATTER_H, 3);
    if (st != CLAE_OK) return st;
    clae_image_fill(out, PLOT_WHITE);
    const char *title = s->title ? s->title : "codes";
    clae_text_draw(out, (a.X0 + a.X1) / 2 - clae_text_width_px(title, TITLE_PX) / 2, 16, title,
                   PLOT_BLACK, TITLE_PX, 0);
    plot_draw_axes(out, &a);
    draw_points(out, s, &a);
    /* the frame again: dots at the edge must not cut it */
    clae_draw_line(out, a.X0, a.Y0, a.X1, a.Y0, PLOT_BLACK, 1);
    clae_draw_line(out, a.X0, a.Y1, a.X1, a.Y1, PLOT_BLACK, 1);
    clae_draw_line(out, a.X0, a.Y0, a.X0, a.Y1, PLOT_BLACK, 1);
    clae_draw_line(out, a.X1, a.Y0, a.X1, a.Y1, PLOT_BLACK, 1);
    plot_legend_draw(out, keys, nkeys, a.X1 + 16, a.Y0);
    return CLAE_OK;
}
