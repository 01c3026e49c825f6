/* What the commands that apply a trained model share; see include/clae/app.h. */
#include "clae/app.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clae/checkpoint.h"
#include "clae/cifar.h"
#include "clae/corrupt.h"
#include "clae/draw.h"
#include "clae/image.h"
#include "clae/layer.h"
#include "clae/net.h"
#include "clae/ops.h"
#include "clae/run.h"

int clae_app_load(const char *ckpt, clae_model *m)
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
    struct stat sb;
    size_t len = strlen(run.data);
    if (ok && len > 0 && len < sizeof m->train.data && stat(run.data, &sb) == 0 &&
        S_ISDIR(sb.st_mode))
        memcpy(m->train.data, run.data, len + 1);
    clae_ckpt_meta_free(&meta);
    if (!ok) clae_model_free(m);
    return ok;
}

int clae_app_check_images(const char *cmd, const char *ckpt, const clae_model *m)
{
    if (!m->train.labels) return 1;
    fprintf(stderr, "clae %s: %s is a classifier (target = labels), not an autoencoder: its test "
            "accuracy is in clae train's last line\n", cmd, ckpt);
    return 0;
}

int clae_app_image_ext(const char *p)
{
    const char *dot = strrchr(p, '.');
    if (!dot || strchr(dot, '/')) return 0;
    char e[8] = {0};
    for (int i = 0; i < 7 && dot[i + 1]; i++) e[i] = (char)tolower((unsigned char)dot[i + 1]);
    return strcmp(e, "png") == 0 || strcmp(e, "jpg") == 0 || strcmp(e, "jpeg") == 0 ||
           strcmp(e, "bmp") == 0;
}

/* ---- one image of any size through a fully convolutional model ---------- */

/* If line (up to its end) sets key ("key = ..."), return 1. */
static int sets_key(const char *line, const char *key)
{
    while (*line == ' ' || *line == '\t') line++;
    size_t k = strlen(key);
    if (strncmp(line, key, k) != 0) return 0;
    line += k;
    while (*line == ' ' || *line == '\t') line++;
    return *line == '=';
}

/* The model's config text with its `input = ...` line set to H,W,C and its
 * `batch = ...` line to 1 (the first of each, so line numbers stay; batch
 * added after input if absent). */
static char *text_for_size(const char *text, int H, int W, int C)
{
    size_t len = strlen(text);
    char *outp = malloc(len + 128);
    if (!outp) return NULL;
    char *o = outp;
    int done_in = 0, done_b = 0, has_b = 0;
    for (const char *q = text; q && *q; q = strchr(q, '\n'), q = q ? q + 1 : NULL)
        has_b |= sets_key(q, "batch");
    const char *p = text;
    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t n = eol ? (size_t)(eol - p + 1) : strlen(p);
        if (!done_in && sets_key(p, "input")) {
            o += sprintf(o, "input = %d,%d,%d\n%s", H, W, C, has_b ? "" : "batch = 1\n");
            done_in = 1;
        } else if (!done_b && sets_key(p, "batch")) {
            o += sprintf(o, "batch = 1\n");
            done_b = 1;
        } else {
            memcpy(o, p, n);
            o += n;
        }
        p += n;
    }
    *o = '\0';
    return outp;
}

/* Product of the downsampling strides (conv2d and pools) along each axis. */
static void down_factor(const clae_model *m, int *fh, int *fw)
{
    *fh = *fw = 1;
    for (int i = 0; i < m->nlayers; i++) {
        const clae_layer *l = &m->layers[i];
        if (!l->kind->downsamples) continue;
        /* saturating: strides of up to 65,536 from a checkpoint's config
         * would overflow an int; past 2^20 the image is refused anyway */
        *fh = (int)((long)*fh * l->sh < (1L << 20) ? (long)*fh * l->sh : (1L << 20));
        *fw = (int)((long)*fw * l->sw < (1L << 20) ? (long)*fw * l->sw : (1L << 20));
    }
}

/* Whether the net's buffers (activations and gradients, batch 1) fit the device. */
static int fits_device(const clae_device *d, const clae_model *m)
{
    size_t biggest = clae_model_max_count(m) * sizeof(float), total = 0;
    total += 2 * clae_model_in_count(m) * sizeof(float);
    for (int i = 0; i < m->nlayers; i++)
        total += 2 * clae_layer_out_count(&m->layers[i]) * sizeof(float);
    return biggest <= d->max_alloc && total <= d->global_mem / 2;
}

/* Bytes that running mp on one image takes on the host: the net's buffers at
 * batch 1 (activations and their gradients, auxiliary buffers such as pool
 * indices, the parameter blocks: clae_net_create allocates them all) and the
 * padded input and output. */
static double image_run_bytes(const clae_model *mp)
{
    double total = 4.0 * (double)clae_model_in_count(mp) * sizeof(float);
    for (int i = 0; i < mp->nlayers; i++) {
        double out = (double)clae_layer_out_count(&mp->layers[i]);
        total += 2.0 * out * sizeof(float) + out * (double)mp->layers[i].kind->aux_bytes;
    }
    return total + 4.0 * (double)mp->block_floats * sizeof(float);
}

/* On the reference path, whether the run fits half the host's memory (as a
 * device's half: the rest for the image, the system and other programs): its
 * physical memory, or the address-space limit (ulimit -v) where that is
 * lower; a one-line refusal naming what it needs otherwise, before any of it
 * is allocated. */
static int fits_host(const clae_device *d, const clae_model *mp, const char *in,
                     const char *ckpt)
{
    if (d->be->id != CLAE_BACKEND_HOST) return 1;
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    double ram = pages > 0 && page > 0 ? (double)pages * (double)page : 0;
    if ((double)d->global_mem < ram || ram == 0) ram = (double)d->global_mem;
    struct rlimit as;
    if (getrlimit(RLIMIT_AS, &as) == 0 && as.rlim_cur != RLIM_INFINITY && (double)as.rlim_cur < ram)
        ram = (double)as.rlim_cur;
    double need = image_run_bytes(mp);
    if (need <= 0.5 * ram) return 1;
    fprintf(stderr, "clae: %s: running %s on a %dx%d image needs %.0f MiB of memory; the "
            "reference path has %.0f MiB (RAM or ulimit -v), half of it usable: use a smaller "
            "image (crop or scale it)\n", in, ckpt, mp->net.W, mp->net.H, need / 1048576.0, ram / 1048576.0);
    return 0;
}

int clae_app_run_image(const char *ckpt, const clae_model *m, const char *in, float *x, int H,
                       int W, const char *device, clae_app_run *run)
{
    const int C = m->net.C;
    memset(run, 0, sizeof *run);
    for (int i = 0; i < m->nlayers; i++) /* a dense layer fixes the input size */
        if (m->layers[i].kind->fixed_size && (H != m->net.H || W != m->net.W)) {
            fprintf(stderr, "clae: %s: the model takes %dx%d images only (layer %d is %s); %s is "
                    "%dx%d\n", ckpt, m->net.W, m->net.H, i, m->layers[i].kind->name, in, W, H);
            return 0;
        }
    int fh, fw;
    down_factor(m, &fh, &fw);
    if (fh > 4096 || fw > 4096) {
        fprintf(stderr, "clae: %s: the model downsamples by %dx%d; too much for one image\n", ckpt,
                fh, fw);
        return 0;
    }
    const int Hp = clae_round_up(H, fh), Wp = clae_round_up(W, fw);
    const int top = (Hp - H) / 2, left = (Wp - W) / 2;
    int ok = 0, dev_open = 0, net_made = 0;
    clae_model mp = {0};
    clae_device d;
    clae_net net;
    float *xp = NULL, *yp = NULL;
    /* The same model at Hp x Wp: the parameters do not depend on the input size. */
    char *text = text_for_size(m->text, Hp, Wp, C);
    if (!text) {
        fprintf(stderr, "clae: out of memory\n");
        goto done;
    }
    char err[512], name[600];
    snprintf(name, sizeof name, "%s:config", ckpt);
    if (clae_model_parse_ex(NULL, text, name, &mp, err, sizeof err) != CLAE_OK) {
        fprintf(stderr, "clae: %s: the model cannot run on a %dx%d image: %s\n", ckpt, Wp, Hp, err);
        goto done;
    }
    if (mp.block_floats != m->block_floats || mp.ntensors != m->ntensors) {
        fprintf(stderr,
                "clae: %s: the model's parameters change with the input size (not fully "
                "convolutional)\n",
                ckpt);
        goto done;
    }
    if (clae_device_open(&d, device) != CLAE_OK) goto done;
    dev_open = 1;
    if (!fits_device(&d, &mp)) {
        printf("note: a %dx%d image is too large for %s's buffers; using the reference path\n", Wp,
               Hp, d.name);
        clae_device_close(&d);
        dev_open = 0;
        if (clae_device_open(&d, "ref") != CLAE_OK) goto done;
        dev_open = 1;
    }
    if (!fits_host(&d, &mp, in, ckpt)) goto done;
    if (clae_model_alloc(&mp) != CLAE_OK) {
        fprintf(stderr, "clae: out of memory for the model\n");
        goto done;
    }
    memcpy(mp.params, m->params, m->block_floats * sizeof(float));
    size_t np = (size_t)C * Hp * Wp;
    xp = malloc(np * sizeof(float));
    yp = malloc(np * sizeof(float));
    if (!xp || !yp) {
        fprintf(stderr, "clae: out of memory for a %dx%d image\n", W, H);
        goto done;
    }
    clae_pad_reflect(xp, x, C, H, W, Hp, Wp, top, left);
    if (clae_net_create(&net, &mp, &d, 1) != CLAE_OK) goto done;
    net_made = 1;
    if (clae_net_infer(&net, xp, yp, 1) != CLAE_OK) goto done;
    clae_crop(x, yp, C, Hp, Wp, top, left, H, W);
    run->H = Hp, run->W = Wp;
    snprintf(run->device, sizeof run->device, "%s", d.name);
    ok = 1;
done:
    free(xp);
    free(yp);
    free(text);
    if (net_made) clae_net_free(&net);
    if (dev_open) clae_device_close(&d);
    clae_model_free(&mp);
    return ok;
}

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
    if (!clean || !input || !output) {
        fprintf(stderr, "clae: out of memory\n");
        goto done;
    }
    if (clae_corrupt_from_config(&m->train, &cor) != CLAE_OK) goto done;
    clae_records_to_float(clean, clae_dataset_record(ds, first), n, C, IH, IW);
    clae_rng rng; /* the same corrupted inputs every time */
    clae_rng_seed(&rng, m->train.seed);
    if (clae_corrupt_apply(input, clean, n, C, IH, IW, &cor, &rng) != CLAE_OK) goto done;
    if (clae_net_create(&net, m, d, n) != CLAE_OK) goto done;
    net_made = 1;
    if (clae_net_infer(&net, input, output, n) != CLAE_OK) goto done;

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
        clae_draw_text(&fig, GAP, y + th / 2 - CLAE_FONT_H, labels[r], ink, 2, 0);
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
    if (net_made) clae_net_free(&net);
    return ok;
}
