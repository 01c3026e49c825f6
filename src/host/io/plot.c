/* The loss-history plot of `clae plot`: axes, curves, the validation PSNR's
 * own axis and a legend on a CLAE_PLOT_W x CLAE_PLOT_H figure (see
 * clae/plot.h). */
#include "clae/plot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "clae/draw.h"

#define PLOT_MAX_TICKS 50 /* per axis; nice_step aims at 5 and 8 */

/* Nice tick step (1, 2 or 5 times a power of ten) for about `want` ticks over span. */
static double nice_step(double span, int want)
{
    double raw = span / want, p = pow(10.0, floor(log10(raw))), f = raw / p;
    return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * p;
}

/* "%.*f" with just enough decimals for step, or %.2g-style for extremes. */
static void tick_label(char *buf, size_t len, double v, double step)
{
    if (fabs(v) < step * 1e-6) v = 0.0;
    int dec = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);
    if (dec > 6 || fabs(v) >= 1e6)
        snprintf(buf, len, "%.2g", v);
    else
        snprintf(buf, len, "%.*f", dec, v);
}

/* A dashed line, 2 pixels thick: 6 on, 4 off, the pattern carried on
 * from *phase (so a polyline's dashes run on across its vertices). */
static void dashed_line(clae_image *img, int x0, int y0, int x1, int y1, const uint8_t rgb[3],
                        int *phase)
{
    int n = abs(x1 - x0) > abs(y1 - y0) ? abs(x1 - x0) : abs(y1 - y0);
    for (int i = 0; i <= n; i++, ++*phase) {
        if (*phase % 10 >= 6) continue;
        int x = n ? x0 + (int)lround((double)(x1 - x0) * i / n) : x0;
        int y = n ? y0 + (int)lround((double)(y1 - y0) * i / n) : y0;
        clae_fill_rect(img, x, y, 2, 2, rgb);
    }
}

static const uint8_t WHITE[3] = {255, 255, 255}, BLACK[3] = {0, 0, 0}, GRID[3] = {230, 230, 230},
                     GREY[3] = {90, 90, 90}, BLUE[3] = {31, 119, 180}, ORANGE[3] = {255, 127, 14},
                     TEAL[3] = CLAE_PLOT_PSNR_RGB;
static const uint8_t TERM_RGB[CLAE_HISTORY_MAX_TERMS][3] = {
    {44, 160, 44}, {214, 39, 40}, {148, 103, 189}, {140, 86, 75}};

/* The series of the plot: train, validation, the loss terms, then the PSNR
 * (on its own axis; added after the loss curves are drawn). */
enum { NS = 3 + CLAE_HISTORY_MAX_TERMS };
typedef struct plot_series {
    int n;
    const double *v[NS];
    const char *name[NS];
    const uint8_t *rgb[NS];
    int have[NS]; /* any value that is not NAN */
} plot_series;

/* The axes box in pixels and the value ranges it shows. */
typedef struct plot_axes {
    int X0, X1, Y0, Y1;
    double vx0, vx1, xs;   /* epochs shown (with a margin), tick step */
    int logy;              /* the loss axis in decades */
    double ly0, ly1, ys;   /* loss axis range (log10 when logy), tick step */
    int psnr;              /* a right-hand validation PSNR axis */
    double py0, py1, ps;   /* its range in dB, tick step */
} plot_axes;

static int x_of(const plot_axes *a, double e)
{
    return a->X0 + (int)lround((e - a->vx0) / (a->vx1 - a->vx0) * (a->X1 - a->X0));
}

/* The row of a loss axis value (already log10 on a log axis). */
static int y_of_axis(const plot_axes *a, double v)
{
    return a->Y1 - (int)lround((v - a->ly0) / (a->ly1 - a->ly0) * (a->Y1 - a->Y0));
}

static int y_of_loss(const plot_axes *a, double l)
{
    return y_of_axis(a, a->logy ? log10(l) : l);
}

static int y_of_psnr(const plot_axes *a, double v)
{
    return a->Y1 - (int)lround((v - a->py0) / (a->py1 - a->py0) * (a->Y1 - a->Y0));
}

static void collect_series(const clae_history *h, plot_series *s)
{
    s->v[0] = h->train_loss;
    s->v[1] = h->val_loss;
    s->name[0] = "train loss";
    s->name[1] = "validation loss";
    s->rgb[0] = BLUE;
    s->rgb[1] = ORANGE;
    s->n = 2;
    for (int k = 0; k < h->nterms && k < CLAE_HISTORY_MAX_TERMS; k++, s->n++) {
        s->v[s->n] = h->term[k];
        s->name[s->n] = h->term_name[k];
        s->rgb[s->n] = TERM_RGB[k];
    }
    for (int k = 0; k < NS; k++) s->have[k] = 0;
}

/* The raw range of the validation PSNR; 1 when any epoch measured it. */
static int psnr_range(const clae_history *h, plot_axes *a)
{
    a->py0 = INFINITY;
    a->py1 = -INFINITY;
    for (size_t i = 0; h->val_psnr && i < h->n; i++)
        if (!isnan(h->val_psnr[i])) {
            a->py0 = fmin(a->py0, h->val_psnr[i]);
            a->py1 = fmax(a->py1, h->val_psnr[i]);
        }
    return a->py0 <= a->py1;
}

/* The epoch and loss ranges and their tick steps (marks the series with values). */
static void loss_ranges(const clae_history *h, plot_series *s, plot_axes *a)
{
    double ex0 = h->epoch[0], ex1 = h->epoch[0], ly0 = INFINITY, ly1 = -INFINITY;
    for (size_t i = 0; i < h->n; i++) {
        ex0 = fmin(ex0, h->epoch[i]);
        ex1 = fmax(ex1, h->epoch[i]);
        for (int k = 0; k < s->n; k++)
            if (!isnan(s->v[k][i])) {
                s->have[k] = 1;
                ly0 = fmin(ly0, s->v[k][i]);
                ly1 = fmax(ly1, s->v[k][i]);
            }
    }
    if (ex1 - ex0 < 1) {
        ex0 -= 1;
        ex1 += 1;
    }
    /* a logarithmic axis (in decades) when the values span more than ten */
    a->logy = ly0 > 0 && ly1 / ly0 > 10.0;
    if (a->logy) {
        ly0 = floor(log10(ly0));
        ly1 = ceil(log10(ly1));
    }
    if (ly1 - ly0 < 1e-12) {
        double d = fmax(fabs(ly0) * 0.1, 1e-3);
        ly0 -= d;
        ly1 += d;
    }
    double ys = a->logy ? 1.0 : nice_step(ly1 - ly0, 5);
    if (a->logy && ly1 - ly0 > 12) ys = ceil((ly1 - ly0) / 6);
    a->ly0 = floor(ly0 / ys) * ys;
    a->ly1 = ceil(ly1 / ys) * ys;
    a->ys = ys;
    a->xs = nice_step(ex1 - ex0, 8);
    if (a->xs < 1) a->xs = 1;
    /* x range: a little margin so end points do not sit on the frame */
    double xm = (ex1 - ex0) * 0.03;
    a->vx0 = ex0 - xm;
    a->vx1 = ex1 + xm;
}

/* Grid, ticks and tick labels of both loss-plot axes, the frame and the
 * axis labels. Counted loops, so that no rounding of a range can make them
 * run away. */
static void draw_axes(clae_image *out, const plot_axes *a)
{
    const int X0 = a->X0, X1 = a->X1, Y0 = a->Y0, Y1 = a->Y1;
    char buf[32];
    for (int k = 0; k <= PLOT_MAX_TICKS; k++) {
        double v = a->ly0 + k * a->ys;
        if (!(v <= a->ly1 + a->ys * 1e-6)) break;
        int y = y_of_axis(a, v);
        if (y > Y0 && y < Y1) clae_draw_line(out, X0 + 1, y, X1 - 1, y, GRID, 1);
        clae_draw_line(out, X0 - 5, y, X0, y, BLACK, 1);
        if (a->logy)
            snprintf(buf, sizeof buf, "1e%d", (int)lround(v));
        else
            tick_label(buf, sizeof buf, v, a->ys);
        clae_draw_text(out, X0 - 8 - clae_text_width(buf, 1), y - 3, buf, BLACK, 1, 0);
    }
    const double xfirst = ceil(a->vx0 / a->xs) * a->xs;
    for (int k = 0; k <= PLOT_MAX_TICKS; k++) {
        double e = xfirst + k * a->xs;
        if (!(e <= a->vx1 + 1e-9)) break;
        int x = x_of(a, e);
        if (x > X0 && x < X1) clae_draw_line(out, x, Y0 + 1, x, Y1 - 1, GRID, 1);
        clae_draw_line(out, x, Y1, x, Y1 + 5, BLACK, 1);
        tick_label(buf, sizeof buf, e, a->xs);
        clae_draw_text(out, x - clae_text_width(buf, 1) / 2, Y1 + 9, buf, BLACK, 1, 0);
    }
    clae_draw_line(out, X0, Y0, X1, Y0, BLACK, 1);
    clae_draw_line(out, X0, Y1, X1, Y1, BLACK, 1);
    clae_draw_line(out, X0, Y0, X0, Y1, BLACK, 1);
    clae_draw_line(out, X1, Y0, X1, Y1, BLACK, 1);
    const char *xl = "epoch", *yl = a->logy ? "loss (log scale)" : "loss";
    clae_draw_text(out, (X0 + X1) / 2 - clae_text_width(xl, 2) / 2, Y1 + 24, xl, BLACK, 2, 0);
    clae_draw_text(out, 6, (Y0 + Y1) / 2 - clae_text_width(yl, 2) / 2, yl, BLACK, 2, 1);
}

/* The loss curves: lines between consecutive points, a square marker at
 * each (the losses), thinner lines (the terms). */
static void draw_loss_curves(clae_image *out, const clae_history *h, const plot_series *s,
                             const plot_axes *a)
{
    for (int k = 0; k < s->n; k++) {
        const double *v = s->v[k];
        const uint8_t *col = s->rgb[k];
        int px = 0, py = 0, prev = 0;
        for (size_t i = 0; i < h->n; i++) {
            if (isnan(v[i])) {
                prev = 0;
                continue;
            }
            int x = x_of(a, h->epoch[i]), y = y_of_loss(a, v[i]);
            if (prev) clae_draw_line(out, px, py, x, y, col, k < 2 ? 2 : 1);
            if (h->n <= 60 && k < 2) clae_fill_rect(out, x - 2, y - 2, 5, 5, col);
            px = x;
            py = y;
            prev = 1;
        }
    }
}

/* The PSNR axis on the right: its own nice range and ticks (no grid: the
 * loss axis has one), at least 1 dB (hundredths of a dB are noise, not
 * worth the height), and its label. */
static void draw_psnr_axis(clae_image *out, plot_axes *a)
{
    if (a->py1 - a->py0 < 1.0) {
        double mid = 0.5 * (a->py0 + a->py1), d = fmax(0.5, fabs(mid) * 1e-3);
        a->py0 = mid - d;
        a->py1 = mid + d;
    }
    a->ps = nice_step(a->py1 - a->py0, 5);
    a->py0 = floor(a->py0 / a->ps) * a->ps;
    a->py1 = ceil(a->py1 / a->ps) * a->ps;
    char buf[32];
    for (int k = 0; k <= PLOT_MAX_TICKS; k++) {
        double v = a->py0 + k * a->ps;
        if (!(v <= a->py1 + a->ps * 1e-6)) break;
        int y = y_of_psnr(a, v);
        clae_draw_line(out, a->X1 + 1, y, a->X1 + 5, y, TEAL, 1);
        tick_label(buf, sizeof buf, v, a->ps);
        clae_draw_text(out, a->X1 + 8, y - 3, buf, TEAL, 1, 0);
    }
    const char *pl = "val PSNR (dB)";
    clae_draw_text(out, CLAE_PLOT_W - 6 - 2 * CLAE_FONT_H,
                   (a->Y0 + a->Y1) / 2 - clae_text_width(pl, 2) / 2, pl, TEAL, 2, 1);
}

/* The PSNR curve: dashed, diamond markers (the series of the other axis). */
static void draw_psnr_curve(clae_image *out, const clae_history *h, const plot_axes *a)
{
    int px = 0, py = 0, prev = 0, phase = 0;
    for (size_t i = 0; i < h->n; i++) {
        double v = h->val_psnr[i];
        if (isnan(v)) {
            prev = 0;
            continue;
        }
        int x = x_of(a, h->epoch[i]), y = y_of_psnr(a, v);
        if (prev) dashed_line(out, px, py, x, y, TEAL, &phase);
        if (h->n <= 60)
            for (int r = -3; r <= 3; r++) /* a diamond */
                clae_fill_rect(out, x - (3 - abs(r)), y + r, 2 * (3 - abs(r)) + 1, 1, TEAL);
        px = x;
        py = y;
        prev = 1;
    }
}

/* Curve pixels (not white, not grid) inside the box that a w x h legend at
 * (x, y) would hide. */
static long legend_hides(const clae_image *out, const plot_axes *a, int x0, int y0, int w, int h)
{
    long hidden = 0;
    for (int y = y0; y < y0 + h; y++)
        for (int x = x0; x < x0 + w; x++) {
            if (x <= a->X0 || x >= a->X1 || y <= a->Y0 || y >= a->Y1) continue;
            const uint8_t *p = out->px + ((size_t)y * out->w + x) * 3;
            hidden += !((p[0] == 255 && p[1] == 255 && p[2] == 255) ||
                        (p[0] == GRID[0] && p[1] == GRID[1] && p[2] == GRID[2]));
        }
    return hidden;
}

/* The legend inside the axes, of the series drawn, where it hides the
 * fewest curve pixels: top right, top left, bottom right, bottom left, top
 * middle, bottom middle. */
static void draw_legend(clae_image *out, const clae_history *h, const plot_series *s,
                        const plot_axes *a)
{
    const int X0 = a->X0, X1 = a->X1, Y0 = a->Y0, Y1 = a->Y1;
    int shown[NS], entries = 0, wmax = 0;
    for (int k = 0; k < s->n; k++)
        if (s->have[k]) {
            shown[entries++] = k;
            int w = clae_text_width(s->name[k], 1);
            if (w > wmax) wmax = w;
        }
    int lw = 30 + wmax + 8, lh = 8 + 14 * entries;
    const int cand[6][2] = {{X1 - 10 - lw, Y0 + 10},          {X0 + 10, Y0 + 10},
                            {X1 - 10 - lw, Y1 - 10 - lh},     {X0 + 10, Y1 - 10 - lh},
                            {(X0 + X1 - lw) / 2, Y0 + 10},    {(X0 + X1 - lw) / 2, Y1 - 10 - lh}};
    int lx = cand[0][0], ly = cand[0][1];
    long best = -1;
    for (int k = 0; k < 6; k++) {
        long hidden = legend_hides(out, a, cand[k][0], cand[k][1], lw, lh);
        if (best < 0 || hidden < best) {
            best = hidden;
            lx = cand[k][0];
            ly = cand[k][1];
        }
    }
    clae_fill_rect(out, lx, ly, lw, lh, WHITE);
    clae_draw_line(out, lx, ly, lx + lw - 1, ly, GREY, 1);
    clae_draw_line(out, lx, ly + lh - 1, lx + lw - 1, ly + lh - 1, GREY, 1);
    clae_draw_line(out, lx, ly, lx, ly + lh - 1, GREY, 1);
    clae_draw_line(out, lx + lw - 1, ly, lx + lw - 1, ly + lh - 1, GREY, 1);
    for (int e = 0; e < entries; e++) {
        int k = shown[e], y = ly + 4 + 14 * e + 3;
        if (s->v[k] == h->val_psnr) {
            int phase = 0;
            dashed_line(out, lx + 6, y + 3, lx + 24, y + 3, s->rgb[k], &phase);
        } else {
            clae_draw_line(out, lx + 6, y + 3, lx + 24, y + 3, s->rgb[k], k < 2 ? 2 : 1);
        }
        clae_draw_text(out, lx + 30, y, s->name[k], BLACK, 1, 0);
    }
}

clae_status clae_plot_history(const clae_history *h, clae_image *out)
{
    if (h->n < 1) return CLAE_ERR_ARG;
    clae_status st = clae_image_alloc(out, CLAE_PLOT_W, CLAE_PLOT_H, 3);
    if (st != CLAE_OK) return st;
    clae_image_fill(out, WHITE);
    plot_axes a;
    a.psnr = psnr_range(h, &a);
    a.X0 = CLAE_PLOT_X0;
    a.X1 = a.psnr ? CLAE_PLOT_X1_PSNR : CLAE_PLOT_X1;
    a.Y0 = CLAE_PLOT_Y0;
    a.Y1 = CLAE_PLOT_Y1;
    plot_series s;
    collect_series(h, &s);
    loss_ranges(h, &s, &a);
    draw_axes(out, &a);
    draw_loss_curves(out, h, &s, &a);
    if (a.psnr) {
        draw_psnr_axis(out, &a);
        draw_psnr_curve(out, h, &a);
        s.v[s.n] = h->val_psnr;
        s.name[s.n] = "val PSNR (right axis)";
        s.rgb[s.n] = TEAL;
        s.have[s.n++] = 1;
    }
    draw_legend(out, h, &s, &a);
    return CLAE_OK;
}
