/* A model's shapes: every layer's geometry at a batch size (its kind's
 * shape rule, each tensor within INT_MAX elements) and the per-sample
 * element counts of the input and the outputs. */
#include <limits.h>
#include <stdio.h>

#include "model/config.h"

/* a * b if it stays <= lim, else 0 */
size_t model_mul_lim(size_t a, size_t b, size_t lim)
{
    if (a && b > lim / a) return 0;
    return a * b;
}

static clae_status layer_shape(const clae_layer *l, int N, clae_conv_shape *g)
{
    return l->kind->shape(l, N, g);
}

/* Shapes at batch N; msg explains a failure. */
clae_status model_build_shapes(const clae_model *m, int N, clae_conv_shape *g, char *msg,
                               size_t len)
{
    if (N < 1 || N > MAX_BATCH) {
        snprintf(msg, len, "batch %d out of range 1..%d", N, MAX_BATCH);
        return CLAE_ERR_SHAPE;
    }
    if (!model_mul_lim((size_t)N, clae_model_in_count(m), INT_MAX)) {
        snprintf(msg, len, "batch %d: the input would have more than %d elements", N, INT_MAX);
        return CLAE_ERR_SHAPE;
    }
    for (int i = 0; i < m->nlayers; i++) {
        const clae_layer *l = &m->layers[i];
        if (layer_shape(l, N, &g[i]) != CLAE_OK) {
            snprintf(msg, len, "layer %d has no valid shape", i);
            return CLAE_ERR_SHAPE;
        }
        if (!model_mul_lim((size_t)N, clae_layer_out_count(l), INT_MAX)) {
            snprintf(msg, len, "batch %d: layer %d's output would have more than %d elements", N,
                     i, INT_MAX);
            return CLAE_ERR_SHAPE;
        }
    }
    return CLAE_OK;
}

clae_status clae_model_shapes(const clae_model *m, int N, clae_conv_shape *g)
{
    char msg[160];
    clae_status st = model_build_shapes(m, N, g, msg, sizeof msg);
    if (st != CLAE_OK) fprintf(stderr, "clae: %s: %s\n", m->name ? m->name : "model", msg);
    return st;
}

size_t clae_model_in_count(const clae_model *m)
{
    return (size_t)m->net.H * (size_t)m->net.W * (size_t)m->net.C;
}

size_t clae_layer_out_count(const clae_layer *l)
{
    return (size_t)l->out_h * (size_t)l->out_w * (size_t)l->out_c;
}

size_t clae_layer_aux_bytes(const clae_layer *l, int N)
{
    return (size_t)N * clae_layer_out_count(l) * l->kind->aux_bytes +
           (size_t)l->out_c * l->kind->aux_channel_bytes;
}

size_t clae_model_max_count(const clae_model *m)
{
    size_t mx = clae_model_in_count(m);
    for (int i = 0; i < m->nlayers; i++) {
        size_t n = clae_layer_out_count(&m->layers[i]);
        if (n > mx) mx = n;
    }
    return mx;
}

int clae_model_trunk_layers(const clae_model *m)
{
    return m->nbranches > 0 ? m->branches[0].first : m->nlayers;
}

int clae_model_branch_of(const clae_model *m, int i)
{
    for (int k = 0; k < m->nbranches; k++)
        if (i >= m->branches[k].first && i < m->branches[k].first + m->branches[k].count)
            return k;
    return -1;
}

int clae_model_is_head(const clae_model *m, int i)
{
    if (i == m->nlayers - 1) return 1;
    for (int k = 0; k < m->nbranches; k++)
        if (i == m->branches[k].first + m->branches[k].count - 1) return 1;
    return 0;
}

int clae_model_layer_frozen(const clae_model *m, int i)
{
    const int f = m->train.freeze;
    if (f < 0) return 0;
    const int kf = clae_model_branch_of(m, f);
    if (kf < 0) return i <= f; /* the trunk's (or a model without branches) */
    return i < clae_model_trunk_layers(m) || (clae_model_branch_of(m, i) == kf && i <= f);
}
