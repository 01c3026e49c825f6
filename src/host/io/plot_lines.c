/* Curves of (x, y) points in one or two panels (see clae/plot_lines.h): the axes, ticks and
 * legend of `clae plot` (io/plot.c, io/plot_legend.c), the colours of the scatter. */
#include "clae/plot_lines.h"

#include <math.h>

#include "clae/draw.h"
#include "clae/plot_scatter.h"
#include "plot_int.h"

#define TITLE_PX 18
#define MARGIN 0.05 /* of the values' span, each side */
#define GAP 92      /* left of each panel: its tick labels and axis label */

/* The finite range of the points' x (panel -1) or y in panel p, with a margin; widened when
 * it is one value. */
static void range(const clae_lines_plot *p, int panel, double *lo, double *hi)
{
    *lo = INFINITY;
    *hi = -INFINITY;
    for (int k = 0; k < p->ns; k++)
        for (int i = 0; i < p->s[k].n; i++) {
            double x = p->s[k].x[i], y = panel < 0 ? x : p->s[k].y[panel][i];
            if (!isfinite(x) || !isfinite(y)) continue;
            *lo = fmin(*lo, y);
            *hi = fmax(*hi, y);
        }
    if (!(*lo <= *hi)) {
        *lo = 0;
        *hi = 1;
    }
    if (*hi - *lo < 1e-12 * fmax(1.0, fabs(*lo))) {
        double d = fmax(fabs(*lo) * 0.1, 1e-3);
        *lo -= d;
        *hi += d;
    }
    double m = MARGIN * (*hi - *lo);
    *lo -= m;
    *hi += m;
}

static int px_x(const plot_panel *a, double x)
{
    return a->X0 + (int)lround((x - a->vx0) / (a->vx1 - a->vx0) * (a->X1 - a->X0));
}
static int px_y(const plot_panel *a, double y)
{
    return a->Y1 - (int)lround((y - a->ly0) / (a->ly1 - a->ly0) * (a->Y1 - a->Y0));
}

static void draw_series(clae_image *out, const plot_panel *a, const clae_lines_series *s,
                        int panel, const uint8_t *rgb)
{
    int prev = 0, px = 0, py = 0, phase = 0;
    for (int i = 0; i < s->n; i++) {
        double x = s->x[i], y = s->y[panel][i];
        if (!isfinite(x) || !isfinite(y)) {
            prev = 0;
            continue;
        }
        int X = px_x(a, x), Y = px_y(a, y);
        if (prev && s->dashed)
            plot_dashed_line(out, px, py, X, Y, rgb, &phase);
        else if (prev)
            clae_draw_line(out, px, py, X, Y, rgb, 2);
        plot_dot(out, X, Y, rgb);
        px = X;
        py = Y;
        prev = 1;
    }
}

clae_status clae_plot_lines(const clae_lines_plot *p, clae_image *out)
{
    if (p->ns < 1 || p->ns > CLAE_LINES_MAX_SERIES || p->npanels < 1 || p->npanels > 2)
        return CLAE_ERR_ARG;
    plot_key keys[CLAE_LINES_MAX_SERIES];
    for (int k = 0; k < p->ns; k++)
        keys[k] = (plot_key){p->s[k].name, clae_scatter_colour(k),
                             p->s[k].dashed ? PLOT_KEY_DASHED : PLOT_KEY_LINE};
    int lw, lh;
    plot_legend_size(keys, p->ns, &lw, &lh);
    clae_status st = clae_image_alloc(out, CLAE_LINES_W, CLAE_LINES_H, 3);
    if (st != CLAE_OK) return st;
    clae_image_fill(out, PLOT_WHITE);
    const int right = CLAE_LINES_W - 24 - lw - 16; /* the last panel's right edge */
    const int pw = (right - p->npanels * GAP) / p->npanels;
    double x0, x1;
    range(p, -1, &x0, &x1);
    for (int panel = 0; panel < p->npanels; panel++) {
        plot_panel a = {.X0 = GAP + panel * (pw + GAP), .Y0 = 56, .Y1 = CLAE_LINES_H - 70,
                        .xlabel = p->xlabel, .ylabel = p->ylabel[panel], .vx0 = x0, .vx1 = x1};
        a.X1 = a.X0 + pw;
        a.xs = plot_nice_step(x1 - x0, 6);
        double y0, y1;
        range(p, panel, &y0, &y1);
        a.ys = plot_nice_step(y1 - y0, 8);
        a.ly0 = floor(y0 / a.ys) * a.ys; /* the y ticks start at the axis' foot */
        a.ly1 = ceil(y1 / a.ys) * a.ys;
        plot_draw_axes(out, &a);
        for (int k = 0; k < p->ns; k++)
            draw_series(out, &a, &p->s[k], panel, clae_scatter_colour(k));
    }
    const char *title = p->title ? p->title : "";
    clae_text_draw(out, CLAE_LINES_W / 2 - clae_text_width_px(title, TITLE_PX) / 2, 16, title,
                   PLOT_BLACK, TITLE_PX, 0);
    plot_legend_draw(out, keys, p->ns, right + 16, 56);
    return CLAE_OK;
}
