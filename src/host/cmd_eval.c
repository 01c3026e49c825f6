/* clae eval CKPT: image-quality metrics of a trained model on the CIFAR-10
 * test set against the "do nothing" baseline (the corrupted input itself). */
#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clae/app.h"
#include "clae/checkpoint.h"
#include "clae/cifar.h"
#include "clae/corrupt.h"
#include "clae/image.h"
#include "clae/metrics.h"
#include "clae/net.h"
#include "cli.h"

/* ---- eval ------------------------------------------------------------------------ */

static void usage(FILE *f, const clae_opt *opts)
{
    fprintf(f, "usage: clae eval CKPT [options]\n"
               "  metrics of the model in CKPT on the CIFAR-10 test set, each image corrupted as\n"
               "  the checkpoint's config says (e.g. blurred), against doing nothing\n");
    clae_opts_help(f, opts, 16);
}

static cJSON *row_json(const clae_metrics_summary *s)
{
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    cJSON_AddNumberToObject(o, "mse", s->mse);
    cJSON_AddNumberToObject(o, "psnr", s->psnr);
    cJSON_AddNumberToObject(o, "psnr_global", s->psnr_global);
    cJSON_AddNumberToObject(o, "psnr_capped", (double)s->psnr_capped);
    cJSON_AddNumberToObject(o, "ssim", s->ssim);
    cJSON_AddNumberToObject(o, "accuracy", s->accuracy);
    return o;
}

static int write_json(const char *path, const char *ckpt, const char *data, const char *device,
                      const clae_corrupt *c, const char *base_name,
                      const clae_metrics_summary *base, const clae_metrics_summary *model)
{
    cJSON *root = cJSON_CreateObject();
    int ok = root != NULL;
    if (ok) {
        cJSON_AddStringToObject(root, "checkpoint", ckpt);
        cJSON_AddStringToObject(root, "data", data);
        cJSON_AddStringToObject(root, "device", device);
        cJSON_AddNumberToObject(root, "images", (double)model->images);
        cJSON_AddStringToObject(root, "corrupt", clae_corrupt_name(c->kind));
        if (c->kind == CLAE_CORRUPT_BLUR) {
            cJSON_AddNumberToObject(root, "blur_size", c->blur_size);
            cJSON_AddNumberToObject(root, "blur_sigma", c->blur_sigma);
        }
        cJSON *b = row_json(base), *m = row_json(model);
        if (b) cJSON_AddStringToObject(b, "name", base_name);
        if (m) cJSON_AddStringToObject(m, "name", "model");
        ok = b && m;
        if (b) cJSON_AddItemToObject(root, "input", b);
        if (m) cJSON_AddItemToObject(root, "model", m);
    }
    char *text = ok ? cJSON_Print(root) : NULL;
    cJSON_Delete(root);
    if (!text) {
        fprintf(stderr, "clae: %s: out of memory for the JSON\n", path);
        return 0;
    }
    size_t len = strlen(text);
    text[len] = '\n'; /* replace the NUL: write len + 1 bytes (the NUL's place) */
    ok = clae_file_write_atomic(path, text, len + 1) == CLAE_OK;
    free(text);
    return ok;
}

static void print_row(const char *name, const clae_metrics_summary *s)
{
    printf("%-28s %10.6f %9.3f %8.4f %9.4f\n", name, s->mse, s->psnr, s->ssim, s->accuracy);
}

int cmd_eval(int argc, char **argv)
{
    const char *ckpt = NULL, *data = NULL, *device = NULL, *json = NULL, *corrupt = NULL;
    long limit = 0, batch = CLAE_BATCH_DEFAULT;
    const clae_opt OPTS[] = {
        CLAE_OPT_DATA(&data, CLAE_HELP_DATA),
        CLAE_OPT_CORRUPT(&corrupt, "corrupt the inputs this way instead: none, blur[:size[,sigma]],\n"
                                   "noise[:sigma], saltpepper[:rate] or mask[:count[,min[,max]]]\n"
                                   "(e.g. noise:0.05: how a model answers small input noise)"),
        CLAE_OPT_DEVICE(&device, CLAE_HELP_DEVICE),
        CLAE_OPT_JSON(&json, "also write the results as JSON"),
        CLAE_OPT_LIMIT(&limit, "only the first N test images"),
        CLAE_OPT_BATCH(&batch, CLAE_HELP_BATCH),
        {0}};
    const char **const POS[] = {&ckpt};
    const clae_cmdline cl = {.cmd = "clae eval", .hint = "see --help", .opts = OPTS,
                             .usage = usage, .pos = POS, .npos = 1};
    int code = clae_cmdline_parse(&cl, argc, argv);
    if (code >= 0) return code;
    if (!ckpt) {
        fprintf(stderr, "clae eval: missing CKPT (see --help)\n");
        return 2;
    }

    clae_model m;
    if (!clae_app_load(ckpt, &m)) return 1;
    if (!clae_app_check_images("eval", ckpt, &m)) {
        clae_model_free(&m);
        return 1;
    }
    int rc = 1;
    clae_corrupt cor;
    clae_device d;
    int dev_open = 0, net_made = 0;
    clae_dataset test = {0};
    clae_net net;
    float *clean = NULL, *input = NULL, *output = NULL;
    if (clae_corrupt_from_config(&m.train, &cor) != CLAE_OK) goto done;
    if (corrupt && clae_corrupt_parse(&cor, corrupt) != CLAE_OK) goto done;
    if (!data) data = m.train.data;
    if (clae_dataset_load(data, CLAE_CIFAR_TEST, m.net.H, m.net.W, m.net.C, &test) != CLAE_OK)
        goto done;
    const int C = test.C, H = test.H, W = test.W;
    size_t n = test.n;
    if (limit > 0 && (size_t)limit < n) n = (size_t)limit;
    if ((size_t)batch > n) batch = (long)n;
    if (clae_device_open(&d, device) != CLAE_OK) goto done;
    dev_open = 1;
    if (clae_net_create(&net, &m, &d, (int)batch) != CLAE_OK) goto done;
    net_made = 1;

    size_t per = clae_model_in_count(&m);
    clean = malloc((size_t)batch * per * sizeof(float));
    input = malloc((size_t)batch * per * sizeof(float));
    output = malloc((size_t)batch * per * sizeof(float));
    if (!clean || !input || !output) {
        fprintf(stderr, "clae: out of memory for a batch of %ld\n", batch);
        goto done;
    }
    clae_metrics acc_in, acc_out;
    if (clae_metrics_init(&acc_in, C, H, W) != CLAE_OK ||
        clae_metrics_init(&acc_out, C, H, W) != CLAE_OK)
        goto done;
    clae_rng rng;
    clae_rng_seed(&rng, m.train.seed);
    for (size_t s = 0; s < n; s += (size_t)batch) {
        int nb = (int)((n - s) < (size_t)batch ? n - s : (size_t)batch);
        clae_records_to_float(clean, clae_dataset_record(&test, s), nb, C, H, W);
        if (clae_corrupt_apply(input, clean, nb, C, H, W, &cor, &rng) != CLAE_OK) goto done;
        if (clae_net_infer(&net, input, output, nb) != CLAE_OK) goto done;
        clae_metrics_add(&acc_in, input, clean, (size_t)nb);
        clae_metrics_add(&acc_out, output, clean, (size_t)nb);
    }
    clae_metrics_summary si = clae_metrics_result(&acc_in), so = clae_metrics_result(&acc_out);
    char desc[96];
    clae_corrupt_describe(&cor, desc, sizeof desc);
    const char *base_name = cor.kind == CLAE_CORRUPT_BLUR   ? "blurred input (do nothing)"
                            : cor.kind == CLAE_CORRUPT_NONE ? "input (do nothing)"
                                                            : "corrupted input (do nothing)";
    printf("checkpoint %s, corrupt = %s, device: %s\n", ckpt, desc, d.name);
    printf("test images: %zu of %dx%dx%d (%s)\n", n, H, W, C, data);
    printf("%-28s %10s %9s %8s %9s\n", "", "MSE", "PSNR dB", "SSIM", "accuracy");
    print_row(base_name, &si);
    print_row("model", &so);
    if (si.psnr_capped || so.psnr_capped)
        printf("(PSNR capped at %.0f dB for %zu input and %zu model images identical to the "
               "original)\n",
               CLAE_PSNR_CAP_DB, si.psnr_capped, so.psnr_capped);
    if (json && !write_json(json, ckpt, data, d.name, &cor, base_name, &si, &so)) goto done;
    if (json) printf("wrote %s\n", json);
    rc = 0;
done:
    free(clean);
    free(input);
    free(output);
    if (net_made) clae_net_free(&net);
    if (dev_open) clae_device_close(&d);
    clae_dataset_free(&test);
    clae_model_free(&m);
    return rc;
}
