/* A trained model run over a CIFAR-10 split, batch after batch: the setup and the loop that
 * eval, score and encode share (include/clae/batches.h). */
#include "clae/batches.h"

#include <stdio.h>
#include <stdlib.h>

int clae_split_open(clae_split_run *r, int split, const char *data, const char *spec,
                    long limit, long batch, const char *device)
{
    if (clae_corrupt_from_config(&r->m.train, &r->cor) != CLAE_OK) return 0;
    if (spec && clae_corrupt_parse(&r->cor, spec) != CLAE_OK) return 0;
    r->data = data ? data : r->m.train.data;
    if (clae_dataset_load(r->data, split, r->m.net.H, r->m.net.W, r->m.net.C, &r->ds) !=
        CLAE_OK)
        return 0;
    if (r->only && clae_dataset_keep_classes(&r->ds, r->only) == 0) {
        char cls[1024];
        clae_classes_format(r->only, cls, sizeof cls);
        fprintf(stderr, "clae: %s: no image of the split has a label in classes %s\n", r->data,
                cls);
        return 0;
    }
    r->n = r->ds.n;
    if (limit > 0 && (size_t)limit < r->n) r->n = (size_t)limit;
    r->batch = (size_t)batch > r->n ? (int)r->n : (int)batch;
    if (clae_device_open(&r->d, device) != CLAE_OK) return 0;
    r->dev_open = 1;
    if (clae_net_create(&r->net, &r->m, &r->d, r->batch) != CLAE_OK) return 0;
    r->net_made = 1;
    return 1;
}

void clae_split_close(clae_split_run *r)
{
    if (r->net_made) clae_net_free(&r->net);
    if (r->dev_open) clae_device_close(&r->d);
    clae_dataset_free(&r->ds);
    clae_model_free(&r->m);
}

int clae_batches_init(clae_batches *b, clae_split_run *r)
{
    *b = (clae_batches){.r = r};
    clae_rng_seed(&b->rng, r->m.train.seed);
    size_t bytes = (size_t)r->batch * clae_model_in_count(&r->m) * sizeof(float);
    b->clean = malloc(bytes);
    b->input = malloc(bytes);
    if (b->clean && b->input) return 1;
    fprintf(stderr, "clae: out of memory for a batch of %d\n", r->batch);
    return 0;
}

int clae_batches_next(clae_batches *b)
{
    clae_split_run *r = b->r;
    b->first += (size_t)b->nb;
    b->nb = 0;
    if (b->first >= r->n) return 0;
    size_t left = r->n - b->first;
    b->nb = left < (size_t)r->batch ? (int)left : r->batch;
    const int C = r->ds.C, H = r->ds.H, W = r->ds.W;
    clae_records_to_float(b->clean, clae_dataset_record(&r->ds, b->first), b->nb, C, H, W);
    /* [train] normalize: the images as the model was trained on them (clean: the target) */
    clae_norm_apply(&r->m.train.norm, b->clean, b->nb, (size_t)C * H * W, NULL);
    size_t bytes = (size_t)b->nb * clae_model_in_count(&r->m) * sizeof(float);
    if (clae_corrupt_apply(b->input, b->clean, b->nb, C, H, W, &r->cor, &b->rng) == CLAE_OK &&
        clae_buf_write(&r->d, r->net.act[0], b->input, bytes) == CLAE_OK &&
        clae_net_forward(&r->net, b->nb) == CLAE_OK)
        return 1;
    b->nb = 0;
    return 0;
}

void clae_batches_free(clae_batches *b)
{
    free(b->clean);
    free(b->input);
    b->clean = b->input = NULL;
}
