/* clae encode's work (src/host/apps/encode.c): the codes of one layer of a model for every
 * image of a split, their statistics, and the NumPy files of the codes and the labels. */
#ifndef CLAE_ENCODE_H
#define CLAE_ENCODE_H

#include <stddef.h>
#include <stdint.h>

#include "clae/batches.h"

typedef struct clae_codes {
    int layer;       /* its index in the model */
    size_t n, per;   /* images, and floats per image (the layer's output) */
    int ndim;        /* of OUT.npy: 2, (N, C), for a vector per image, else 4, (N, C, H, W) */
    float *codes;    /* (n, per) in the layer's memory order */
    uint8_t *labels; /* (n) */
    char *labels_path; /* OUT-labels.npy, once written */
} clae_codes;

/* "named: code, mu" (the named layers of m, cut at len - 1 characters), or
 * "none named": for the messages about a layer that is not there. */
void clae_encode_named_layers(const clae_model *m, char *buf, size_t len);
/* The layer that --layer spec names in m (loaded from ckpt): its name (name = ... in the
 * config) or its index from 0; spec NULL: the layer named code, else the first [sampling]
 * layer. Its index, or -1 after a one-line error starting "cmd: " (a usage mistake: exit 2). */
int clae_encode_find_layer(const clae_model *m, const char *cmd, const char *ckpt,
                           const char *spec);
/* The codes of layer li for r's n images (at most 2 GiB of them, else a one-line error naming
 * --limit): 1, or 0 after a one-line error (c always freeable). */
int clae_encode_split(clae_split_run *r, int li, clae_codes *c);
/* out (OUT.npy, the codes as float32) and OUT-labels.npy (the labels as uint8); no codes are
 * left without their labels. 1, or 0 after a one-line error. */
int clae_codes_write(clae_codes *c, const clae_layer *l, const char *out);

/* What encode reports over all n * per values. */
typedef struct clae_code_stats {
    double mean, mean_abs, max_abs;
    double zero_frac;  /* |v| < 1e-6 */
    double small_frac; /* |v| < 0.01 * max_abs (1 when every value is 0) */
    double nonzero_per_image;
} clae_code_stats;
clae_code_stats clae_codes_stats(const clae_codes *c);
void clae_codes_free(clae_codes *c);

#endif
