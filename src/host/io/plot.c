/* The training-history figure of `clae plot`: a title, the loss panel (train
 * and validation loss, the validation PSNR or accuracy on a right-hand axis)
 * and, for a model with loss terms, a panel of the terms (see clae/plot.h).
 * Legends: io/plot_legend.c. */
#include "clae/plot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "clae/draw.h"
#include "plot_int.h"

#define PLOT_MAX_TICKS 50 /* per axis; nice_step aims at 5 and 8 */
#define TITLE_PX 20
#define LABEL_PX 15
#define TICK_PX 12

const uint8_t PLOT_WHITE[3] = {255, 255, 255}, PLOT_BLACK[3] = {0, 0, 0},
              PLOT_GRID[3] = {230, 230, 230}, PLOT_GREY[3] = {90, 90, 90};
static const uint8_t BLUE[3] = {31, 119, 180}, ORANGE[3] = {255, 127, 14},
                     TEAL[3] = CLAE_PLOT_PSNR_RGB;
static const uint8_t TERM_RGB[CLAE_HISTORY_MAX_TERMS][3] = {
    {44, 160, 44}, {214, 39, 40}, {148, 103, 189}, {140, 86, 75}};

int clae_plot_log_axis(double lo, double hi) { return lo > 0 && hi / lo > CLAE_PLOT_LOG_SPAN; }

double plot_nice_step(double span, int want)
{
    double raw = span / want, p = pow(10.0, floor(log10(raw))), f = raw / p;
    return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * p;
}

void plot_tick_label(char *buf, size_t len, double v, double step)
{
    if (fabs(v) < step * 1e-6) v = 0.0;
    int dec = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);
    if (dec > 6 || fabs(v) >= 1e6)
        snprintf(buf, len, "%.2g", v);
    else
        snprintf(buf, len, "%.*f", dec, v);
}

void plot_dashed_line(clae_image *img, int x0, int y0, int x1, int y1, const uint8_t rgb[3],
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

static int x_of(const plot_panel *a, double e)
{
    return a->X0 + (int)lround((e - a->vx0) / (a->vx1 - a->vx0) * (a->X1 - a->X0));
}

/* The row of a loss axis value (already log10 on a log axis). */
static int y_of_axis(const plot_panel *a, double v)
{
    return a->Y1 - (int)lround((v - a->ly0) / (a->ly1 - a->ly0) * (a->Y1 - a->Y0));
}

static int y_of_loss(const plot_panel *a, double l) { return y_of_axis(a, a->logy ? log10(l) : l); }

static int y_of_right(const plot_panel *a, double v)
{
    return a->Y1 - (int)lround((v - a->py0) / (a->py1 - a->py0) * (a->Y1 - a->Y0));
}

static void add_series(plot_panel *p, const double *v, const char *name, const uint8_t *rgb,
                       int dashed)
{
    plot_series *s = &p->s[p->ns++];
    s->v = v;
    snprintf(s->name, sizeof s->name, "%s", name);
    s->rgb = rgb;
    s->dashed = dashed;
    s->have = 0;
}

/* The epoch range and tick step of a panel (the same for every panel). */
static void epoch_range(const clae_history *h, plot_panel *a)
{
    double ex0 = h->epoch[0], ex1 = h->epoch[0];
    for (size_t i = 0; i < h->n; i++) {
        ex0 = fmin(ex0, h->epoch[i]);
        ex1 = fmax(ex1, h->epoch[i]);
    }
    if (ex1 - ex0 < 1) {
        ex0 -= 1;
        ex1 += 1;
    }
    a->xs = plot_nice_step(ex1 - ex0, 8);
    if (a->xs < 1) a->xs = 1;
    /* a little margin so end points do not sit on the frame */
    double xm = (ex1 - ex0) * 0.03;
    a->vx0 = ex0 - xm;
    a->vx1 = ex1 + xm;
}

/* The loss range of a panel's series and its tick step (marks the series
 * with values); log10 decades when the values span more than
 * CLAE_PLOT_LOG_SPAN. */
static void loss_range(const clae_history *h, plot_panel *a)
{
    double ly0 = INFINITY, ly1 = -INFINITY;
    for (int k = 0; k < a->ns; k++)
        for (size_t i = 0; i < h->n; i++)
            if (!isnan(a->s[k].v[i])) {
                a->s[k].have = 1;
                ly0 = fmin(ly0, a->s[k].v[i]);
                ly1 = fmax(ly1, a->s[k].v[i]);
            }
    if (!(ly0 <= ly1)) ly0 = ly1 = 0; /* nothing measured */
    a->logy = clae_plot_log_axis(ly0, ly1);
    if (a->logy) { /* the values' own span, not whole decades: no empty decade squashes them */
        ly0 = log10(ly0);
        ly1 = log10(ly1);
        double pad = 0.03 * (ly1 - ly0);
        a->ly0 = ly0 - pad;
        a->ly1 = ly1 + pad;
        /* ticks at 1, 2 and 5 times each power of ten over a few decades,
         * at the powers of ten (or every few) over more */
        a->ys = ly1 - ly0 > 6 ? ceil((ly1 - ly0) / 6) : 1.0;
        a->ymant = ly1 - ly0 <= 2.5;
        return;
    }
    if (ly1 - ly0 < 1e-12) {
        double d = fmax(fabs(ly0) * 0.1, 1e-3);
        ly0 -= d;
        ly1 += d;
    }
    double ys = plot_nice_step(ly1 - ly0, 5);
    a->ly0 = floor(ly0 / ys) * ys;
    a->ly1 = ceil(ly1 / ys) * ys;
    a->ys = ys;
}

/* The ticks of a loss axis, at most PLOT_MAX_TICKS: their positions on the
 * axis (log10 on a log axis) and labels; the count. */
static int loss_ticks(const plot_panel *a, double *at, char (*label)[32])
{
    int n = 0;
    if (!a->logy) {
        for (int k = 0; k <= PLOT_MAX_TICKS && n < PLOT_MAX_TICKS; k++) {
            double v = a->ly0 + k * a->ys;
            if (!(v <= a->ly1 + a->ys * 1e-6)) break;
            at[n] = v;
            plot_tick_label(label[n++], 32, v, a->ys);
        }
        return n;
    }
    static const double MANT[3] = {1, 2, 5};
    double d0 = floor(a->ly0 / a->ys) * a->ys;
    for (int k = 0; k <= PLOT_MAX_TICKS && n < PLOT_MAX_TICKS; k++) {
        double d = d0 + k * a->ys;
        if (d > a->ly1) break;
        for (int m = 0; m < (a->ymant ? 3 : 1) && n < PLOT_MAX_TICKS; m++) {
            double v = d + log10(MANT[m]);
            if (v < a->ly0 || v > a->ly1) continue;
            at[n] = v;
            if (d >= -4 && d <= 5)
                snprintf(label[n++], 32, "%.*f", d < 0 ? (int)lround(-d) : 0, MANT[m] * pow(10, d));
            else
                snprintf(label[n++], 32, "%ge%d", MANT[m], (int)lround(d));
        }
    }
    return n;
}

/* The text of a tick label right-aligned at (x, y centre). */
static void label_at(clae_image *out, int x_right, int y_mid, const char *s, const uint8_t *rgb)
{
    clae_text_draw(out, x_right - clae_text_width_px(s, TICK_PX), y_mid - clae_text_height(TICK_PX) / 2,
                   s, rgb, TICK_PX, 0);
}

/* Counted loops, so that no rounding of a range can make them run away. */
void plot_draw_axes(clae_image *out, const plot_panel *a)
{
    const int X0 = a->X0, X1 = a->X1, Y0 = a->Y0, Y1 = a->Y1;
    char buf[32], labels[PLOT_MAX_TICKS][32];
    double at[PLOT_MAX_TICKS];
    int nt = loss_ticks(a, at, labels);
    for (int k = 0; k < nt; k++) {
        int y = y_of_axis(a, at[k]);
        if (y > Y0 && y < Y1) clae_draw_line(out, X0 + 1, y, X1 - 1, y, PLOT_GRID, 1);
        clae_draw_line(out, X0 - 5, y, X0, y, PLOT_BLACK, 1);
        label_at(out, X0 - 8, y, labels[k], PLOT_BLACK);
    }
    const double xfirst = ceil(a->vx0 / a->xs) * a->xs;
    for (int k = 0; k <= PLOT_MAX_TICKS; k++) {
        double e = xfirst + k * a->xs;
        if (!(e <= a->vx1 + 1e-9)) break;
        int x = x_of(a, e);
        if (x > X0 && x < X1) clae_draw_line(out, x, Y0 + 1, x, Y1 - 1, PLOT_GRID, 1);
        clae_draw_line(out, x, Y1, x, Y1 + 5, PLOT_BLACK, 1);
        plot_tick_label(buf, sizeof buf, e, a->xs);
        clae_text_draw(out, x - clae_text_width_px(buf, TICK_PX) / 2, Y1 + 7, buf, PLOT_BLACK,
                       TICK_PX, 0);
    }
    clae_draw_line(out, X0, Y0, X1, Y0, PLOT_BLACK, 1);
    clae_draw_line(out, X0, Y1, X1, Y1, PLOT_BLACK, 1);
    clae_draw_line(out, X0, Y0, X0, Y1, PLOT_BLACK, 1);
    clae_draw_line(out, X1, Y0, X1, Y1, PLOT_BLACK, 1);
    char yl[64];
    snprintf(yl, sizeof yl, "%s%s", a->ylabel, a->logy ? " (log scale)" : "");
    const char *xl = a->xlabel;
    clae_text_draw(out, (X0 + X1) / 2 - clae_text_width_px(xl, LABEL_PX) / 2, Y1 + 26, xl,
                   PLOT_BLACK, LABEL_PX, 0);
    clae_text_draw(out, X0 - 82, (Y0 + Y1) / 2 - clae_text_width_px(yl, LABEL_PX) / 2, yl,
                   PLOT_BLACK, LABEL_PX, 1); /* x 10 in a panel at X0 92 */
}

/* A panel's curves: lines between consecutive points (dashed for the
 * series that say so), a square marker at each point of the losses. */
static void draw_curves(clae_image *out, const clae_history *h, const plot_panel *a, int markers)
{
    for (int k = 0; k < a->ns; k++) {
        const double *v = a->s[k].v;
        const uint8_t *col = a->s[k].rgb;
        int px = 0, py = 0, prev = 0, phase = 0;
        for (size_t i = 0; i < h->n; i++) {
            if (isnan(v[i])) {
                prev = 0;
                continue;
            }
            int x = x_of(a, h->epoch[i]), y = y_of_loss(a, v[i]);
            if (prev && a->s[k].dashed)
                plot_dashed_line(out, px, py, x, y, col, &phase);
            else if (prev)
                clae_draw_line(out, px, py, x, y, col, 2);
            if (h->n <= 60 && markers) clae_fill_rect(out, x - 2, y - 2, 5, 5, col);
            px = x;
            py = y;
            prev = 1;
        }
    }
}

/* The raw range of the right-hand series (PSNR in dB or accuracy in %); 1
 * when any epoch measured it. */
static int right_range(const clae_history *h, plot_panel *a)
{
    a->py0 = INFINITY;
    a->py1 = -INFINITY;
    for (size_t i = 0; a->rv && i < h->n; i++)
        if (!isnan(a->rv[i])) {
            a->py0 = fmin(a->py0, a->rmul * a->rv[i]);
            a->py1 = fmax(a->py1, a->rmul * a->rv[i]);
        }
    return a->py0 <= a->py1;
}

/* The right-hand axis: its own nice range and ticks (no grid: the loss
 * axis has one), at least 1 unit tall (hundredths of a dB are noise, not
 * worth the height), and its label. */
static void draw_right_axis(clae_image *out, plot_panel *a)
{
    if (a->py1 - a->py0 < 1.0) {
        double mid = 0.5 * (a->py0 + a->py1), d = fmax(0.5, fabs(mid) * 1e-3);
        a->py0 = mid - d;
        a->py1 = mid + d;
    }
    a->ps = plot_nice_step(a->py1 - a->py0, 5);
    a->py0 = floor(a->py0 / a->ps) * a->ps;
    a->py1 = ceil(a->py1 / a->ps) * a->ps;
    char buf[32];
    int th = clae_text_height(TICK_PX);
    for (int k = 0; k <= PLOT_MAX_TICKS; k++) {
        double v = a->py0 + k * a->ps;
        if (!(v <= a->py1 + a->ps * 1e-6)) break;
        int y = y_of_right(a, v);
        clae_draw_line(out, a->X1 + 1, y, a->X1 + 5, y, TEAL, 1);
        plot_tick_label(buf, sizeof buf, v, a->ps);
        clae_text_draw(out, a->X1 + 8, y - th / 2, buf, TEAL, TICK_PX, 0);
    }
    clae_text_draw(out, a->X1 + 52,
                   (a->Y0 + a->Y1) / 2 - clae_text_width_px(a->rlabel, LABEL_PX) / 2, a->rlabel,
                   TEAL, LABEL_PX, 1);
}

/* The right-hand curve: dashed, diamond markers (the series of the other axis). */
static void draw_right_curve(clae_image *out, const clae_history *h, const plot_panel *a)
{
    int px = 0, py = 0, prev = 0, phase = 0;
    for (size_t i = 0; i < h->n; i++) {
        double v = a->rv[i];
        if (isnan(v)) {
            prev = 0;
            continue;
        }
        int x = x_of(a, h->epoch[i]), y = y_of_right(a, a->rmul * v);
        if (prev) plot_dashed_line(out, px, py, x, y, TEAL, &phase);
        if (h->n <= 60)
            for (int r = -3; r <= 3; r++) /* a diamond */
                clae_fill_rect(out, x - (3 - abs(r)), y + r, 2 * (3 - abs(r)) + 1, 1, TEAL);
        px = x;
        py = y;
        prev = 1;
    }
}

/* Any value that is not NAN in v[0..n). */
static int any_value(const double *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        if (!isnan(v[i])) return 1;
    return 0;
}

/* The loss panel: its series and its right-hand axis, if any. */
static void loss_panel(const clae_history *h, plot_panel *a)
{
    a->ns = 0;
    add_series(a, h->train_loss, "train loss", BLUE, 0);
    add_series(a, h->val_loss, "val loss", ORANGE, 0);
    a->xlabel = "epoch";
    a->ylabel = "loss";
    a->rv = NULL;
    a->right = CLAE_PLOT_RIGHT_NONE;
    if (any_value(h->val_psnr, h->n)) {
        a->right = CLAE_PLOT_RIGHT_PSNR;
        a->rv = h->val_psnr;
        a->rmul = 1.0;
        a->rlabel = "val PSNR (dB)";
        a->rname = "val PSNR (right axis)";
    } else if (any_value(h->val_accuracy, h->n)) {
        a->right = CLAE_PLOT_RIGHT_ACCURACY;
        a->rv = h->val_accuracy;
        a->rmul = 100.0;
        a->rlabel = "val accuracy (%)";
        a->rname = "val accuracy (right axis)";
    }
    a->X0 = CLAE_PLOT_X0;
    a->X1 = a->right ? CLAE_PLOT_X1_PSNR : CLAE_PLOT_X1;
    a->Y0 = CLAE_PLOT_Y0;
    a->Y1 = CLAE_PLOT_Y1;
}

/* The terms panel: "train <term>" solid, "val <term>" dashed, a colour a
 * term; 0 when no term has a value. */
static int terms_panel(const clae_history *h, plot_panel *a, const plot_panel *loss)
{
    a->ns = 0;
    for (int k = 0; k < h->nterms && k < CLAE_HISTORY_MAX_TERMS; k++) {
        char name[48];
        snprintf(name, sizeof name, "train %s", h->term_name[k]);
        if (any_value(h->term[k], h->n)) add_series(a, h->term[k], name, TERM_RGB[k], 0);
        snprintf(name, sizeof name, "val %s", h->term_name[k]);
        if (any_value(h->val_term[k], h->n)) add_series(a, h->val_term[k], name, TERM_RGB[k], 1);
    }
    a->xlabel = "epoch";
    a->ylabel = "loss terms";
    a->right = CLAE_PLOT_RIGHT_NONE;
    a->rv = NULL;
    a->X0 = loss->X0;
    a->X1 = loss->X1; /* the same epochs above each other */
    a->Y0 = CLAE_PLOT_TY0;
    a->Y1 = CLAE_PLOT_TY1;
    return a->ns > 0;
}

static void info_legend(clae_plot_info *info, const plot_panel *a)
{
    for (int k = 0; k < a->ns && info->nlegend < CLAE_PLOT_MAX_LEGEND; k++)
        if (a->s[k].have)
            snprintf(info->legend[info->nlegend++], sizeof info->legend[0], "%s", a->s[k].name);
    if (a->right && info->nlegend < CLAE_PLOT_MAX_LEGEND)
        snprintf(info->legend[info->nlegend++], sizeof info->legend[0], "%s", a->rname);
}

clae_status clae_plot_draw(const clae_history *h, const char *title, clae_image *out,
                           clae_plot_info *info)
{
    if (h->n < 1) return CLAE_ERR_ARG;
    plot_panel loss, terms;
    loss_panel(h, &loss);
    int two = terms_panel(h, &terms, &loss);
    clae_status st =
        clae_image_alloc(out, CLAE_PLOT_W, CLAE_PLOT_H + (two ? CLAE_PLOT_TERMS_H : 0), 3);
    if (st != CLAE_OK) return st;
    clae_image_fill(out, PLOT_WHITE);
    if (!title || !*title) title = "training history";
    clae_text_draw(out, CLAE_PLOT_W / 2 - clae_text_width_px(title, TITLE_PX) / 2, 14, title,
                   PLOT_BLACK, TITLE_PX, 0);
    plot_panel *panels[2] = {&loss, &terms};
    for (int p = 0; p < 1 + two; p++) {
        plot_panel *a = panels[p];
        epoch_range(h, a);
        loss_range(h, a);
        plot_draw_axes(out, a);
        draw_curves(out, h, a, p == 0);
        if (a->right && right_range(h, a)) {
            draw_right_axis(out, a);
            draw_right_curve(out, h, a);
        }
        plot_draw_legend(out, a, TEAL);
    }
    if (info) {
        info->loss_log = loss.logy;
        info->terms_log = two && terms.logy;
        info->terms_panel = two;
        info->right = loss.right;
        info->nlegend = 0;
        info_legend(info, &loss);
        if (two) info_legend(info, &terms);
    }
    return CLAE_OK;
}

clae_status clae_plot_history(const clae_history *h, clae_image *out)
{
    return clae_plot_draw(h, NULL, out, NULL);
}
