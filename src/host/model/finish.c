/* A model once its config text is read: each layer's defaults, checks,
 * shape and tensor sizes in order, the network's head against what it
 * learns (images or labels), [train] freeze, the tensor list, and whether
 * the batch fits. Every problem is one error line naming a key. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "model/config.h"

/* The last layer against what the network learns: an autoencoder's output
 * is the input's shape; a classifier's (target = labels) is 1x1xK after a
 * softmax [dense] head, with categorical_crossentropy, on clean inputs.
 * Softmax and categorical_crossentropy go together and nowhere else. */
static int check_head(pctx *c, int head, int H, int W, int C)
{
    clae_model *m = c->m;
    const clae_layer *last = &m->layers[head];
    for (int i = 0; i < m->nlayers; i++) {
        const clae_layer *l = &m->layers[i];
        if (l->act == CLAE_ACT_SOFTMAX && (i != m->nlayers - 1 || !l->kind->softmax_head)) {
            config_fail(c, config_key_line(&c->lsrc[i], "activation"), "activation",
                        "layer %d (%s): softmax only on the last layer, a [dense] head", i,
                        l->kind->name);
            return 0;
        }
    }
    int cce = m->net.loss_kind == CLAE_LOSS_CCE, soft = last->act == CLAE_ACT_SOFTMAX;
    if (cce != soft || (cce && !m->train.labels)) {
        config_fail(c, config_key_line(&c->net, "loss"), "loss",
                    "categorical_crossentropy goes with a softmax last layer and [train] "
                    "target = labels (loss %s, last activation %s, target %s)", m->net.loss,
                    clae_act_names[last->act],
                    m->train.labels ? "labels" : "images");
        return 0;
    }
    if (!m->train.labels) {
        if (H == m->net.H && W == m->net.W && C == m->net.C) return 1;
        const int k = clae_model_branch_of(m, head);
        if (k >= 0)
            config_fail(c, last->line, NULL,
                        "branch %s: its last layer's output (None, %d, %d, %d) must match the "
                        "input (None, %d, %d, %d)",
                        m->branches[k].name, H, W, C, m->net.H, m->net.W, m->net.C);
        else
            config_fail(c, last->line, NULL,
                        "the last layer's output (None, %d, %d, %d) must match the input "
                        "(None, %d, %d, %d)",
                        H, W, C, m->net.H, m->net.W, m->net.C);
        return 0;
    }
    if (H != 1 || W != 1 || C < 2) {
        config_fail(c, last->line, NULL,
                    "target = labels: the last layer's output (None, %d, %d, %d) must be "
                    "(None, 1, 1, K), one value a class", H, W, C);
        return 0;
    }
    if (strcmp(m->train.corrupt, "none") != 0) {
        config_fail(c, config_key_line(&c->train, "corrupt"), "corrupt",
                    "target = labels takes corrupt = none (a classifier of clean images)");
        return 0;
    }
    return 1;
}

/* Layer i of the model after its section is read: its defaults, what it
 * refers to, its kind's checks, its shape from the input (H, W, C), which
 * becomes its output, and its tensors' sizes. 0 after an error. */
static int finish_layer(pctx *c, int i, int *H, int *W, int *C)
{
    clae_model *m = c->m;
    clae_layer *l = &m->layers[i];
    const sec_src *s = &c->lsrc[i];
    const char *tn = l->kind->name;
    if (!config_layer_defaults(c, l, s)) return 0;
    l->in_h = *H, l->in_w = *W, l->in_c = *C;
    l->src_layer = l->src >= 0 ? &m->layers[l->src] : NULL;
    if (l->src_layer)
        l->src_h = l->src_layer->out_h, l->src_w = l->src_layer->out_w,
        l->src_c = l->src_layer->out_c;
    else if (l->src == CLAE_SRC_INPUT)
        l->src_h = m->net.H, l->src_w = m->net.W, l->src_c = m->net.C;
    if (l->activity_l1 > 0 && clae_model_is_head(m, i)) {
        config_fail(c, config_key_line(s, "activity_l1"), "activity_l1",
                    "layer %d (%s): not on the last layer (its derivative goes with the loss's); "
                    "put it on the code layer", i, tn);
        return 0;
    }
    if (l->kind->check) {
        char msg[200];
        const char *k = l->kind->check(l, msg, sizeof msg);
        if (k) {
            config_fail(c, config_key_line(s, k), k, "layer %d (%s): %s", i, tn, msg);
            return 0;
        }
    }
    /* an upsampling layer's output is about its input times its stride
     * (or factor): bounded before the shape is computed in int */
    const char *k = l->kind->grow_key;
    if (k && ((long)*H * l->sh + l->R > MAX_DIM || (long)*W * l->sw + l->S > MAX_DIM)) {
        config_fail(c, config_key_line(s, k), k,
                    "layer %d (%s): output would be larger than %dx%d", i, tn, MAX_DIM, MAX_DIM);
        return 0;
    }
    clae_conv_shape g;
    if (l->kind->shape(l, 1, &g) != CLAE_OK) {
        config_fail(c, config_key_line(s, "size"), "size",
                    "layer %d (%s): a %dx%d window with padding=valid does not fit its %dx%d input",
                    i, tn, l->R, l->S, *H, *W);
        return 0;
    }
    if (g.P > MAX_DIM || g.Q > MAX_DIM) {
        config_fail(c, config_key_line(s, "stride"), "stride",
                    "layer %d (%s): output %dx%d is larger than %dx%d", i, tn, g.P, g.Q, MAX_DIM,
                    MAX_DIM);
        return 0;
    }
    l->out_h = *H = g.P;
    l->out_w = *W = g.Q;
    l->out_c = *C = g.K;
    for (int p = 0; p < l->kind->nparams; p++) {
        if (!clae_layer_has_param(l, p)) continue;
        int nd, dims[4];
        l->kind->param_dims(l, p, &nd, dims);
        size_t cnt = 1;
        for (int j = 0; j < nd && cnt; j++) cnt = model_mul_lim(cnt, (size_t)dims[j], INT_MAX);
        if (!cnt) {
            const char *k0 = l->kind->keys[0].name;
            config_fail(c, config_key_line(s, k0), k0,
                        "layer %d (%s): the %s would have more than %d elements", i, tn,
                        l->kind->param_names[p], INT_MAX);
            return 0;
        }
    }
    return 1;
}

/* Every layer in order, each branch's first from the trunk's output, and
 * each head (the last layer, or every branch's last) checked. 0 after an error. */
static int finish_layers(pctx *c)
{
    clae_model *m = c->m;
    const int trunk = clae_model_trunk_layers(m);
    int H = m->net.H, W = m->net.W, C = m->net.C, tH = H, tW = W, tC = C;
    for (int i = 0; i < m->nlayers; i++) {
        if (i >= trunk && clae_model_branch_of(m, i) != clae_model_branch_of(m, i - 1))
            H = tH, W = tW, C = tC; /* a branch starts: from the trunk's output */
        if (!finish_layer(c, i, &H, &W, &C)) return 0;
        if (i == trunk - 1) tH = H, tW = W, tC = C;
        if (clae_model_is_head(m, i) && !check_head(c, i, H, W, C)) return 0;
    }
    return 1;
}

/* [train] freeze = NAME, resolved now that every layer is read. 0 after an error. */
static int resolve_freeze(pctx *c)
{
    clae_model *m = c->m;
    m->train.freeze = -1;
    if (!m->train.freeze_name[0]) return 1;
    for (int i = 0; i < m->nlayers; i++)
        if (strcmp(m->layers[i].name, m->train.freeze_name) == 0) m->train.freeze = i;
    if (m->train.freeze < 0) {
        config_fail(c, config_key_line(&c->train, "freeze"), "freeze", "no layer is named '%s'",
                    m->train.freeze_name);
        return 0;
    }
    if (m->nbranches == 0 && m->train.freeze == m->nlayers - 1) {
        config_fail(c, config_key_line(&c->train, "freeze"), "freeze",
                    "'%s' is the last layer: nothing would train", m->train.freeze_name);
        return 0;
    }
    return 1;
}

void config_finish(pctx *c)
{
    clae_model *m = c->m;
    if (!c->net.line) {
        config_fail(c, 0, NULL, "missing [net] section");
        return;
    }
    if (!config_key_seen(&c->net, "input")) {
        config_fail(c, c->net.line, "input", "[net] needs input=H,W,C");
        return;
    }
    config_optim_finish(c);
    if (m->nlayers == 0) {
        config_fail(c, 0, NULL, "no layers (add sections of the layer kinds: %s)",
                    clae_layer_kind_list());
        return;
    }
    if (m->train.mask_min > m->train.mask_max) {
        const char *k = config_key_seen(&c->train, "mask_min") ? "mask_min" : "mask_max";
        config_fail(c, config_key_line(&c->train, k), k, "mask_min %d is larger than mask_max %d",
                    m->train.mask_min, m->train.mask_max);
        return;
    }
    if (!config_branches_finish(c) || !finish_layers(c) || !resolve_freeze(c)) return;

    clae_status st = model_build_tensors(m);
    if (st != CLAE_OK) {
        config_fail(c, 0, NULL, "out of memory");
        c->st = st;
        return;
    }
    /* One block holds every parameter, and the optimizer's kernels count it
     * with 32-bit integers. */
    if (m->block_floats > INT_MAX) {
        config_fail(c, 0, NULL, "the layers have %zu parameters in all (aligned); at most %d",
                    m->block_floats, INT_MAX);
        return;
    }

    char msg[160];
    clae_conv_shape *g = malloc((size_t)m->nlayers * sizeof *g);
    if (!g) {
        config_fail(c, 0, NULL, "out of memory");
        c->st = CLAE_ERR_NOMEM;
        return;
    }
    if (model_build_shapes(m, m->net.batch, g, msg, sizeof msg) != CLAE_OK) /* the batch fits */
        config_fail(c, config_key_line(&c->net, "batch"), "batch", "%s", msg);
    free(g);
}
