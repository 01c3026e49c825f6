/* `--set SECTION.KEY=VALUE` (clae_model_set): one key of a model's config
 * text replaced or added, and the text parsed again. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clae/parse.h"
#include "model/config.h"

/* The text of line `no` (1-based) of text: *len characters from the
 * returned pointer (no newline), or NULL past the end. */
static const char *text_line(const char *text, int no, size_t *len)
{
    const char *p = text;
    for (int i = 1; i < no; i++) {
        p = strchr(p, '\n');
        if (!p) return NULL;
        p++;
    }
    if (!*p && no > 1) return NULL;
    *len = strcspn(p, "\n");
    return p;
}

/* A section header's name: "[ net ]" -> "net" into buf; 0 if the line is
 * no header. */
static int header_name(const char *line, size_t len, char *buf, size_t blen)
{
    size_t i = 0;
    while (i < len && (line[i] == ' ' || line[i] == '\t')) i++;
    if (i == len || line[i] != '[') return 0;
    const char *b = line + i + 1, *e = memchr(b, ']', len - i - 1);
    if (!e) return 0;
    while (b < e && (*b == ' ' || *b == '\t')) b++;
    while (e > b && (e[-1] == ' ' || e[-1] == '\t')) e--;
    snprintf(buf, blen, "%.*s", (int)(e - b), b);
    return 1;
}

/* The key a "key = value" line sets, into buf ("" for a blank, comment or
 * header line). */
static void line_key(const char *line, size_t len, char *buf, size_t blen)
{
    size_t i = 0;
    while (i < len && (line[i] == ' ' || line[i] == '\t')) i++;
    size_t j = i;
    while (j < len && line[j] != '=' && line[j] != ':') j++;
    buf[0] = '\0';
    if (i == len || line[i] == '#' || line[i] == ';' || line[i] == '[' || j == len) return;
    while (j > i && (line[j - 1] == ' ' || line[j - 1] == '\t')) j--;
    snprintf(buf, blen, "%.*s", (int)(j - i), line + i);
}

/* The parser's error for the edited line no of the text named name,
 * without its "name:no: " prefix: the user wrote the flag, not that line. */
static const char *about_flag(const char *err, const char *name, int no)
{
    char prefix[320];
    int n = snprintf(prefix, sizeof prefix, "%s:%d: ", name, no);
    if (n > 0 && (size_t)n < sizeof prefix && strncmp(err, prefix, (size_t)n) == 0)
        return err + n;
    return err;
}

clae_status clae_model_set(clae_model *m, const char *assign)
{
    return clae_model_set_as(m, assign, NULL);
}

clae_status clae_model_set_as(clae_model *m, const char *assign, const char *flag)
{
    if (strpbrk(assign, "\r\n")) {
        if (flag)
            fprintf(stderr, "clae: %.*s...: a setting is one line\n",
                    (int)strcspn(flag, "\r\n"), flag);
        else
            fprintf(stderr, "clae: --set %.*s...: a setting is one line\n",
                    (int)strcspn(assign, "\r\n"), assign);
        return CLAE_ERR_ARG;
    }
    const char *eq = strchr(assign, '=');
    char lhs[128];
    if (!eq || (size_t)(eq - assign) >= sizeof lhs) {
        fprintf(stderr, "clae: --set %s: expected SECTION.KEY=VALUE, like net.lr=0.01\n", assign);
        return CLAE_ERR_ARG;
    }
    snprintf(lhs, sizeof lhs, "%.*s", (int)(eq - assign), assign);
    const char *value = eq + 1;
    char *dot = strrchr(lhs, '.');
    if (!dot || dot == lhs || !dot[1] || !*value) {
        fprintf(stderr, "clae: --set %s: expected SECTION.KEY=VALUE, like net.lr=0.01\n", assign);
        return CLAE_ERR_ARG;
    }
    *dot = '\0';
    const char *sec = lhs, *key = dot + 1;

    /* The section: its header line, and its keys for checking the name. */
    sec_src src = {.kind = SEC_NONE};
    int header = 0;
    long li = -1;
    if (strcmp(sec, "net") == 0 || strcmp(sec, "train") == 0) {
        src.kind = sec[0] == 'n' ? SEC_NET : SEC_TRAIN;
        size_t len;
        const char *l;
        char name[64];
        for (int no = 1; (l = text_line(m->text, no, &len)) != NULL; no++)
            if (header_name(l, len, name, sizeof name) && strcmp(name, sec) == 0) header = no;
    } else {
        if (strncmp(sec, "layers.", 7) == 0 && !clae_str_to_long(sec + 7, 0, m->nlayers - 1, &li))
            li = -2;
        for (int i = 0; li == -1 && i < m->nlayers; i++)
            if (m->layers[i].name[0] && strcmp(m->layers[i].name, sec) == 0) li = i;
        for (int k = 0; li == -1 && k < m->nbranches; k++) /* a [branch] by its name */
            if (strcmp(m->branches[k].name, sec) == 0) {
                src.kind = SEC_BRANCH;
                header = m->branches[k].line;
                li = -3;
            }
        if (li == -1 || li == -2) {
            fprintf(stderr, "clae: --set %s: %s has no section '%s' (net, train, a layer's or "
                    "branch's name or layers.0 to layers.%d)\n", assign, m->name, sec,
                    m->nlayers - 1);
            return CLAE_ERR_ARG;
        }
        if (li >= 0) {
            src.kind = SEC_LAYER;
            src.lk = m->layers[li].kind;
            header = m->layers[li].line;
        }
    }
    if (config_key_index(&src, key) < 0) {
        sec_src other = {.kind = src.kind == SEC_NET ? SEC_TRAIN : SEC_NET};
        char prefix[136], near[480];
        snprintf(prefix, sizeof prefix, "%s.", sec);
        config_close_keys(&src, key, prefix, near, sizeof near);
        const char *what = src.kind == SEC_LAYER    ? src.lk->name
                           : src.kind == SEC_BRANCH ? "branch"
                                                    : sec;
        if ((src.kind == SEC_NET || src.kind == SEC_TRAIN) && config_key_index(&other, key) >= 0)
            fprintf(stderr, "clae: --set %s: %s is a key of [%s]: --set %s.%s=%s\n", assign, key,
                    other.kind == SEC_NET ? "net" : "train",
                    other.kind == SEC_NET ? "net" : "train", key, value);
        else if (*near)
            fprintf(stderr, "clae: --set %s: [%s] has no key '%s'; did you mean %s?\n", assign,
                    what, key, near);
        else
            fprintf(stderr, "clae: --set %s: [%s] has no key '%s' (clae layers%s lists every "
                    "key)\n", assign, what, key,
                    src.kind == SEC_LAYER ? "" : " --all"); /* [net], [train]: --all's */
        return CLAE_ERR_ARG;
    }

    /* The new text: the key's line replaced, or the key added under the
     * header, or (no [train] yet) a [train] section at the end. */
    size_t tlen = strlen(m->text), need = tlen + strlen(key) + strlen(value) + 32;
    char *text = malloc(need);
    if (!text) {
        fprintf(stderr, "clae: out of memory\n");
        return CLAE_ERR_NOMEM;
    }
    int target = 0; /* the line to replace, or 0 */
    if (header > 0) {
        size_t len;
        const char *l;
        char name[64], k[64];
        for (int no = header + 1; (l = text_line(m->text, no, &len)) != NULL; no++) {
            if (header_name(l, len, name, sizeof name)) break;
            line_key(l, len, k, sizeof k);
            if (strcmp(k, key) == 0) target = no;
        }
    }
    size_t at = 0;
    int edited = 0; /* the line of the new text that holds the setting */
    if (header == 0) { /* [train] or [net] missing: a new section at the end */
        for (size_t i = 0; i < tlen; i++) edited += m->text[i] == '\n';
        edited += (tlen && m->text[tlen - 1] != '\n') + 2;
        at = (size_t)snprintf(text, need, "%s%s[%s]\n%s = %s\n", m->text,
                              tlen && m->text[tlen - 1] != '\n' ? "\n" : "", sec, key, value);
    } else {
        size_t len;
        int edit = target ? target : header; /* replace target, or insert after header */
        edited = target ? target : header + 1;
        const char *l = text_line(m->text, edit, &len);
        size_t cut = (size_t)(l - m->text), rest = cut + len;
        memcpy(text, m->text, target ? cut : rest);
        at = target ? cut : rest;
        at += (size_t)snprintf(text + at, need - at, "%s%s = %s", target ? "" : "\n", key, value);
        memcpy(text + at, m->text + rest, tlen - rest + 1);
        at += tlen - rest;
    }
    (void)at;
    clae_model fresh;
    char err[512];
    clae_status st = clae_model_parse_ex(NULL, text, m->name, &fresh, err, sizeof err);
    free(text);
    if (st != CLAE_OK) {
        if (flag)
            fprintf(stderr, "clae: %s: %s\n", flag, about_flag(err, m->name, edited));
        else
            fprintf(stderr, "clae: --set %s: %s\n", assign, about_flag(err, m->name, edited));
        return st;
    }
    fresh.train.classes = m->train.classes;
    clae_model_free(m);
    *m = fresh;
    return CLAE_OK;
}
