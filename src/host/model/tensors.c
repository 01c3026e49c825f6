/* A model's parameter tensors: their list (PyTorch names and layouts from
 * each layer's kind), their offsets in the four blocks (parameters,
 * gradients, Adam's m and v), the blocks' memory and the Glorot-uniform
 * initialisation. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/config.h"

const clae_tensor *clae_model_tensors(const clae_model *m, int *n)
{
    if (n) *n = m->ntensors;
    return m->tensors;
}

int clae_model_find_tensor(const clae_model *m, const char *name)
{
    for (int i = 0; i < m->ntensors; i++)
        if (strcmp(m->tensors[i].name, name) == 0) return i;
    return -1;
}

static size_t round_up(size_t x, size_t a) { return (x + a - 1) / a * a; }

/* The part of the blocks layer i's tensors lie in: 0 the trunk, 1 + k branch k. */
static int part_of(const clae_model *m, int i) { return 1 + clae_model_branch_of(m, i); }

/* Offsets part by part (the trunk, then each branch), and in each part the
 * state tensors first: with [train] freeze's tensors after them, the part's
 * first floats are the ones the optimizer leaves alone (clae/net.h). */
clae_status clae_model_layout(clae_model *m, size_t align_floats)
{
    if (align_floats == 0 || (align_floats & (align_floats - 1)) || m->params || m->grads ||
        m->adam_m || m->adam_v)
        return CLAE_ERR_ARG;
    size_t cur = 0;
    for (int part = 0; part <= m->nbranches; part++)
        for (int state = 1; state >= 0; state--)
            for (int i = 0; i < m->ntensors; i++) {
                clae_tensor *t = &m->tensors[i];
                if (part_of(m, t->layer) != part || clae_tensor_is_state(t) != state) continue;
                t->offset = round_up(cur, align_floats);
                cur = t->offset + t->count;
            }
    m->align = align_floats;
    m->block_floats = round_up(cur, align_floats);
    return CLAE_OK;
}

clae_status clae_model_check_align(const clae_model *m, size_t align_bytes)
{
    if (align_bytes == 0 || (m->align * sizeof(float)) % align_bytes == 0) return CLAE_OK;
    fprintf(stderr,
            "clae: tensor alignment %zu bytes is not a multiple of the device's base address "
            "alignment %zu bytes\n",
            m->align * sizeof(float), align_bytes);
    return CLAE_ERR_ARG;
}

static void add_tensor(clae_model *m, int layer, int role, const char *what, int ndim,
                       const int *dims)
{
    clae_tensor *t = &m->tensors[m->ntensors++];
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "layers.%d.%s", layer, what);
    t->layer = layer;
    t->role = role;
    t->ndim = ndim;
    t->count = 1;
    for (int i = 0; i < ndim; i++) {
        t->dims[i] = dims[i];
        t->count *= (size_t)dims[i];
    }
}

int clae_layer_has_param(const clae_layer *l, int p)
{
    return p < l->kind->nparams && (!l->kind->has_param || l->kind->has_param(l, p));
}

clae_status model_build_tensors(clae_model *m)
{
    int ntens = 0;
    for (int i = 0; i < m->nlayers; i++) ntens += m->layers[i].kind->nparams + m->layers[i].kind->nstate;
    m->tensors = calloc((size_t)ntens + 1, sizeof *m->tensors);
    if (!m->tensors) return CLAE_ERR_NOMEM;
    m->nparams = 0;
    for (int i = 0; i < m->nlayers; i++) {
        clae_layer *l = &m->layers[i];
        l->weight = l->bias = l->state[0] = l->state[1] = -1;
        for (int p = 0; p < l->kind->nparams; p++) {
            if (!clae_layer_has_param(l, p)) continue;
            int nd, dims[4];
            l->kind->param_dims(l, p, &nd, dims);
            if (p == 0) l->weight = m->ntensors;
            if (p == 1) l->bias = m->ntensors;
            add_tensor(m, i, p, l->kind->param_names[p], nd, dims);
            m->nparams += m->tensors[m->ntensors - 1].count;
        }
        for (int s = 0; s < l->kind->nstate; s++) {
            l->state[s] = m->ntensors;
            add_tensor(m, i, 2 + s, l->kind->state_names[s], 1, &l->out_c);
            m->nparams += m->tensors[m->ntensors - 1].count;
        }
    }
    return clae_model_layout(m, CLAE_ALIGN_FLOATS);
}

/* ---- blocks and init ------------------------------------------------------ */

clae_status clae_model_alloc(clae_model *m)
{
    if (m->params) return CLAE_OK;
    size_t bytes = round_up((m->block_floats ? m->block_floats : 1) * sizeof(float), 64);
    float **blocks[4] = {&m->params, &m->grads, &m->adam_m, &m->adam_v};
    for (int i = 0; i < 4; i++) {
        *blocks[i] = aligned_alloc(64, bytes);
        if (!*blocks[i]) {
            for (int j = 0; j < 4; j++) {
                free(*blocks[j]);
                *blocks[j] = NULL;
            }
            fprintf(stderr, "clae: out of memory for %zu bytes of parameters\n", 4 * bytes);
            return CLAE_ERR_NOMEM;
        }
        memset(*blocks[i], 0, bytes);
    }
    return CLAE_OK;
}

double clae_tensor_glorot_limit(const clae_model *m, int t)
{
    const clae_tensor *x = &m->tensors[t];
    const clae_layer *l = &m->layers[x->layer];
    if (t != l->weight || l->kind->param_init[0] != CLAE_INIT_GLOROT) return 0.0;
    return sqrt(6.0 / l->kind->fans(l));
}

clae_status clae_model_init(clae_model *m, clae_rng *rng)
{
    CLAE_TRY(clae_model_alloc(m));
    for (int t = 0; t < m->ntensors; t++) {
        const clae_tensor *x = &m->tensors[t];
        float *p = m->params + x->offset;
        const clae_layer *l = &m->layers[x->layer];
        clae_init how = clae_tensor_is_state(x) ? l->kind->state_init[x->role - 2]
                                                : l->kind->param_init[x->role];
        if (how != CLAE_INIT_GLOROT) {
            for (size_t i = 0; i < x->count; i++) p[i] = how == CLAE_INIT_ONE ? 1.0f : 0.0f;
            continue;
        }
        double limit = clae_tensor_glorot_limit(m, t);
        for (size_t i = 0; i < x->count; i++) {
            double u = (double)clae_rng_uniform(rng);
            p[i] = (float)(limit * (2.0 * u - 1.0));
        }
    }
    return CLAE_OK;
}
