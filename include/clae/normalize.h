/* [train] normalize: a per-image preprocessing of every image a model is
 * fed, for the one-class protocol of Ruff et al. 2018 ("Deep One-Class
 * Classification", their code: lukasruff/Deep-SVDD-PyTorch,
 * src/datasets/cifar10.py and preprocessing.py):
 *   gcn_l1_minmax   global contrast normalisation with the l1 scale over
 *                   the whole image (all channels and pixels together),
 *                   y = (x - mean(x)) / mean(|x - mean(x)|), then min-max
 *                   scaling (y - lo) / (hi - lo) with ONE pair (lo, hi): the
 *                   minimum and maximum of y over the training images the
 *                   run trains on (those before the validation split).
 * The pair is computed when a run starts (clae_train), stored in its
 * checkpoints (metadata "normalize_minmax", clae/run.h) and applied by every
 * command that feeds images to the model; the network's target is the
 * normalised clean image, and a corruption applies to the normalised image.
 * The op itself is gcn_minmax (clae/ops.h): a kernel and its reference twin. */
#ifndef CLAE_NORMALIZE_H
#define CLAE_NORMALIZE_H

#include <stddef.h>

#include "clae/status.h"

typedef enum clae_norm_kind { CLAE_NORM_NONE = 0, CLAE_NORM_GCN_L1_MINMAX } clae_norm_kind;

typedef struct clae_normalize {
    clae_norm_kind kind; /* [train] normalize */
    int ready;           /* lo and hi are set: computed by clae_train, or from a checkpoint */
    float lo, hi;        /* the min-max pair */
} clae_normalize;

/* The checkpoint metadata key of the pair, its value "%.9g,%.9g" (lo, hi). */
#define CLAE_NORM_META_KEY "normalize_minmax"

/* "none", "gcn_l1_minmax" */
const char *clae_norm_name(clae_norm_kind k);

/* The pair of a metadata value: 1, or 0 (not two finite numbers lo < hi). */
int clae_norm_parse_pair(const char *v, float *lo, float *hi);

/* 1 when nothing is to be done or the pair is there; else one line
 * `clae: <ckpt>: ...` and 0 (a checkpoint of a run without the pair). */
int clae_norm_check_ready(const clae_normalize *nz, const char *ckpt);

/* x (N, P) in place on the host, as the model is fed (nothing for none);
 * stats (NULL, or 2 N floats) gets each image's mean and scale, for
 * clae_norm_invert. The pair must be ready. */
void clae_norm_apply(const clae_normalize *nz, float *x, int N, size_t P, float *stats);
/* The inverse, image n with stats[2n], stats[2n+1]: (y (hi - lo) + lo) scale + mean. */
void clae_norm_invert(const clae_normalize *nz, float *x, int N, size_t P, const float *stats);

/* The pair over images [from[r], from[r] + count[r]) of ds, r < nranges:
 * the smallest and largest GCN value of them (CLAE_ERR_ARG, one line, when
 * there is no image; CLAE_ERR_NOMEM). */
struct clae_dataset;
clae_status clae_norm_pair(const struct clae_dataset *ds, const size_t *from, const size_t *count,
                           int nranges, float *lo, float *hi);

#endif
