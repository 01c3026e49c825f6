/* The training step over a model's layers; see include/clae/net.h. A loop
 * over the layers, each through its kind (clae/layer.h), every buffer a
 * clae_buf: nothing here asks which kind a layer is or which path runs. */
#include "clae/net.h"
#include "net_internal.h"

#include "clae/layer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t in_count(const clae_net *n, int i)  /* per image, input of layer i */
{
    return i == 0 ? clae_model_in_count(n->m) : clae_layer_out_count(&n->m->layers[i - 1]);
}

/* The slot whose buffer slot i's activation is: i, or where slot i is the
 * output of a view (clae_net_out_is_view, perhaps several in a row) the
 * first slot of the chain. Slot i's gradient: the same slot's, but slot 0
 * (the network input) has none: there the chain's second slot's. */
static int act_root(const clae_net *n, int i)
{
    while (i > 0 && clae_net_out_is_view(n, i - 1)) i--;
    return i;
}

static int grad_root(const clae_net *n, int i)
{
    const int r = act_root(n, i);
    return r > 0 ? r : (i > 0 ? 1 : 0);
}

static clae_status shapes_for(clae_net *n, int nb)
{
    if (nb < 1 || nb > n->N) {
        fprintf(stderr, "clae: batch of %d images does not fit buffers for %d\n", nb, n->N);
        return CLAE_ERR_ARG;
    }
    if (n->g_n != nb) {
        CLAE_TRY(clae_model_shapes(n->m, nb, n->g));
        n->g_n = nb;
    }
    return CLAE_OK;
}

void clae_net_memory(const clae_net *n, double *batch_bytes, double *param_bytes,
                     double *largest)
{
    const clae_model *m = n->m;
    double total = 0, big = 0;
    for (int i = 0; i <= n->L; i++) {
        double b = (double)n->N * (double)in_count(n, i) * sizeof(float);
        /* activation and its gradient, where not views */
        total += (act_root(n, i) == i ? b : 0) + (i > 0 && grad_root(n, i) == i ? b : 0);
        if (b > big) big = b;
        if (i < n->L)
            total += (double)clae_layer_aux_bytes(&m->layers[i], n->N);
        if (i > 0 && n->pend && (n->pend[i].h || n->pend[i].d)) total += b;
    }
    total += (double)n->N * (double)in_count(n, n->L) * sizeof(float); /* target */
    double params = 4.0 * (double)m->block_floats * sizeof(float); /* params, grads, Adam m, v */
    if ((double)m->block_floats * sizeof(float) > big) big = (double)m->block_floats * sizeof(float);
    if (batch_bytes) *batch_bytes = total;
    if (param_bytes) *param_bytes = params;
    if (largest) *largest = big;
}

/* What create_device is about to allocate, against the device's memory and
 * its largest allocation, before any of it is: a batch that does not fit is
 * one line here, not an abort inside the driver at first use (PoCL allocates
 * lazily). Half the device's memory is left for the trainer's upload slots,
 * the convolutions' scratch buffers and the driver. */
static clae_status fits_device(const clae_net *n)
{
    const clae_device *d = n->d;
    cl_ulong global = d->global_mem, max_alloc = d->max_alloc;
    double batch, params, largest;
    clae_net_memory(n, &batch, &params, &largest);
    double total = batch + params;
    if (total > 0.5 * (double)global || largest > (double)max_alloc) {
        fprintf(stderr, "clae: a batch of %d needs %.0f MiB of device memory (largest buffer "
                "%.0f MiB); %s has %.0f MiB (largest buffer %.0f MiB), half of it usable: use a "
                "smaller batch\n",
                n->N, total / 1048576.0, largest / 1048576.0, d->name, (double)global / 1048576.0,
                (double)max_alloc / 1048576.0);
        return CLAE_ERR_ARG;
    }
    return CLAE_OK;
}


clae_status clae_net_create(clae_net *n, clae_model *m, clae_device *d, int N)
{
    memset(n, 0, sizeof *n);
    n->m = m;
    n->d = d;
    n->N = N;
    n->L = m->nlayers;
    if (N < 1 || !m->params) return CLAE_ERR_ARG;
    int L = n->L;
    n->g = calloc((size_t)L, sizeof *n->g);
    n->act = calloc((size_t)L + 1, sizeof *n->act);
    n->grad = calloc((size_t)L + 1, sizeof *n->grad);
    n->aux = calloc((size_t)L, sizeof *n->aux);
    n->w = calloc((size_t)L, sizeof *n->w);
    n->b = calloc((size_t)L, sizeof *n->b);
    n->gw = calloc((size_t)L, sizeof *n->gw);
    n->gb = calloc((size_t)L, sizeof *n->gb);
    n->state = calloc(2 * (size_t)L, sizeof *n->state);
    n->pend = calloc((size_t)L + 1, sizeof *n->pend);
    clae_status st = CLAE_ERR_NOMEM;
    if (n->g && n->act && n->grad && n->aux && n->w && n->b && n->gw && n->gb && n->state && n->pend)
        st = shapes_for(n, N);
    if (st == CLAE_OK) st = clae_model_check_align(m, d->align_bytes);
    if (st == CLAE_OK) st = fits_device(n);
    for (int i = 0; i <= L && st == CLAE_OK; i++) {
        size_t bytes = (size_t)N * in_count(n, i) * sizeof(float);
        const int ra = act_root(n, i), rg = grad_root(n, i);
        st = ra == i ? clae_buf_alloc(d, bytes, &n->act[i])
                     : clae_buf_view(d, n->act[ra], 0, bytes, &n->act[i]);
        if (st == CLAE_OK && i > 0)
            st = rg == i ? clae_buf_alloc(d, bytes, &n->grad[i])
                         : clae_buf_view(d, n->grad[rg], 0, bytes, &n->grad[i]);
        if (st == CLAE_OK && i < L && clae_layer_aux_bytes(&m->layers[i], N))
            st = clae_buf_alloc(d, clae_layer_aux_bytes(&m->layers[i], N), &n->aux[i]);
    }
    for (int i = 0; i < L && st == CLAE_OK; i++) { /* gradients a residual add sends back */
        const clae_layer *l = &m->layers[i];
        int j = l->src == CLAE_SRC_INPUT ? 0 : l->src + 1; /* act[j] is what it adds */
        if (l->kind->grads_src && j > 0 && !n->pend[j].h && !n->pend[j].d)
            st = clae_buf_alloc(d, (size_t)N * in_count(n, j) * sizeof(float), &n->pend[j]);
    }
    if (st == CLAE_OK)
        st = clae_buf_alloc(d, (size_t)N * in_count(n, L) * sizeof(float), &n->target);
    if (st == CLAE_OK) st = clae_buf_alloc(d, sizeof(float), &n->loss);
    if (st == CLAE_OK && clae_model_has_terms(m))
        st = clae_buf_alloc(d, CLAE_NTERMS * sizeof(float), &n->terms);
    if (st == CLAE_OK && (d->cb.create || m->net.clipnorm > 0)) /* Adam's hp (adam.cl) */
        st = clae_buf_alloc(d, 3 * sizeof(float), &n->lr_t);
    /* State tensors (batch_norm's moving statistics) and [train] freeze's
     * layers' tensors come first in the blocks (with branches: first in
     * each part); with their optimizer state zero (and their gradients never
     * set), Adam and SGD leave them exactly as they are, even after a resume
     * of a run that trained them; AdamW's decay starts after them */
    clae_net_parts(n);
    for (int r = 0; r <= m->nbranches; r++) {
        const struct clae_net_range *x = &n->range[r];
        memset(m->adam_m + x->from, 0, x->frozen * sizeof(float));
        memset(m->adam_v + x->from, 0, x->frozen * sizeof(float));
    }
    n->decay_from = n->range[0].frozen; /* without branches range[0] is the whole block */
    /* The blocks: on the reference path the model's own host memory. */
    size_t bytes = m->block_floats * sizeof(float);
    if (st == CLAE_OK) st = clae_buf_mirror(d, m->params, bytes, &n->params);
    if (st == CLAE_OK) st = clae_buf_mirror(d, m->grads, bytes, &n->grads);
    if (st == CLAE_OK) st = clae_buf_mirror(d, m->adam_m, bytes, &n->adam_m);
    if (st == CLAE_OK) st = clae_buf_mirror(d, m->adam_v, bytes, &n->adam_v);
    if (st == CLAE_OK) st = clae_buf_fill0(d, n->grads, bytes);
    for (int i = 0; i < L && st == CLAE_OK; i++) {
        const clae_layer *l = &m->layers[i];
        clae_buf *views[2][2] = {{&n->w[i], &n->gw[i]}, {&n->b[i], &n->gb[i]}};
        for (int p = 0; p < 2 && st == CLAE_OK; p++) {
            const int ti = p == 0 ? l->weight : l->bias;
            if (ti < 0) continue; /* none, or use_bias = false */
            const clae_tensor *t = &m->tensors[ti];
            size_t off = t->offset * sizeof(float), len = t->count * sizeof(float);
            st = clae_buf_view(d, n->params, off, len, views[p][0]);
            if (st == CLAE_OK) st = clae_buf_view(d, n->grads, off, len, views[p][1]);
        }
        for (int s = 0; s < 2 && st == CLAE_OK; s++) {
            if (l->state[s] < 0) continue;
            const clae_tensor *t = &m->tensors[l->state[s]];
            st = clae_buf_view(d, n->params, t->offset * sizeof(float), t->count * sizeof(float),
                               &n->state[2 * i + s]);
        }
    }
    if (st == CLAE_OK) st = clae_net_ranges(n);
    n->rec_off = m->nbranches > 0; /* a recording holds one path */
    if (st == CLAE_ERR_NOMEM) fprintf(stderr, "clae: out of memory for a batch of %d\n", N);
    if (st != CLAE_OK) clae_net_free(n);
    return st;
}

static void free_all(clae_buf *a, int k)
{
    if (!a) return;
    for (int i = k - 1; i >= 0; i--) clae_buf_free(&a[i]); /* views (later slots) first */
    free(a);
}

void clae_net_free(clae_net *n)
{
    int L = n->L;
    /* views before their parents */
    clae_net_ranges_free(n);
    free_all(n->w, L);
    free_all(n->b, L);
    free_all(n->gw, L);
    free_all(n->gb, L);
    free_all(n->state, 2 * L);
    free_all(n->act, L + 1);
    free_all(n->grad, L + 1);
    free_all(n->aux, L);
    free_all(n->pend, L + 1);
    for (int i = 0; i < 2; i++) clae_recording_free(n->d, &n->rec[i].r);
    for (int i = 0; i < 4; i++) clae_event_wait(&n->lr_ev[i]);
    clae_buf *singles[] = {&n->target, &n->loss, &n->params, &n->grads, &n->adam_m, &n->adam_v,
                           &n->lr_t, &n->terms};
    for (size_t i = 0; i < sizeof singles / sizeof singles[0]; i++) clae_buf_free(singles[i]);
    free(n->g);
    memset(n, 0, sizeof *n);
}

/* ---- the step: a loop over the layers, each through its kind ------------ */

/* What layer i refers to: act[j] and its pending gradient, j = src + 1
 * (0: the network input, which needs no gradient). */
static clae_buf src_act(clae_net *n, int i)
{
    int src = n->m->layers[i].src;
    return src == -1 ? (clae_buf){0} : n->act[src == CLAE_SRC_INPUT ? 0 : src + 1];
}

static clae_buf src_pend(clae_net *n, int i)
{
    int src = n->m->layers[i].src;
    return src >= 0 ? n->pend[src + 1] : (clae_buf){0};
}

clae_layer_run clae_net_layer_run(clae_net *n, int i)
{
    const int in = clae_net_in_slot(n, i);
    return (clae_layer_run){.d = n->d, .l = &n->m->layers[i], .g = &n->g[i], .in = n->act[in],
                            .out = n->act[i + 1], .din = n->grad[in], .dout = n->grad[i + 1],
                            .aux = n->aux[i], .w = n->w[i], .b = n->b[i], .dw = n->gw[i],
                            .db = n->gb[i], .state = {n->state[2 * i], n->state[2 * i + 1]},
                            .index = i, .training = n->training,
                            .out_is_view = clae_net_out_is_view(n, i),
                            .frozen = clae_model_layer_frozen(n->m, i),
                            .seed = n->seed, .step = n->t,
                            .src_out = src_act(n, i), .src_grad = src_pend(n, i),
                            .src_aux = n->m->layers[i].src >= 0 ? n->aux[n->m->layers[i].src]
                                                                : (clae_buf){0},
                            .terms = n->terms};
}

unsigned clae_model_term_mask(const clae_model *m)
{
    unsigned mask = 1u << CLAE_TERM_RECON;
    for (int i = 0; i < m->nlayers; i++) {
        const clae_layer *l = &m->layers[i];
        if (l->activity_l1 > 0) mask |= 1u << CLAE_TERM_ACTIVITY;
        if (l->kind->has_terms && l->kind->has_terms(l)) mask |= 1u << l->kind->term;
    }
    return mask;
}

int clae_model_has_terms(const clae_model *m) { return clae_model_term_mask(m) > 1u; }

static int has_buf(clae_buf b) { return b.h || b.d; }

static size_t out_elems(const clae_conv_shape *g) { return (size_t)g->N * g->K * g->P * g->Q; }

/* The activation of layer i as an epilogue. */
static clae_epi layer_act(const clae_net *n, int i)
{
    const clae_layer *l = &n->m->layers[i];
    return (clae_epi){.act = l->act, .alpha = l->alpha};
}

/* Whether layer i + 1's backward pass applies the derivative of layer i's
 * activation as it writes grad[i + 1] (its din): its kind fuses it, and no
 * residual add sends a gradient to act[i + 1] (that one is added after the
 * din is written, and must go through the derivative too). The last layer's
 * derivative goes with the loss. */
static int din_act_fused(const clae_net *n, int i)
{
    const int next = i < 0 ? -1 : clae_net_path_next(n, i); /* the layer after i on the path */
    if (next < 0) return 0;
    /* an activity penalty's gradient joins grad[i + 1] before the derivative */
    if (n->m->layers[i].activity_l1 > 0) return 0;
    if (n->m->layers[i].act == CLAE_ACT_SOFTMAX) return 0; /* rows, not values */
    return n->m->layers[next].kind->fuses_din_act && !n->pend[i + 1].h && !n->pend[i + 1].d;
}

/* Whether layer i's kind applies its activation as it writes its output
 * (a softmax, over a row, never). */
static int fwd_act_fused(const clae_net *n, int i)
{
    const clae_layer *l = &n->m->layers[i];
    return l->kind->fuses_act && l->act != CLAE_ACT_SOFTMAX;
}

clae_layer_run clae_net_forward_run(clae_net *n, int i)
{
    clae_layer_run r = clae_net_layer_run(n, i);
    if (fwd_act_fused(n, i)) r.act = layer_act(n, i);
    return r;
}

int clae_net_act_fwd_separate(const clae_net *n, int i)
{
    return n->m->layers[i].act != CLAE_ACT_NONE && !fwd_act_fused(n, i);
}

clae_layer_run clae_net_backward_run(clae_net *n, int i)
{
    clae_layer_run r = clae_net_layer_run(n, i);
    const int prev = clae_net_path_prev(n, i);
    if (din_act_fused(n, prev)) r.din_act = layer_act(n, prev);
    return r;
}

int clae_net_act_bwd_separate(const clae_net *n, int i)
{
    return n->m->layers[i].act != CLAE_ACT_NONE && !clae_model_is_head(n->m, i) &&
           !din_act_fused(n, i);
}

clae_status clae_net_act_forward(clae_net *n, int i)
{
    const clae_layer *l = &n->m->layers[i];
    const clae_conv_shape *g = &n->g[i];
    if (l->act == CLAE_ACT_SOFTMAX) /* a head's rows: one sample's values */
        return softmax_forward(n->d, n->act[i + 1], n->act[i + 1], (size_t)g->N,
                               g->K * g->P * g->Q);
    return act_forward(n->d, n->act[i + 1], n->act[i + 1], out_elems(g), l->act, l->alpha);
}

clae_status clae_net_forward_from(clae_net *n, int first, int nb)
{
    CLAE_TRY(shapes_for(n, nb));
    if (first < 0 || first > n->L) return CLAE_ERR_ARG;
    if (has_buf(n->terms))
        CLAE_TRY(clae_buf_fill0(n->d, n->terms, CLAE_NTERMS * sizeof(float)));
    for (int p = 0; p < clae_net_path_len(n); p++) {
        const int i = clae_net_path_layer(n, p);
        if (i < first) continue;
        if (n->training && clae_net_pool_fused(n, i)) { /* and the pool after it, next */
            CLAE_TRY(clae_net_pool_forward(n, i));
            p++;
            continue;
        }
        clae_layer_run r = clae_net_forward_run(n, i);
        CLAE_TRY(r.l->kind->forward(&r));
        if (clae_net_act_fwd_separate(n, i)) CLAE_TRY(clae_net_act_forward(n, i));
        if (!has_buf(n->terms)) continue;
        if (r.l->activity_l1 > 0) /* Keras: l1 * sum |y|, over the batch size */
            CLAE_TRY(penalty_sum(n->d, n->terms, CLAE_TERM_ACTIVITY, r.l->activity_l1 / (float)nb,
                                 r.out, 0, out_elems(r.g), CLAE_PEN_ABS));
        if (r.l->kind->terms && r.l->kind->has_terms(r.l)) CLAE_TRY(r.l->kind->terms(&r));
    }
    return CLAE_OK;
}

clae_status clae_net_forward(clae_net *n, int nb) { return clae_net_forward_from(n, 0, nb); }

/* The loss, and its gradient through the last layer's activation. */
clae_status clae_net_loss(clae_net *n, int nb)
{
    if (n->training && clae_net_loss_fused(n) >= 0) return CLAE_OK; /* backward takes it */
    const int o = clae_net_out_slot(n); /* act[n->L] but with branches */
    size_t cnt = (size_t)nb * in_count(n, o);
    if (n->m->net.loss_kind == CLAE_LOSS_CCE) /* after a softmax (the config says so) */
        CLAE_TRY(cce_step(n->d, n->loss, n->grad[o], n->act[o], n->target, (size_t)nb,
                          (int)in_count(n, o)));
    else /* a branch's own loss, or [net]'s */
        CLAE_TRY(loss_step(n->d,
                           n->m->nbranches ? n->m->branches[n->branch].loss_kind
                                           : n->m->net.loss_kind,
                           n->loss, n->grad[o], n->act[o], n->target, cnt, layer_act(n, o - 1)));
    if (!has_buf(n->terms)) return CLAE_OK;
    return loss_terms(n->d, n->loss, n->terms, CLAE_NTERMS);
}

clae_status clae_net_backward(clae_net *n, int nb)
{
    CLAE_TRY(shapes_for(n, nb));
    for (int j = 1; j <= n->L; j++) /* residual adds collect into these */
        if (n->pend[j].h || n->pend[j].d)
            CLAE_TRY(clae_buf_fill0(n->d, n->pend[j], (size_t)nb * in_count(n, j) * sizeof(float)));
    /* [train] freeze: the layers up to it get no gradient (theirs stay 0, so
     * the optimizer leaves their weights as they are); no input gradient where
     * no trainable layer comes before (clae_net_din_needed) */
    for (int p = clae_net_path_len(n) - 1; p >= 0; p--) {
        const int i = clae_net_path_layer(n, p);
        if (clae_model_layer_frozen(n->m, i)) break; /* frozen: the path's first layers */
        if (n->training && i > 0 && clae_net_pool_fused(n, i - 1))
            continue; /* runs with the conv before it */
        clae_layer_run r = clae_net_backward_run(n, i);
        if (!clae_net_din_needed(n, i)) r.din = (clae_buf){0};
        if (r.l->activity_l1 > 0) /* before the activation's derivative (not fused then) */
            CLAE_TRY(activity_l1_backward(n->d, r.dout, r.out, out_elems(r.g),
                                          r.l->activity_l1 / (float)nb));
        /* dout = grad[i + 1] through this layer's activation: done by the
         * loss (last layer), by layer i + 1's backward, or here */
        if (clae_net_act_bwd_separate(n, i))
            CLAE_TRY(act_backward(n->d, r.dout, r.dout, r.out, out_elems(r.g), r.l->act,
                                  r.l->alpha));
        if (n->training && clae_net_pool_fused(n, i))
            CLAE_TRY(clae_net_pool_backward(n, &r));
        else if (n->training && i == clae_net_loss_fused(n))
            CLAE_TRY(clae_net_loss_backward(n, &r));
        else
            CLAE_TRY(r.l->kind->backward(&r));
        /* grad[j] (j: its input's slot) is written: add what later residual
         * adds sent to act[j] */
        const int j = clae_net_in_slot(n, i);
        if (j > 0 && (n->pend[j].h || n->pend[j].d))
            CLAE_TRY(add_into(n->d, n->grad[j], n->pend[j], (size_t)nb * in_count(n, j)));
    }
    return CLAE_OK;
}

clae_status clae_net_zero_grad(clae_net *n)
{
    return clae_buf_fill0(n->d, n->grads, n->m->block_floats * sizeof(float));
}

/* The optimizer's settings for step t (1-based): lr times the schedule's
 * factor after t - 1 steps ([train] schedule; lr itself as reduce on
 * plateau leaves it). A constant schedule's factor is exactly 1. */
static clae_adam step_adam(const clae_net *n)
{
    clae_adam h = n->m->net.adam;
    if (!clae_schedule_is_constant(&n->m->train.sched))
        h.lr = (float)((double)h.lr * clae_schedule_factor(&n->m->train.sched, n->t - 1));
    return h;
}

static clae_status write_lr(clae_net *n);

/* The update after t steps; recorded: Adam's step's numbers from n->lr_t
 * (written before the replay), as with [net] global_clipnorm, whose scale
 * the device computes into it. */
/* The optimizer over one part of the blocks (the whole, or a path's trunk
 * or branch range), decay_from counted from its start. */
static clae_status update_part(clae_net *n, const struct clae_net_range *x, size_t decay_from,
                               int hp)
{
    const clae_net_config *c = &n->m->net;
    const clae_adam adam = step_adam(n);
    if (c->opt_kind == CLAE_OPT_SGD) { /* the velocity lives in the first moment's block */
        clae_sgd h = {.lr = adam.lr, .momentum = c->momentum, .nesterov = c->nesterov};
        return sgd_update(n->d, x->p, x->m, x->g, x->count, &h);
    }
    if (hp)
        return adamw_update_hp(n->d, x->p, x->m, x->v, x->g, x->count, decay_from, &adam, n->t,
                               n->lr_t);
    return adamw_update(n->d, x->p, x->m, x->v, x->g, x->count, decay_from, &adam, n->t);
}

static clae_status update(clae_net *n, int recorded)
{
    const clae_net_config *c = &n->m->net;
    const size_t nf = n->m->block_floats;
    if (c->clipnorm > 0 && c->opt_kind != CLAE_OPT_SGD) { /* over the whole block: the
                                                             other branches' gradients are 0 */
        if (!recorded) CLAE_TRY(write_lr(n));
        CLAE_TRY(grad_clip(n->d, n->grads, nf, c->clipnorm, n->lr_t));
    }
    const int hp = recorded || c->clipnorm > 0;
    if (n->m->nbranches == 0) {
        const struct clae_net_range all = {.from = 0, .count = nf, .p = n->params, .g = n->grads,
                                           .m = n->adam_m, .v = n->adam_v};
        return update_part(n, &all, n->decay_from, hp);
    }
    /* a path: the trunk's tensors and its branch's, AdamW's decay from
     * decay_from of the block on ([train] freeze's tensors come first) */
    const struct clae_net_range *parts[2] = {&n->range[0], &n->range[1 + n->branch]};
    for (int k = 0; k < 2; k++) {
        const struct clae_net_range *x = parts[k];
        if (x->count == 0) continue;
        CLAE_TRY(update_part(n, x, x->frozen, hp));
    }
    return CLAE_OK;
}

clae_status clae_net_update(clae_net *n)
{
    n->t++;
    return update(n, 0);
}

static clae_status step_commands(clae_net *n, int nb, int recorded)
{
    n->training = 1;
    clae_status st = clae_net_zero_grad(n);
    if (st == CLAE_OK) st = clae_net_forward(n, nb);
    if (st == CLAE_OK) st = clae_net_loss(n, nb);
    if (st == CLAE_OK) st = clae_net_backward(n, nb);
    n->training = 0;
    if (st == CLAE_OK && n->grad_hook) st = n->grad_hook(n, n->grad_user);
    if (st != CLAE_OK) return st;
    if (!recorded) n->t++;
    return update(n, recorded);
}

/* Record the step at batch nb into a slot; the slot's cb stays NULL (and
 * n->rec_off is set) where the step holds something a command buffer
 * cannot. Recorded again once if a scratch buffer grew or a kernel was
 * evicted meanwhile (an earlier command may hold the old one). */
static clae_status record_step(clae_net *n, int nb, struct clae_net_recording **out)
{
    clae_device *d = n->d;
    *out = NULL;
    struct clae_net_recording *r = &n->rec[n->rec_next];
    n->rec_next = 1 - n->rec_next;
    clae_recording_free(d, &r->r);
    for (int attempt = 0; attempt < 2; attempt++) {
        unsigned long gen = d->gen;
        if (clae_record_begin(d) != CLAE_OK) { /* this device cannot: steps run as ever */
            n->rec_off = 1;
            return CLAE_OK;
        }
        clae_status st = step_commands(n, nb, 1);
        clae_recording rec;
        clae_status end = clae_record_end(d, &rec);
        if (st == CLAE_OK) st = end;
        if (st != CLAE_OK || !rec.cb) {
            clae_recording_free(d, &rec);
            if (st == CLAE_OK) n->rec_off = 1;
            return st;
        }
        if (d->gen == gen) {
            r->r = rec;
            r->nb = nb;
            r->gen = gen;
            r->lr = n->m->net.adam.lr;
            *out = r;
            return CLAE_OK;
        }
        clae_recording_free(d, &rec);
    }
    n->rec_off = 1; /* buffers keep changing: not worth recording */
    return CLAE_OK;
}

/* The recording for batch nb, made now where there is none or it is stale. */
static clae_status recording_for(clae_net *n, int nb, struct clae_net_recording **out)
{
    for (int i = 0; i < 2; i++) {
        struct clae_net_recording *r = &n->rec[i];
        if (r->r.cb && r->nb == nb && r->gen == n->d->gen && r->lr == n->m->net.adam.lr) {
            *out = r;
            return CLAE_OK;
        }
    }
    return record_step(n, nb, out);
}

/* Adam's step size, weight decay and gradient scale 1 for step t into
 * n->lr_t, from a ring of host values (each kept until its write has
 * completed). */
static clae_status write_lr(clae_net *n)
{
    int k = (int)(n->t % 4);
    CLAE_TRY(clae_event_wait(&n->lr_ev[k]));
    const clae_adam adam = step_adam(n);
    n->lr_host[k][0] = clae_adam_lr_t(&adam, n->t);
    n->lr_host[k][1] = clae_adam_wd_lr(&adam);
    n->lr_host[k][2] = 1.0f;
    return clae_buf_write_async(n->d, n->d->queue, n->lr_t, n->lr_host[k], sizeof n->lr_host[k],
                                0, NULL, &n->lr_ev[k]);
}

clae_status clae_net_train_step(clae_net *n, int nb)
{
    clae_device *d = n->d;
    /* SGD's rate is an argument of the recording: a schedule changes it every step */
    const int sgd_sched = n->m->net.opt_kind == CLAE_OPT_SGD &&
                          !clae_schedule_is_constant(&n->m->train.sched);
    if (!d->cb.create || !d->replay || n->rec_off || n->grad_hook || sgd_sched)
        return step_commands(n, nb, 0);
    CLAE_TRY(shapes_for(n, nb));
    struct clae_net_recording *r;
    CLAE_TRY(recording_for(n, nb, &r));
    if (!r) return step_commands(n, nb, 0);
    n->t++;
    if (n->m->net.opt_kind != CLAE_OPT_SGD) CLAE_TRY(write_lr(n));
    return clae_replay(d, &r->r);
}

clae_status clae_net_read_loss(clae_net *n, float *loss)
{
    return clae_buf_read(n->d, n->loss, loss, sizeof *loss);
}

clae_status clae_net_download(clae_net *n)
{
    size_t bytes = n->m->block_floats * sizeof(float);
    CLAE_TRY(clae_buf_read(n->d, n->params, n->m->params, bytes));
    CLAE_TRY(clae_buf_read(n->d, n->grads, n->m->grads, bytes));
    CLAE_TRY(clae_buf_read(n->d, n->adam_m, n->m->adam_m, bytes));
    return clae_buf_read(n->d, n->adam_v, n->m->adam_v, bytes);
}

clae_status clae_net_read_output(clae_net *n, float *out, int nb)
{
    const int o = clae_net_out_slot(n);
    return clae_buf_read(n->d, n->act[o], out, (size_t)nb * in_count(n, o) * sizeof(float));
}

clae_status clae_net_infer(clae_net *n, const float *in, float *out, int nb)
{
    CLAE_TRY(clae_buf_write(n->d, n->act[0], in,
                            (size_t)nb * clae_model_in_count(n->m) * sizeof(float)));
    CLAE_TRY(clae_net_forward(n, nb));
    return clae_net_read_output(n, out, nb);
}
