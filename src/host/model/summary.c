/* The model as text: `clae summary`'s Keras-like table (each layer's kind,
 * output shape, parameter count and its kind's description) and the
 * names and numbers it prints. */
#include <stdio.h>
#include <string.h>

#include "clae/layer.h"
#include "clae/model.h"

const char *clae_act_name(clae_act a)
{
    return (unsigned)a <= CLAE_ACT_LEAKY_RELU ? clae_act_names[a] : "?";
}

const char *clae_thousands(size_t v, char *buf, size_t len)
{
    char digits[32];
    int n = snprintf(digits, sizeof digits, "%zu", v);
    char out[48];
    int o = 0;
    for (int i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0) out[o++] = ',';
        out[o++] = digits[i];
    }
    out[o] = '\0';
    snprintf(buf, len, "%s", out);
    return buf;
}

static const char *human_bytes(double b, char *buf, size_t len)
{
    static const char *const units[] = {"B", "KB", "MB", "GB", "TB"};
    int u = 0;
    while (b >= 1024.0 && u < 4) b /= 1024.0, u++;
    snprintf(buf, len, "%.2f %s", b, units[u]);
    return buf;
}

size_t clae_model_frozen_params(const clae_model *m)
{
    size_t n = 0;
    for (int t = 0; t < m->ntensors; t++)
        if (clae_model_layer_frozen(m, m->tensors[t].layer) || clae_tensor_is_state(&m->tensors[t]))
            n += m->tensors[t].count;
    return n;
}

size_t clae_model_layer_params(const clae_model *m, int i)
{
    size_t count = 0;
    for (int t = 0; t < m->ntensors; t++)
        if (m->tensors[t].layer == i) count += m->tensors[t].count;
    return count;
}

/* Branch k's header in the layer table: its name, layers, parameters and data. */
static void branch_line(const clae_model *m, int k, FILE *out)
{
    const clae_branch *b = &m->branches[k];
    size_t count = 0;
    for (int i = b->first; i < b->first + b->count; i++) count += clae_model_layer_params(m, i);
    char num[32], data[1700] = "", cls[1024];
    if (b->data[0] || !clae_classes_empty(&b->classes)) {
        clae_classes_format(&b->classes, cls, sizeof cls);
        snprintf(data, sizeof data, "; data %s, classes %s", b->data[0] ? b->data : "[train]'s",
                 cls);
    }
    fprintf(out, " %s branch %s: %d %s, %s params%s%s%s\n", k + 1 < m->nbranches ? "|-" : "`-",
            b->name, b->count, b->count == 1 ? "layer" : "layers",
            clae_thousands(count, num, sizeof num), data, b->loss[0] ? "; loss " : "", b->loss);
}

void clae_model_summary(const clae_model *m, FILE *out)
{
    static const char *const rule =
        "_________________________________________________________________________________________";
    static const char *const dbl =
        "=========================================================================================";
    char shape[64], num[32], hb[32], name[96], detail[128];
    fprintf(out, "Model: \"%s\"\n", m->name);
    fprintf(out, "Input: (None, %d, %d, %d)\n", m->net.H, m->net.W, m->net.C);
    fprintf(out, "%s\n", rule);
    const int nw = m->nbranches > 0 ? 32 : 28; /* a branch's layers are indented */
    fprintf(out, " %-*s %-22s %10s   %s\n", nw, "Layer (type)", "Output Shape", "Param #",
            "Config");
    fprintf(out, "%s\n", dbl);
    for (int i = 0; i < m->nlayers; i++) {
        const clae_layer *l = &m->layers[i];
        size_t count = clae_model_layer_params(m, i);
        const int k = clae_model_branch_of(m, i);
        /* a branch: a header line, then its layers indented under it */
        const char *indent = k < 0 ? "" : k + 1 < m->nbranches ? "|  " : "   ";
        if (k >= 0 && i == m->branches[k].first) branch_line(m, k, out);
        if (l->name[0])
            snprintf(name, sizeof name, "%slayers.%d %s (%s)", indent, i, l->name, l->kind->name);
        else
            snprintf(name, sizeof name, "%slayers.%d (%s)", indent, i, l->kind->name);
        snprintf(shape, sizeof shape, "(None, %d, %d, %d)", l->out_h, l->out_w, l->out_c);
        l->kind->describe(l, detail, sizeof detail);
        if (l->activity_l1 > 0) { /* the penalty beside the layer it is on */
            size_t at = strlen(detail);
            snprintf(detail + at, sizeof detail - at, ", activity_l1 %g", (double)l->activity_l1);
        }
        fprintf(out, " %-*s %-22s %10s   %s\n", nw, name, shape,
                clae_thousands(count, num, sizeof num), detail);
    }
    fprintf(out, "%s\n", dbl);
    if (m->nbranches > 0) { /* what the branches share */
        size_t shared = 0;
        for (int i = 0; i < clae_model_trunk_layers(m); i++)
            shared += clae_model_layer_params(m, i);
        fprintf(out, " Shared trunk (layers.0 to layers.%d): %s params; %d branches, each "
                "trained on its own data\n", clae_model_trunk_layers(m) - 1,
                clae_thousands(shared, num, sizeof num), m->nbranches);
    }
    double bytes = (double)m->nparams * sizeof(float);
    fprintf(out, " Total params: %s (%s)\n", clae_thousands(m->nparams, num, sizeof num),
            human_bytes(bytes, hb, sizeof hb));
    /* [train] freeze: the layers up to it keep their weights (Keras's trainable = False) */
    size_t frozen = clae_model_frozen_params(m);
    fprintf(out, " Trainable params: %s (%s)\n",
            clae_thousands(m->nparams - frozen, num, sizeof num),
            human_bytes((double)(m->nparams - frozen) * sizeof(float), hb, sizeof hb));
    fprintf(out, " Non-trainable params: %s (%s)\n", clae_thousands(frozen, num, sizeof num),
            human_bytes((double)frozen * sizeof(float), hb, sizeof hb));
    const int fk = m->train.freeze >= 0 ? clae_model_branch_of(m, m->train.freeze) : -1;
    if (fk >= 0)
        fprintf(out, " (the trunk and branch %s's layers to layers.%d frozen: [train] freeze = "
                "%s)\n", m->branches[fk].name, m->train.freeze, m->train.freeze_name);
    else if (m->train.freeze >= 0)
        fprintf(out, " (layers.0 to layers.%d frozen: [train] freeze = %s)\n", m->train.freeze,
                m->train.freeze_name);
    fprintf(out, "%s\n", rule);
    if (m->net.opt_kind == CLAE_OPT_SGD)
        fprintf(out, "batch %d, optimizer sgd (lr %g, momentum %g%s), loss %s\n", m->net.batch,
                (double)m->net.adam.lr, (double)m->net.momentum,
                m->net.nesterov ? ", nesterov" : "", m->net.loss);
    else
        fprintf(out, "batch %d, optimizer %s (lr %g, beta1 %g, beta2 %g, eps %g), loss %s\n",
                m->net.batch, m->net.optimizer, (double)m->net.adam.lr,
                (double)m->net.adam.beta1, (double)m->net.adam.beta2, (double)m->net.adam.eps,
                m->net.loss);
    /* the optimizer's options, where set */
    const clae_schedule *sc = &m->train.sched;
    if (m->net.adam.weight_decay > 0)
        fprintf(out, "weight decay %g (AdamW)\n", (double)m->net.adam.weight_decay);
    if (m->net.clipnorm > 0) fprintf(out, "global clipnorm %g\n", (double)m->net.clipnorm);
    if (!clae_schedule_is_constant(sc))
        fprintf(out, "schedule %s (warm-up %ld steps, decay_steps %ld, decay_rate %g, "
                "decay_alpha %g)\n", clae_schedule_name(sc->kind), sc->warmup_steps, sc->decay_steps,
                sc->decay_rate, sc->alpha);
}
