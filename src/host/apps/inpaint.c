/* clae inpaint's work: the holes (rectangles or a mask image's bright pixels) set to 0 as in
 * training, the model run on the whole image, its output kept inside the holes; see
 * include/clae/inpaint.h. */
#include "clae/inpaint.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clae/denoise.h"
#include "clae/image.h"
#include "clae/parse.h"

/* "X,Y,W,H": four integers, X and Y >= 0, W and H >= 1. */
int clae_rect_parse(const char *v, clae_rect *r)
{
    char buf[96];
    if (strlen(v) >= sizeof buf) return 0;
    snprintf(buf, sizeof buf, "%s", v);
    int *f[4] = {&r->x, &r->y, &r->w, &r->h};
    char *p = buf;
    for (int k = 0; k < 4; k++) {
        char *comma = strchr(p, ',');
        if ((k < 3) != (comma != NULL)) return 0;
        if (comma) *comma = '\0';
        if (!clae_str_to_int(p, k < 2 ? 0 : 1, 1 << 20, f[k])) return 0;
        p = comma ? comma + 1 : p;
    }
    return 1;
}

/* hole (H*W, 0 or 1) from the rectangles; 0 if none touches the image. */
static int holes_from_rects(uint8_t *hole, int H, int W, const clae_rect *r, int nr)
{
    int any = 0;
    for (int k = 0; k < nr; k++)
        for (int y = r[k].y; y < H && y < r[k].y + r[k].h; y++)
            for (int x = r[k].x; x < W && x < r[k].x + r[k].w; x++) hole[(size_t)y * W + x] = 1;
    for (size_t i = 0; i < (size_t)H * W; i++) any |= hole[i];
    return any;
}

/* hole from a mask image of the same size (grey: the mean of its colour
 * channels, alpha left out); 0 after a one-line error. */
static int holes_from_png(uint8_t *hole, int H, int W, const char *path)
{
    clae_image m = {0};
    if (clae_image_load(path, 0, &m) != CLAE_OK) return 0;
    const int colours = m.c >= 3 ? 3 : 1;
    int ok = m.w == W && m.h == H;
    if (!ok)
        fprintf(stderr, "clae: %s: the mask is %dx%d, the image %dx%d\n", path, m.w, m.h, W, H);
    int any = 0;
    for (size_t i = 0; ok && i < (size_t)H * W; i++) {
        int sum = 0;
        for (int k = 0; k < colours; k++) sum += m.px[i * m.c + k];
        hole[i] = sum > 127 * colours;
        any |= hole[i];
    }
    clae_image_free(&m);
    if (ok && !any)
        fprintf(stderr, "clae: %s: no pixel brighter than 127: no hole to fill\n", path);
    return ok && any;
}

int clae_inpaint(const clae_model *m, const clae_inpaint_job *job, clae_inpaint_result *res)
{
    int ok = 0, C = m->net.C;
    clae_denoise_image t; /* IN in the model's channels, converted as denoise does */
    float *orig = NULL;
    uint8_t *hole = NULL;
    if (!clae_denoise_read(&t, C, job->in)) goto done;
    const int H = t.H, W = t.W;
    size_t hw = (size_t)H * W;
    float *x = t.x;
    orig = malloc(hw * C * sizeof(float));
    hole = calloc(hw, 1);
    if (!orig || !hole) {
        fprintf(stderr, "clae: out of memory for a %dx%d image\n", W, H);
        goto done;
    }
    if (job->mask_png ? !holes_from_png(hole, H, W, job->mask_png)
                      : !holes_from_rects(hole, H, W, job->rects, job->nrects)) {
        if (!job->mask_png)
            fprintf(stderr, "clae: %s: the --mask rectangles are all outside its %dx%d pixels\n",
                    job->in, W, H);
        goto done;
    }
    memcpy(orig, x, hw * C * sizeof(float));
    *res = (clae_inpaint_result){.W = W, .H = H};
    clae_denoise_channel_note(&t, job->out, res->channels, sizeof res->channels);
    for (size_t i = 0; i < hw; i++) res->holes += hole[i];
    for (int c = 0; c < C; c++) /* the holes as in training: 0 in every channel */
        for (size_t i = 0; i < hw; i++) x[c * hw + i] = hole[i] ? 0.0f : orig[c * hw + i];
    if (job->masked && !clae_denoise_write(&t, job->masked)) goto done;
    /* [train] normalize as in training: IN normalised whole (its mean and scale), then
     * the holes 0 in the normalised image; the output inverted with IN's stats */
    const clae_normalize *nz = &m->train.norm;
    float stats[2];
    if (nz->kind != CLAE_NORM_NONE && (double)hw * C > INT_MAX) {
        fprintf(stderr, "clae: %s: %dx%d: too large an image for [train] normalize\n", job->in,
                W, H);
        goto done;
    }
    if (nz->kind != CLAE_NORM_NONE) {
        memcpy(x, orig, hw * C * sizeof(float));
        clae_norm_apply(nz, x, 1, hw * C, stats);
        for (int c = 0; c < C; c++)
            for (size_t i = 0; i < hw; i++)
                if (hole[i]) x[c * hw + i] = 0.0f;
    }
    if (!clae_app_run_image_fed(job->ckpt, m, job->in, x, H, W, job->device, 0, &res->run))
        goto done;
    clae_norm_invert(nz, x, 1, hw * C, stats);
    for (int c = 0; !job->raw && c < C; c++) /* IN's own pixels outside the holes */
        for (size_t i = 0; i < hw; i++)
            if (!hole[i]) x[c * hw + i] = orig[c * hw + i];
    ok = clae_denoise_write(&t, job->out);
done:
    free(orig), free(hole);
    clae_denoise_free(&t);
    return ok;
}
