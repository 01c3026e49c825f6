/* history.jsonl as CSV (OUT/history.csv, for a spreadsheet or pandas);
 * see clae_history_csv in include/clae/history.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "clae/fs.h"
#include "clae/history.h"

enum { MAX_COLS = 64, NAME_MAX_LEN = 64 };

typedef struct columns {
    int n;
    char name[MAX_COLS][NAME_MAX_LEN];
} columns;

/* "terms.kl" for a number inside an object, "epoch" at the top. */
static void column_name(char *buf, const cJSON *parent, const cJSON *item)
{
    if (parent)
        snprintf(buf, NAME_MAX_LEN, "%.30s.%.30s", parent->string, item->string);
    else
        snprintf(buf, NAME_MAX_LEN, "%.62s", item->string);
}

static int column_index(const columns *c, const char *name)
{
    for (int i = 0; i < c->n; i++)
        if (strcmp(c->name[i], name) == 0) return i;
    return -1;
}

static void add_column(columns *c, const char *name)
{
    if (c->n < MAX_COLS && column_index(c, name) < 0)
        snprintf(c->name[c->n++], NAME_MAX_LEN, "%s", name);
}

/* The numbers of one record (an object), a level of nesting flattened. */
static void collect(columns *c, const cJSON *o)
{
    char name[NAME_MAX_LEN];
    for (const cJSON *it = o->child; it; it = it->next) {
        if (!it->string) continue;
        if (cJSON_IsNumber(it)) {
            column_name(name, NULL, it);
            add_column(c, name);
        } else if (cJSON_IsObject(it)) {
            for (const cJSON *in = it->child; in; in = in->next)
                if (in->string && cJSON_IsNumber(in)) {
                    column_name(name, it, in);
                    add_column(c, name);
                }
        }
    }
}

static double value_of(const cJSON *o, const char *name, int *found)
{
    char top[NAME_MAX_LEN];
    snprintf(top, sizeof top, "%s", name);
    char *dot = strchr(top, '.');
    const cJSON *it;
    if (dot) {
        *dot = '\0';
        const cJSON *obj = cJSON_GetObjectItemCaseSensitive(o, top);
        it = cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, dot + 1) : NULL;
    } else {
        it = cJSON_GetObjectItemCaseSensitive(o, top);
    }
    *found = cJSON_IsNumber(it);
    return *found ? it->valuedouble : 0.0;
}

/* Grow *buf to hold at least need more bytes past *len. */
static int reserve(char **buf, size_t *cap, size_t len, size_t need)
{
    if (len + need < *cap) return 1;
    size_t nc = (*cap ? *cap : 4096);
    while (nc <= len + need) nc *= 2;
    char *nb = realloc(*buf, nc);
    if (!nb) return 0;
    *buf = nb;
    *cap = nc;
    return 1;
}

clae_status clae_history_csv(const char *jsonl, const char *csv)
{
    const char *refused;
    FILE *f = clae_fopen_regular(jsonl, &refused);
    if (!f) {
        fprintf(stderr, "clae: %s: %s\n", jsonl, refused ? refused : strerror(errno));
        return CLAE_ERR_IO;
    }
    char *text = NULL, *out = NULL;
    size_t tcap = 0, tlen = 0, ocap = 0, olen = 0;
    clae_status st = CLAE_OK;
    for (;;) {
        if (!reserve(&text, &tcap, tlen, 65536)) {
            st = CLAE_ERR_NOMEM;
            break;
        }
        size_t got = fread(text + tlen, 1, tcap - tlen - 1, f);
        tlen += got;
        if (got == 0) break;
        if (tlen > CLAE_HISTORY_MAX_BYTES) {
            fprintf(stderr, "clae: %s: larger than %d bytes\n", jsonl, CLAE_HISTORY_MAX_BYTES);
            st = CLAE_ERR_FORMAT;
            break;
        }
    }
    if (st == CLAE_OK && ferror(f)) {
        fprintf(stderr, "clae: %s: read error\n", jsonl);
        st = CLAE_ERR_IO;
    }
    fclose(f);
    if (st != CLAE_OK) {
        free(text);
        return st;
    }
    text[tlen] = '\0';

    /* Two passes over the records: the columns (in the order they first
     * appear), then the rows. Lines that are not a JSON object are skipped. */
    columns cols = {0};
    for (int pass = 0; pass < 2 && st == CLAE_OK; pass++) {
        if (pass == 1) {
            if (!reserve(&out, &ocap, olen, (size_t)cols.n * (NAME_MAX_LEN + 1) + 2)) {
                st = CLAE_ERR_NOMEM;
                break;
            }
            for (int i = 0; i < cols.n; i++)
                olen += (size_t)sprintf(out + olen, "%s%s", i ? "," : "", cols.name[i]);
            out[olen++] = '\n';
        }
        for (char *line = text; line && *line && st == CLAE_OK;) {
            char *end = strchr(line, '\n');
            if (end) *end = '\0';
            cJSON *o = cJSON_Parse(line);
            if (cJSON_IsObject(o)) {
                if (pass == 0) {
                    collect(&cols, o);
                } else if (!reserve(&out, &ocap, olen, (size_t)cols.n * 32 + 2)) {
                    st = CLAE_ERR_NOMEM;
                } else {
                    for (int i = 0; i < cols.n; i++) {
                        int found;
                        double v = value_of(o, cols.name[i], &found);
                        olen += (size_t)sprintf(out + olen, "%s", i ? "," : "");
                        if (found) olen += (size_t)sprintf(out + olen, "%.9g", v);
                    }
                    out[olen++] = '\n';
                }
            }
            cJSON_Delete(o);
            if (end) *end = '\n';
            line = end ? end + 1 : NULL;
        }
    }
    free(text);
    if (st == CLAE_ERR_NOMEM) fprintf(stderr, "clae: %s: out of memory\n", csv);
    if (st == CLAE_OK) {
        const void *data[1] = {out ? out : ""};
        size_t len[1] = {olen};
        const char *what = "write";
        if (clae_write_atomic(csv, data, len, 1, 0644, &what) != 0) {
            fprintf(stderr, "clae: %s: %s failed: %s\n", csv, what, strerror(errno));
            st = CLAE_ERR_IO;
        }
    }
    free(out);
    return st;
}
