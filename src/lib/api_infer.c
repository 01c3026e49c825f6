/* libclae's inference: predict, encode, corrupt and score, each a walk over the caller's
 * images a batch at a time as `clae encode` and `clae score` walk a split
 * (src/host/apps/batches.c): convert, [train] normalize, corrupt (score), forward. */
#include <stdlib.h>
#include <string.h>

#include "api_int.h"
#include "clae/corrupt.h"
#include "clae/metrics.h"
#include "clae/net.h"
#include "clae/normalize.h"

#define DEFAULT_BATCH 256 /* clae encode's and clae score's --batch */

typedef struct walk {
    clae_api_model *am;
    const clae_api_images *x;
    int B;                     /* images per forward pass */
    size_t per;                /* floats of an input image */
    clae_net net;
    int net_made;
    float *clean, *input, *stats; /* this batch: (nb, C, H, W) each; normalize's stats */
    int corrupt;               /* inputs corrupted as the config says (score) */
    clae_corrupt cor;
    clae_rng rng;              /* one stream, seeded once with [train] seed (as clae score) */
    size_t first;              /* this batch: its first image, */
    int nb;                    /* and how many */
} walk;

static void walk_close(walk *w)
{
    if (w->net_made) clae_net_free(&w->net);
    free(w->clean), free(w->input), free(w->stats);
    w->clean = w->input = w->stats = NULL;
    w->net_made = 0;
}

/* The net for batches of w->B images on the model's device (need_net), the buffers, the
 * corruption. */
static clae_api_status walk_open(walk *w, clae_api_model *am, const clae_api_images *x,
                                 int batch, int corrupt, int need_net)
{
    clae_model *m = &am->m;
    *w = (walk){.am = am, .x = x, .corrupt = corrupt, .per = clae_model_in_count(m)};
    if (batch < 0) return api_fail(CLAE_API_ERR_ARG, "batch %d: expected 0 (256) or more", batch);
    size_t B = batch > 0 ? (size_t)batch : DEFAULT_BATCH;
    w->B = (int)(B < x->n ? B : x->n);
    if (need_net && !clae_norm_check_ready(&m->train.norm, m->name)) return CLAE_API_ERR_ARG;
    if (corrupt) {
        clae_status st = clae_corrupt_from_config(&m->train, &w->cor);
        if (st != CLAE_OK) return api_status(st);
        clae_rng_seed(&w->rng, m->train.seed);
    }
    size_t bytes = (size_t)w->B * w->per * sizeof(float);
    w->clean = malloc(bytes);
    w->input = malloc(bytes);
    w->stats = malloc(2 * (size_t)w->B * sizeof(float));
    if (!w->clean || !w->input || !w->stats)
        return api_fail(CLAE_API_ERR_NOMEM, "out of memory for a batch of %d images", w->B);
    if (!need_net) return CLAE_API_OK;
    clae_status st = clae_net_create(&w->net, m, &am->dev->d, w->B);
    if (st != CLAE_OK) return api_status(st);
    w->net_made = 1;
    return CLAE_API_OK;
}

/* The next batch: its images converted, normalized, corrupted (w->corrupt) and, with a
 * net, through it. w->nb 0 after the last one. */
static clae_api_status walk_next(walk *w)
{
    clae_model *m = &w->am->m;
    w->first += (size_t)w->nb;
    w->nb = 0;
    if (w->first >= w->x->n) return CLAE_API_OK;
    size_t left = w->x->n - w->first;
    w->nb = left < (size_t)w->B ? (int)left : w->B;
    const int C = m->net.C, H = m->net.H, W = m->net.W;
    api_images_to_chw(w->x, w->first, w->nb, w->clean);
    if (w->net_made) clae_norm_apply(&m->train.norm, w->clean, w->nb, w->per, w->stats);
    const float *in = w->clean;
    if (w->corrupt) {
        clae_status st = clae_corrupt_apply(w->input, w->clean, w->nb, C, H, W, &w->cor, &w->rng);
        if (st != CLAE_OK) return api_status(st);
        in = w->input;
    }
    if (!w->net_made) return CLAE_API_OK;
    clae_device *d = &w->am->dev->d;
    clae_status st = clae_buf_write(d, w->net.act[0], in, (size_t)w->nb * w->per * sizeof(float));
    if (st == CLAE_OK) st = clae_net_forward(&w->net, w->nb);
    return api_status(st);
}

/* Floats out must hold for n images of layer li's output (li = -1: the input). */
static clae_api_status check_out(const clae_api_model *am, int li, size_t n, const float *out,
                                 size_t out_len, const char *who)
{
    const clae_model *m = &am->m;
    size_t per = li < 0 ? clae_model_in_count(m) : clae_layer_out_count(&m->layers[li]);
    if (!out) return api_fail(CLAE_API_ERR_ARG, "%s: no output buffer (NULL)", who);
    if (out_len / per < n)
        return api_fail(CLAE_API_ERR_ARG, "%s: an output of %zu floats for %zu images of %zu: "
                        "expected %zu", who, out_len, n, per, n * per);
    return CLAE_API_OK;
}

/* Layer li's output for every image of x, NHWC into out; predict: the model's output
 * with [train] normalize inverted. */
static clae_api_status run_layer(clae_api_model *am, int li, const clae_api_images *x,
                                 float *out, int batch, int predict)
{
    const clae_model *m = &am->m;
    const clae_layer *l = &m->layers[li];
    const size_t per_out = clae_layer_out_count(l);
    walk w;
    clae_api_status st = walk_open(&w, am, x, batch, 0, 1);
    float *buf = st == CLAE_API_OK ? malloc((size_t)w.B * per_out * sizeof(float)) : NULL;
    if (st == CLAE_API_OK && !buf) st = api_fail(CLAE_API_ERR_NOMEM, "out of memory");
    const int last = li == m->nlayers - 1, invert = predict && last && per_out == w.per;
    while (st == CLAE_API_OK && (st = walk_next(&w)) == CLAE_API_OK && w.nb > 0) {
        clae_status cst = last ? clae_net_read_output(&w.net, buf, w.nb)
                               : clae_buf_read(&am->dev->d, w.net.act[li + 1], buf,
                                               (size_t)w.nb * per_out * sizeof(float));
        if (cst != CLAE_OK) {
            st = api_status(cst);
            break;
        }
        if (invert) clae_norm_invert(&m->train.norm, buf, w.nb, per_out, w.stats);
        api_chw_to_hwc(buf, w.nb, l->out_c, l->out_h, l->out_w, out, w.first);
    }
    free(buf);
    walk_close(&w);
    return st;
}

/* predict and encode: layer `layer` for x into out. */
static clae_api_status layer_call(clae_api_model *am, int layer, const clae_api_images *x,
                                  float *out, size_t out_len, int batch, const char *who)
{
    api_enter();
    clae_api_status st = api_model_begin(am, who, 1);
    if (st != CLAE_API_OK) return api_leave(st);
    if (layer < 0 || layer >= am->m.nlayers)
        st = api_fail(CLAE_API_ERR_ARG, "%s: layer %d: %s has layers 0 to %d", who, layer,
                      am->m.name, am->m.nlayers - 1);
    if (st == CLAE_API_OK) st = api_check_images(am, x, who);
    if (st == CLAE_API_OK) st = check_out(am, layer, x->n, out, out_len, who);
    if (st == CLAE_API_OK)
        st = run_layer(am, layer, x, out, batch, strcmp(who, "predict") == 0);
    api_model_end(am, 1);
    return api_leave(st);
}

clae_api_status clae_api_model_predict(clae_api_model *am, const clae_api_images *x, float *out,
                                       size_t out_len, int batch)
{
    return layer_call(am, am ? am->m.nlayers - 1 : 0, x, out, out_len, batch, "predict");
}

clae_api_status clae_api_model_encode(clae_api_model *am, int layer, const clae_api_images *x,
                                      float *out, size_t out_len, int batch)
{
    return layer_call(am, layer, x, out, out_len, batch, "encode");
}

clae_api_status clae_api_model_corrupt(clae_api_model *am, const clae_api_images *x, float *out,
                                       size_t out_len)
{
    api_enter();
    clae_api_status st = api_model_begin(am, "corrupt", 0);
    if (st != CLAE_API_OK) return api_leave(st);
    st = api_check_images(am, x, "corrupt");
    if (st == CLAE_API_OK) st = check_out(am, -1, x->n, out, out_len, "corrupt");
    walk w = {0};
    if (st == CLAE_API_OK) st = walk_open(&w, am, x, 0, 1, 0);
    const clae_net_config *nc = &am->m.net;
    while (st == CLAE_API_OK && (st = walk_next(&w)) == CLAE_API_OK && w.nb > 0)
        api_chw_to_hwc(w.input, w.nb, nc->C, nc->H, nc->W, out, w.first);
    walk_close(&w);
    api_model_end(am, 0);
    return api_leave(st);
}

/* clae_score_images' per-image MSE and SSIM of each restored image against its clean one. */
static clae_api_status score(clae_api_model *am, const clae_api_images *x, double *mse,
                             double *ssim, int batch)
{
    const clae_net_config *nc = &am->m.net;
    walk w;
    clae_api_status st = walk_open(&w, am, x, batch, 1, 1);
    float *output = st == CLAE_API_OK ? malloc((size_t)w.B * w.per * sizeof(float)) : NULL;
    if (st == CLAE_API_OK && !output) st = api_fail(CLAE_API_ERR_NOMEM, "out of memory");
    if (st == CLAE_API_OK && clae_layer_out_count(&am->m.layers[am->m.nlayers - 1]) != w.per)
        st = api_fail(CLAE_API_ERR_ARG, "score: %s gives no images (a classifier)", am->m.name);
    while (st == CLAE_API_OK && (st = walk_next(&w)) == CLAE_API_OK && w.nb > 0) {
        clae_status cst = clae_net_read_output(&w.net, output, w.nb);
        if (cst != CLAE_OK) {
            st = api_status(cst);
            break;
        }
        for (int i = 0; i < w.nb; i++) {
            const float *o = output + (size_t)i * w.per, *c = w.clean + (size_t)i * w.per;
            if (mse) mse[w.first + (size_t)i] = clae_mse(o, c, w.per);
            if (ssim) ssim[w.first + (size_t)i] = clae_ssim_image(o, c, nc->C, nc->H, nc->W);
        }
    }
    free(output);
    walk_close(&w);
    return st;
}

clae_api_status clae_api_model_score(clae_api_model *am, const clae_api_images *x, double *mse,
                                     double *ssim, int batch)
{
    api_enter();
    clae_api_status st = api_model_begin(am, "score", 1);
    if (st != CLAE_API_OK) return api_leave(st);
    st = api_check_images(am, x, "score");
    if (st == CLAE_API_OK) st = score(am, x, mse, ssim, batch);
    api_model_end(am, 1);
    return api_leave(st);
}
