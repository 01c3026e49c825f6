/* clae score's work: per-image reconstruction errors of a model over a test split as anomaly
 * scores, their CSV and ROC-AUC; see include/clae/score.h. */
#include "clae/score.h"

#include <stdio.h>
#include <stdlib.h>

#include "clae/fs.h"
#include "clae/metrics.h"

enum { CSV_LINE = 64 };

int clae_score_images(clae_split_run *r, clae_scores *s)
{
    size_t n = r->n, per = clae_model_in_count(&r->m);
    *s = (clae_scores){.n = n};
    float *output = malloc((size_t)r->batch * per * sizeof(float));
    s->mse = malloc(n * sizeof *s->mse), s->ssim = malloc(n * sizeof *s->ssim);
    s->anomaly = malloc(n);
    clae_batches b = {0};
    int ok = output && s->mse && s->ssim && s->anomaly;
    if (!ok) fprintf(stderr, "clae: out of memory for %zu test images\n", n);
    ok = ok && clae_batches_init(&b, r);
    const int C = r->ds.C, H = r->ds.H, W = r->ds.W;
    while (ok && clae_batches_next(&b)) {
        ok = clae_net_read_output(&r->net, output, b.nb) == CLAE_OK;
        for (int i = 0; ok && i < b.nb; i++) {
            const float *o = output + (size_t)i * per, *c = b.clean + (size_t)i * per;
            size_t k = b.first + (size_t)i;
            s->mse[k] = clae_mse(o, c, per);
            s->ssim[k] = clae_ssim_image(o, c, C, H, W);
            s->anomaly[k] =
                !clae_classes_has(&r->m.train.classes, clae_dataset_label(&r->ds, k));
            s->anomalies += s->anomaly[k];
        }
    }
    ok = ok && b.first >= n; /* every batch went through */
    clae_batches_free(&b);
    free(output);
    return ok;
}

int clae_scores_write_csv(const clae_scores *s, const clae_dataset *ds, const char *path)
{
    size_t cap = 32 + s->n * CSV_LINE, at = 0;
    char *csv = malloc(cap);
    if (!csv) {
        fprintf(stderr, "clae: out of memory for %s\n", path);
        return 0;
    }
    at += (size_t)snprintf(csv, cap, "index,label,mse,ssim\n");
    for (size_t i = 0; i < s->n && at < cap; i++)
        at += (size_t)snprintf(csv + at, cap - at, "%zu,%d,%.9g,%.9g\n", i,
                               clae_dataset_label(ds, i), s->mse[i], s->ssim[i]);
    int ok = at < cap && clae_file_write_atomic(path, csv, at) == CLAE_OK;
    free(csv);
    return ok;
}

void clae_scores_auc(clae_scores *s, double *auc_mse, double *auc_ssim)
{
    for (size_t i = 0; i < s->n; i++) s->ssim[i] = 1.0 - s->ssim[i]; /* higher: anomalous */
    *auc_mse = clae_roc_auc(s->mse, s->anomaly, s->n);
    *auc_ssim = clae_roc_auc(s->ssim, s->anomaly, s->n);
}

void clae_scores_free(clae_scores *s)
{
    free(s->mse), free(s->ssim), free(s->anomaly);
    *s = (clae_scores){0};
}
