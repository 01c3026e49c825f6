/* Reading a config: the text (a file or a string), its lines and section
 * headers through libinih, each key = value to its section's parser, and
 * clae_model_parse_ex / clae_model_load / clae_model_parse_string, which
 * check the result (finish.c) and hand back a model or one error line. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "clae/fs.h"
#include "clae/parse.h"
#include "model/config.h"

/* The keys of [net] and [train] (sections.c), by sec_kind. */
static const clae_key_spec *const KEYS[] = {clae_net_keys, clae_train_keys, NULL, clae_branch_keys};

void config_fail(pctx *c, int line, const char *key, const char *fmt, ...)
{
    if (c->stop) return;
    c->stop = 1;
    c->st = CLAE_ERR_FORMAT;
    c->err_line = line;
    char msg[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (line > 0 && key)
        snprintf(c->err, sizeof c->err, "%s:%d: %s (key '%s')", c->name, line, msg, key);
    else if (line > 0)
        snprintf(c->err, sizeof c->err, "%s:%d: %s", c->name, line, msg);
    else
        snprintf(c->err, sizeof c->err, "%s: %s", c->name, msg);
}

int config_key_index(const sec_src *s, const char *key)
{
    if (s->kind == SEC_LAYER) {
        for (int i = 0; i < s->lk->nkeys; i++)
            if (strcmp(s->lk->keys[i].name, key) == 0) return i;
        for (int i = 0; i < CLAE_COMMON_NKEYS; i++)
            if (strcmp(clae_common_layer_keys[i].name, key) == 0) return s->lk->nkeys + i;
        return -1;
    }
    for (int i = 0; KEYS[s->kind][i].name; i++)
        if (strcmp(KEYS[s->kind][i].name, key) == 0) return i;
    return -1;
}

int config_key_seen(const sec_src *s, const char *key)
{
    int i = config_key_index(s, key);
    return i >= 0 && (s->seen >> i & 1u);
}

/* Line of a key if the section set it, else the section header's line. */
int config_key_line(const sec_src *s, const char *key)
{
    int i = config_key_index(s, key);
    return i >= 0 && (s->seen >> i & 1u) ? s->key_line[i] : s->line;
}

/* A section header line "[name]" (str starts with '['). */
static void section_start(pctx *c, const char *str)
{
    const char *end = strchr(str, ']');
    if (!end) {
        config_fail(c, c->lineno, NULL, "syntax error: section header without ']'");
        return;
    }
    for (const char *p = end + 1; *p && *p != '\n'; p++) {
        if (*p == ';' || *p == '#') break;
        if (*p != ' ' && *p != '\t' && *p != '\r') {
            config_fail(c, c->lineno, NULL, "syntax error: text after the section header");
            return;
        }
    }
    const char *b = str + 1;
    while (b < end && (*b == ' ' || *b == '\t')) b++;
    const char *e = end;
    while (e > b && (e[-1] == ' ' || e[-1] == '\t')) e--;
    char sec[64];
    size_t len = (size_t)(e - b);
    if (len >= sizeof sec) len = sizeof sec - 1;
    memcpy(sec, b, len);
    sec[len] = '\0';

    if (strcmp(sec, "net") == 0 || strcmp(sec, "train") == 0) {
        sec_src *s = sec[0] == 'n' ? &c->net : &c->train;
        if (s->line) {
            config_fail(c, c->lineno, NULL, "duplicate [%s] section (first on line %d)", sec,
                        s->line);
            return;
        }
        s->line = c->lineno;
        s->kind = c->kind = sec[0] == 'n' ? SEC_NET : SEC_TRAIN;
        c->cur = s;
        return;
    }
    if (strcmp(sec, "branch") == 0) {
        config_branch_start(c);
        return;
    }
    const clae_layer_kind *lk = clae_layer_kind_find(sec);
    if (!lk) {
        config_fail(c, c->lineno, NULL, "unknown section [%s] (expected net, train, branch, %s)",
                    sec, clae_layer_kind_list());
        return;
    }
    clae_model *m = c->m;
    if (m->nlayers == c->cap) {
        int cap = c->cap ? 2 * c->cap : 8;
        clae_layer *l = realloc(m->layers, (size_t)cap * sizeof *l);
        if (l) m->layers = l;
        sec_src *s = realloc(c->lsrc, (size_t)cap * sizeof *s);
        if (s) c->lsrc = s;
        if (!l || !s) {
            config_fail(c, 0, NULL, "out of memory");
            c->st = CLAE_ERR_NOMEM;
            return;
        }
        c->cap = cap;
    }
    clae_layer *l = &m->layers[m->nlayers];
    memset(l, 0, sizeof *l);
    l->kind = lk;
    l->line = c->lineno;
    l->weight = l->bias = l->state[0] = l->state[1] = -1;
    l->use_bias = 1;
    l->src = -1;
    sec_src *s = &c->lsrc[m->nlayers];
    memset(s, 0, sizeof *s);
    s->kind = SEC_LAYER;
    s->lk = lk;
    s->line = c->lineno;
    m->nlayers++;
    c->kind = SEC_LAYER;
    c->cur = s;
}

/* fgets over c->text: one line per call, so c->lineno is the line of the
 * handler call that follows. Strips leading blanks (no multi-line values),
 * '#' comments after a blank, and notices section headers. */
static char *reader(char *str, int num, void *stream)
{
    pctx *c = stream;
    if (c->stop || c->text[c->pos] == '\0') return NULL;
    const char *p = c->text + c->pos;
    const char *nl = strchr(p, '\n');
    size_t len = nl ? (size_t)(nl - p) : strlen(p);
    c->pos += len + (nl ? 1 : 0);
    c->lineno++;
    if (c->lineno == 1 && len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) p += 3, len -= 3;
    while (len && (*p == ' ' || *p == '\t')) p++, len--;
    for (size_t i = 1; i < len; i++)
        if (p[i] == '#' && (p[i - 1] == ' ' || p[i - 1] == '\t')) {
            len = i;
            break;
        }
    while (len && (p[len - 1] == ' ' || p[len - 1] == '\t' || p[len - 1] == '\r')) len--;
    if (num < 3 || len + 2 > (size_t)num) {
        config_fail(c, c->lineno, NULL, "line too long (at most %d characters)", num - 2);
        return NULL;
    }
    memcpy(str, p, len);
    str[len] = '\n';
    str[len + 1] = '\0';
    if (len == 0 || str[0] == '#' || str[0] == ';') return str;
    if (str[0] == '[') {
        section_start(c, str);
    } else if (!memchr(str, '=', len) && !memchr(str, ':', len)) {
        config_fail(c, c->lineno, NULL, "syntax error: expected key=value or [section]");
    }
    return c->stop ? NULL : str;
}

/* The i-th key a section takes (a layer's: its kind's, then the common
 * ones), NULL past the last. */
static const char *section_key(const sec_src *s, int i)
{
    if (s->kind != SEC_LAYER) return KEYS[s->kind][i].name;
    if (i < s->lk->nkeys) return s->lk->keys[i].name;
    if (i < s->lk->nkeys + CLAE_COMMON_NKEYS) return clae_common_layer_keys[i - s->lk->nkeys].name;
    return NULL;
}

/* The keys of s close to an unknown one (one edit away, then two; at most
 * three), each after prefix, joined by " or " into buf: "" for none. */
const char *config_close_keys(const sec_src *s, const char *key, const char *prefix,
                              char *buf, size_t len)
{
    size_t at = 0;
    int n = 0;
    buf[0] = '\0';
    for (int d = 0; d <= 2; d++)
        for (int i = 0; section_key(s, i) && n < 3; i++) {
            if (clae_edit_distance(key, section_key(s, i)) != d) continue;
            int w = snprintf(buf + at, len - at, "%s%s%s", n ? " or " : "", prefix,
                             section_key(s, i));
            if (w < 0 || (size_t)w >= len - at) return buf;
            at += (size_t)w;
            n++;
        }
    return buf;
}

static const char *kind_name(const pctx *c)
{
    if (c->kind == SEC_NET) return "net";
    if (c->kind == SEC_TRAIN) return "train";
    if (c->kind == SEC_BRANCH) return "branch";
    return c->cur->lk->name;
}

static int handler(void *user, const char *section, const char *key, const char *value)
{
    pctx *c = user;
    (void)section; /* the reader tracks sections itself (repeats are new layers) */
    if (c->stop) return 1;
    int line = c->lineno;
    if (c->kind == SEC_NONE) {
        config_fail(c, line, key, "key outside any section (start with [net])");
        return 1;
    }
    int ki = config_key_index(c->cur, key);
    if (ki < 0) {
        char near[160];
        if (*config_close_keys(c->cur, key, "", near, sizeof near))
            config_fail(c, line, key, "unknown key in [%s]; did you mean %s?", kind_name(c), near);
        else if (c->kind == SEC_NET || c->kind == SEC_TRAIN) /* not in plain clae layers */
            config_fail(c, line, key, "unknown key in [%s]; clae layers --all lists every key",
                        kind_name(c));
        else
            config_fail(c, line, key, "unknown key in [%s]", kind_name(c));
        return 1;
    }
    if (c->cur->seen >> ki & 1u) {
        config_fail(c, line, key, "duplicate key (first set on line %d)", c->cur->key_line[ki]);
        return 1;
    }
    c->cur->seen |= (uint64_t)1 << ki;
    c->cur->key_line[ki] = line;
    if (c->kind == SEC_NET)
        config_net_key(c, line, key, value);
    else if (c->kind == SEC_TRAIN)
        config_train_key(c, line, key, value);
    else if (c->kind == SEC_BRANCH)
        config_branch_key(c, line, key, value);
    else
        config_layer_key(c, line, key, value);
    return 1;
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

/* Read a whole config file; on failure fills c->err as a file-level error. */
static char *read_file(pctx *c, const char *path)
{
    const char *refused;
    FILE *f = clae_fopen_regular_or_pipe(path, &refused);
    if (!f) {
        if (refused)
            config_fail(c, 0, NULL, "cannot read: %s", refused);
        else
            config_fail(c, 0, NULL, "cannot open: %s", strerror(errno));
        c->st = CLAE_ERR_IO;
        return NULL;
    }
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (len + 1 == cap) {
            if (cap > MAX_CONFIG_BYTES) break;
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb, cap *= 2;
        }
        size_t got = fread(buf + len, 1, cap - 1 - len, f);
        len += got;
        if (got == 0) break;
    }
    int rd_err = ferror(f);
    fclose(f);
    if (!buf) {
        config_fail(c, 0, NULL, "out of memory");
        c->st = CLAE_ERR_NOMEM;
        return NULL;
    }
    if (rd_err) {
        config_fail(c, 0, NULL, "cannot read: %s", strerror(errno ? errno : EIO));
        c->st = CLAE_ERR_IO;
    } else if (len > MAX_CONFIG_BYTES) {
        config_fail(c, 0, NULL, "too large for a config (more than %d bytes)", MAX_CONFIG_BYTES);
    } else if (memchr(buf, '\0', len)) {
        config_fail(c, 0, NULL, "not a text file (contains a NUL byte)");
    }
    if (c->stop) {
        free(buf);
        return NULL;
    }
    buf[len] = '\0';
    return buf;
}

clae_status clae_model_parse_ex(const char *path, const char *text, const char *name,
                                clae_model *m, char *err, size_t errlen)
{
    memset(m, 0, sizeof *m);
    pctx c = {0};
    c.name = path ? path : (name ? name : "config");
    c.m = m;
    c.kind = SEC_NONE;
    c.st = CLAE_OK;
    config_section_defaults(&c);
    m->name = dup_str(c.name);
    if (!m->name) {
        config_fail(&c, 0, NULL, "out of memory");
        c.st = CLAE_ERR_NOMEM;
    } else if (path) {
        m->text = read_file(&c, path);
    } else if (!text) {
        config_fail(&c, 0, NULL, "no config text");
        c.st = CLAE_ERR_ARG;
    } else if (strlen(text) > MAX_CONFIG_BYTES) {
        config_fail(&c, 0, NULL, "too large for a config (more than %d bytes)", MAX_CONFIG_BYTES);
    } else if (!(m->text = dup_str(text))) {
        config_fail(&c, 0, NULL, "out of memory");
        c.st = CLAE_ERR_NOMEM;
    }
    if (!c.stop) {
        c.text = m->text;
        int ret = ini_parse_stream(reader, &c, handler, &c);
        /* ret > 0: a line inih rejected that the reader let through; report
         * whichever problem comes first. */
        if (ret > 0 && (!c.stop || ret < c.err_line)) {
            c.stop = 0;
            config_fail(&c, ret, NULL, "syntax error: expected key=value or [section]");
        } else if (ret < 0 && !c.stop) {
            config_fail(&c, 0, NULL, "cannot parse (inih error %d)", ret);
        }
    }
    if (!c.stop) config_finish(&c);
    free(c.lsrc);
    if (c.stop) {
        if (err && errlen)
            snprintf(err, errlen, "%s", c.err);
        else if (!err)
            fprintf(stderr, "clae: %s\n", c.err);
        clae_model_free(m);
        return c.st;
    }
    if (err && errlen) err[0] = '\0';
    return CLAE_OK;
}

clae_status clae_model_load(const char *path, clae_model *m)
{
    return clae_model_parse_ex(path, NULL, NULL, m, NULL, 0);
}

clae_status clae_model_parse_string(const char *text, const char *name, clae_model *m)
{
    return clae_model_parse_ex(NULL, text, name, m, NULL, 0);
}

void clae_model_free(clae_model *m)
{
    free(m->name);
    free(m->text);
    free(m->layers);
    free(m->tensors);
    free(m->params);
    free(m->grads);
    free(m->adam_m);
    free(m->adam_v);
    memset(m, 0, sizeof *m);
}
