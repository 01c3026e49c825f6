/* Legends of the figures: a framed box of a key (a line, a dashed line or a dot) and a name
 * per entry; the history plot's goes in the corner of a panel where it hides the fewest
 * curve pixels (see clae/plot.h), the scatter's beside its axes. */
#include "clae/draw.h"
#include "plot_int.h"

#define LEGEND_PX 13
#define KEY_W 38 /* the key's column, the name after it */

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

void plot_dot(clae_image *img, int x, int y, const uint8_t rgb[3])
{
    static const int HALF[5] = {1, 2, 2, 2, 1}; /* a disc of radius 2.5 */
    for (int r = 0; r < 5; r++) clae_fill_rect(img, x - HALF[r], y - 2 + r, 2 * HALF[r] + 1, 1, rgb);
}

/* One entry: its key and its name. */
static void legend_entry(clae_image *out, int x, int y, int rowh, const plot_key *k)
{
    int ym = y + rowh / 2;
    if (k->style == PLOT_KEY_DASHED) {
        int phase = 0;
        plot_dashed_line(out, x + 6, ym - 1, x + 30, ym - 1, k->rgb, &phase);
    } else if (k->style == PLOT_KEY_DOT) {
        plot_dot(out, x + 18, ym, k->rgb);
    } else {
        clae_draw_line(out, x + 6, ym, x + 30, ym, k->rgb, 2);
    }
    clae_text_draw(out, x + KEY_W, y + (rowh - clae_text_height(LEGEND_PX)) / 2, k->name,
                   PLOT_BLACK, LEGEND_PX, 0);
}

static int row_height(void) { return clae_text_height(LEGEND_PX) + 3; }

void plot_legend_size(const plot_key *keys, int n, int *w, int *h)
{
    int wmax = 0;
    for (int e = 0; e < n; e++) {
        int tw = clae_text_width_px(keys[e].name, LEGEND_PX);
        if (tw > wmax) wmax = tw;
    }
    *w = KEY_W + wmax + 8;
    *h = 8 + row_height() * n;
}

void plot_legend_draw(clae_image *out, const plot_key *keys, int n, int lx, int ly)
{
    int lw, lh;
    plot_legend_size(keys, n, &lw, &lh);
    clae_fill_rect(out, lx, ly, lw, lh, PLOT_WHITE);
    clae_draw_line(out, lx, ly, lx + lw - 1, ly, PLOT_GREY, 1);
    clae_draw_line(out, lx, ly + lh - 1, lx + lw - 1, ly + lh - 1, PLOT_GREY, 1);
    clae_draw_line(out, lx, ly, lx, ly + lh - 1, PLOT_GREY, 1);
    clae_draw_line(out, lx + lw - 1, ly, lx + lw - 1, ly + lh - 1, PLOT_GREY, 1);
    for (int e = 0; e < n; e++) legend_entry(out, lx, ly + 4 + row_height() * e, row_height(), &keys[e]);
}

void plot_draw_legend(clae_image *out, const plot_panel *a, const uint8_t right_rgb[3])
{
    const int X0 = a->X0, X1 = a->X1, Y0 = a->Y0, Y1 = a->Y1;
    plot_key keys[2 * CLAE_HISTORY_MAX_TERMS + 1];
    int n = 0;
    for (int k = 0; k < a->ns; k++)
        if (a->s[k].have)
            keys[n++] = (plot_key){a->s[k].name, a->s[k].rgb,
                                   a->s[k].dashed ? PLOT_KEY_DASHED : PLOT_KEY_LINE};
    if (a->right) keys[n++] = (plot_key){a->rname, right_rgb, PLOT_KEY_DASHED};
    if (n == 0) return;
    int lw, lh;
    plot_legend_size(keys, n, &lw, &lh);
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
    plot_legend_draw(out, keys, n, lx, ly);
}
