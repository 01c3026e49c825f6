/* A layer section's keys: each value parsed by its key spec into the layer
 * (a member all kinds share, or one of the kind's settings struct), the
 * layer's name, and the defaults of the keys a section did not set. */
#include <ctype.h>
#include <string.h>

#include "clae/parse.h"
#include "model/config.h"

#define BAD(expect) config_fail(c, line, key, "bad value '%s': expected %s", value, expect)

/* The bytes of key k's field in l: a common member, or a member of the
 * kind's settings struct (written byte-wise, as the kind reads them). */
static unsigned char *layer_field(clae_layer *l, const clae_key_spec *k)
{
    return (unsigned char *)l + k->field;
}

/* Parse value as key k of a layer into its field; 0 when it is not allowed. */
static int layer_value(clae_layer *l, const clae_key_spec *k, const char *value)
{
    unsigned char *f = layer_field(l, k);
    long x;
    int a[3];
    switch (k->type) {
    case CLAE_KEY_INT:
        if (!clae_str_to_long(value, k->min, k->max, &x)) return 0;
        a[0] = (int)x;
        memcpy(f, a, sizeof a[0]);
        return 1;
    case CLAE_KEY_SHAPE:
        if (config_parse_ints(value, a, 3, k->min, k->max) != 3) return 0;
        memcpy(f, a, 3 * sizeof a[0]);
        return 1;
    case CLAE_KEY_FLOAT: {
        double v;
        if (!clae_str_to_double(value, &v) || v < k->fmin || v > k->fmax) return 0;
        float fv = (float)v;
        memcpy(f, &fv, sizeof fv);
        return 1;
    }
    case CLAE_KEY_PAIR: {
        int n = config_parse_ints(value, a, 2, k->min, k->max);
        if (n < 1) return 0;
        if (n == 1) a[1] = a[0];
        memcpy(f, a, 2 * sizeof a[0]);
        return 1;
    }
    case CLAE_KEY_CHOICE:
        for (int i = 0; k->choices[i]; i++)
            if (strcmp(value, k->choices[i]) == 0) {
                memcpy(f, &i, sizeof i);
                return 1;
            }
        return 0;
    case CLAE_KEY_LAYER:  /* config_layer_key resolves the name (earlier layers only) */
    case CLAE_KEY_CUSTOM: /* [net] and [train] parse their own */
        return 0;
    }
    return 0;
}

/* name = ...: letters, digits and '_', not starting with a digit, unique. */
int config_good_name(const char *v, size_t max)
{
    size_t n = strlen(v);
    if (n == 0 || n >= max || (v[0] >= '0' && v[0] <= '9')) return 0;
    if (strcmp(v, "input") == 0) return 0; /* reserved: the network input */
    for (size_t i = 0; i < n; i++)
        if (!(isalnum((unsigned char)v[i]) || v[i] == '_')) return 0;
    return 1;
}

void config_layer_key(pctx *c, int line, const char *key, const char *value)
{
    clae_model *m = c->m;
    clae_layer *l = &m->layers[m->nlayers - 1];
    const clae_layer_kind *lk = c->cur->lk;
    int ki = config_key_index(c->cur, key);
    if (ki == lk->nkeys) { /* name */
        if (!config_good_name(value, CLAE_LAYER_NAME_MAX)) {
            BAD("a name of letters, digits and _ (not starting with a digit, not 'input'), at "
                "most 31");
            return;
        }
        for (int i = 0; i + 1 < m->nlayers; i++)
            if (strcmp(m->layers[i].name, value) == 0) {
                config_fail(c, line, key, "layer name '%s' is already layer %d's (line %d)", value,
                            i, m->layers[i].line);
                return;
            }
        snprintf(l->name, sizeof l->name, "%s", value);
        return;
    }
    const clae_key_spec *k =
        ki < lk->nkeys ? &lk->keys[ki] : &clae_common_layer_keys[ki - lk->nkeys];
    if (k->type == CLAE_KEY_LAYER) { /* every earlier layer is read by now */
        int src = -1;
        if (strcmp(value, "input") == 0) src = CLAE_SRC_INPUT;
        for (int i = 0; i + 1 < m->nlayers; i++)
            if (m->layers[i].name[0] && strcmp(m->layers[i].name, value) == 0) src = i;
        if (src == -1)
            config_fail(c, line, key, "no earlier layer is named '%s'", value);
        else
            memcpy(layer_field(l, k), &src, sizeof src);
        return;
    }
    if (!layer_value(l, k, value)) {
        char al[200];
        clae_key_allowed(k, al, sizeof al);
        BAD(al);
    }
}

/* Defaults for the keys a layer section did not set; the first required
 * key missing fails. */
int config_layer_defaults(pctx *c, clae_layer *l, const sec_src *s)
{
    const clae_layer_kind *lk = s->lk;
    for (int i = 0; i < lk->nkeys; i++) {
        const clae_key_spec *k = &lk->keys[i];
        if (s->seen >> i & 1u) continue;
        if (k->def) {
            if (!layer_value(l, k, k->def)) {
                config_fail(c, s->line, k->name, "[%s]: bad built-in default '%s'", lk->name,
                            k->def);
                return 0;
            }
        } else if (!k->def_from) {
            config_fail(c, s->line, k->name, "[%s] needs %s", lk->name, k->name);
            return 0;
        }
    }
    for (int i = 0; i < lk->nkeys; i++) { /* defaults taken from another key, after those */
        const clae_key_spec *k = &lk->keys[i];
        if ((s->seen >> i & 1u) || !k->def_from) continue;
        for (int j = 0; j < lk->nkeys; j++)
            if (strcmp(lk->keys[j].name, k->def_from) == 0)
                memmove(layer_field(l, k), layer_field(l, &lk->keys[j]),
                        (k->type == CLAE_KEY_PAIR ? 2 : 1) * sizeof(int));
    }
    return 1;
}
