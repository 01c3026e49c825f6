/* clae score CKPT OUT.csv: anomaly scores. Every CIFAR-10 test image goes
 * through the model; its reconstruction error against the clean image (MSE
 * and SSIM) is its score. For a model trained on some classes only
 * (`clae train --classes`, [train] classes), the images of the other
 * classes are the anomalies, and the ROC-AUC of each score says how well it
 * tells them from the normal ones. */
#include <stdio.h>

#include "clae/app.h"
#include "clae/output.h"
#include "clae/score.h"
#include "clae/plural.h"
#include "cli.h"

static const clae_cmdline SCORE_CMDLINE = {
    .cmd = "clae score", .width = 16, .about = CLAE_ABOUT_SCORE};

static int run_score(const char *ckpt, const char *out, const char *data, long limit, long batch,
                     const char *device)
{
    clae_split_run r = {0};
    clae_scores sc = {0};
    int ok = clae_app_load(ckpt, &r.m) && clae_app_check_images("score", ckpt, &r.m) &&
             clae_split_open(&r, CLAE_CIFAR_TEST, data, NULL, limit, batch, device) &&
             clae_score_images(&r, &sc) && clae_scores_write_csv(&sc, &r.ds, out);
    if (ok) {
        char cls[1024];
        clae_classes_format(&r.m.train.classes, cls, sizeof cls);
        printf("wrote %s: %zu test %s (model trained on classes %s; %zu of them from "
               "other classes), device: %s\n", out, sc.n,
               clae_plural((long long)sc.n, "image", "images"), cls, sc.anomalies, r.d.name);
        if (sc.anomalies > 0 && sc.anomalies < sc.n) {
            double auc_mse, auc_ssim;
            clae_scores_auc(&sc, &auc_mse, &auc_ssim);
            printf("ROC-AUC, normal = classes %s, anomalies = the rest: MSE %.4f, 1 - SSIM "
                   "%.4f\n", cls, auc_mse, auc_ssim);
        }
    }
    clae_scores_free(&sc);
    clae_split_close(&r);
    return ok ? 0 : 1;
}

int cmd_score(int argc, char **argv)
{
    const char *ckpt = NULL, *out = NULL, *data = NULL, *device = NULL;
    long limit = 0, batch = CLAE_BATCH_DEFAULT;
    const clae_opt OPTS[] = {
        CLAE_ARG("CKPT", &ckpt), CLAE_ARG("OUT.csv", &out),
        CLAE_OPT_DATA(&data, CLAE_HELP_DATA),
        CLAE_OPT_LIMIT(&limit, "only the first N test images"),
        CLAE_OPT_BATCH(&batch, CLAE_HELP_BATCH),
        CLAE_OPT_DEVICE(&device, CLAE_HELP_DEVICE),
        {0}};
    int code = clae_cmdline_parse(&SCORE_CMDLINE, OPTS, argc, argv);
    if (code >= 0) return code;
    if (!clae_output_check("clae score", out)) return 2;
    return run_score(ckpt, out, data, limit, batch, device);
}
