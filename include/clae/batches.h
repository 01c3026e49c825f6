/* A trained model run over a CIFAR-10 split, batch after batch (eval, score, encode; see
 * src/host/apps/batches.c): what they load and hold, and the one loop they share. */
#ifndef CLAE_BATCHES_H
#define CLAE_BATCHES_H

#include <stddef.h>

#include "clae/cifar.h"
#include "clae/corrupt.h"
#include "clae/device.h"
#include "clae/model.h"
#include "clae/net.h"
#include "clae/rng.h"

/* What a run over a split holds, freed by clae_split_close whatever happened. */
typedef struct clae_split_run {
    clae_model m;      /* loaded by the caller (clae_app_load) before clae_split_open */
    clae_corrupt cor;  /* the config's corruption, or the one asked for instead */
    clae_dataset ds;   /* the split */
    const char *data;  /* the folder it was read from */
    size_t n;          /* images walked: the split's, at most the limit asked for */
    int batch;         /* images per forward pass, at most n */
    clae_device d;
    clae_net net;      /* at inference (net.training 0), for batch images */
    int dev_open, net_made;
    const clae_classes *only; /* set before clae_split_open: the split's images of these
                                 labels alone (NULL: all) */
} clae_split_run;

/* With r->m loaded: the corruption (the config's, or spec's where not NULL), the split of
 * data (NULL: the folder it was trained on, else [train] data) at the model's input size, n
 * (limit > 0: at most limit) and the batch (at most n), then the device and a net for that
 * batch. 1, or 0 after a one-line error. */
int clae_split_open(clae_split_run *r, int split, const char *data, const char *spec,
                    long limit, long batch, const char *device);
void clae_split_close(clae_split_run *r);

/* The walk over a run's n images: each clae_batches_next slices the next records, converts
 * them to floats (clean), corrupts them as r->cor says (input; one rng seeded with the
 * model's [train] seed once, so every run corrupts the same way) and runs the net forward
 * on them: its outputs are then in r->net.act (clae_net_read_output for the last). */
typedef struct clae_batches {
    clae_split_run *r;
    clae_rng rng;
    size_t first;         /* this batch: its first image, */
    int nb;               /* and how many */
    float *clean, *input; /* this batch's images, (nb, C, H, W) each */
} clae_batches;

/* 1, or 0 after a one-line error (out of memory). */
int clae_batches_init(clae_batches *b, clae_split_run *r);
/* The next batch through the net: 1, 0 after the last one (b->nb 0) or on an error. */
int clae_batches_next(clae_batches *b);
void clae_batches_free(clae_batches *b);

#endif
