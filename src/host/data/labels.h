/* Labels against the classes a data folder names (src/host/data/labels.c):
 * batches.meta.txt, which CIFAR-10's release and clae data import write, or
 * a clae-layout file's "classes" metadata. A label past them is a damaged
 * or foreign record, refused at load rather than trained on. */
#ifndef CLAE_DATA_LABELS_H
#define CLAE_DATA_LABELS_H

#include <stddef.h>
#include <stdint.h>

/* Class names in text (len bytes, one a line): the lines up to the last
 * one that is not blank (CIFAR-10's file ends in a blank line). */
int clae_class_names_count(const char *text, size_t len);

/* dir/batches.meta.txt's class names into *n, and its path into path (cap
 * bytes); *n = 0 when there is no such file. 1, or 0 after one line (not a
 * regular file, unreadable, over 64 KiB). */
int clae_class_names_file(const char *dir, char *path, size_t cap, int *n);

/* Records rec[0..n) of stride bytes, label byte first: the index of the
 * first whose label is classes or more, or n when all are below. */
size_t clae_first_label_past(const uint8_t *rec, size_t n, size_t stride, int classes);

/* One line: file's record `index` (of n, told from 1) has a label past the
 * classes that `source` names. */
void clae_report_label_past(const char *file, size_t index, size_t n, int label,
                            const char *source, int classes);

/* dir/batches.meta.txt's first K lines as class names into names (K of cap bytes each, cut
 * to fit; the label as a number where the file or a line is missing or blank); a file that
 * cannot be read leaves the numbers. */
void clae_class_names_read(const char *dir, int K, size_t cap, char *names);

#endif
