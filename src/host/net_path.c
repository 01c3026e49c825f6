/* The path a net runs through a model with branches (include/clae/net.h):
 * the trunk, then one branch's layers, and the parts of the parameter
 * blocks a step of that path updates. A model without branches has one
 * path, every layer in order, and one range, the whole block. */
#include "clae/net.h"
#include "net_internal.h"

#include <stdio.h>

clae_status clae_net_set_branch(clae_net *n, int k)
{
    if (k < 0 || k >= (n->m->nbranches > 0 ? n->m->nbranches : 1)) {
        fprintf(stderr, "clae: %s has no branch %d\n", n->m->name, k);
        return CLAE_ERR_ARG;
    }
    n->branch = k;
    return CLAE_OK;
}

int clae_net_path_len(const clae_net *n)
{
    const clae_model *m = n->m;
    if (m->nbranches == 0) return n->L;
    return clae_model_trunk_layers(m) + m->branches[n->branch].count;
}

int clae_net_path_layer(const clae_net *n, int p)
{
    const clae_model *m = n->m;
    const int T = clae_model_trunk_layers(m);
    return m->nbranches == 0 || p < T ? p : m->branches[n->branch].first + (p - T);
}

/* Layer i's position on the path, -1 when it is not on it. */
static int path_pos(const clae_net *n, int i)
{
    const clae_model *m = n->m;
    const int T = clae_model_trunk_layers(m);
    if (m->nbranches == 0 || i < T) return i >= 0 && i < n->L ? i : -1;
    const clae_branch *b = &m->branches[n->branch];
    return i >= b->first && i < b->first + b->count ? T + (i - b->first) : -1;
}

int clae_net_path_prev(const clae_net *n, int i)
{
    const int p = path_pos(n, i);
    return p > 0 ? clae_net_path_layer(n, p - 1) : -1;
}

int clae_net_path_next(const clae_net *n, int i)
{
    const int p = path_pos(n, i);
    return p >= 0 && p + 1 < clae_net_path_len(n) ? clae_net_path_layer(n, p + 1) : -1;
}

int clae_net_din_needed(const clae_net *n, int i)
{
    for (int p = path_pos(n, i) - 1; p >= 0; p--) {
        const int k = clae_net_path_layer(n, p);
        if (n->m->layers[k].kind->nparams > 0 && !clae_model_layer_frozen(n->m, k)) return 1;
    }
    return 0;
}

int clae_net_in_slot(const clae_net *n, int i)
{
    const clae_model *m = n->m;
    for (int k = 0; k < m->nbranches; k++)
        if (i == m->branches[k].first) return clae_model_trunk_layers(m);
    return i;
}

int clae_net_out_is_view(const clae_net *n, int i)
{
    return n->m->layers[i].kind->views_input && clae_net_in_slot(n, i) == i;
}

int clae_net_out_slot(const clae_net *n)
{
    return clae_net_path_layer(n, clae_net_path_len(n) - 1) + 1;
}

/* The floats of the blocks that layers [first, end) have tensors in, and
 * how many of them, from the first, the optimizer leaves alone: the state
 * tensors (laid out first in each part) and [train] freeze's tensors. */
static void layers_range(const clae_model *m, int first, int end, struct clae_net_range *x)
{
    size_t lo = (size_t)-1, hi = 0, frozen_end = 0;
    for (int t = 0; t < m->ntensors; t++) {
        const clae_tensor *T = &m->tensors[t];
        if (T->layer < first || T->layer >= end) continue;
        if (T->offset < lo) lo = T->offset;
        if (T->offset + T->count > hi) hi = T->offset + T->count;
        if ((clae_model_layer_frozen(m, T->layer) || clae_tensor_is_state(T)) &&
            T->offset + T->count > frozen_end)
            frozen_end = T->offset + T->count;
    }
    x->from = hi > 0 ? lo : 0;
    x->count = hi > 0 ? hi - lo : 0;
    x->frozen = frozen_end > x->from ? frozen_end - x->from : 0;
}

void clae_net_parts(clae_net *n)
{
    const clae_model *m = n->m;
    for (int r = 0; r <= m->nbranches; r++) {
        const int first = r == 0 ? 0 : m->branches[r - 1].first;
        const int end = r == 0 ? clae_model_trunk_layers(m) : first + m->branches[r - 1].count;
        layers_range(m, first, end, &n->range[r]);
    }
    if (m->nbranches == 0) n->range[0].count = m->block_floats; /* the whole block */
}

clae_status clae_net_ranges(clae_net *n)
{
    const clae_model *m = n->m;
    for (int r = 0; m->nbranches > 0 && r <= m->nbranches; r++) {
        struct clae_net_range *x = &n->range[r];
        if (x->count == 0) continue;
        const size_t off = x->from * sizeof(float), len = x->count * sizeof(float);
        CLAE_TRY(clae_buf_view(n->d, n->params, off, len, &x->p));
        CLAE_TRY(clae_buf_view(n->d, n->grads, off, len, &x->g));
        CLAE_TRY(clae_buf_view(n->d, n->adam_m, off, len, &x->m));
        CLAE_TRY(clae_buf_view(n->d, n->adam_v, off, len, &x->v));
    }
    return CLAE_OK;
}

void clae_net_ranges_free(clae_net *n)
{
    for (int r = 0; r <= CLAE_MAX_BRANCHES; r++) {
        struct clae_net_range *x = &n->range[r];
        clae_buf_free(&x->p);
        clae_buf_free(&x->g);
        clae_buf_free(&x->m);
        clae_buf_free(&x->v);
    }
}
