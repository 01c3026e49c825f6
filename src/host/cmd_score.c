/* clae score CKPT OUT.csv: anomaly scores. Every CIFAR-10 test image goes
 * through the model; its reconstruction error against the clean image (MSE
 * and SSIM) is its score. For a model trained on some classes only
 * (`clae train --classes`, [train] classes), the images of the other
 * classes are the anomalies, and the ROC-AUC of each score says how well it
 * tells them from the normal ones. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clae/app.h"
#include "clae/cifar.h"
#include "clae/corrupt.h"
#include "clae/image.h"
#include "clae/metrics.h"
#include "clae/net.h"
#include "cli.h"

enum { CSV_LINE = 64 };

static void usage(FILE *f, const clae_opt *opts)
{
    fprintf(f,
            "usage: clae score CKPT OUT.csv [options]\n"
            "  anomaly scores: every CIFAR-10 test image (all classes) through the model in\n"
            "  CKPT, corrupted as its config says (corrupt = none: as it is), and its\n"
            "  reconstruction error against the clean image. OUT.csv has a line per image:\n"
            "  index,label,mse,ssim (written atomically). When the checkpoint was trained on\n"
            "  some classes only (clae train --classes, [train] classes), the others are the\n"
            "  anomalies: prints the ROC-AUC of the MSE and of 1 - SSIM as anomaly scores\n");
    clae_opts_help(f, opts, 16);
}

/* What a run holds, freed in one place. */
typedef struct score_run {
    clae_model m;
    clae_dataset test;
    clae_device d;
    clae_net net;
    int dev_open, net_made;
    float *clean, *input, *output;
    double *mse, *ssim;
    uint8_t *anomaly;
    char *csv;
} score_run;

static void score_free(score_run *r)
{
    free(r->clean), free(r->input), free(r->output);
    free(r->mse), free(r->ssim), free(r->anomaly), free(r->csv);
    if (r->net_made) clae_net_free(&r->net);
    if (r->dev_open) clae_device_close(&r->d);
    clae_dataset_free(&r->test);
    clae_model_free(&r->m);
}

/* Per-image MSE and SSIM of the first n test images, batch at a time. */
static int score_images(score_run *r, size_t n, int batch)
{
    clae_corrupt cor;
    if (clae_corrupt_from_config(&r->m.train, &cor) != CLAE_OK) return 0;
    clae_rng rng; /* as eval: the same corruption every time */
    clae_rng_seed(&rng, r->m.train.seed);
    size_t per = clae_model_in_count(&r->m);
    const int C = r->test.C, H = r->test.H, W = r->test.W;
    for (size_t s = 0; s < n; s += (size_t)batch) {
        int nb = (int)(n - s < (size_t)batch ? n - s : (size_t)batch);
        clae_records_to_float(r->clean, clae_dataset_record(&r->test, s), nb, C, H, W);
        if (clae_corrupt_apply(r->input, r->clean, nb, C, H, W, &cor, &rng) != CLAE_OK ||
            clae_net_infer(&r->net, r->input, r->output, nb) != CLAE_OK)
            return 0;
        for (int i = 0; i < nb; i++) {
            const float *o = r->output + (size_t)i * per, *c = r->clean + (size_t)i * per;
            r->mse[s + i] = clae_mse(o, c, per);
            r->ssim[s + i] = clae_ssim_image(o, c, C, H, W);
            r->anomaly[s + i] = !clae_classes_has(&r->m.train.classes,
                                                  clae_dataset_label(&r->test, s + i));
        }
    }
    return 1;
}

static int write_csv(score_run *r, const char *out, size_t n)
{
    size_t cap = 32 + n * CSV_LINE, at = 0;
    if (!(r->csv = malloc(cap))) {
        fprintf(stderr, "clae: out of memory for %s\n", out);
        return 0;
    }
    at += (size_t)snprintf(r->csv, cap, "index,label,mse,ssim\n");
    for (size_t i = 0; i < n && at < cap; i++)
        at += (size_t)snprintf(r->csv + at, cap - at, "%zu,%d,%.9g,%.9g\n", i,
                               clae_dataset_label(&r->test, i), r->mse[i], r->ssim[i]);
    return at < cap && clae_file_write_atomic(out, r->csv, at) == CLAE_OK;
}

static int run_score(const char *ckpt, const char *out, const char *data, long limit, long batch,
                     const char *device)
{
    score_run r;
    memset(&r, 0, sizeof r);
    int ok = clae_app_load(ckpt, &r.m) && clae_app_check_images("score", ckpt, &r.m);
    if (ok)
        ok = clae_dataset_load(data ? data : r.m.train.data, CLAE_CIFAR_TEST, r.m.net.H,
                               r.m.net.W, r.m.net.C, &r.test) == CLAE_OK;
    size_t n = r.test.n;
    if (limit > 0 && (size_t)limit < n) n = (size_t)limit;
    if (ok && (size_t)batch > n) batch = (long)n;
    size_t per = clae_model_in_count(&r.m), bytes = (size_t)batch * per * sizeof(float);
    if (ok) ok = clae_device_open(&r.d, device) == CLAE_OK;
    r.dev_open = ok;
    if (ok) ok = clae_net_create(&r.net, &r.m, &r.d, (int)batch) == CLAE_OK;
    r.net_made = ok;
    if (ok) {
        r.clean = malloc(bytes), r.input = malloc(bytes), r.output = malloc(bytes);
        r.mse = malloc(n * sizeof *r.mse), r.ssim = malloc(n * sizeof *r.ssim);
        r.anomaly = malloc(n);
        ok = r.clean && r.input && r.output && r.mse && r.ssim && r.anomaly;
        if (!ok) fprintf(stderr, "clae: out of memory for %zu test images\n", n);
    }
    if (ok) ok = score_images(&r, n, (int)batch) && write_csv(&r, out, n);
    if (ok) {
        char cls[1024];
        clae_classes_format(&r.m.train.classes, cls, sizeof cls);
        size_t anomalies = 0;
        for (size_t i = 0; i < n; i++) anomalies += r.anomaly[i];
        printf("wrote %s: %zu test images (model trained on classes %s; %zu of them from "
               "other classes), device: %s\n", out, n, cls, anomalies, r.d.name);
        if (anomalies > 0 && anomalies < n) {
            for (size_t i = 0; i < n; i++) r.ssim[i] = 1.0 - r.ssim[i]; /* higher: anomalous */
            printf("ROC-AUC, normal = classes %s, anomalies = the rest: MSE %.4f, 1 - SSIM "
                   "%.4f\n", cls, clae_roc_auc(r.mse, r.anomaly, n),
                   clae_roc_auc(r.ssim, r.anomaly, n));
        }
    }
    score_free(&r);
    return ok ? 0 : 1;
}

int cmd_score(int argc, char **argv)
{
    const char *ckpt = NULL, *out = NULL, *data = NULL, *device = NULL;
    long limit = 0, batch = CLAE_BATCH_DEFAULT;
    const clae_opt OPTS[] = {CLAE_OPT_DATA(&data, CLAE_HELP_DATA),
                             CLAE_OPT_LIMIT(&limit, "only the first N test images"),
                             CLAE_OPT_BATCH(&batch, CLAE_HELP_BATCH),
                             CLAE_OPT_DEVICE(&device, CLAE_HELP_DEVICE),
                             {0}};
    const char **const POS[] = {&ckpt, &out};
    static const char *const NAMES[] = {"CKPT", "OUT.csv"};
    const clae_cmdline cl = {.cmd = "clae score", .hint = "see --help", .opts = OPTS,
                             .usage = usage, .pos = POS, .npos = 2, .names = NAMES,
                             .synopsis = "clae score CKPT OUT.csv"};
    int code = clae_cmdline_parse(&cl, argc, argv);
    if (code >= 0) return code;
    return run_score(ckpt, out, data, limit, batch, device);
}
