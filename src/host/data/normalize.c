/* [train] normalize on the host: the min-max pair over training images,
 * the normalisation of images fed from the host and its inverse; see
 * include/clae/normalize.h. The per-image arithmetic is the reference
 * twin's (gcn_minmax_ref), so host and device feed the same values. */
#include "clae/normalize.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "clae/cifar.h"
#include "clae/ops.h"

const char *clae_norm_name(clae_norm_kind k)
{
    return k == CLAE_NORM_GCN_L1_MINMAX ? "gcn_l1_minmax" : "none";
}

int clae_norm_parse_pair(const char *v, float *lo, float *hi)
{
    char *end;
    double a = strtod(v, &end);
    if (end == v || *end != ',') return 0;
    const char *w = end + 1;
    double b = strtod(w, &end);
    if (end == w || *end != '\0' || !isfinite(a) || !isfinite(b) || !((float)a < (float)b) ||
        !isfinite((float)a) || !isfinite((float)b))
        return 0;
    *lo = (float)a, *hi = (float)b;
    return 1;
}

int clae_norm_check_ready(const clae_normalize *nz, const char *ckpt)
{
    if (nz->kind == CLAE_NORM_NONE || nz->ready) return 1;
    fprintf(stderr, "clae: %s: [train] normalize = %s, but the checkpoint holds no min-max pair "
            "(metadata '%s', which clae train writes)\n", ckpt, clae_norm_name(nz->kind),
            CLAE_NORM_META_KEY);
    return 0;
}

void clae_norm_apply(const clae_normalize *nz, float *x, int N, size_t P, float *stats)
{
    if (nz->kind == CLAE_NORM_NONE) return;
    for (int n = 0; n < N; n++) {
        float *img = x + (size_t)n * P;
        if (stats) gcn_l1_stats_ref(img, (int)P, &stats[2 * n], &stats[2 * n + 1]);
        gcn_minmax_ref(img, 1, (int)P, nz->lo, nz->hi);
    }
}

void clae_norm_invert(const clae_normalize *nz, float *x, int N, size_t P, const float *stats)
{
    if (nz->kind == CLAE_NORM_NONE) return;
    const float range = nz->hi - nz->lo;
    for (int n = 0; n < N; n++) {
        float *img = x + (size_t)n * P;
        const float mean = stats[2 * n], scale = stats[2 * n + 1];
        for (size_t j = 0; j < P; j++) img[j] = (img[j] * range + nz->lo) * scale + mean;
    }
}

clae_status clae_norm_pair(const clae_dataset *ds, const size_t *from, const size_t *count,
                           int nranges, float *lo, float *hi)
{
    enum { BATCH = 256 };
    const size_t P = (size_t)ds->C * ds->H * ds->W;
    if (P > INT_MAX) {
        fprintf(stderr, "clae: normalize: images of %zu values are too large\n", P);
        return CLAE_ERR_ARG;
    }
    float *x = malloc(BATCH * P * sizeof(float));
    if (!x) return CLAE_ERR_NOMEM;
    float mn = INFINITY, mx = -INFINITY;
    size_t seen = 0;
    for (int r = 0; r < nranges; r++)
        for (size_t i = 0; i < count[r]; i += BATCH) {
            const int nb = count[r] - i < BATCH ? (int)(count[r] - i) : BATCH;
            clae_records_to_float(x, clae_dataset_record(ds, from[r] + i), nb, ds->C, ds->H,
                                  ds->W);
            gcn_minmax_ref(x, nb, (int)P, 0.0f, 1.0f); /* (y - 0) / 1: the GCN values */
            for (size_t j = 0; j < (size_t)nb * P; j++) {
                mn = x[j] < mn ? x[j] : mn;
                mx = x[j] > mx ? x[j] : mx;
            }
            seen += (size_t)nb;
        }
    free(x);
    if (seen == 0 || !(mn < mx)) {
        fprintf(stderr, "clae: normalize: %s: no min-max pair (every training value the same)\n",
                seen ? "constant images" : "no training image");
        return CLAE_ERR_ARG;
    }
    *lo = mn, *hi = mx;
    return CLAE_OK;
}
