/* Codes projected to a few dimensions for a figure (src/host/apps/project.c): principal
 * component analysis in double precision, without forming the D x D covariance (a code may
 * be thousands of values): subspace iteration of a small block on X^T X, then Rayleigh-Ritz.
 * Legend: n rows (images), d values a row, k components. */
#ifndef CLAE_PROJECT_H
#define CLAE_PROJECT_H

#include <stddef.h>

#include "clae/status.h"

#define CLAE_PCA_MAX_K 4         /* components at most */
#define CLAE_PCA_MAX_ITERS 500   /* subspace iterations at most */
#define CLAE_PCA_TOL 1e-10       /* converged: every wanted Ritz value moved less than this,
                                  * relative to the largest, in one iteration */

typedef struct clae_pca {
    int k;
    double var[CLAE_PCA_MAX_K]; /* the variance along each component, largest first */
    double total_var;           /* the variance of all d values together (the trace) */
    double frac[CLAE_PCA_MAX_K]; /* var / total_var (0 when nothing varies) */
    int iters;                  /* subspace iterations run */
    int converged;              /* 0: stopped at CLAE_PCA_MAX_ITERS */
} clae_pca;

/* x (n, d) row-major: centred, its top k principal components (1 <= k <= min(d,
 * CLAE_PCA_MAX_K)), the rows projected on them into proj (n, k), the components as unit
 * rows into comp (k, d) when not NULL. Signs fixed: each component's largest-magnitude
 * entry is positive. Variances divide by n. Deterministic (a fixed start). CLAE_ERR_ARG for
 * n < 1 or a bad k, CLAE_ERR_NOMEM when out of memory. */
clae_status clae_pca_project(const float *x, size_t n, size_t d, int k, double *proj,
                             double *comp, clae_pca *info);

#endif
