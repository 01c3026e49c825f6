/* One image of any size through a fully convolutional model (clae denoise,
 * clae inpaint): reflect-padded to the model's downsampling, the model rebuilt
 * at that size with the same parameters, run whole where its buffers fit the
 * device (or half the host's memory on the reference path), else in
 * overlapping tiles of bounded memory whose outputs are those of the whole
 * run; see include/clae/app.h. */
#include "clae/app.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "clae/image.h"
#include "clae/layer.h"
#include "clae/net.h"

/* A tile's own part (the output it keeps) a side, before its margins: the
 * test hook CLAE_TILE=N (8 to 16384) sets it and tiles every image. */
#define TILE_CORE 512

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
        total += 2.0 * out * sizeof(float) + (double)clae_layer_aux_bytes(&mp->layers[i], 1);
    }
    return total + 4.0 * (double)mp->block_floats * sizeof(float);
}

/* The memory the reference path may take: half the host's physical memory,
 * or of the address-space limit (ulimit -v) where that is lower (as half a
 * device's: the rest for the image, the system and other programs). */
static double host_budget(const clae_device *d)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    double ram = pages > 0 && page > 0 ? (double)pages * (double)page : 0;
    if ((double)d->global_mem < ram || ram == 0) ram = (double)d->global_mem;
    struct rlimit as;
    if (getrlimit(RLIMIT_AS, &as) == 0 && as.rlim_cur != RLIM_INFINITY && (double)as.rlim_cur < ram)
        ram = (double)as.rlim_cur;
    return 0.5 * ram;
}

/* Whether the net at mp's size fits d: its buffers on an OpenCL device, its
 * memory on the host within host_budget. */
static int fits(const clae_device *d, const clae_model *mp)
{
    if (d->be->id == CLAE_BACKEND_HOST) return image_run_bytes(mp) <= host_budget(d);
    return fits_device(d, mp);
}

/* m at H x W (parsed, not allocated): 1, or 0 after a one-line error. */
static int model_at(const char *ckpt, const clae_model *m, int H, int W, clae_model *out)
{
    memset(out, 0, sizeof *out);
    char *text = text_for_size(m->text, H, W, m->net.C);
    if (!text) {
        fprintf(stderr, "clae: out of memory\n");
        return 0;
    }
    char err[512], name[600];
    snprintf(name, sizeof name, "%s:config", ckpt);
    int ok = clae_model_parse_ex(NULL, text, name, out, err, sizeof err) == CLAE_OK;
    free(text);
    if (!ok) {
        fprintf(stderr, "clae: %s: the model cannot run on a %dx%d image: %s\n", ckpt, W, H, err);
        return 0;
    }
    if (out->block_floats != m->block_floats || out->ntensors != m->ntensors) {
        fprintf(stderr, "clae: %s: the model's parameters change with the input size (not fully "
                "convolutional)\n", ckpt);
        return 0;
    }
    return 1;
}

/* How far (in image pixels, along H or W) a difference at a tile's edge can
 * reach into the output: every layer's window and stride, in its input's
 * pixels scaled to the image's, summed (a bound for any path through the net,
 * skip connections included). */
static int reach_of(const clae_model *mp, int along_h)
{
    double reach = 0;
    for (int i = 0; i < mp->nlayers; i++) {
        const clae_layer *l = &mp->layers[i];
        int k = along_h ? l->R : l->S, s = along_h ? l->sh : l->sw;
        int in = along_h ? l->in_h : l->in_w, full = along_h ? mp->net.H : mp->net.W;
        reach += (double)((k > 0 ? k : 1) + (s > 0 ? s : 1)) * full / (in > 0 ? in : 1);
    }
    return (int)ceil(reach);
}

/* Tiles of size T along n (both multiples of f; T < n): their origins o[]
 * (multiples of f, the last n - T) and the first position each keeps,
 * keep[] (0 for the first; else its origin + margin, where the tile before
 * still holds margin to its own edge). The count. */
static int tile_origins(int n, int T, int margin, int f, int *o, int *keep)
{
    const int step = (T - 2 * margin) / f * f;
    int k = 0;
    for (int at = 0;; at += step) {
        int last = at + T >= n;
        o[k] = last ? n - T : at;
        keep[k] = k == 0 ? 0 : o[k] + margin;
        k++;
        if (last) return k;
    }
}

/* The plan of a tiled run along one side of n pixels. */
typedef struct tile_axis {
    int T, n, count;
    int *o, *keep;
} tile_axis;

/* Tiles of TILE_CORE (or CLAE_TILE) plus a margin of the net's reach each
 * side, rounded to f; one tile of n when that is all of it. 1, or 0 out of memory. */
static int plan_axis(tile_axis *a, int n, int core, int reach, int f)
{
    a->n = n;
    a->T = clae_round_up((core > f ? core : f) + 2 * reach, f); /* steps of at least f */
    a->o = malloc(((size_t)n / f + 2) * sizeof(int));
    a->keep = malloc(((size_t)n / f + 2) * sizeof(int));
    if (!a->o || !a->keep) return 0;
    if (a->T >= n) {
        a->T = n, a->count = 1, a->o[0] = a->keep[0] = 0;
        return 1;
    }
    a->count = tile_origins(n, a->T, reach, f, a->o, a->keep);
    return 1;
}

/* The net (made at the tiles' size) over xp (C,Hp,Wp) tile by tile into yp:
 * each tile's input a window of xp, its kept part copied out. 1, or 0. */
static int run_tiles(clae_net *net, int C, const float *xp, float *yp, const tile_axis *ah,
                     const tile_axis *aw, float *tin, float *tout)
{
    const int Hp = ah->n, Wp = aw->n, Th = ah->T, Tw = aw->T;
    for (int i = 0; i < ah->count; i++)
        for (int j = 0; j < aw->count; j++) {
            const int oy = ah->o[i], ox = aw->o[j];
            for (int c = 0; c < C; c++)
                for (int y = 0; y < Th; y++)
                    memcpy(tin + ((size_t)c * Th + y) * Tw,
                           xp + ((size_t)c * Hp + oy + y) * Wp + ox, (size_t)Tw * sizeof(float));
            if (clae_net_infer(net, tin, tout, 1) != CLAE_OK) return 0;
            const int y0 = ah->keep[i], y1 = i + 1 < ah->count ? ah->keep[i + 1] : Hp;
            const int x0 = aw->keep[j], x1 = j + 1 < aw->count ? aw->keep[j + 1] : Wp;
            for (int c = 0; c < C; c++)
                for (int y = y0; y < y1; y++)
                    memcpy(yp + ((size_t)c * Hp + y) * Wp + x0,
                           tout + ((size_t)c * Th + y - oy) * Tw + (x0 - ox),
                           (size_t)(x1 - x0) * sizeof(float));
        }
    return 1;
}

/* m at mp's size, allocated with m's parameters, run on d over xp into yp
 * (a model with branches: the trunk and branch `branch`). */
static int run_net(const clae_model *m, clae_model *mp, clae_device *d, const float *xp,
                   float *yp, const tile_axis *ah, const tile_axis *aw, int branch)
{
    if (clae_model_alloc(mp) != CLAE_OK) {
        fprintf(stderr, "clae: out of memory for the model\n");
        return 0;
    }
    memcpy(mp->params, m->params, m->block_floats * sizeof(float));
    clae_net net;
    if (clae_net_create(&net, mp, d, 1) != CLAE_OK) return 0;
    if (mp->nbranches > 0 && clae_net_set_branch(&net, branch) != CLAE_OK) {
        clae_net_free(&net);
        return 0;
    }
    int ok;
    if (!ah) {
        ok = clae_net_infer(&net, xp, yp, 1) == CLAE_OK;
    } else {
        size_t tn = (size_t)m->net.C * ah->T * aw->T;
        float *tin = malloc(tn * sizeof(float)), *tout = malloc(tn * sizeof(float));
        ok = tin && tout;
        if (!ok) fprintf(stderr, "clae: out of memory for a %dx%d tile\n", aw->T, ah->T);
        ok = ok && run_tiles(&net, m->net.C, xp, yp, ah, aw, tin, tout);
        free(tin), free(tout);
    }
    clae_net_free(&net);
    return ok;
}

/* The tile core a side: CLAE_TILE, else TILE_CORE; *forced when CLAE_TILE is set. */
static int tile_core(int *forced)
{
    const char *v = getenv("CLAE_TILE");
    long n = v ? strtol(v, NULL, 10) : 0;
    *forced = n >= 8 && n <= CLAE_IMAGE_MAX_SIDE;
    return *forced ? (int)n : TILE_CORE;
}

/* Whether any layer draws random numbers at inference (a VAE's sampling):
 * its tiles would not be the whole run's. */
static int draws_noise(const clae_model *m)
{
    for (int i = 0; i < m->nlayers; i++)
        if (strcmp(m->layers[i].kind->name, "sampling") == 0) return 1;
    return 0;
}

/* Open device for the net at mp's size, whole (*ah, *aw NULL) or tiled (the
 * plans filled; mt the model at the tiles' size): on device where that fits,
 * else the reference path. 1, or 0 after a one-line error. */
static int choose_run(const char *ckpt, const clae_model *m, const char *in, clae_model *mp,
                      clae_model *mt, const char *device, clae_device *d, tile_axis *ah,
                      tile_axis *aw, int fh, int fw, int *tiled)
{
    int forced, core = tile_core(&forced);
    const int Hp = mp->net.H, Wp = mp->net.W;
    if (clae_device_open(d, device) != CLAE_OK) return 0;
    *tiled = 0;
    if (!forced && fits(d, mp)) return 1;
    if (draws_noise(m)) {
        if (!forced && d->be->id != CLAE_BACKEND_HOST) {
            printf("note: a %dx%d image is too large for %s's buffers; using the reference "
                   "path\n", Wp, Hp, d->name);
            clae_device_close(d);
            if (clae_device_open(d, "ref") != CLAE_OK) return 0;
        }
        if (fits(d, mp)) return 1;
        fprintf(stderr, "clae: %s: running %s on a %dx%d image needs %.0f MiB of memory; the "
                "reference path has %.0f MiB (RAM or ulimit -v, half of it): use a smaller "
                "image (crop or scale it)\n", in, ckpt, Wp, Hp, image_run_bytes(mp) / 1048576.0,
                host_budget(d) / 1048576.0);
        clae_device_close(d);
        return 0;
    }
    if (!plan_axis(ah, Hp, core, reach_of(mp, 1), fh) ||
        !plan_axis(aw, Wp, core, reach_of(mp, 0), fw)) {
        fprintf(stderr, "clae: out of memory\n");
        clae_device_close(d);
        return 0;
    }
    *tiled = 1;
    if (!model_at(ckpt, m, ah->T, aw->T, mt)) {
        clae_device_close(d);
        return 0;
    }
    if (!fits(d, mt) && d->be->id != CLAE_BACKEND_HOST) {
        printf("note: a %dx%d tile is too large for %s's buffers; using the reference path\n",
               aw->T, ah->T, d->name);
        clae_device_close(d);
        if (clae_device_open(d, "ref") != CLAE_OK) return 0;
    }
    if (fits(d, mt)) return 1;
    fprintf(stderr, "clae: %s: running %s on a %dx%d image, even in %dx%d tiles, needs %.0f MiB "
            "of memory; the reference path has %.0f MiB (RAM or ulimit -v, half of it): use a "
            "smaller image (crop or scale it)\n", in, ckpt, Wp, Hp, aw->T, ah->T,
            image_run_bytes(mt) / 1048576.0, host_budget(d) / 1048576.0);
    clae_device_close(d);
    return 0;
}

int clae_app_run_image(const char *ckpt, const clae_model *m, const char *in, float *x, int H,
                       int W, const char *device, clae_app_run *run)
{
    return clae_app_run_image_branch(ckpt, m, in, x, H, W, device, 0, run);
}

int clae_app_run_image_branch(const char *ckpt, const clae_model *m, const char *in, float *x,
                              int H, int W, const char *device, int branch, clae_app_run *run)
{
    /* [train] normalize: the image as given, inverted after with its own stats */
    const clae_normalize *nz = &m->train.norm;
    float stats[2];
    if (nz->kind != CLAE_NORM_NONE && (double)m->net.C * H * W > INT_MAX) {
        fprintf(stderr, "clae: %s: %dx%d: too large an image for [train] normalize\n", in, W, H);
        return 0;
    }
    clae_norm_apply(nz, x, 1, (size_t)m->net.C * H * W, stats);
    if (!clae_app_run_image_fed(ckpt, m, in, x, H, W, device, branch, run)) return 0;
    clae_norm_invert(nz, x, 1, (size_t)m->net.C * H * W, stats);
    return 1;
}

int clae_app_run_image_fed(const char *ckpt, const clae_model *m, const char *in, float *x, int H,
                           int W, const char *device, int branch, clae_app_run *run)
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
    int ok = 0, tiled = 0, opened = 0;
    clae_model mp = {0}, mt = {0};
    clae_device d;
    tile_axis ah = {0}, aw = {0};
    float *xp = NULL, *yp = NULL;
    /* The same model at Hp x Wp: the parameters do not depend on the input size. */
    if (!model_at(ckpt, m, Hp, Wp, &mp)) goto done;
    if (!(opened = choose_run(ckpt, m, in, &mp, &mt, device, &d, &ah, &aw, fh, fw, &tiled)))
        goto done;
    size_t np = (size_t)C * Hp * Wp;
    xp = malloc(np * sizeof(float));
    yp = malloc(np * sizeof(float));
    if (!xp || !yp) {
        fprintf(stderr, "clae: out of memory for a %dx%d image\n", W, H);
        goto done;
    }
    clae_pad_reflect(xp, x, C, H, W, Hp, Wp, top, left);
    if (tiled && ah.count * aw.count > 1)
        printf("note: running the model on the %dx%d image in %d tiles of %dx%d\n", Wp, Hp,
               ah.count * aw.count, aw.T, ah.T);
    if (!(tiled ? run_net(m, &mt, &d, xp, yp, &ah, &aw, branch)
                : run_net(m, &mp, &d, xp, yp, NULL, NULL, branch)))
        goto done;
    clae_crop(x, yp, C, Hp, Wp, top, left, H, W);
    run->H = Hp, run->W = Wp;
    snprintf(run->device, sizeof run->device, "%s", d.name);
    ok = 1;
done:
    free(xp), free(yp);
    free(ah.o), free(ah.keep), free(aw.o), free(aw.keep);
    if (opened) clae_device_close(&d);
    clae_model_free(&mp);
    clae_model_free(&mt);
    return ok;
}
