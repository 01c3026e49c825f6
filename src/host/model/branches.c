/* [branch] sections: a model that ends in two or more branches after a
 * shared trunk (one encoder, two decoders). The key table, each key's
 * value into the model's clae_branch, and the checks of the whole once the
 * text is read (see clae_branch in include/clae/model.h). */
#include <stdio.h>
#include <string.h>

#include "model/config.h"

#define K CONFIG_KEY
const clae_key_spec clae_branch_keys[] = {
    K("name", NULL, "a name of letters, digits and _ (not starting with a digit), at most 31",
      "the branch's name (required)"),
    K("data", "", "a path of 1 to 511 characters",
      "its training data folder (default: [train] data)"),
    K("classes", "all", "all or labels from 0 to 255 separated by commas, like 3",
      "the labels of its data it trains and tests on (e.g. cats of CIFAR-10)"),
    K("loss", "", "mse, mae or binary_crossentropy",
      "its loss (default: [net] loss); the losses of a run are each branch's own"),
    {0}};
#undef K

void config_branch_start(pctx *c)
{
    clae_model *m = c->m;
    if (m->nbranches == CLAE_MAX_BRANCHES) {
        config_fail(c, c->lineno, NULL, "more than %d [branch] sections", CLAE_MAX_BRANCHES);
        return;
    }
    clae_branch *b = &m->branches[m->nbranches];
    memset(b, 0, sizeof *b);
    b->first = m->nlayers;
    b->line = c->lineno;
    sec_src *s = &c->bsrc[m->nbranches];
    memset(s, 0, sizeof *s);
    s->kind = SEC_BRANCH;
    s->line = c->lineno;
    m->nbranches++;
    c->kind = SEC_BRANCH;
    c->cur = s;
}

#define BAD(expect) config_fail(c, line, key, "bad value '%s': expected %s", value, expect)

void config_branch_key(pctx *c, int line, const char *key, const char *value)
{
    clae_model *m = c->m;
    clae_branch *b = &m->branches[m->nbranches - 1];
    if (strcmp(key, "name") == 0) {
        if (!config_good_name(value, sizeof b->name)) {
            BAD(clae_branch_keys[0].allowed);
            return;
        }
        for (int k = 0; k + 1 < m->nbranches; k++)
            if (strcmp(m->branches[k].name, value) == 0) {
                config_fail(c, line, key, "branch name '%s' is already the branch's on line %d",
                            value, m->branches[k].line);
                return;
            }
        snprintf(b->name, sizeof b->name, "%s", value);
    } else if (strcmp(key, "data") == 0) {
        size_t n = strlen(value);
        if (n == 0 || n >= sizeof b->data) {
            BAD(clae_branch_keys[1].allowed);
            return;
        }
        memcpy(b->data, value, n + 1);
    } else if (strcmp(key, "loss") == 0) {
        static const char *const kinds[] = {"mse", "mae", "binary_crossentropy"};
        static const clae_loss ids[] = {CLAE_LOSS_MSE, CLAE_LOSS_MAE, CLAE_LOSS_BCE};
        for (int i = 0; i < 3; i++)
            if (strcmp(value, kinds[i]) == 0) {
                snprintf(b->loss, sizeof b->loss, "%s", value);
                b->loss_kind = ids[i];
                return;
            }
        BAD(clae_branch_keys[3].allowed);
    } else if (!clae_classes_parse(value, &b->classes)) { /* classes */
        BAD(clae_branch_keys[2].allowed);
    }
}

/* Layer i's from= (src) within its own path: the input, the trunk, or its
 * own branch. 0 after an error. */
static int src_in_path(pctx *c, int i)
{
    const clae_model *m = c->m;
    const int src = m->layers[i].src, k = clae_model_branch_of(m, i);
    if (src < 0 || k < 0) return 1;
    const int j = clae_model_branch_of(m, src);
    if (j < 0 || j == k) return 1;
    config_fail(c, config_key_line(&c->lsrc[i], "from"), "from",
                "layer %d (branch %s) takes from layer %d of branch %s: a branch sees the trunk "
                "and its own layers", i, m->branches[k].name, src, m->branches[j].name);
    return 0;
}

int config_branches_finish(pctx *c)
{
    clae_model *m = c->m;
    if (m->nbranches == 0) return 1;
    const clae_branch *b0 = &m->branches[0];
    if (m->nbranches == 1) {
        config_fail(c, b0->line, NULL, "one [branch]: a model has two or more branches, or none");
        return 0;
    }
    if (b0->first == 0) {
        config_fail(c, b0->line, NULL, "[branch] before any layer: the branches share the "
                    "layers before the first [branch] (the trunk)");
        return 0;
    }
    for (int k = 0; k < m->nbranches; k++) {
        clae_branch *b = &m->branches[k];
        const int end = k + 1 < m->nbranches ? m->branches[k + 1].first : m->nlayers;
        b->count = end - b->first;
        if (!b->name[0]) {
            config_fail(c, b->line, "name", "[branch] needs a name");
            return 0;
        }
        if (b->count == 0) {
            config_fail(c, b->line, NULL, "[branch] '%s' has no layers (their sections follow "
                        "it)", b->name);
            return 0;
        }
    }
    for (int i = 0; i < m->nlayers; i++)
        if (!src_in_path(c, i)) return 0;
    for (int k = 0; k < m->nbranches; k++) /* [net] loss, where a branch names none */
        if (!m->branches[k].loss[0]) m->branches[k].loss_kind = m->net.loss_kind;
    if (m->train.labels) {
        config_fail(c, config_key_line(&c->train, "target"), "target",
                    "target = labels: a model with branches learns images");
        return 0;
    }
    return 1;
}
