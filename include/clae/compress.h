/* clae compress's and clae decompress's work (src/host/apps/compress.c): an autoencoder's
 * code of one image, quantised and deflated into a .clz file (clae/clz.h), and back through
 * the layers after the code. The model runs as clae sample runs a VAE (clae/vae.h): the
 * forward pass to the code layer's output, and the decoder from there. */
#ifndef CLAE_COMPRESS_H
#define CLAE_COMPRESS_H

#include <stddef.h>
#include <stdint.h>

#include "clae/clz.h"
#include "clae/vae.h"

/* A checkpoint opened as a codec: the model, its code layer (v.s), the code's shape. */
typedef struct clae_codec {
    clae_vae v;
    uint32_t model; /* clae_codec_fingerprint of its weights */
    int code_c, code_h, code_w;
} clae_codec;

/* CRC-32C of the model's parameters, tensor after tensor (their floats as stored): what a
 * .clz file records to tell the model it was made with. */
uint32_t clae_codec_fingerprint(const clae_model *m);

/* Load ckpt as a codec: an autoencoder (target = images) of 1 or 3 channels, its code layer
 * as --layer spec names it (NULL: the layer named code, else the first [sampling] layer;
 * clae_encode_find_layer) with a decoder that runs from the code alone. 0; 1 after a one-line
 * error; 2 after a usage error (--layer). c is always freeable (clae_codec_close). */
int clae_codec_open(clae_codec *c, const char *cmd, const char *ckpt, const char *spec);
void clae_codec_close(clae_codec *c);
/* The header of a code of c at bits (lo, hi, packing left to clae_clz_encode). */
void clae_codec_header(const clae_codec *c, int bits, clae_clz_header *h);

/* Compress the image file in (the model's height and width; grey, RGB, with or without
 * alpha: converted to the model's channels as clae denoise does, alpha dropped) to out,
 * atomically, with c bound (clae_vae_bind). *bytes: the file's size. 1, or 0 after one line. */
int clae_compress_file(clae_codec *c, const char *in, const char *out, int bits, size_t *bytes);

/* The .clz file at path read and checked against ckpt: 1 with *h and *codes (malloc'ed), or 0
 * after one line (a wrong checkpoint: `clae: PATH: made with another model (...)`). Opens
 * c's code layer as the file's (c as clae_codec_open with the file's layer). */
int clae_decompress_open(clae_codec *c, const char *ckpt, const char *path, clae_clz_header *h,
                         float **codes);
/* codes decoded by c's net (bound) into the image file out (atomically). 1, or 0. */
int clae_decompress_write(clae_codec *c, const float *codes, const char *out);

#endif
