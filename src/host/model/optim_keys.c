/* The optimizer's extra [train] keys (the learning-rate schedule:
 * clae/schedule.h) and [net] keys (decoupled weight decay, global gradient
 * clipping); sections.c lists them in its key tables and hands their values
 * here. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "clae/parse.h"
#include "model/config.h"

#define BAD(expect) config_fail(c, line, key, "bad value '%s': expected %s", value, expect)

int config_optim_train_key(pctx *c, int line, const char *key, const char *value)
{
    clae_schedule *s = &c->m->train.sched;
    long x;
    double d;
    if (strcmp(key, "schedule") == 0) {
        int k = CLAE_SCHED_CONSTANT;
        while (k <= CLAE_SCHED_EXPONENTIAL && strcmp(clae_schedule_name(k), value) != 0) k++;
        if (k > CLAE_SCHED_EXPONENTIAL)
            BAD("constant, cosine, step or exponential");
        else
            s->kind = (clae_schedule_kind)k;
    } else if (strcmp(key, "warmup_steps") == 0) {
        if (!clae_str_to_long(value, 0, LONG_MAX / 2, &x))
            BAD("an integer >= 0 (0: none)");
        else
            s->warmup_steps = x;
    } else if (strcmp(key, "decay_steps") == 0) {
        if (!clae_str_to_long(value, 1, LONG_MAX / 2, &x))
            BAD("an integer >= 1");
        else
            s->decay_steps = x;
    } else if (strcmp(key, "decay_rate") == 0) {
        if (!clae_str_to_double(value, &d) || !(d > 0 && d <= 1))
            BAD("a number in (0, 1]");
        else
            s->decay_rate = d;
    } else if (strcmp(key, "decay_alpha") == 0) {
        if (!clae_str_to_double(value, &d) || !(d >= 0 && d <= 1))
            BAD("a number in [0, 1]");
        else
            s->alpha = d;
    } else {
        return 0;
    }
    return 1;
}

int config_optim_net_key(pctx *c, int line, const char *key, const char *value)
{
    clae_net_config *n = &c->m->net;
    double d;
    if (strcmp(key, "weight_decay") == 0) {
        if (!clae_str_to_double(value, &d) || !(d >= 0 && d <= 1))
            BAD("a number in [0, 1]");
        else
            n->adam.weight_decay = (float)d;
    } else if (strcmp(key, "global_clipnorm") == 0) {
        if (!clae_str_to_double(value, &d) || !(d == 0 || (d >= 1e-30 && d <= 1e30)))
            BAD("0 (off) or a number from 1e-30 to 1e30");
        else
            n->clipnorm = (float)d;
    } else {
        return 0;
    }
    return 1;
}

/* After the text is read: AdamW's decay and the clipping fold into the Adam
 * kernel, which SGD does not run. */
void config_optim_finish(pctx *c)
{
    const clae_net_config *n = &c->m->net;
    if (n->opt_kind != CLAE_OPT_SGD) return;
    const char *k = n->adam.weight_decay > 0 ? "weight_decay" : n->clipnorm > 0 ? "global_clipnorm"
                                                                                 : NULL;
    if (k)
        config_fail(c, config_key_line(&c->net, k), k, "%s needs optimizer = adam (sgd has none)",
                    k);
}
