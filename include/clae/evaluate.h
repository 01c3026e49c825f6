/* clae eval's work (src/host/apps/evaluate.c): image-quality metrics of a model over a test
 * split against doing nothing (the corrupted input itself), and their JSON. */
#ifndef CLAE_EVALUATE_H
#define CLAE_EVALUATE_H

#include "clae/batches.h"
#include "clae/metrics.h"

/* The metrics of r's corrupted inputs (*input) and of the model's outputs (*model) against
 * the clean images, over r's n images. 1, or 0 after a one-line error. */
int clae_evaluate(clae_split_run *r, clae_metrics_summary *input, clae_metrics_summary *model);
/* The name of the "do nothing" row: "blurred input (do nothing)", "input (do nothing)" or
 * "corrupted input (do nothing)". */
const char *clae_evaluate_base_name(const clae_corrupt *c);
/* The results as JSON into path (atomically): 1, or 0 after a one-line error. */
int clae_evaluate_write_json(const char *path, const char *ckpt, const clae_split_run *r,
                             const clae_metrics_summary *input,
                             const clae_metrics_summary *model);

#endif
