/* Fused passes of the training step (clae/ops.h's conv2d_pool and
 * conv2d_loss): which layers of a net take them, and running them. A
 * training step on the OpenCL backend's direct convolutions runs
 *  - a conv2d and the 2x2 stride-2 max-pool after it as one forward pass
 *    (the pooled values and argmax written, not the conv's output) and one
 *    backward pass (the pool's backward rebuilt inside the conv's weight
 *    gradient);
 *  - the loss and its gradient inside the last layer's weight gradient,
 *    where that layer is a conv2d.
 * net.c takes them only in training steps (n->training): inference,
 * validation and the commands that read a layer's output (encode, the
 * VAE's decoder) run every layer as it is. $CLAE_FUSE=0 (clae_device.fuse)
 * turns both off. */
#include "clae/layer.h"
#include "clae/net.h"
#include "net_internal.h"

/* No layer refers to layer i's output (a residual add, an unpooling's pool). */
static int unreferenced(const clae_net *n, int i)
{
    for (int j = 0; j < n->L; j++)
        if (n->m->layers[j].src == i) return 0;
    return !n->pend[i + 1].h && !n->pend[i + 1].d; /* no gradient sent to it either */
}

/* Layer i's output is only the next layer's input, with nothing of its own
 * added to the loss. */
static int plain_link(const clae_net *n, int i)
{
    const clae_layer *l = &n->m->layers[i];
    return !clae_model_layer_frozen(n->m, i) && l->activity_l1 == 0 &&
           !(l->kind->has_terms && l->kind->has_terms(l)) && unreferenced(n, i);
}


int clae_net_pool_fused(const clae_net *n, int i)
{
    if (!n->d->fuse || i < 0 || i + 1 >= n->L || clae_net_path_next(n, i) != i + 1) return 0;
    const clae_layer *conv = &n->m->layers[i], *pool = &conv[1];
    return conv->kind->fusable_conv && pool->kind->fusable_pool &&
           conv->act != CLAE_ACT_SOFTMAX && plain_link(n, i) && plain_link(n, i + 1) &&
           conv2d_pool_fusable(n->d, &n->g[i], &n->g[i + 1]);
}

/* The loss of the path's output and its last layer, or -1 where the loss
 * runs as a pass of its own. */
int clae_net_loss_fused(const clae_net *n)
{
    const clae_model *m = n->m;
    if (!n->d->fuse || m->nbranches > 0 || n->terms.h || n->terms.d) return -1;
    const int i = n->L - 1;
    const clae_layer *l = &m->layers[i];
    if (!l->kind->fusable_conv || l->act == CLAE_ACT_SOFTMAX || !plain_link(n, i) ||
        clae_net_pool_fused(n, i - 1))
        return -1;
    return conv2d_loss_fusable(n->d, &n->g[i], m->net.loss_kind) ? i : -1;
}

clae_status clae_net_pool_forward(clae_net *n, int i)
{
    const clae_layer_run r = clae_net_forward_run(n, i);
    return conv2d_pool_forward_cl(n->d, n->act[i + 2].d, n->aux[i + 1].d, r.in.d, r.w.d, r.b.d,
                                  r.g, r.act);
}

/* r: layer i's backward run (its din absent where nothing needs it). */
clae_status clae_net_pool_backward(clae_net *n, const clae_layer_run *r)
{
    const int i = r->index;
    const clae_epi act = {.act = r->l->act, .alpha = r->l->alpha};
    return conv2d_pool_backward_cl(n->d, r->din.d, r->dw.d, r->db.d, r->dout.d,
                                   n->grad[i + 2].d,
                                   n->aux[i + 1].d, n->act[i + 2].d, r->in.d, r->w.d, r->g, act,
                                   r->din_act);
}

clae_status clae_net_loss_backward(clae_net *n, const clae_layer_run *r)
{
    const clae_epi act = {.act = r->l->act, .alpha = r->l->alpha};
    return conv2d_loss_backward_cl(n->d, r->din.d, r->dw.d, r->db.d, r->dout.d,
                                   n->loss.d,
                                   n->m->net.loss_kind, r->out.d, n->target.d, r->in.d, r->w.d,
                                   r->g, act, r->din_act);
}
