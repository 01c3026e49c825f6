/* What the commands that apply a trained model share; see include/clae/app.h. */
#include "clae/app.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "clae/checkpoint.h"
#include "clae/cifar.h"
#include "clae/corrupt.h"
#include "clae/draw.h"
#include "clae/image.h"
#include "clae/layer.h"
#include "clae/net.h"
#include "clae/ops.h"
#include "clae/output.h"
#include "clae/run.h"

/* need_pair: [train] normalize's pair must be there (a model to feed images to). */
static int load(const char *ckpt, clae_model *m, int need_pair)
{
    memset(m, 0, sizeof *m);
    clae_ckpt_meta meta;
    clae_ckpt_meta_init(&meta);
    if (clae_ckpt_load(ckpt, m, &meta, CLAE_CKPT_WEIGHTS_ONLY) != CLAE_OK) {
        clae_ckpt_meta_free(&meta);
        return 0;
    }
    /* the classes it was trained on, when `clae train --classes` chose them,
     * and the data (an absolute folder), the default of --data where it is
     * there (a checkpoint from another machine keeps the config's) */
    clae_run run;
    clae_run_init(&run, m);
    int ok = clae_run_from_meta(&run, &meta, ckpt) == CLAE_OK;
    if (ok) m->train.classes = run.classes;
    if (ok && run.norm.ready) /* [train] normalize's pair: every image fed to it */
        m->train.norm.lo = run.norm.lo, m->train.norm.hi = run.norm.hi, m->train.norm.ready = 1;
    ok = ok && (!need_pair || clae_norm_check_ready(&m->train.norm, ckpt));
    struct stat sb;
    size_t len = strlen(run.data);
    if (ok && len > 0 && len < sizeof m->train.data && stat(run.data, &sb) == 0 &&
        S_ISDIR(sb.st_mode))
        memcpy(m->train.data, run.data, len + 1);
    clae_ckpt_meta_free(&meta);
    if (!ok) clae_model_free(m);
    return ok;
}

int clae_app_load_any(const char *ckpt, clae_model *m) { return load(ckpt, m, 1); }

int clae_app_load_tensors(const char *ckpt, clae_model *m) { return load(ckpt, m, 0); }

int clae_app_load(const char *ckpt, clae_model *m)
{
    if (!clae_app_load_any(ckpt, m)) return 0;
    if (m->nbranches == 0) return 1;
    fprintf(stderr, "clae: %s: a model with branches (%s, %s%s): clae swap applies it\n", ckpt,
            m->branches[0].name, m->branches[1].name, m->nbranches > 2 ? ", ..." : "");
    clae_model_free(m);
    return 0;
}

int clae_app_check_images(const char *cmd, const char *ckpt, const clae_model *m)
{
    if (!m->train.labels) return 1;
    fprintf(stderr, "clae %s: %s is a classifier (target = labels), not an autoencoder: score it "
            "with clae eval %s (accuracy and confusion matrix)\n", cmd, ckpt, ckpt);
    return 0;
}

int clae_app_image_ext(const char *p) { return clae_output_is_image_name(p); }

int clae_app_figure(clae_model *m, clae_device *d, const clae_dataset *ds, size_t first, int n,
                    const char *out, const char **what, int *fig_w, int *fig_h)
{
    enum { TILE = CLAE_APP_FIGURE_TILE, GAP = CLAE_APP_FIGURE_GAP,
           LABEL_W = CLAE_APP_FIGURE_LABEL_W };
    const int C = ds->C, IH = ds->H, IW = ds->W; /* one image */
    /* enlarged to tiles of about TILE pixels (x4 for 32x32), at least x1 */
    const int side = IH > IW ? IH : IW, scale = side >= TILE ? 1 : (TILE + side - 1) / side;
    const int th = IH * scale, tw = IW * scale; /* one tile */
    int ok = 0, net_made = 0;
    clae_corrupt cor;
    clae_net net;
    clae_image fig = {0}, tile = {0};
    size_t per = clae_model_in_count(m);
    float *clean = malloc((size_t)n * per * sizeof(float));
    float *input = malloc((size_t)n * per * sizeof(float));
    float *output = malloc((size_t)n * per * sizeof(float));
    float *stats = malloc(2 * (size_t)n * sizeof(float)); /* [train] normalize's, per image */
    if (!clean || !input || !output || !stats) {
        fprintf(stderr, "clae: out of memory\n");
        goto done;
    }
    if (clae_corrupt_from_config(&m->train, &cor) != CLAE_OK) goto done;
    clae_records_to_float(clean, clae_dataset_record(ds, first), n, C, IH, IW);
    clae_norm_apply(&m->train.norm, clean, n, per, stats); /* as in training: then corrupted */
    clae_rng rng; /* the same corrupted inputs every time */
    clae_rng_seed(&rng, m->train.seed);
    if (clae_corrupt_apply(input, clean, n, C, IH, IW, &cor, &rng) != CLAE_OK) goto done;
    if (clae_net_create(&net, m, d, n) != CLAE_OK) goto done;
    net_made = 1;
    if (clae_net_infer(&net, input, output, n) != CLAE_OK) goto done;
    /* drawn as images: each row back through the inverse with its clean image's stats */
    clae_norm_invert(&m->train.norm, clean, n, per, stats);
    clae_norm_invert(&m->train.norm, input, n, per, stats);
    clae_norm_invert(&m->train.norm, output, n, per, stats);

    int W = LABEL_W + GAP + n * (tw + GAP), H = GAP + 3 * (th + GAP);
    static const uint8_t bg[3] = {255, 255, 255}, ink[3] = {20, 20, 20};
    if (clae_image_alloc(&fig, W, H, 3) != CLAE_OK || clae_image_alloc(&tile, IW, IH, C) != CLAE_OK)
        goto done;
    clae_image_fill(&fig, bg);
    const char *labels[3] = {"original",
                             cor.kind == CLAE_CORRUPT_BLUR   ? "blurred"
                             : cor.kind == CLAE_CORRUPT_NONE ? "input"
                                                             : "corrupted",
                             "restored"};
    const float *rows[3] = {clean, input, output};
    for (int r = 0; r < 3; r++) {
        int y = GAP + r * (th + GAP);
        clae_text_draw(&fig, GAP, y + (th - clae_text_height(CLAE_APP_FIGURE_LABEL_PX)) / 2,
                       labels[r], ink, CLAE_APP_FIGURE_LABEL_PX, 0);
        for (int k = 0; k < n; k++) {
            clae_image_from_chw(&tile, rows[r] + (size_t)k * per);
            clae_image_blit_scaled(&fig, &tile, LABEL_W + GAP + k * (tw + GAP), y, scale);
        }
    }
    if (clae_image_write(out, &fig) != CLAE_OK) goto done;
    if (what) *what = labels[1];
    if (fig_w) *fig_w = W;
    if (fig_h) *fig_h = H;
    ok = 1;
done:
    clae_image_free(&fig);
    clae_image_free(&tile);
    free(clean);
    free(input);
    free(output);
    free(stats);
    if (net_made) clae_net_free(&net);
    return ok;
}
