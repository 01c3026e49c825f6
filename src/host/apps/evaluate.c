/* clae eval's work: the metrics of a model over a test split against doing nothing, and the
 * JSON of the results; see include/clae/evaluate.h. */
#include "clae/evaluate.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clae/fs.h"
#include "clae/json_file.h"

int clae_evaluate(clae_split_run *r, clae_metrics_summary *input, clae_metrics_summary *model)
{
    const int C = r->ds.C, H = r->ds.H, W = r->ds.W;
    float *output = malloc((size_t)r->batch * clae_model_in_count(&r->m) * sizeof(float));
    clae_batches b = {0};
    clae_metrics acc_in, acc_out;
    int ok = output != NULL;
    if (!ok) fprintf(stderr, "clae: out of memory for a batch of %d\n", r->batch);
    ok = ok && clae_batches_init(&b, r) && clae_metrics_init(&acc_in, C, H, W) == CLAE_OK &&
         clae_metrics_init(&acc_out, C, H, W) == CLAE_OK;
    while (ok && clae_batches_next(&b)) {
        ok = clae_net_read_output(&r->net, output, b.nb) == CLAE_OK;
        if (!ok) break;
        clae_metrics_add(&acc_in, b.input, b.clean, (size_t)b.nb);
        clae_metrics_add(&acc_out, output, b.clean, (size_t)b.nb);
    }
    ok = ok && b.first >= r->n; /* every batch went through */
    if (ok) {
        *input = clae_metrics_result(&acc_in);
        *model = clae_metrics_result(&acc_out);
    }
    clae_batches_free(&b);
    free(output);
    return ok;
}

const char *clae_evaluate_base_name(const clae_corrupt *c)
{
    return c->kind == CLAE_CORRUPT_BLUR   ? "blurred input (do nothing)"
           : c->kind == CLAE_CORRUPT_NONE ? "input (do nothing)"
                                          : "corrupted input (do nothing)";
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

int clae_evaluate_write_json(const char *path, const char *ckpt, const clae_split_run *r,
                             const clae_metrics_summary *base,
                             const clae_metrics_summary *model)
{
    const clae_corrupt *c = &r->cor;
    cJSON *root = cJSON_CreateObject();
    int ok = root != NULL;
    if (ok) {
        cJSON_AddStringToObject(root, "checkpoint", ckpt);
        cJSON_AddStringToObject(root, "data", r->data);
        cJSON_AddStringToObject(root, "device", r->d.name);
        cJSON_AddNumberToObject(root, "images", (double)model->images);
        cJSON_AddStringToObject(root, "corrupt", clae_corrupt_name(c->kind));
        if (c->kind == CLAE_CORRUPT_BLUR) {
            cJSON_AddNumberToObject(root, "blur_size", c->blur_size);
            cJSON_AddNumberToObject(root, "blur_sigma", c->blur_sigma);
        }
        cJSON *b = row_json(base), *m = row_json(model);
        if (b) cJSON_AddStringToObject(b, "name", clae_evaluate_base_name(c));
        if (m) cJSON_AddStringToObject(m, "name", "model");
        ok = b && m;
        if (b) cJSON_AddItemToObject(root, "input", b);
        if (m) cJSON_AddItemToObject(root, "model", m);
    }
    ok = clae_json_write_file(path, ok ? root : NULL) == CLAE_OK;
    cJSON_Delete(root);
    return ok;
}
