/* A set of class labels (CIFAR-10's 0-9, or any byte): which classes a
 * model is trained on ([train] classes, --classes: one-class training for
 * anomaly detection). The model's config holds one; the datasets
 * (clae/cifar.h) keep the records of one. The functions are in
 * src/host/data/cifar.c. */
#ifndef CLAE_CLASSES_H
#define CLAE_CLASSES_H

#include <stddef.h>
#include <stdint.h>

#define CLAE_CIFAR_MAX_CLASSES 256 /* a label is one byte; the official release has 10 */

/* Empty: all. */
typedef struct clae_classes {
    uint64_t bits[CLAE_CIFAR_MAX_CLASSES / 64];
} clae_classes;
/* "all" (the empty set) or labels separated by commas, "0,1" or "3"; each
 * from 0 to 255: 1, or 0 with *out untouched. */
int clae_classes_parse(const char *text, clae_classes *out);
int clae_classes_empty(const clae_classes *c);
int clae_classes_has(const clae_classes *c, int label);
/* "0,1,5" (ascending), or "all" for the empty set. */
void clae_classes_format(const clae_classes *c, char *buf, size_t len);

#endif
