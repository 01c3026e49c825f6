/* The training history, history.jsonl: loading it (for the plot) and
 * trimming it to a resumed checkpoint's epoch (see clae/history.h). */
#include "clae/history.h"

#include <cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "clae/fs.h"

void clae_history_free(clae_history *h)
{
    free(h->epoch);
    free(h->train_loss);
    free(h->val_loss);
    for (int k = 0; k < CLAE_HISTORY_MAX_TERMS; k++) {
        free(h->term[k]);
        free(h->val_term[k]);
    }
    free(h->val_psnr);
    free(h->val_accuracy);
    memset(h, 0, sizeof *h);
}

/* A history's numbers stay within these, so that every span, tick step and
 * pixel coordinate of the plot is a finite, representable number. */
#define HISTORY_MAX_EPOCH 1e9
#define HISTORY_MAX_LOSS 1e30

/* o[key] as a number within [-lim, lim]. */
static int json_number(const cJSON *o, const char *key, double lim, double *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || fabs(v->valuedouble) > lim) return 0;
    *out = v->valuedouble;
    return 1;
}

/* fopen for reading, refusing (*refused, one line naming it) a folder or a
 * file past CLAE_HISTORY_MAX_BYTES; NULL with errno set otherwise. */
static FILE *history_open(const char *path, int *refused)
{
    *refused = 0;
    const char *why;
    FILE *f = clae_fopen_regular(path, &why);
    if (!f && why) {
        if (errno == EISDIR) /* a run's folder */
            fprintf(stderr, "clae: %s: a folder, not a history (a run's is %s/history.jsonl)\n",
                    path, path);
        else
            fprintf(stderr, "clae: %s: %s\n", path, why);
        *refused = 1;
        return NULL;
    }
    struct stat sb;
    if (f && fstat(fileno(f), &sb) == 0 && sb.st_size > CLAE_HISTORY_MAX_BYTES) {
        fprintf(stderr, "clae: %s: %lld bytes; a history is at most %d\n", path,
                (long long)sb.st_size, CLAE_HISTORY_MAX_BYTES);
        fclose(f);
        *refused = 1;
        return NULL;
    }
    return f;
}

/* A line's "terms" (or "val_terms": key) object into tv (NAN where absent):
 * its keys name the series the first time; NULL, or what is wrong with it. */
static const char *history_terms(clae_history *h, const cJSON *o, const char *key, double *tv)
{
    for (int k = 0; k < CLAE_HISTORY_MAX_TERMS; k++) tv[k] = NAN;
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!t) return NULL;
    if (!cJSON_IsObject(t))
        return strcmp(key, "terms") == 0 ? "'terms' is not an object" : "'val_terms' is not an object";
    const cJSON *it;
    cJSON_ArrayForEach(it, t)
    {
        if (!it->string || !cJSON_IsNumber(it) || !isfinite(it->valuedouble) ||
            fabs(it->valuedouble) > HISTORY_MAX_LOSS)
            return strcmp(key, "terms") == 0 ? "a value in 'terms' is not a number within +-1e30"
                                             : "a value in 'val_terms' is not a number within +-1e30";
        int k = 0;
        while (k < h->nterms && strcmp(h->term_name[k], it->string) != 0) k++;
        if (k == h->nterms) {
            if (h->nterms == CLAE_HISTORY_MAX_TERMS || strlen(it->string) >= sizeof h->term_name[0])
                continue; /* more series than a plot shows: not an error */
            snprintf(h->term_name[h->nterms++], sizeof h->term_name[0], "%s", it->string);
        }
        tv[k] = it->valuedouble < 0 ? NAN : it->valuedouble;
    }
    return NULL;
}

clae_status clae_history_load(const char *path, clae_history *h)
{
    memset(h, 0, sizeof *h);
    int refused;
    FILE *f = history_open(path, &refused);
    if (refused) return CLAE_ERR_FORMAT;
    if (!f) {
        fprintf(stderr, "clae: %s: %s\n", path, strerror(errno));
        return CLAE_ERR_IO;
    }
    char *line = NULL;
    size_t cap = 0, alloc = 0;
    long lineno = 0;
    clae_status st = CLAE_OK;
    ssize_t len;
    while ((len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        const char *p = line;
        while (*p && isspace((unsigned char)*p)) p++;
        if (!*p) continue;
        const char *end = NULL;
        cJSON *o = cJSON_ParseWithOpts(line, &end, 0);
        if (o && end)
            while (*end && isspace((unsigned char)*end)) end++;
        double e = 0, tl = 0, vl = NAN, vp = NAN, va = NAN, tv[CLAE_HISTORY_MAX_TERMS],
               vv[CLAE_HISTORY_MAX_TERMS];
        const char *why = NULL;
        if (!o || !cJSON_IsObject(o))
            why = "not a JSON object";
        else if (!end || *end)
            why = "text after the JSON object";
        else if (!cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(o, "epoch")))
            why = "missing number 'epoch'";
        else if (!json_number(o, "epoch", HISTORY_MAX_EPOCH, &e) || e < 1 || e != floor(e))
            why = "'epoch' is not a whole number from 1 to 1e9";
        else if (!cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(o, "train_loss")))
            why = "missing number 'train_loss'";
        else if (!json_number(o, "train_loss", HISTORY_MAX_LOSS, &tl))
            why = "'train_loss' is not a number within +-1e30";
        else if (cJSON_GetObjectItemCaseSensitive(o, "val_loss") &&
                 !json_number(o, "val_loss", HISTORY_MAX_LOSS, &vl))
            why = "'val_loss' is not a number within +-1e30";
        else if (cJSON_GetObjectItemCaseSensitive(o, "val_psnr") &&
                 !json_number(o, "val_psnr", HISTORY_MAX_LOSS, &vp))
            why = "'val_psnr' is not a number within +-1e30";
        else if (cJSON_GetObjectItemCaseSensitive(o, "val_accuracy") &&
                 !json_number(o, "val_accuracy", HISTORY_MAX_LOSS, &va))
            why = "'val_accuracy' is not a number within +-1e30";
        if (!why && (!cJSON_GetObjectItemCaseSensitive(o, "val_loss") || vl < 0)) vl = NAN;
        if (!why && (!cJSON_GetObjectItemCaseSensitive(o, "val_psnr") || vp < 0)) vp = NAN;
        if (!why && (!cJSON_GetObjectItemCaseSensitive(o, "val_accuracy") || va < 0)) va = NAN;
        if (!why) why = history_terms(h, o, "terms", tv);
        if (!why) why = history_terms(h, o, "val_terms", vv);
        cJSON_Delete(o);
        if (why) {
            fprintf(stderr, "clae: %s:%ld: %s\n", path, lineno, why);
            st = CLAE_ERR_FORMAT;
            break;
        }
        if (h->n == alloc) {
            size_t na = alloc ? 2 * alloc : 64;
            double *a = realloc(h->epoch, na * sizeof *a);
            if (a) h->epoch = a;
            double *b = a ? realloc(h->train_loss, na * sizeof *b) : NULL;
            if (b) h->train_loss = b;
            double *c = b ? realloc(h->val_loss, na * sizeof *c) : NULL;
            if (c) h->val_loss = c;
            double *d = c ? realloc(h->val_psnr, na * sizeof *d) : NULL;
            if (d) h->val_psnr = d;
            else c = NULL;
            double *ac = c ? realloc(h->val_accuracy, na * sizeof *ac) : NULL;
            if (ac) h->val_accuracy = ac;
            else c = NULL;
            for (int k = 0; c && k < CLAE_HISTORY_MAX_TERMS; k++) {
                double *t = realloc(h->term[k], na * sizeof *t);
                if (t) h->term[k] = t;
                double *u = t ? realloc(h->val_term[k], na * sizeof *u) : NULL;
                if (u) h->val_term[k] = u;
                else c = NULL;
            }
            if (!c) {
                fprintf(stderr, "clae: %s: out of memory\n", path);
                st = CLAE_ERR_NOMEM;
                break;
            }
            alloc = na;
        }
        h->epoch[h->n] = e;
        h->train_loss[h->n] = tl;
        h->val_loss[h->n] = vl;
        h->val_psnr[h->n] = vp;
        h->val_accuracy[h->n] = va;
        for (int k = 0; k < CLAE_HISTORY_MAX_TERMS; k++) {
            h->term[k][h->n] = tv[k];
            h->val_term[k][h->n] = vv[k];
        }
        h->n++;
    }
    if (st == CLAE_OK && ferror(f)) {
        fprintf(stderr, "clae: %s: read error\n", path);
        st = CLAE_ERR_IO;
    }
    free(line);
    fclose(f);
    if (st == CLAE_OK && h->n == 0) {
        fprintf(stderr, "clae: %s: no epochs in the history\n", path);
        st = CLAE_ERR_FORMAT;
    }
    if (st != CLAE_OK) clae_history_free(h);
    return st;
}

/* Append n bytes to the growing buffer *out (used of room); 0 or -1. */
static int grow_append(char **out, size_t *used, size_t *room, const char *s, size_t n)
{
    if (*used + n > *room) {
        size_t nr = 2 * (*used + n) + 256;
        char *b = realloc(*out, nr);
        if (!b) return -1;
        *out = b;
        *room = nr;
    }
    memcpy(*out + *used, s, n);
    *used += n;
    return 0;
}

clae_status clae_history_keep(const char *path, long max_epoch, const char *last_line)
{
    int refused;
    FILE *f = history_open(path, &refused);
    if (refused) return CLAE_ERR_FORMAT;
    if (!f && errno != ENOENT) {
        fprintf(stderr, "clae: %s: %s\n", path, strerror(errno));
        return CLAE_ERR_IO;
    }
    if (last_line) { /* from a checkpoint: one JSON object for epoch max_epoch, or ignored */
        cJSON *o = strpbrk(last_line, "\r\n") ? NULL : cJSON_Parse(last_line);
        const cJSON *e = o ? cJSON_GetObjectItemCaseSensitive(o, "epoch") : NULL;
        if (!cJSON_IsNumber(e) || e->valuedouble != (double)max_epoch) last_line = NULL;
        cJSON_Delete(o);
    }
    if (!f && !last_line) return CLAE_OK;
    /* With the checkpoint's own line for epoch max_epoch, that line replaces
     * whatever the file has for it (or supplies it when a kill came between
     * the checkpoint and the append). */
    long keep_to = last_line ? max_epoch - 1 : max_epoch;
    char *line = NULL, *out = NULL;
    size_t cap = 0, used = 0, room = 0;
    int changed = last_line != NULL;
    clae_status st = CLAE_OK;
    ssize_t len;
    while (f && (len = getline(&line, &cap, f)) >= 0) {
        cJSON *o = cJSON_Parse(line);
        const cJSON *e = o ? cJSON_GetObjectItemCaseSensitive(o, "epoch") : NULL;
        int drop = cJSON_IsNumber(e) && e->valuedouble > (double)keep_to;
        int torn = len > 0 && line[len - 1] != '\n'; /* the last line, cut short */
        if (torn && !o) drop = 1; /* an append that did not finish */
        cJSON_Delete(o);
        if (drop) {
            changed = 1;
            continue;
        }
        if (grow_append(&out, &used, &room, line, (size_t)len) != 0 ||
            (torn && grow_append(&out, &used, &room, "\n", 1) != 0)) {
            st = CLAE_ERR_NOMEM;
            break;
        }
        changed |= torn;
    }
    if (f && st == CLAE_OK && ferror(f)) {
        fprintf(stderr, "clae: %s: read error\n", path);
        st = CLAE_ERR_IO;
    }
    if (f) fclose(f);
    free(line);
    if (st == CLAE_OK && last_line &&
        (grow_append(&out, &used, &room, last_line, strlen(last_line)) != 0 ||
         grow_append(&out, &used, &room, "\n", 1) != 0))
        st = CLAE_ERR_NOMEM;
    if (st == CLAE_ERR_NOMEM) fprintf(stderr, "clae: %s: out of memory\n", path);
    if (st == CLAE_OK && changed) st = clae_file_write_atomic(path, out ? out : "", used);
    free(out);
    return st;
}
