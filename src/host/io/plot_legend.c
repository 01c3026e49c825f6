/* The legend of a panel of the history plot: a framed box of a line sample
 * and a name per curve, in the corner where it hides the fewest curve
 * pixels (see clae/plot.h). */
#include "clae/draw.h"
#include "plot_int.h"

#define LEGEND_PX 13

/* Curve pixels (not white, not grid) inside the box that a w x h legend at
 * (x, y) would hide. */
static long legend_hides(const clae_image *out, const plot_panel *a, int x0, int y0, int w, int h)
{
    long hidden = 0;
    for (int y = y0; y < y0 + h; y++)
        for (int x = x0; x < x0 + w; x++) {
            if (x <= a->X0 || x >= a->X1 || y <= a->Y0 || y >= a->Y1) continue;
            const uint8_t *p = out->px + ((size_t)y * out->w + x) * 3;
            hidden += !((p[0] == 255 && p[1] == 255 && p[2] == 255) ||
                        (p[0] == PLOT_GRID[0] && p[1] == PLOT_GRID[1] && p[2] == PLOT_GRID[2]));
        }
    return hidden;
}

/* One entry: its line sample (solid 2 px or dashed) and its name. */
static void legend_entry(clae_image *out, int x, int y, int rowh, const char *name,
                         const uint8_t *rgb, int dashed)
{
    int ym = y + rowh / 2;
    if (dashed) {
        int phase = 0;
        plot_dashed_line(out, x + 6, ym - 1, x + 30, ym - 1, rgb, &phase);
    } else {
        clae_draw_line(out, x + 6, ym, x + 30, ym, rgb, 2);
    }
    clae_text_draw(out, x + 38, y + (rowh - clae_text_height(LEGEND_PX)) / 2, name, PLOT_BLACK,
                   LEGEND_PX, 0);
}

void plot_draw_legend(clae_image *out, const plot_panel *a, const uint8_t right_rgb[3])
{
    const int X0 = a->X0, X1 = a->X1, Y0 = a->Y0, Y1 = a->Y1;
    int shown[2 * CLAE_HISTORY_MAX_TERMS], entries = 0, wmax = 0;
    for (int k = 0; k < a->ns; k++)
        if (a->s[k].have) {
            shown[entries++] = k;
            int w = clae_text_width_px(a->s[k].name, LEGEND_PX);
            if (w > wmax) wmax = w;
        }
    int rows = entries + (a->right != CLAE_PLOT_RIGHT_NONE);
    if (a->right) {
        int w = clae_text_width_px(a->rname, LEGEND_PX);
        if (w > wmax) wmax = w;
    }
    if (rows == 0) return;
    int rowh = clae_text_height(LEGEND_PX) + 3;
    int lw = 38 + wmax + 8, lh = 8 + rowh * rows;
    const int cand[6][2] = {{X1 - 10 - lw, Y0 + 10},       {X0 + 10, Y0 + 10},
                            {X1 - 10 - lw, Y1 - 10 - lh},  {X0 + 10, Y1 - 10 - lh},
                            {(X0 + X1 - lw) / 2, Y0 + 10}, {(X0 + X1 - lw) / 2, Y1 - 10 - lh}};
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
    clae_fill_rect(out, lx, ly, lw, lh, PLOT_WHITE);
    clae_draw_line(out, lx, ly, lx + lw - 1, ly, PLOT_GREY, 1);
    clae_draw_line(out, lx, ly + lh - 1, lx + lw - 1, ly + lh - 1, PLOT_GREY, 1);
    clae_draw_line(out, lx, ly, lx, ly + lh - 1, PLOT_GREY, 1);
    clae_draw_line(out, lx + lw - 1, ly, lx + lw - 1, ly + lh - 1, PLOT_GREY, 1);
    for (int e = 0; e < entries; e++) {
        const plot_series *s = &a->s[shown[e]];
        legend_entry(out, lx, ly + 4 + rowh * e, rowh, s->name, s->rgb, s->dashed);
    }
    if (a->right) legend_entry(out, lx, ly + 4 + rowh * entries, rowh, a->rname, right_rgb, 1);
}
