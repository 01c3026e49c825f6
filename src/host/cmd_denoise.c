/* clae denoise CKPT IN OUT: restore one image file of any size with a fully
 * convolutional model: read the file's own channels (grey, grey + alpha,
 * RGB, RGBA), convert the colours to the model's (alpha kept aside),
 * optionally corrupt them as in training, reflect-pad to a multiple of the
 * model's downsampling, rebuild the model at that size (same parameters),
 * run it, crop back, and write OUT in IN's channel layout. */
#include <stdio.h>
#include <string.h>

#include "clae/app.h"
#include "clae/denoise.h"
#include "clae/output.h"
#include "cli.h"

static const clae_cmdline DENOISE_CMDLINE = {
    .cmd = "clae denoise", .width = 16, .about = CLAE_ABOUT_DENOISE};

/* What the command line asks of denoise. */
typedef struct denoise_opts {
    const char *ckpt, *in, *out, *device;
    const char *corrupted_out, *corrupted_flag, *spec;
    long seed; /* -1: the checkpoint's [train] seed */
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

/* What cmd_denoise asks for, once its options are checked. */
static int run_denoise(const denoise_opts *o)
{
    const char *ckpt = o->ckpt, *in = o->in, *out = o->out, *spec = o->spec;
    const char *corrupted_out = o->corrupted_out;
    clae_model m;
    if (!clae_app_load(ckpt, &m)) return 1;
    if (!clae_app_check_images("denoise", ckpt, &m)) {
        clae_model_free(&m);
        return 1;
    }
    int rc = 1;
    clae_denoise_image t = {0};
    clae_corrupt cor;
    clae_corrupt_defaults(&cor);
    if (spec && (clae_corrupt_from_config(&m.train, &cor) != CLAE_OK ||
                 (strcmp(spec, "model") != 0 && clae_corrupt_parse(&cor, spec) != CLAE_OK)))
        goto done;
    if (!clae_denoise_read(&t, m.net.C, in)) goto done;
    if (spec) {
        const uint64_t s = o->seed >= 0 ? (uint64_t)o->seed : m.train.seed;
        if (!clae_denoise_corrupt(&t, &cor, s)) goto done;
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
        if (corrupted_out && !clae_denoise_write(&t, corrupted_out)) goto done;
    }
    clae_app_run run;
    if (!clae_app_run_image(ckpt, &m, in, t.x, t.H, t.W, o->device, &run) ||
        !clae_denoise_write(&t, out))
        goto done;
    char note[160];
    clae_denoise_channel_note(&t, out, note, sizeof note);
    printf("wrote %s (%dx%d, %d channel%s%s; model run at %dx%d on %s)\n", out, t.W, t.H, t.img.c,
           t.img.c == 1 ? "" : "s", note, run.W, run.H, run.device);
    if (corrupted_out)
        printf("wrote %s (the %s input)\n", corrupted_out,
               cor.kind == CLAE_CORRUPT_BLUR ? "blurred" : "corrupted");
    rc = 0;
done:
    clae_denoise_free(&t);
    clae_model_free(&m);
    return rc;
}

int cmd_denoise(int argc, char **argv)
{
    denoise_opts o = {.corrupted_flag = "--corrupted", .seed = -1};
    int blur = 0;
    const clae_opt OPTS[] = {
        CLAE_ARG("CKPT", &o.ckpt), CLAE_ARG("IN", &o.in), CLAE_ARG("OUT", &o.out),
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
        {.name = "seed", .meta = "N", .kind = CLAE_OPT_LONG, .to = &o.seed, .min = 0,
         .help = "seed of noise, saltpepper and mask (default: the\n"
                 "checkpoint's [train] seed): the same seed, the same result"},
        CLAE_OPT_DEVICE(&o.device, "OpenCL device index or the reference path (very large images\n"
                                 "run on the reference path)"),
        {0}};
    int code = clae_cmdline_parse(&DENOISE_CMDLINE, OPTS, argc, argv);
    if (code >= 0) return code;
    if (blur && o.spec && strcmp(o.spec, "blur") != 0) {
        fprintf(stderr, "clae denoise: --blur is --corrupt blur; give one of the two\n");
        return 2;
    }
    if (blur) o.spec = "blur";
    if (o.corrupted_out && !o.spec) {
        fprintf(stderr, "clae denoise: %s needs --blur or --corrupt\n", o.corrupted_flag);
        return 2;
    }
    const char *outs[2] = {o.out, o.corrupted_out};
    for (int k = 0; k < 2; k++)
        if (outs[k] && !clae_output_check_image("clae denoise", outs[k])) return 2;
    return run_denoise(&o);
}
