/* clae inpaint CKPT IN OUT: fill holes in an image with a model trained to
 * (corrupt = mask). The holes, rectangles or the bright pixels of a mask
 * image, are set to 0 as in training; the model restores the whole image
 * (reflect-padded to its downsampling, as denoise); OUT keeps IN's pixels
 * outside the holes and takes the model's inside them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clae/app.h"
#include "clae/inpaint.h"
#include "clae/output.h"
#include "clae/plural.h"
#include "cli.h"

#define MAX_RECTS CLAE_INPAINT_MAX_RECTS

static const clae_cmdline INPAINT_CMDLINE = {
    .cmd = "clae inpaint", .synopsis = "clae inpaint CKPT IN OUT --mask X,Y,W,H", .width = 16,
    .about = CLAE_ABOUT_INPAINT};

typedef struct inpaint_opts {
    clae_inpaint_job job;
    clae_rect rects[MAX_RECTS];
} inpaint_opts;

/* --mask X,Y,W,H: one more rectangle */
static int run_inpaint(const clae_inpaint_job *job)
{
    clae_model m;
    if (!clae_app_load(job->ckpt, &m)) return 1;
    int ok = clae_app_check_images("inpaint", job->ckpt, &m);
    if (ok && strcmp(m.train.corrupt, "mask") != 0)
        printf("note: %s was trained with corrupt = %s, not mask: it was not taught to fill "
               "holes\n", job->ckpt, m.train.corrupt);
    clae_inpaint_result res;
    if (ok && (ok = clae_inpaint(&m, job, &res))) {
        double hw = (double)res.H * res.W;
        printf("wrote %s (%dx%d%s; %zu %s filled, %.1f%%; model run at %dx%d on %s)\n",
               job->out, res.W, res.H, res.channels, res.holes,
               clae_plural((long long)res.holes, "pixel", "pixels"),
               100.0 * (double)res.holes / hw, res.run.W,
               res.run.H, res.run.device);
        if (job->masked) printf("wrote %s (the input with its holes)\n", job->masked);
    }
    clae_model_free(&m);
    return ok ? 0 : 1;
}

static int parse_mask(const clae_opt *opt, const char *v)
{
    inpaint_opts *o = opt->to;
    if (o->job.nrects < MAX_RECTS && clae_rect_parse(v, &o->rects[o->job.nrects])) {
        o->job.nrects++;
        return 1;
    }
    fprintf(stderr, "clae inpaint: bad --mask '%s': expected X,Y,W,H (X, Y >= 0; W, H >= 1; at "
            "most %d rectangles)\n", v, MAX_RECTS);
    return 0;
}

int cmd_inpaint(int argc, char **argv)
{
    inpaint_opts o; /* 4 KiB of rectangles */
    memset(&o, 0, sizeof o);
    const clae_opt OPTS[] = {
        CLAE_ARG("CKPT", &o.job.ckpt), CLAE_ARG("IN", &o.job.in), CLAE_ARG("OUT", &o.job.out),
        {.name = "mask", .meta = "X,Y,W,H", .kind = CLAE_OPT_CALL, .to = &o, .parse = parse_mask,
         .help = "a rectangle to fill: left, top, width, height in pixels\n(repeatable, up to "
                 CLAE_STR(MAX_RECTS) "; clipped to the image)"},
        {.name = "mask-png", .meta = "M", .kind = CLAE_OPT_STR, .to = &o.job.mask_png,
         .help = "the holes from an image of IN's size (PNG/JPG/BMP): its pixels\n"
                 "brighter than 127 (the mean of their colour channels)"},
        {.name = "masked", .meta = "FILE", .kind = CLAE_OPT_STR, .to = &o.job.masked,
         .help = "also write the input with its holes (black)"},
        {.name = "raw", .kind = CLAE_OPT_FLAG, .to = &o.job.raw,
         .help = "write the model's output everywhere, not only in the holes"},
        CLAE_OPT_DEVICE(&o.job.device, CLAE_HELP_DEVICE),
        {0}};
    int code = clae_cmdline_parse(&INPAINT_CMDLINE, OPTS, argc, argv);
    if (code >= 0) return code;
    if ((o.job.nrects > 0) == (o.job.mask_png != NULL)) {
        fprintf(stderr, "clae inpaint: give the holes as --mask X,Y,W,H (repeatable) or as "
                "--mask-png M.png, one of the two\n");
        return 2;
    }
    const char *outs[2] = {o.job.out, o.job.masked};
    for (int k = 0; k < 2; k++)
        if (outs[k] && !clae_output_check_image("clae inpaint", outs[k])) return 2;
    o.job.rects = o.rects;
    return run_inpaint(&o.job);
}
