/* clae inpaint's work (src/host/apps/inpaint.c): fill holes in an image with a model trained
 * to (corrupt = mask). The holes, rectangles or the bright pixels of a mask image, are set to
 * 0 as in training; the model restores the whole image (reflect-padded to its downsampling,
 * as denoise); the result keeps the image's pixels outside the holes and the model's inside
 * them. */
#ifndef CLAE_INPAINT_H
#define CLAE_INPAINT_H

#include <stddef.h>

#include "clae/app.h"
#include "clae/model.h"

#define CLAE_INPAINT_MAX_RECTS 256

typedef struct clae_rect {
    int x, y, w, h;
} clae_rect;
/* "X,Y,W,H": four integers, X and Y >= 0, W and H >= 1: 1, or 0. */
int clae_rect_parse(const char *v, clae_rect *r);

/* What to fill and where the results go. */
typedef struct clae_inpaint_job {
    const char *ckpt, *in, *out; /* the model's checkpoint (for messages), IN, OUT */
    const char *mask_png;        /* the holes from this image, else from rects */
    const clae_rect *rects;
    int nrects;
    const char *masked; /* also write the input with its holes (NULL: not) */
    int raw;            /* 1: the model's output everywhere */
    const char *device;
} clae_inpaint_job;

/* What came of it, for the report. */
typedef struct clae_inpaint_result {
    int W, H;
    size_t holes;       /* pixels filled */
    char channels[160]; /* clae_denoise_channel_note: "" or ": grey run as RGB" and the like */
    clae_app_run run;
} clae_inpaint_result;

/* Fill job's holes with m (loaded from job->ckpt): 1, or 0 after a one-line error. */
int clae_inpaint(const clae_model *m, const clae_inpaint_job *job, clae_inpaint_result *res);

#endif
