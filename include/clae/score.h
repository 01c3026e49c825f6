/* clae score's work (src/host/apps/score.c): per-image anomaly scores of a model over a test
 * split (its reconstruction error, MSE and SSIM, against the clean image), their CSV and
 * ROC-AUC. */
#ifndef CLAE_SCORE_H
#define CLAE_SCORE_H

#include <stddef.h>
#include <stdint.h>

#include "clae/batches.h"

typedef struct clae_scores {
    size_t n;
    double *mse, *ssim; /* per image */
    uint8_t *anomaly;   /* per image: 1 when its class is not one the model was trained on */
    size_t anomalies;   /* how many */
} clae_scores;

/* The scores of r's n images: 1, or 0 after a one-line error (s always freeable). */
int clae_score_images(clae_split_run *r, clae_scores *s);
/* "index,label,mse,ssim" and a line per image into path (atomically): 1, or 0. */
int clae_scores_write_csv(const clae_scores *s, const clae_dataset *ds, const char *path);
/* The ROC-AUC of the MSE and of 1 - SSIM as anomaly scores (s->ssim becomes 1 - SSIM). */
void clae_scores_auc(clae_scores *s, double *auc_mse, double *auc_ssim);
void clae_scores_free(clae_scores *s);

#endif
