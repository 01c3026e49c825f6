/* clae inpaint CKPT IN OUT: fill holes in an image with a model trained to
 * (corrupt = mask). The holes, rectangles or the bright pixels of a mask
 * image, are set to 0 as in training; the model restores the whole image
 * (reflect-padded to its downsampling, as denoise); OUT keeps IN's pixels
 * outside the holes and takes the model's inside them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clae/app.h"
#include "clae/image.h"
#include "clae/parse.h"
#include "cli.h"

#define MAX_RECTS 256

static void usage(FILE *f, const clae_opt *opts)
{
    fprintf(f,
            "usage: clae inpaint CKPT IN OUT (--mask X,Y,W,H ... | --mask-png M.png) [options]\n"
            "  fill the holes of the image IN (PNG/JPG/BMP, any size) with the model in CKPT,\n"
            "  one trained with corrupt = mask: the holes are set to 0 as in training, the\n"
            "  model restores the image, and OUT keeps IN's pixels outside the holes and the\n"
            "  model's inside them\n");
    clae_opts_help(f, opts, 16);
}

typedef struct rect {
    int x, y, w, h;
} rect;

/* "X,Y,W,H": four integers, X and Y >= 0, W and H >= 1. */
static int parse_rect(const char *v, rect *r)
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
static int holes_from_rects(uint8_t *hole, int H, int W, const rect *r, int nr)
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
    if (ok && !any) fprintf(stderr, "clae: %s: no pixel brighter than 127: no hole to fill\n", path);
    return ok && any;
}

typedef struct inpaint_opts {
    const char *ckpt, *in, *out, *mask_png, *masked, *device;
    rect rects[MAX_RECTS];
    int nrects, raw;
} inpaint_opts;

/* --mask X,Y,W,H: one more rectangle */
static int parse_mask(const clae_opt *opt, const char *v)
{
    inpaint_opts *o = opt->to;
    if (o->nrects < MAX_RECTS && parse_rect(v, &o->rects[o->nrects])) {
        o->nrects++;
        return 1;
    }
    fprintf(stderr, "clae inpaint: bad --mask '%s': expected X,Y,W,H (X, Y >= 0; W, H >= 1; at "
            "most %d rectangles)\n", v, MAX_RECTS);
    return 0;
}

static int run_inpaint(const inpaint_opts *o)
{
    clae_model m;
    if (!clae_app_load(o->ckpt, &m)) return 1;
    if (!clae_app_check_images("inpaint", o->ckpt, &m)) {
        clae_model_free(&m);
        return 1;
    }
    int rc = 1, C = m.net.C;
    clae_image img = {0};
    float *x = NULL, *orig = NULL;
    uint8_t *hole = NULL;
    if (strcmp(m.train.corrupt, "mask") != 0)
        printf("note: %s was trained with corrupt = %s, not mask: it was not taught to fill "
               "holes\n", o->ckpt, m.train.corrupt);
    if (clae_image_load(o->in, C, &img) != CLAE_OK) goto done;
    const int H = img.h, W = img.w;
    size_t hw = (size_t)H * W;
    x = malloc(hw * C * sizeof(float)), orig = malloc(hw * C * sizeof(float));
    hole = calloc(hw, 1);
    if (!x || !orig || !hole) {
        fprintf(stderr, "clae: out of memory for a %dx%d image\n", W, H);
        goto done;
    }
    if (o->mask_png ? !holes_from_png(hole, H, W, o->mask_png)
                    : !holes_from_rects(hole, H, W, o->rects, o->nrects)) {
        if (!o->mask_png)
            fprintf(stderr, "clae: %s: the --mask rectangles are all outside its %dx%d pixels\n",
                    o->in, W, H);
        goto done;
    }
    clae_image_to_chw(orig, &img);
    size_t holes = 0;
    for (size_t i = 0; i < hw; i++) holes += hole[i];
    for (int c = 0; c < C; c++) /* the holes as in training: 0 in every channel */
        for (size_t i = 0; i < hw; i++) x[c * hw + i] = hole[i] ? 0.0f : orig[c * hw + i];
    if (o->masked) {
        clae_image_from_chw(&img, x);
        if (clae_image_write(o->masked, &img) != CLAE_OK) goto done;
    }
    clae_app_run run;
    if (!clae_app_run_image(o->ckpt, &m, o->in, x, H, W, o->device, &run)) goto done;
    for (int c = 0; !o->raw && c < C; c++) /* IN's own pixels outside the holes */
        for (size_t i = 0; i < hw; i++)
            if (!hole[i]) x[c * hw + i] = orig[c * hw + i];
    clae_image_from_chw(&img, x);
    if (clae_image_write(o->out, &img) != CLAE_OK) goto done;
    printf("wrote %s (%dx%d; %zu pixels filled, %.1f%%; model run at %dx%d on %s)\n", o->out, W,
           H, holes, 100.0 * (double)holes / (double)hw, run.W, run.H, run.device);
    if (o->masked) printf("wrote %s (the input with its holes)\n", o->masked);
    rc = 0;
done:
    free(x), free(orig), free(hole);
    clae_image_free(&img);
    clae_model_free(&m);
    return rc;
}

int cmd_inpaint(int argc, char **argv)
{
    inpaint_opts o; /* 4 KiB of rectangles */
    memset(&o, 0, sizeof o);
    const clae_opt OPTS[] = {
        {.name = "mask", .meta = "X,Y,W,H", .kind = CLAE_OPT_CALL, .to = &o, .parse = parse_mask,
         .help = "a rectangle to fill: left, top, width, height in pixels\n(repeatable, up to "
                 CLAE_STR(MAX_RECTS) "; clipped to the image)"},
        {.name = "mask-png", .meta = "M", .kind = CLAE_OPT_STR, .to = &o.mask_png,
         .help = "the holes from an image of IN's size (PNG/JPG/BMP): its pixels\n"
                 "brighter than 127 (the mean of their colour channels)"},
        {.name = "masked", .meta = "FILE", .kind = CLAE_OPT_STR, .to = &o.masked,
         .help = "also write the input with its holes (black)"},
        {.name = "raw", .kind = CLAE_OPT_FLAG, .to = &o.raw,
         .help = "write the model's output everywhere, not only in the holes"},
        CLAE_OPT_DEVICE(&o.device, CLAE_HELP_DEVICE),
        {0}};
    const clae_cmdline cl = {.cmd = "clae inpaint", .opts = OPTS, .usage = usage,
                             CLAE_ARGS(&o.ckpt, &o.in, &o.out),
                             .synopsis = "clae inpaint CKPT IN OUT --mask X,Y,W,H"};
    int code = clae_cmdline_parse(&cl, argc, argv);
    if (code >= 0) return code;
    if ((o.nrects > 0) == (o.mask_png != NULL)) {
        fprintf(stderr, "clae inpaint: give the holes as --mask X,Y,W,H (repeatable) or as "
                "--mask-png M.png, one of the two\n");
        return 2;
    }
    const char *outs[2] = {o.out, o.masked};
    for (int k = 0; k < 2; k++)
        if (outs[k] && !clae_app_image_ext(outs[k])) {
            fprintf(stderr, "clae: %s: unknown image type (use .png, .jpg or .bmp)\n", outs[k]);
            return 2;
        }
    return run_inpaint(&o);
}
