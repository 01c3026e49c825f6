/* Principal components of codes for `clae plot-codes` (see include/clae/project.h): subspace
 * iteration of a block of b = k + PCA_OVERSAMPLE vectors on C = Xc^T Xc / n, Xc the centred
 * rows, applied as two passes over x (C itself would be d x d), a Rayleigh-Ritz step every
 * iteration; the block's extra vectors make the k wanted ones converge at the rate of
 * lambda_(b+1) / lambda_k rather than lambda_(k+1) / lambda_k. Shapes: x (n, d), Q (d, b)
 * row-major, Y (n, b). */
#include "clae/project.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PCA_OVERSAMPLE 6   /* block vectors beyond the k wanted */
#define PCA_MIN_ITERS 3
#define JACOBI_SWEEPS 100

/* xorshift64*: a fixed start block, the same every run */
static double next_uniform(unsigned long long *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return (double)((*s * 2685821657736338717ULL) >> 11) / 9007199254740992.0 - 0.5;
}

/* Column j of Q (d, b) orthogonalised against columns 0..j-1 (twice: one pass of modified
 * Gram-Schmidt loses orthogonality when the column was nearly in their span) and made a
 * unit vector; a column with (almost) nothing left is replaced by a random one, first. */
static void orth_column(double *Q, size_t d, int b, int j, unsigned long long *seed)
{
    for (int attempt = 0; attempt < 8; attempt++) {
        double before = 0;
        for (size_t r = 0; r < d; r++) before += Q[r * b + j] * Q[r * b + j];
        for (int pass = 0; pass < 2; pass++)
            for (int i = 0; i < j; i++) {
                double dot = 0;
                for (size_t r = 0; r < d; r++) dot += Q[r * b + i] * Q[r * b + j];
                for (size_t r = 0; r < d; r++) Q[r * b + j] -= dot * Q[r * b + i];
            }
        double nrm = 0;
        for (size_t r = 0; r < d; r++) nrm += Q[r * b + j] * Q[r * b + j];
        if (nrm > 1e-20 * before && nrm > 1e-300) {
            nrm = 1.0 / sqrt(nrm);
            for (size_t r = 0; r < d; r++) Q[r * b + j] *= nrm;
            return;
        }
        /* in the span of the others (codes of lower rank than the block): a new direction */
        for (size_t r = 0; r < d; r++) Q[r * b + j] = next_uniform(seed);
    }
}

static void orthonormalise(double *Q, size_t d, int b, unsigned long long *seed)
{
    for (int j = 0; j < b; j++) orth_column(Q, d, b, j, seed);
}

/* The eigenvalues of the symmetric A (b, b) into w, largest first, and their unit
 * eigenvectors as the columns of V (b, b) (cyclic Jacobi; A is overwritten). */
static void sym_eigen(double *A, int b, double *w, double *V)
{
    for (int i = 0; i < b * b; i++) V[i] = i % (b + 1) == 0;
    for (int sweep = 0; sweep < JACOBI_SWEEPS; sweep++) {
        double off = 0, all = 0;
        for (int i = 0; i < b * b; i++) {
            all += A[i] * A[i];
            if (i % (b + 1)) off += A[i] * A[i];
        }
        if (off <= 1e-30 * all || off == 0) break;
        for (int p = 0; p < b; p++)
            for (int q = p + 1; q < b; q++) {
                double apq = A[p * b + q];
                if (apq == 0) continue;
                double theta = (A[q * b + q] - A[p * b + p]) / (2 * apq);
                double t = (theta >= 0 ? 1 : -1) / (fabs(theta) + sqrt(theta * theta + 1));
                double c = 1 / sqrt(t * t + 1), s = t * c;
                for (int r = 0; r < b; r++) { /* A = A J */
                    double arp = A[r * b + p], arq = A[r * b + q];
                    A[r * b + p] = c * arp - s * arq;
                    A[r * b + q] = s * arp + c * arq;
                }
                for (int r = 0; r < b; r++) { /* A = J^T A */
                    double apr = A[p * b + r], aqr = A[q * b + r];
                    A[p * b + r] = c * apr - s * aqr;
                    A[q * b + r] = s * apr + c * aqr;
                }
                for (int r = 0; r < b; r++) { /* V = V J */
                    double vrp = V[r * b + p], vrq = V[r * b + q];
                    V[r * b + p] = c * vrp - s * vrq;
                    V[r * b + q] = s * vrp + c * vrq;
                }
            }
    }
    int order[CLAE_PCA_MAX_K + PCA_OVERSAMPLE];
    double diag[CLAE_PCA_MAX_K + PCA_OVERSAMPLE], Vs[(CLAE_PCA_MAX_K + PCA_OVERSAMPLE) *
                                                     (CLAE_PCA_MAX_K + PCA_OVERSAMPLE)];
    for (int i = 0; i < b; i++) {
        order[i] = i;
        diag[i] = A[i * b + i];
    }
    for (int i = 1; i < b; i++) /* insertion sort, largest first */
        for (int j = i; j > 0 && diag[order[j]] > diag[order[j - 1]]; j--) {
            int t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    for (int j = 0; j < b; j++) {
        w[j] = diag[order[j]];
        for (int r = 0; r < b; r++) Vs[r * b + j] = V[r * b + order[j]];
    }
    memcpy(V, Vs, sizeof(double) * (size_t)b * b);
}

/* Z (d, b) = C Q: Y = Xc Q (centred through mQ = mean^T Q), then Xc^T Y / n. Y is (n, b). */
static void apply_cov(const float *x, size_t n, size_t d, int b, const double *mean,
                      const double *Q, double *Y, double *Z)
{
    double mQ[CLAE_PCA_MAX_K + PCA_OVERSAMPLE] = {0}, ysum[CLAE_PCA_MAX_K + PCA_OVERSAMPLE] = {0};
    for (size_t r = 0; r < d; r++)
        for (int j = 0; j < b; j++) mQ[j] += mean[r] * Q[r * b + j];
    for (size_t i = 0; i < n; i++) {
        double *y = Y + i * b;
        const float *xi = x + i * d;
        for (int j = 0; j < b; j++) y[j] = -mQ[j];
        for (size_t r = 0; r < d; r++) {
            double v = xi[r];
            if (v == 0) continue; /* ReLU codes are mostly zeros */
            for (int j = 0; j < b; j++) y[j] += v * Q[r * b + j];
        }
        for (int j = 0; j < b; j++) ysum[j] += y[j];
    }
    memset(Z, 0, sizeof(double) * d * (size_t)b);
    for (size_t i = 0; i < n; i++) {
        const double *y = Y + i * b;
        const float *xi = x + i * d;
        for (size_t r = 0; r < d; r++) {
            double v = xi[r];
            if (v == 0) continue;
            for (int j = 0; j < b; j++) Z[r * b + j] += v * y[j];
        }
    }
    for (size_t r = 0; r < d; r++) /* Xc^T Y = X^T Y - mean (1^T Y) */
        for (int j = 0; j < b; j++) Z[r * b + j] = (Z[r * b + j] - mean[r] * ysum[j]) / (double)n;
}

/* One Rayleigh-Ritz step: with Z = C Q, T = Q^T Z, its eigenpairs (theta, W), then Q = the
 * Ritz vectors Q W and Z = Z W (so Z stays C Q). */
static void ritz(double *Q, double *Z, size_t d, int b, double *theta)
{
    enum { B = CLAE_PCA_MAX_K + PCA_OVERSAMPLE };
    double T[B * B] = {0}, W[B * B], row[B];
    for (size_t r = 0; r < d; r++)
        for (int i = 0; i < b; i++)
            for (int j = 0; j < b; j++) T[i * b + j] += Q[r * b + i] * Z[r * b + j];
    for (int i = 0; i < b; i++) /* symmetric up to rounding: make it exactly so */
        for (int j = i + 1; j < b; j++) T[i * b + j] = T[j * b + i] = 0.5 * (T[i * b + j] + T[j * b + i]);
    sym_eigen(T, b, theta, W);
    double *M[2] = {Q, Z};
    for (int m = 0; m < 2; m++)
        for (size_t r = 0; r < d; r++) {
            double *q = M[m] + r * b;
            for (int j = 0; j < b; j++) {
                row[j] = 0;
                for (int i = 0; i < b; i++) row[j] += q[i] * W[i * b + j];
            }
            memcpy(q, row, sizeof(double) * (size_t)b);
        }
}

/* Column mean and the total variance (the trace of C). */
static double centre(const float *x, size_t n, size_t d, double *mean)
{
    for (size_t i = 0; i < n; i++)
        for (size_t r = 0; r < d; r++) mean[r] += x[i * d + r];
    for (size_t r = 0; r < d; r++) mean[r] /= (double)n;
    double total = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t r = 0; r < d; r++) {
            double c = x[i * d + r] - mean[r];
            total += c * c;
        }
    return total / (double)n;
}

/* Ritz vectors in Q (d, b) -> comp (k, d), signs fixed; the projections of the rows. */
static void finish(const float *x, size_t n, size_t d, int b, int k, const double *mean,
                   double *Q, double *proj, double *comp)
{
    for (int j = 0; j < k; j++) {
        size_t big = 0;
        for (size_t r = 1; r < d; r++)
            if (fabs(Q[r * b + j]) > fabs(Q[big * b + j])) big = r;
        double s = Q[big * b + j] < 0 ? -1.0 : 1.0;
        for (size_t r = 0; r < d; r++) Q[r * b + j] *= s;
        if (comp)
            for (size_t r = 0; r < d; r++) comp[(size_t)j * d + r] = Q[r * b + j];
    }
    for (size_t i = 0; i < n; i++)
        for (int j = 0; j < k; j++) {
            double p = 0;
            for (size_t r = 0; r < d; r++) p += (x[i * d + r] - mean[r]) * Q[r * b + j];
            proj[i * (size_t)k + j] = p;
        }
}

clae_status clae_pca_project(const float *x, size_t n, size_t d, int k, double *proj,
                             double *comp, clae_pca *info)
{
    memset(info, 0, sizeof *info);
    if (n < 1 || k < 1 || k > CLAE_PCA_MAX_K || (size_t)k > d) return CLAE_ERR_ARG;
    int b = k + PCA_OVERSAMPLE;
    if ((size_t)b > d) b = (int)d;
    double *mean = calloc(d, sizeof *mean), *Q = malloc(sizeof(double) * d * (size_t)b),
           *Z = malloc(sizeof(double) * d * (size_t)b), *Y = malloc(sizeof(double) * n * (size_t)b);
    if (!mean || !Q || !Z || !Y) {
        free(mean), free(Q), free(Z), free(Y);
        return CLAE_ERR_NOMEM;
    }
    info->k = k;
    info->total_var = centre(x, n, d, mean);
    unsigned long long seed = 0x9E3779B97F4A7C15ULL;
    for (size_t i = 0; i < d * (size_t)b; i++) Q[i] = next_uniform(&seed);
    orthonormalise(Q, d, b, &seed);
    double theta[CLAE_PCA_MAX_K + PCA_OVERSAMPLE], prev[CLAE_PCA_MAX_K] = {0};
    for (info->iters = 1; info->iters <= CLAE_PCA_MAX_ITERS; info->iters++) {
        apply_cov(x, n, d, b, mean, Q, Y, Z);
        ritz(Q, Z, d, b, theta);
        double moved = 0;
        for (int j = 0; j < k; j++) moved = fmax(moved, fabs(theta[j] - prev[j]));
        memcpy(prev, theta, sizeof(double) * (size_t)k);
        info->converged = moved <= CLAE_PCA_TOL * fmax(theta[0], 1e-300);
        if ((info->iters >= PCA_MIN_ITERS && info->converged) || info->iters == CLAE_PCA_MAX_ITERS)
            break; /* Q holds the Ritz vectors, largest first */
        memcpy(Q, Z, sizeof(double) * d * (size_t)b); /* the next block: orth(C Q) */
        orthonormalise(Q, d, b, &seed);
    }
    for (int j = 0; j < k; j++) {
        info->var[j] = theta[j] > 0 ? theta[j] : 0;
        info->frac[j] = info->total_var > 0 ? info->var[j] / info->total_var : 0;
    }
    finish(x, n, d, b, k, mean, Q, proj, comp);
    free(mean), free(Q), free(Z), free(Y);
    return CLAE_OK;
}
