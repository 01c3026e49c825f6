/* clae denoise's work (src/host/apps/denoise.c): one image file of any size as a model sees
 * it. A 1- or 3-channel model takes any layout (grey, grey + alpha, RGB, RGBA: the colours
 * converted to the model's, the alpha kept aside), other models images of their own channel
 * count; what the model gives goes back in the file's layout. */
#ifndef CLAE_DENOISE_H
#define CLAE_DENOISE_H

#include <stddef.h>
#include <stdint.h>

#include "clae/corrupt.h"
#include "clae/image.h"

typedef struct clae_denoise_image {
    clae_image img; /* the file's pixels, in its own layout */
    float *x;       /* (C, H, W): what the model reads and writes */
    int C, H, W;
    int convert;    /* 1: the colours converted between the file's layout and the model's */
} clae_denoise_image;

/* Read the image file in for a model of C channels: 1, or 0 after a one-line error (t always
 * freeable). */
int clae_denoise_read(clae_denoise_image *t, int C, const char *in);
/* t->x corrupted as cor says, its rng seeded with seed. 1, or 0 after a one-line error. */
int clae_denoise_corrupt(clae_denoise_image *t, const clae_corrupt *cor, uint64_t seed);
/* t->x in the file's layout written to path (PNG, JPG or BMP): 1, or 0 after a one-line
 * error. */
int clae_denoise_write(clae_denoise_image *t, const char *path);
/* The note on channels for the "wrote" line after "WxH, N channels" (empty when the file's
 * layout is the model's): ": RGB run as grey (BT.601 luma), alpha kept" and the like. */
void clae_denoise_channel_note(const clae_denoise_image *t, const char *out, char *buf,
                               size_t len);
void clae_denoise_free(clae_denoise_image *t);

#endif
