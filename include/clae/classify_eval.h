/* clae eval of a classifier (target = labels; src/host/apps/classify_eval.c): its test loss,
 * accuracy and confusion matrix over a split, with the class names the data folder gives,
 * as text and as JSON. */
#ifndef CLAE_CLASSIFY_EVAL_H
#define CLAE_CLASSIFY_EVAL_H

#include <stdio.h>

#include "clae/batches.h"

#define CLAE_CLASS_NAME_MAX 32 /* a class name's bytes, its NUL included (longer: cut) */

typedef struct clae_confusion {
    int K;                 /* the classifier's outputs (classes) */
    size_t *counts;        /* K x K: counts[true * K + predicted] */
    size_t images, correct;
    double loss;           /* mean categorical cross-entropy (Keras's: p clipped to
                              [1e-7, 1 - 1e-7]), what clae train's test line reports */
    char (*names)[CLAE_CLASS_NAME_MAX]; /* K names: the data folder's batches.meta.txt lines
                                           (label 0 first), else the labels as numbers */
} clae_confusion;

/* The classifier r->m over r's images (the test set keeps the classes the checkpoint was
 * trained on, as clae train tested it): loss, accuracy and confusion matrix into *c, the
 * class names from r->data. 1, or 0 after a one-line error. Free c with
 * clae_confusion_free whatever happened. */
int clae_classify_evaluate(clae_split_run *r, long limit, clae_confusion *c);
void clae_confusion_free(clae_confusion *c);

/* The matrix as text: a row per true class, a column per predicted one, each row's accuracy
 * (recall) at its end. */
void clae_confusion_print(const clae_confusion *c, FILE *out);

/* The results as JSON into path (atomically): checkpoint, data, device, target ("labels"),
 * corrupt, images, loss, accuracy, classes (the names) and confusion (rows: true class).
 * 1, or 0 after a line. */
int clae_confusion_write_json(const char *path, const char *ckpt, const clae_split_run *r,
                              const clae_confusion *c);

#endif
