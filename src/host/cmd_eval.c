/* clae eval CKPT: image-quality metrics of a trained model on the CIFAR-10
 * test set against the "do nothing" baseline (the corrupted input itself). */
#include <stdio.h>
#include <string.h>

#include "clae/app.h"
#include "clae/classify_eval.h"
#include "clae/evaluate.h"
#include "clae/output.h"
#include "clae/plural.h"
#include "cli.h"

static const clae_cmdline EVAL_CMDLINE = {
    .cmd = "clae eval", .width = 16, .about = CLAE_ABOUT_EVAL};

static void print_row(const char *name, const clae_metrics_summary *s)
{
    printf("%-28s %10.6f %9.3f %8.4f %9.4f\n", name, s->mse, s->psnr, s->ssim, s->accuracy);
}

/* A classifier (target = labels): its loss, accuracy and confusion matrix. The exit status. */
static int eval_classifier(clae_split_run *r, const char *ckpt, long limit, const char *json)
{
    clae_confusion c;
    int rc = 1;
    if (clae_classify_evaluate(r, limit, &c)) {
        char desc[96];
        clae_corrupt_describe(&r->cor, desc, sizeof desc);
        printf("checkpoint %s (a classifier: target = labels), corrupt = %s, device: %s\n", ckpt,
               desc, r->d.name);
        printf("test images: %zu of %dx%dx%d (%s)\n", c.images, r->ds.H, r->ds.W, r->ds.C,
               r->data);
        printf("test loss %.6f, accuracy %.2f%% (%zu of %zu images)\n", c.loss,
               100.0 * (double)c.correct / (double)c.images, c.correct, c.images);
        clae_confusion_print(&c, stdout);
        rc = json && !clae_confusion_write_json(json, ckpt, r, &c);
        if (json && rc == 0) printf("wrote %s\n", json);
    }
    clae_confusion_free(&c);
    return rc;
}

/* --classes LIST: checked as it is read */
static int parse_only(const clae_opt *opt, const char *v)
{
    if (clae_classes_parse(v, opt->to)) return 1;
    fprintf(stderr, "clae eval: bad --classes '%s': expected all or labels from 0 to 255 "
            "separated by commas, like 3\n", v);
    return 0;
}

int cmd_eval(int argc, char **argv)
{
    clae_classes only = {{0}};
    const char *ckpt = NULL, *data = NULL, *device = NULL, *json = NULL, *corrupt = NULL;
    long limit = 0, batch = CLAE_BATCH_DEFAULT;
    const clae_opt OPTS[] = {
        CLAE_ARG_OPTIONAL("CKPT", &ckpt),
        CLAE_OPT_DATA(&data, CLAE_HELP_DATA),
        CLAE_OPT_CORRUPT(&corrupt,
                         "corrupt the inputs this way instead: none, blur[:size[,sigma]],\n"
                         "noise[:sigma], saltpepper[:rate] or mask[:count[,min[,max]]]\n"
                         "(e.g. noise:0.05: how a model answers small input noise)"),
        CLAE_OPT_DEVICE(&device, CLAE_HELP_DEVICE),
        CLAE_OPT_JSON(&json, "also write the results as JSON"),
        CLAE_OPT_LIMIT(&limit, "only the first N test images"),
        CLAE_OPT_BATCH(&batch, CLAE_HELP_BATCH),
        {.name = "classes", .meta = "LIST", .kind = CLAE_OPT_CALL, .to = &only,
         .parse = parse_only,
         .help = "only the test images of these labels, like 3 or 3,5\n(default: all)"},
        {0}};
    int code = clae_cmdline_parse(&EVAL_CMDLINE, OPTS, argc, argv);
    if (code >= 0) return code;
    if (!ckpt) {
        fprintf(stderr, "clae eval: missing CKPT (see --help)\n");
        return 2;
    }
    if (json && !clae_output_check("clae eval", json)) return 2;

    clae_split_run r = {.only = clae_classes_empty(&only) ? NULL : &only};
    if (!clae_app_load(ckpt, &r.m)) return 1;
    int rc = 1;
    clae_metrics_summary si, so;
    if (r.m.train.labels) {
        if (clae_split_open(&r, CLAE_CIFAR_TEST, data, corrupt, limit, batch, device))
            rc = eval_classifier(&r, ckpt, limit, json);
    } else if (clae_app_check_images("eval", ckpt, &r.m) &&
        clae_split_open(&r, CLAE_CIFAR_TEST, data, corrupt, limit, batch, device) &&
        clae_evaluate(&r, &si, &so)) {
        char desc[96];
        clae_corrupt_describe(&r.cor, desc, sizeof desc);
        printf("checkpoint %s, corrupt = %s, device: %s\n", ckpt, desc, r.d.name);
        char cls[1040] = "";
        if (r.only) {
            strcpy(cls, ", classes ");
            clae_classes_format(r.only, cls + strlen(cls), sizeof cls - strlen(cls));
        }
        printf("test %s: %zu of %dx%dx%d (%s%s)\n", clae_plural((long long)r.n, "image",
               "images"), r.n, r.ds.H, r.ds.W, r.ds.C, r.data, cls);
        printf("%-28s %10s %9s %8s %9s\n", "", "MSE", "PSNR dB", "SSIM", "accuracy");
        print_row(clae_evaluate_base_name(&r.cor), &si);
        print_row("model", &so);
        if (si.psnr_capped || so.psnr_capped)
            printf("(PSNR capped at %.0f dB for %zu input and %zu model images identical to the "
                   "original)\n",
                   CLAE_PSNR_CAP_DB, si.psnr_capped, so.psnr_capped);
        rc = json && !clae_evaluate_write_json(json, ckpt, &r, &si, &so);
        if (json && rc == 0) printf("wrote %s\n", json);
    }
    clae_split_close(&r);
    return rc;
}
