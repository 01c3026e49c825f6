/* What the three parts of `clae data import` share (src/host/data/):
 * import_list.c walks <src>/{train,test}/<class>/ into the ordered image
 * lists, import_decode.c decodes and scales them (in parallel) into records,
 * import.c writes CIFAR-10's binary layout or clae's safetensors layout. */
#ifndef CLAE_DATA_IMPORT_INT_H
#define CLAE_DATA_IMPORT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "clae/cifar.h"

typedef struct strvec {
    char **s;
    size_t n, cap;
} strvec;

void import_strvec_free(strvec *v);
/* "a/b", malloc'd; NULL when out of memory. */
char *import_join(const char *a, const char *b);

/* Files passed over: how many, and the first one's path. */
typedef struct skips {
    size_t n;
    char first[512];
} skips;

typedef struct item {
    char *path;
    uint8_t label;
} item;

typedef struct split {
    item *items;
    size_t n;
} split;

void import_split_free(split *s);

/* The class folders of <src>/train, sorted by strcmp (at most
 * CLAE_CIFAR_MAX_CLASSES); what else is there is skipped and counted in sk. */
clae_status import_list_classes(const char *src, strvec *classes, skips *sk);
/* Every image of <src>/<name>/<class>/, ordered round-robin over classes:
 * by (index within class, label). */
clae_status import_build_split(const char *src, const char *name, const strvec *classes,
                               split *out, skips *sk);

/* What every image becomes. */
typedef struct target {
    int H, W, C;       /* the images' shape */
    int sized;         /* --size: scale and crop each to H x W; else each must be H x W */
    int convert;       /* --channels: convert each to C; else each must have C (3) */
    const char *first; /* the image that set H x W (without --size), for messages */
} target;

/* Where decoded images go: image i's planar pixels at px + i * px_stride,
 * its label at lab + i * lab_stride (a CIFAR record: the byte before). */
typedef struct sink {
    uint8_t *px, *lab;
    size_t px_stride, lab_stride;
} sink;

/* What decoding met that is not an error, over every range of one import. */
typedef struct import_tally {
    size_t sixteen_bit;      /* images with 16-bit samples (reduced to 8 bits) */
    char first_sixteen[512]; /* the first one's path */
} import_tally;

/* Decode items[0..n) (threads at once) into out, as t says, counting into
 * tally; on an error the first failing image's line (lowest index) on stderr
 * and its status. */
clae_status import_decode_range(const item *items, size_t n, const target *t, sink out,
                                int threads, import_tally *tally);
/* The shape every image becomes: --size and --channels, else the first
 * training image's size and 3 channels. */
clae_status import_choose_target(const clae_import_opts *o, const split *tr, target *t);

#endif
