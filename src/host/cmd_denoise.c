/* clae denoise CKPT IN OUT: restore one image file of any size with a fully
 * convolutional model: reflect-pad to a multiple of the model's downsampling,
 * rebuild the model at that size (same parameters), run it, crop back. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clae/app.h"
#include "clae/corrupt.h"
#include "clae/image.h"
#include "clae/net.h"
#include "clae/layer.h"
#include "cli.h"

static void usage(FILE *f)
{
    fprintf(
        f,
        "usage: clae denoise CKPT IN OUT [options]\n"
        "  restore the image IN (PNG/JPG/BMP, any size, the model's channel count) with the\n"
        "  model in CKPT and write OUT (.png, .jpg or .bmp); the image is reflect-padded to\n"
        "  a multiple of the model's downsampling and cropped back\n"
        "  --blur           blur IN first as in training (blur_size, blur_sigma), to demonstrate\n"
        "  --blurred FILE   also write that blurred input to FILE (with --blur)\n"
        "  --device N|ref   OpenCL device index or the reference path (very large images\n"
        "                   run on the reference path)\n");
}

static int has_image_ext(const char *p)
{
    const char *dot = strrchr(p, '.');
    if (!dot || strchr(dot, '/')) return 0;
    char e[8] = {0};
    for (int i = 0; i < 7 && dot[i + 1]; i++) e[i] = (char)tolower((unsigned char)dot[i + 1]);
    return strcmp(e, "png") == 0 || strcmp(e, "jpg") == 0 || strcmp(e, "jpeg") == 0 ||
           strcmp(e, "bmp") == 0;
}

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
    if (d->is_ref) return 1;
    size_t biggest = clae_model_max_count(m) * sizeof(float), total = 0;
    total += 2 * clae_model_in_count(m) * sizeof(float);
    for (int i = 0; i < m->nlayers; i++)
        total += 2 * clae_layer_out_count(&m->layers[i]) * sizeof(float);
    return biggest <= d->max_alloc && total <= d->global_mem / 2;
}

int cmd_denoise(int argc, char **argv)
{
    const char *ckpt = NULL, *in = NULL, *out = NULL, *device = NULL, *blurred_out = NULL;
    int blur = 0;
    static const struct option LONGOPTS[] = {
        {"help", no_argument, NULL, 'h'},
        {"device", required_argument, NULL, 'D'},
        {"blurred", required_argument, NULL, 'B'},
        {"blur", no_argument, NULL, 'b'},
        {0}};
    clae_opts cli = {.cmd = "clae denoise", .hint = "see --help", .longopts = LONGOPTS};
    optind = 0;
    for (int c; (c = clae_getopt(&cli, argc, argv)) != -1;) {
        switch (c) {
        case 'h':
            usage(stdout);
            return 0;
        case 'D': device = optarg; break;
        case 'B': blurred_out = optarg; break;
        case 'b': blur = 1; break;
        case 1:
            if (!ckpt) {
                ckpt = optarg;
            } else if (!in) {
                in = optarg;
            } else if (!out) {
                out = optarg;
            } else {
                fprintf(stderr, "clae denoise: unexpected argument '%s' (see --help)\n", optarg);
                return 2;
            }
            break;
        default: return clae_opt_error(&cli, c);
        }
    }
    if (!out) {
        fprintf(stderr, "clae denoise: missing %s (usage: clae denoise CKPT IN OUT)\n",
                !ckpt ? "CKPT"
                : !in ? "IN"
                      : "OUT");
        return 2;
    }
    if (blurred_out && !blur) {
        fprintf(stderr, "clae denoise: --blurred needs --blur\n");
        return 2;
    }
    const char *outs[2] = {out, blurred_out};
    for (int k = 0; k < 2; k++)
        if (outs[k] && !has_image_ext(outs[k])) {
            fprintf(stderr, "clae: %s: unknown image type (use .png, .jpg or .bmp)\n", outs[k]);
            return 2;
        }

    clae_model m, mp = {0};
    if (!clae_app_load(ckpt, &m)) return 1;
    int rc = 1, dev_open = 0, net_made = 0;
    clae_image img = {0};
    clae_device d;
    clae_net net;
    float *x = NULL, *xp = NULL, *yp = NULL;
    char *text = NULL;
    const int C = m.net.C;
    if (clae_image_load(in, C, &img) != CLAE_OK) goto done;
    const int H = img.h, W = img.w;
    for (int i = 0; i < m.nlayers; i++) /* a dense layer fixes the input size */
        if (m.layers[i].kind->fixed_size && (H != m.net.H || W != m.net.W)) {
            fprintf(stderr, "clae: %s: the model takes %dx%d images only (layer %d is %s); %s is "
                    "%dx%d\n", ckpt, m.net.W, m.net.H, i, m.layers[i].kind->name, in, W, H);
            goto done;
        }
    int fh, fw;
    down_factor(&m, &fh, &fw);
    if (fh > 4096 || fw > 4096) {
        fprintf(stderr, "clae: %s: the model downsamples by %dx%d; too much for one image\n", ckpt,
                fh, fw);
        goto done;
    }
    const int Hp = clae_round_up(H, fh), Wp = clae_round_up(W, fw);
    const int top = (Hp - H) / 2, left = (Wp - W) / 2;

    /* The same model at Hp x Wp: the parameters do not depend on the input size. */
    text = text_for_size(m.text, Hp, Wp, C);
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
    if (mp.block_floats != m.block_floats || mp.ntensors != m.ntensors) {
        fprintf(stderr,
                "clae: %s: the model's parameters change with the input size (not fully "
                "convolutional)\n",
                ckpt);
        goto done;
    }
    if (clae_model_alloc(&mp) != CLAE_OK) {
        fprintf(stderr, "clae: out of memory for the model\n");
        goto done;
    }
    memcpy(mp.params, m.params, m.block_floats * sizeof(float));

    size_t n = (size_t)C * H * W, np = (size_t)C * Hp * Wp;
    x = malloc(n * sizeof(float));
    xp = malloc(np * sizeof(float));
    yp = malloc(np * sizeof(float));
    if (!x || !xp || !yp) {
        fprintf(stderr, "clae: out of memory for a %dx%d image\n", W, H);
        goto done;
    }
    clae_image_to_chw(x, &img);
    if (blur) {
        clae_corrupt cor;
        if (clae_corrupt_from_config(&m.train, &cor) != CLAE_OK ||
            clae_corrupt_blur(x, x, 1, C, H, W, cor.blur_size, cor.blur_sigma) != CLAE_OK)
            goto done;
        if (blurred_out) {
            clae_image_from_chw(&img, x);
            if (clae_image_write(blurred_out, &img) != CLAE_OK) goto done;
        }
    }
    clae_pad_reflect(xp, x, C, H, W, Hp, Wp, top, left);

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
    if (clae_net_create(&net, &mp, &d, 1) != CLAE_OK) goto done;
    net_made = 1;
    if (clae_net_infer(&net, xp, yp, 1) != CLAE_OK) goto done;
    clae_crop(x, yp, C, Hp, Wp, top, left, H, W);
    clae_image_from_chw(&img, x);
    if (clae_image_write(out, &img) != CLAE_OK) goto done;
    printf("wrote %s (%dx%d, %d channel%s; model run at %dx%d on %s)\n", out, W, H, C,
           C == 1 ? "" : "s", Wp, Hp, d.name);
    if (blurred_out) printf("wrote %s (the blurred input)\n", blurred_out);
    rc = 0;
done:
    free(x);
    free(xp);
    free(yp);
    free(text);
    if (net_made) clae_net_free(&net);
    if (dev_open) clae_device_close(&d);
    clae_image_free(&img);
    clae_model_free(&mp);
    clae_model_free(&m);
    return rc;
}
