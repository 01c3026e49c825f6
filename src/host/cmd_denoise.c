/* clae denoise CKPT IN OUT: restore one image file of any size with a fully
 * convolutional model: read the file's own channels (grey, grey + alpha,
 * RGB, RGBA), convert the colours to the model's (alpha kept aside),
 * optionally corrupt them as in training, reflect-pad to a multiple of the
 * model's downsampling, rebuild the model at that size (same parameters),
 * run it, crop back, and write OUT in IN's channel layout. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clae/app.h"
#include "clae/corrupt.h"
#include "clae/image.h"
#include "cli.h"

static void usage(FILE *f, const clae_opt *opts)
{
    fprintf(
        f,
        "usage: clae denoise CKPT IN OUT [options]\n"
        "  restore the image IN (PNG/JPG/BMP, any size) with the model in CKPT and\n"
        "  write OUT (.png, .jpg or .bmp); the image is reflect-padded to a multiple of\n"
        "  the model's downsampling and cropped back\n"
        "  channels: IN may be grey, grey + alpha, RGB or RGBA. An RGB model is given\n"
        "  grey as R = G = B, a grey model RGB as its ITU-R BT.601 luma (0.299 R +\n"
        "  0.587 G + 0.114 B); OUT has IN's layout (grey IN: grey OUT; RGB IN through a\n"
        "  grey model: R = G = B). The alpha channel bypasses the model and comes back\n"
        "  unchanged in a .png OUT; a .bmp keeps RGBA's alpha, not grey + alpha's; a\n"
        "  .jpg has no alpha: dropped, the colours kept as they are. A model of 2 or 4\n"
        "  channels takes images of exactly that many, all given to it.\n");
    clae_opts_help(f, opts, 16);
}

/* What the command line asks of denoise. */
typedef struct denoise_opts {
    const char *corrupted_out, *corrupted_flag, *spec;
} denoise_opts;

/* --corrupted FILE and --blurred FILE: the same, the flag kept for messages */
static int parse_corrupted(const clae_opt *opt, const char *v)
{
    denoise_opts *o = opt->to;
    o->corrupted_out = v;
    o->corrupted_flag = strcmp(opt->name, "blurred") == 0 ? "--blurred" : "--corrupted";
    return 1;
}

/* --corrupt SPEC: 'model' or a spec, checked before any loading */
static int parse_spec(const clae_opt *opt, const char *v)
{
    if (strcmp(v, "model") != 0 && !clae_check_corrupt(v)) return 0;
    ((denoise_opts *)opt->to)->spec = v;
    return 1;
}

/* "grey", "grey + alpha", "RGB", "RGBA" */
static const char *layout_name(int c)
{
    static const char *const NAMES[] = {"?", "grey", "grey + alpha", "RGB", "RGBA"};
    return c >= 1 && c <= 4 ? NAMES[c] : "?";
}

static int ext_is(const char *path, const char *ext)
{
    size_t n = strlen(path), e = strlen(ext);
    return n >= e && strcasecmp(path + n - e, ext) == 0;
}

/* What a file of this name keeps of img's alpha (clae_image_write: stb). */
static int keeps_alpha(const char *path, const clae_image *img)
{
    if (ext_is(path, ".png")) return 1;
    if (ext_is(path, ".bmp")) return img->c == 4;
    return 0; /* JPEG */
}

/* The note on channels for the "wrote" line, after "WxH, N channels". */
static void channel_note(char *buf, size_t len, const clae_image *img, int C, const char *out)
{
    const int colors = img->c >= 3 ? 3 : 1, alpha = clae_image_has_alpha(img);
    buf[0] = '\0';
    if (colors == C && !alpha) return;
    size_t n = (size_t)snprintf(buf, len, ": %s", layout_name(colors));
    if (n < len && colors != C)
        n += (size_t)snprintf(buf + n, len - n, " run as %s",
                              C == 3 ? "RGB" : "grey (BT.601 luma)");
    if (n < len && alpha)
        snprintf(buf + n, len - n, ", alpha %s",
                 keeps_alpha(out, img) ? "kept"
                 : ext_is(out, ".bmp") ? "dropped (a BMP keeps only RGBA's)"
                                       : "dropped (JPEG has none)");
}

int cmd_denoise(int argc, char **argv)
{
    const char *ckpt = NULL, *in = NULL, *out = NULL, *device = NULL;
    denoise_opts o = {.corrupted_flag = "--corrupted"};
    long seed = -1;
    int blur = 0;
    const clae_opt OPTS[] = {
        {.name = "corrupt", .meta = "SPEC", .kind = CLAE_OPT_CALL, .to = &o, .parse = parse_spec,
         .help = "corrupt IN first, to show what the model undoes: 'model'\n"
                 "(the checkpoint's own [train] corruption), none,\n"
                 "blur[:size[,sigma]], noise[:sigma], saltpepper[:rate] or\n"
                 "mask[:count[,min[,max]]]; numbers left out come from the\n"
                 "checkpoint's [train] settings. Default: none"},
        {.name = "blur", .kind = CLAE_OPT_FLAG, .to = &blur,
         .help = "the same as --corrupt blur (kept for old scripts)"},
        {.name = "corrupted", .meta = "FILE", .kind = CLAE_OPT_CALL, .to = &o,
         .parse = parse_corrupted,
         .help = "also write the corrupted input to FILE (in IN's layout);\n"
                 "--blurred FILE is the same"},
        {.name = "blurred", .kind = CLAE_OPT_CALL, .to = &o, .parse = parse_corrupted},
        {.name = "seed", .meta = "N", .kind = CLAE_OPT_LONG, .to = &seed, .min = 0,
         .help = "seed of noise, saltpepper and mask (default: the\n"
                 "checkpoint's [train] seed): the same seed, the same result"},
        CLAE_OPT_DEVICE(&device, "OpenCL device index or the reference path (very large images\n"
                                 "run on the reference path)"),
        {0}};
    const clae_cmdline cl = {.cmd = "clae denoise", .opts = OPTS, .usage = usage,
                             CLAE_ARGS(&ckpt, &in, &out), .synopsis = "clae denoise CKPT IN OUT"};
    int code = clae_cmdline_parse(&cl, argc, argv);
    if (code >= 0) return code;
    const char *spec = o.spec, *corrupted_out = o.corrupted_out, *corrupted_flag = o.corrupted_flag;
    if (blur && spec && strcmp(spec, "blur") != 0) {
        fprintf(stderr, "clae denoise: --blur is --corrupt blur; give one of the two\n");
        return 2;
    }
    if (blur) spec = "blur";
    if (corrupted_out && !spec) {
        fprintf(stderr, "clae denoise: %s needs --blur or --corrupt\n", corrupted_flag);
        return 2;
    }
    const char *outs[2] = {out, corrupted_out};
    for (int k = 0; k < 2; k++)
        if (outs[k] && !clae_app_image_ext(outs[k])) {
            fprintf(stderr, "clae: %s: unknown image type (use .png, .jpg or .bmp)\n", outs[k]);
            return 2;
        }

    clae_model m;
    if (!clae_app_load(ckpt, &m)) return 1;
    if (!clae_app_check_images("denoise", ckpt, &m)) {
        clae_model_free(&m);
        return 1;
    }
    int rc = 1;
    clae_image img = {0};
    float *x = NULL;
    const int C = m.net.C;
    /* a 1- or 3-channel model takes any layout (converted); others their own */
    const int convert = C == 1 || C == 3;
    clae_corrupt cor;
    clae_corrupt_defaults(&cor);
    if (spec && (clae_corrupt_from_config(&m.train, &cor) != CLAE_OK ||
                 (strcmp(spec, "model") != 0 && clae_corrupt_parse(&cor, spec) != CLAE_OK)))
        goto done;
    if (clae_image_load(in, convert ? 0 : C, &img) != CLAE_OK) goto done;
    const int H = img.h, W = img.w;
    size_t n = (size_t)C * H * W;
    x = malloc(n * sizeof(float));
    if (!x) {
        fprintf(stderr, "clae: out of memory for a %dx%d image\n", W, H);
        goto done;
    }
    if (convert)
        clae_image_to_chw_as(x, C, &img);
    else
        clae_image_to_chw(x, &img);
    if (spec) {
        const uint64_t s = seed >= 0 ? (uint64_t)seed : m.train.seed;
        clae_rng rng;
        clae_rng_seed(&rng, s);
        if (clae_corrupt_apply(x, x, 1, C, H, W, &cor, &rng) != CLAE_OK) goto done;
        char desc[96];
        clae_corrupt_describe(&cor, desc, sizeof desc);
        int random = cor.kind == CLAE_CORRUPT_NOISE || cor.kind == CLAE_CORRUPT_SALTPEPPER ||
                     cor.kind == CLAE_CORRUPT_MASK;
        char seed_note[40] = "";
        if (random) snprintf(seed_note, sizeof seed_note, ", seed %llu", (unsigned long long)s);
        if (cor.kind != CLAE_CORRUPT_NONE)
            printf("corrupted %s: %s%s\n", in, desc, seed_note);
        else if (strcmp(spec, "model") == 0)
            printf("note: %s was trained on uncorrupted inputs (corrupt = none): %s is used as "
                   "it is\n", ckpt, in);
        if (corrupted_out) {
            if (convert)
                clae_image_from_chw_as(&img, x, C);
            else
                clae_image_from_chw(&img, x);
            if (clae_image_write(corrupted_out, &img) != CLAE_OK) goto done;
        }
    }
    clae_app_run run;
    if (!clae_app_run_image(ckpt, &m, in, x, H, W, device, &run)) goto done;
    if (convert)
        clae_image_from_chw_as(&img, x, C);
    else
        clae_image_from_chw(&img, x);
    if (clae_image_write(out, &img) != CLAE_OK) goto done;
    char note[160] = "";
    if (convert) channel_note(note, sizeof note, &img, C, out);
    printf("wrote %s (%dx%d, %d channel%s%s; model run at %dx%d on %s)\n", out, W, H, img.c,
           img.c == 1 ? "" : "s", note, run.W, run.H, run.device);
    if (corrupted_out)
        printf("wrote %s (the %s input)\n", corrupted_out,
               cor.kind == CLAE_CORRUPT_BLUR ? "blurred" : "corrupted");
    rc = 0;
done:
    free(x);
    clae_image_free(&img);
    clae_model_free(&m);
    return rc;
}
