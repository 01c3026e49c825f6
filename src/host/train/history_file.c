/* OUT/history.jsonl, one JSON line per epoch (the line each epoch's
 * checkpoints carry too), and history.csv rebuilt from it. */
#include <math.h>
#include <stdio.h>
#include <unistd.h>

#include "clae/history.h"
#include "internal.h"

/* ", \"NAME\": {\"reconstruction\": .., \"kl\": ..}" for the terms in mask */
static size_t terms_json(char *buf, size_t len, const char *name, unsigned mask,
                         const double *mean)
{
    size_t at = (size_t)snprintf(buf, len, ", \"%s\": {", name);
    int first = 1;
    for (int k = 0; k < CLAE_NTERMS && at < len; k++) {
        if (!(mask >> k & 1u)) continue;
        at += (size_t)snprintf(buf + at, len - at, "%s\"%s\": %.9g", first ? "" : ", ",
                               clae_term_names[k], isfinite(mean[k]) ? mean[k] : -1.0);
        first = 0;
    }
    if (at < len) at += (size_t)snprintf(buf + at, len - at, "}");
    return at < len ? at : len;
}

void history_jsonl_line(char *buf, long epoch, double tl, double vl, double psnr, double acc,
                        double ips, double secs, long steps, double lr, const history_terms *ht)
{
    /* -1 marks a value that was not measured (no validation images) */
    size_t at = (size_t)snprintf(
        buf, CLAE_RUN_HISTORY_MAX,
        "{\"epoch\": %ld, \"train_loss\": %.9g, \"val_loss\": %.9g, \"val_psnr\": %.6g, "
        "\"val_accuracy\": %.6g, \"images_per_s\": %.6g, \"seconds\": %.6g, \"steps\": %ld, "
        "\"lr\": %.7g",
        epoch, tl, isnan(vl) ? -1.0 : vl, isfinite(psnr) ? psnr : -1.0,
        isfinite(acc) ? acc : -1.0, isfinite(ips) ? ips : -1.0, secs, steps, lr);
    if (ht && ht->mask > 1u && ht->train && at < CLAE_RUN_HISTORY_MAX)
        at += terms_json(buf + at, CLAE_RUN_HISTORY_MAX - at, "terms", ht->mask, ht->train);
    if (ht && ht->mask > 1u && ht->val && at < CLAE_RUN_HISTORY_MAX)
        at += terms_json(buf + at, CLAE_RUN_HISTORY_MAX - at, "val_terms", ht->mask, ht->val);
    if (at + 1 < CLAE_RUN_HISTORY_MAX) snprintf(buf + at, CLAE_RUN_HISTORY_MAX - at, "}");
}

/* OUT/history.csv, the history again for spreadsheets: rewritten from
 * history.jsonl (after every append, and after a resume cut it). */
void history_csv_update(const char *dir)
{
    char path[1100], csv[1100];
    snprintf(path, sizeof path, "%s/history.jsonl", dir);
    snprintf(csv, sizeof csv, "%s/history.csv", dir);
    if (access(path, F_OK) != 0) return;
    if (clae_history_csv(path, csv) != CLAE_OK)
        fprintf(stderr, "clae: warning: %s: not written (history.jsonl has the history)\n", csv);
}

void history_jsonl_append(const char *dir, const char *line)
{
    char path[1100];
    snprintf(path, sizeof path, "%s/history.jsonl", dir);
    FILE *f = fopen(path, "a");
    if (!f || fprintf(f, "%s\n", line) < 0 || fclose(f) != 0)
        fprintf(stderr, "clae: warning: %s: cannot append the metrics history\n", path);
    history_csv_update(dir);
}
