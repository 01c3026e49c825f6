/* clae eval of a classifier: loss, accuracy and a confusion matrix over a split, the class
 * names from the data folder; see include/clae/classify_eval.h. */
#include "clae/classify_eval.h"

#include <cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clae/fs.h"
#include "clae/json_file.h"
#include "clae/layer.h"
#include "data/labels.h"

#define CCE_EPS 1e-7 /* Keras's epsilon, as the training loss clips */

/* One batch's outputs (nb rows of K probabilities) against its records' labels. */
static void confusion_add(clae_confusion *c, const float *out, const clae_dataset *ds,
                          size_t first, int nb, double *loss_sum)
{
    const int K = c->K;
    for (int i = 0; i < nb; i++) {
        const float *o = out + (size_t)i * K;
        int best = 0, label = clae_dataset_label(ds, first + (size_t)i);
        for (int k = 1; k < K; k++) best = o[k] > o[best] ? k : best;
        double p = label < K ? o[label] : 0.0;
        p = p < CCE_EPS ? CCE_EPS : p > 1.0 - CCE_EPS ? 1.0 - CCE_EPS : p;
        *loss_sum -= log(p);
        if (label < K) c->counts[(size_t)label * K + best]++;
        c->correct += best == label;
        c->images++;
    }
}

int clae_classify_evaluate(clae_split_run *r, long limit, clae_confusion *c)
{
    const clae_model *m = &r->m;
    memset(c, 0, sizeof *c);
    c->K = (int)clae_layer_out_count(&m->layers[m->nlayers - 1]);
    if (!clae_classes_empty(&m->train.classes)) { /* what it was trained and tested on */
        clae_dataset_keep_classes(&r->ds, &m->train.classes);
        r->n = limit > 0 && (size_t)limit < r->ds.n ? (size_t)limit : r->ds.n;
        if (r->n == 0) {
            fprintf(stderr, "clae eval: %s: no test image has a label in the classes the "
                    "checkpoint was trained on\n", r->data);
            return 0;
        }
    }
    c->counts = calloc((size_t)c->K * (size_t)c->K, sizeof *c->counts);
    c->names = calloc((size_t)c->K, sizeof *c->names);
    float *out = malloc((size_t)r->batch * (size_t)c->K * sizeof(float));
    clae_batches b = {0};
    int ok = c->counts && c->names && out;
    if (!ok) fprintf(stderr, "clae eval: out of memory for %d classes\n", c->K);
    ok = ok && clae_batches_init(&b, r);
    double loss_sum = 0.0;
    while (ok && clae_batches_next(&b)) {
        ok = clae_net_read_output(&r->net, out, b.nb) == CLAE_OK;
        if (ok) confusion_add(c, out, &r->ds, b.first, b.nb, &loss_sum);
    }
    ok = ok && b.first >= r->n; /* every batch went through */
    if (ok) {
        c->loss = loss_sum / (double)c->images;
        clae_class_names_read(r->data, c->K, CLAE_CLASS_NAME_MAX, c->names[0]);
    }
    clae_batches_free(&b);
    free(out);
    return ok;
}

void clae_confusion_free(clae_confusion *c)
{
    free(c->counts);
    free(c->names);
    c->counts = NULL;
    c->names = NULL;
}

void clae_confusion_print(const clae_confusion *c, FILE *out)
{
    const int K = c->K;
    int w = 5, head = 10; /* a count's column: as wide as its name (at most 10), >= 5 */
    for (int k = 0; k < K; k++) {
        int len = (int)strlen(c->names[k]);
        if (len > w) w = len > 10 ? 10 : len;
        if (len > head) head = len > 16 ? 16 : len;
    }
    fprintf(out, "confusion matrix (rows: true class, columns: predicted):\n%-*s", head, "");
    for (int k = 0; k < K; k++) fprintf(out, " %*.*s", w, w, c->names[k]);
    fprintf(out, " %8s\n", "accuracy");
    for (int t = 0; t < K; t++) {
        size_t row = 0;
        fprintf(out, "%-*.*s", head, head, c->names[t]);
        for (int p = 0; p < K; p++) {
            row += c->counts[(size_t)t * K + p];
            fprintf(out, " %*zu", w, c->counts[(size_t)t * K + p]);
        }
        if (row)
            fprintf(out, " %7.2f%%\n", 100.0 * (double)c->counts[(size_t)t * K + t] / (double)row);
        else
            fprintf(out, " %8s\n", "-");
    }
}

static cJSON *matrix_json(const clae_confusion *c)
{
    cJSON *rows = cJSON_CreateArray();
    for (int t = 0; rows && t < c->K; t++) {
        cJSON *row = cJSON_CreateArray();
        if (!row || !cJSON_AddItemToArray(rows, row)) {
            cJSON_Delete(row);
            cJSON_Delete(rows);
            return NULL;
        }
        for (int p = 0; p < c->K; p++) {
            double n = (double)c->counts[(size_t)t * c->K + p];
            if (!cJSON_AddItemToArray(row, cJSON_CreateNumber(n))) {
                cJSON_Delete(rows);
                return NULL;
            }
        }
    }
    return rows;
}

int clae_confusion_write_json(const char *path, const char *ckpt, const clae_split_run *r,
                              const clae_confusion *c)
{
    cJSON *root = cJSON_CreateObject(), *names = cJSON_CreateArray(), *rows = matrix_json(c);
    int ok = root && names && rows;
    for (int k = 0; ok && k < c->K; k++)
        ok = cJSON_AddItemToArray(names, cJSON_CreateString(c->names[k]));
    if (ok) {
        cJSON_AddStringToObject(root, "checkpoint", ckpt);
        cJSON_AddStringToObject(root, "data", r->data);
        cJSON_AddStringToObject(root, "device", r->d.name);
        cJSON_AddStringToObject(root, "target", "labels");
        cJSON_AddStringToObject(root, "corrupt", clae_corrupt_name(r->cor.kind));
        cJSON_AddNumberToObject(root, "images", (double)c->images);
        cJSON_AddNumberToObject(root, "loss", c->loss);
        cJSON_AddNumberToObject(root, "accuracy", (double)c->correct / (double)c->images);
        cJSON_AddItemToObject(root, "classes", names);
        cJSON_AddItemToObject(root, "confusion", rows);
        names = rows = NULL;
    }
    ok = clae_json_write_file(path, ok ? root : NULL) == CLAE_OK;
    cJSON_Delete(root);
    cJSON_Delete(names);
    cJSON_Delete(rows);
    return ok;
}
