/* `clae show` of a model with branches: for each branch, n of its test
 * images, then their decodes by every branch's layers (its own: the
 * reconstruction; another's: the swap), one row each. */
#include <stdio.h>
#include <stdlib.h>

#include "clae/app.h"
#include "clae/cifar.h"
#include "clae/corrupt.h"
#include "clae/draw.h"
#include "clae/image.h"
#include "clae/net.h"

enum { TILE = CLAE_APP_FIGURE_TILE, GAP = CLAE_APP_FIGURE_GAP, PX = CLAE_APP_FIGURE_LABEL_PX };

/* The rows of branch k's images: the originals, then the decodes of their
 * inputs (corrupted as the config says) by each branch, into rows[1 + j]. */
static int branch_rows(clae_model *m, clae_net *net, const clae_dataset *ds, size_t first, int n,
                       float **rows)
{
    const int C = ds->C, H = ds->H, W = ds->W;
    const size_t per = clae_model_in_count(m);
    float *input = malloc((size_t)n * per * sizeof(float));
    float *stats = malloc(2 * (size_t)n * sizeof(float)); /* [train] normalize's, per image */
    clae_corrupt cor;
    int ok = input && stats && clae_corrupt_from_config(&m->train, &cor) == CLAE_OK;
    if (ok) {
        clae_records_to_float(rows[0], clae_dataset_record(ds, first), n, C, H, W);
        clae_norm_apply(&m->train.norm, rows[0], n, per, stats);
        clae_rng rng; /* the same inputs every time */
        clae_rng_seed(&rng, m->train.seed);
        ok = clae_corrupt_apply(input, rows[0], n, C, H, W, &cor, &rng) == CLAE_OK;
    }
    for (int j = 0; ok && j < m->nbranches; j++)
        ok = clae_net_set_branch(net, j) == CLAE_OK &&
             clae_net_infer(net, input, rows[1 + j], n) == CLAE_OK;
    for (int r = 0; ok && r <= m->nbranches; r++) /* back to images, each with its own stats */
        clae_norm_invert(&m->train.norm, rows[r], n, per, stats);
    free(input);
    free(stats);
    return ok;
}

/* The label column's width: the widest label, and a gap. */
static int label_width(const clae_model *m)
{
    int w = clae_text_width_px("original", PX);
    for (int k = 0; k < m->nbranches; k++)
        for (int j = 0; j < m->nbranches; j++) {
            char label[2 * CLAE_BRANCH_NAME_MAX + 8];
            snprintf(label, sizeof label, "%s > %s", m->branches[k].name, m->branches[j].name);
            int lw = clae_text_width_px(label, PX);
            if (lw > w) w = lw;
        }
    return w + 2 * GAP;
}

int clae_app_figure_branches(clae_model *m, struct clae_device *d,
                             const struct clae_dataset *tests, size_t first, int n,
                             const char *out, int *fig_w, int *fig_h)
{
    const int K = m->nbranches, IH = m->net.H, IW = m->net.W, C = m->net.C;
    const int side = IH > IW ? IH : IW, scale = side >= TILE ? 1 : (TILE + side - 1) / side;
    const int th = IH * scale, tw = IW * scale, LW = label_width(m);
    const int nrows = K * (1 + K), W = LW + GAP + n * (tw + GAP), H = GAP + nrows * (th + GAP);
    const size_t per = clae_model_in_count(m);
    float *rows[1 + CLAE_MAX_BRANCHES] = {0};
    clae_image fig = {0}, tile = {0};
    clae_net net;
    int ok = clae_net_create(&net, m, d, n) == CLAE_OK, made = ok;
    for (int r = 0; ok && r <= K; r++)
        ok = (rows[r] = malloc((size_t)n * per * sizeof(float))) != NULL;
    ok = ok && clae_image_alloc(&fig, W, H, 3) == CLAE_OK &&
         clae_image_alloc(&tile, IW, IH, C) == CLAE_OK;
    static const uint8_t bg[3] = {255, 255, 255}, ink[3] = {20, 20, 20};
    if (ok) clae_image_fill(&fig, bg);
    for (int k = 0, y = GAP; ok && k < K; k++) {
        if (!(ok = branch_rows(m, &net, &tests[k], first, n, rows))) break;
        for (int r = 0; r <= K; r++, y += th + GAP) {
            char label[2 * CLAE_BRANCH_NAME_MAX + 8];
            if (r == 0)
                snprintf(label, sizeof label, "%s", m->branches[k].name);
            else
                snprintf(label, sizeof label, "%s > %s", m->branches[k].name,
                         m->branches[r - 1].name);
            clae_text_draw(&fig, GAP, y + (th - clae_text_height(PX)) / 2, label, ink, PX, 0);
            for (int i = 0; i < n; i++) {
                clae_image_from_chw(&tile, rows[r] + (size_t)i * per);
                clae_image_blit_scaled(&fig, &tile, LW + GAP + i * (tw + GAP), y, scale);
            }
        }
    }
    ok = ok && clae_image_write(out, &fig) == CLAE_OK;
    if (ok && fig_w) *fig_w = W;
    if (ok && fig_h) *fig_h = H;
    if (!ok) fprintf(stderr, "clae: %s: the figure could not be made\n", out);
    for (int r = 0; r <= K; r++) free(rows[r]);
    clae_image_free(&fig);
    clae_image_free(&tile);
    if (made) clae_net_free(&net);
    return ok;
}
