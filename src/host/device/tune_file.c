/* The tuning file of a device (clae/tune.h): one per platform, device and
 * driver beside the program cache, read once when the device opens (into
 * clae_device.tune) and written by `clae tune`; the table in memory. */
#include <cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clae/fs.h"
#include "clae/json_file.h"
#include "clae/tune.h"

#define TUNE_FORMAT "clae-tune 1"
#define TUNE_MAX_BYTES ((size_t)16 << 20)
#define TUNE_MAX_ENTRIES 65536
#define STR_(x) #x
#define CLAE_STR_TUNE(x) STR_(x)

const char *const clae_dc_wg_names[CLAE_DC_WG_MODES] = {"plane", "row", "driver", "stack"};

static uint64_t fnv1a(uint64_t h, const char *s)
{
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h ^ 0xff; /* a separator: ("ab", "c") and ("a", "bc") differ */
}

int clae_tune_path(const clae_device *d, char *buf, size_t len)
{
    char dir[900];
    if (!clae_cache_dir(dir, sizeof dir)) return 0;
    uint64_t h = 14695981039346656037ULL;
    h = fnv1a(h, d->platform_name);
    h = fnv1a(h, d->name);
    h = fnv1a(h, d->driver);
    int n = snprintf(buf, len, "%s/tune-%016llx.json", dir, (unsigned long long)h);
    return n > 0 && (size_t)n < len;
}

/* ---- the table ----------------------------------------------------------- */

clae_tune_entry *clae_tune_find(const clae_tune_table *t, const char *key)
{
    for (int i = 0; t && i < t->n; i++)
        if (strcmp(t->e[i].key, key) == 0) return &t->e[i];
    return NULL;
}

clae_tune_entry *clae_tune_put(clae_tune_table *t, const char *key)
{
    clae_tune_entry *e = clae_tune_find(t, key);
    if (e) return e;
    if (strlen(key) >= sizeof t->e[0].key) return NULL;
    if (t->n == t->cap) {
        int cap = t->cap ? 2 * t->cap : 32;
        clae_tune_entry *ne = realloc(t->e, (size_t)cap * sizeof *ne);
        if (!ne) return NULL;
        t->e = ne;
        t->cap = cap;
    }
    e = &t->e[t->n++];
    memset(e, 0, sizeof *e);
    snprintf(e->key, sizeof e->key, "%s", key);
    return e;
}

void clae_tune_remove(clae_tune_table *t, const char *key)
{
    clae_tune_entry *e = clae_tune_find(t, key);
    if (!e) return;
    *e = t->e[--t->n]; /* order does not matter: keys are unique */
}

void clae_tune_free(clae_tune_table *t)
{
    if (!t) return;
    free(t->e);
    free(t);
}

/* ---- reading ------------------------------------------------------------- */

/* The whole file at path (NUL-terminated, malloc'ed), or NULL with *why. */
static char *read_text(const char *path, const char **why)
{
    FILE *f = clae_fopen_regular(path, why);
    if (!f) {
        if (!*why) *why = "cannot be read";
        return NULL;
    }
    char *buf = malloc(TUNE_MAX_BYTES + 1);
    size_t n = buf ? fread(buf, 1, TUNE_MAX_BYTES + 1, f) : 0;
    const int bad = ferror(f);
    fclose(f);
    if (!buf || bad || n > TUNE_MAX_BYTES) {
        *why = !buf ? "out of memory" : bad ? "cannot be read" : "is over 16 MiB";
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    return buf;
}

static int get_int(const cJSON *o, const char *name, int lo, int hi, int *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    /* the range first: a double out of int's range may not be cast (UB) */
    if (!cJSON_IsNumber(v) || !(v->valuedouble >= lo && v->valuedouble <= hi) ||
        v->valuedouble != (double)(int)v->valuedouble)
        return 0;
    *out = (int)v->valuedouble;
    return 1;
}

static double get_num(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsNumber(v) ? v->valuedouble : 0.0;
}

/* One entry of the file into t; 0 with *why when it is bad. */
static int read_entry(const cJSON *o, clae_tune_table *t, const char **why)
{
    clae_dc_params p;
    const cJSON *wg = cJSON_GetObjectItemCaseSensitive(o, "wg");
    p.wg = -1;
    for (int i = 0; cJSON_IsString(wg) && i < CLAE_DC_WG_MODES; i++)
        if (strcmp(wg->valuestring, clae_dc_wg_names[i]) == 0) p.wg = i;
    if (!cJSON_IsObject(o) || !get_int(o, "blk", 1, CLAE_DC_BLK_MAX, &p.blk) ||
        !get_int(o, "dw_blk", 1, CLAE_DC_BLK_MAX, &p.dw_blk) ||
        !get_int(o, "dw_slice_images", 1, CLAE_DC_SLICE_MAX, &p.dw_slice_images) || p.wg < 0) {
        *why = "needs blk and dw_blk from 1 to " CLAE_STR_TUNE(CLAE_DC_BLK_MAX)
               ", dw_slice_images from 1 to " CLAE_STR_TUNE(CLAE_DC_SLICE_MAX)
               " and wg plane, row, driver or stack";
        return 0;
    }
    p.vw = 0; /* absent (a file of before vw): the defaults' */
    if (cJSON_GetObjectItemCaseSensitive(o, "vw") &&
        (!get_int(o, "vw", 8, 16, &p.vw) || (p.vw != 8 && p.vw != 16))) {
        *why = "has a vw other than 8 or 16";
        return 0;
    }
    if (strncmp(o->string, "conv ", 5) != 0 && strncmp(o->string, "tconv ", 6) != 0 &&
        strncmp(o->string, "dw ", 3) != 0) {
        *why = "has a key that is not conv, tconv or dw and a geometry";
        return 0;
    }
    if (clae_tune_find(t, o->string)) {
        *why = "has a key twice";
        return 0;
    }
    clae_tune_entry *e = t->n < TUNE_MAX_ENTRIES ? clae_tune_put(t, o->string) : NULL;
    if (!e) {
        *why = "has too many entries, or a key too long";
        return 0;
    }
    e->p = p;
    double batch = get_num(o, "batch");
    e->batch = batch >= 0 && batch <= 1 << 20 ? (int)batch : 0;
    e->default_ms = get_num(o, "default_ms");
    e->best_ms = get_num(o, "best_ms");
    return 1;
}

/* The device strings of root match d's: 1; else 0 with *why. */
static int same_device(const clae_device *d, const cJSON *root, const char **why)
{
    static const char *const FIELDS[3] = {"platform", "device", "driver"};
    const char *mine[3] = {d->platform_name, d->name, d->driver};
    for (int i = 0; i < 3; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, FIELDS[i]);
        if (!cJSON_IsString(v)) {
            *why = "has no platform, device and driver strings";
            return 0;
        }
        if (strcmp(v->valuestring, mine[i]) != 0) {
            *why = i == 0   ? "is for another platform"
                   : i == 1 ? "is for another device"
                            : "is for another driver version";
            return 0;
        }
    }
    return 1;
}

/* root as d's table into t: 1, or 0 with *why. */
static int read_root(const clae_device *d, const cJSON *root, clae_tune_table *t,
                     const char **why, const char **which)
{
    const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(root, "format");
    if (!cJSON_IsObject(root) || !cJSON_IsString(fmt) || strcmp(fmt->valuestring, TUNE_FORMAT)) {
        *why = "is not a clae tuning file (format \"" TUNE_FORMAT "\")";
        return 0;
    }
    if (!same_device(d, root, why)) return 0;
    const cJSON *entries = cJSON_GetObjectItemCaseSensitive(root, "entries");
    if (!cJSON_IsObject(entries)) {
        *why = "has no entries object";
        return 0;
    }
    const cJSON *o;
    cJSON_ArrayForEach(o, entries)
    {
        if (!read_entry(o, t, why)) {
            *which = o->string;
            return 0;
        }
    }
    return 1;
}

clae_status clae_tune_read(const clae_device *d, const char *path, clae_tune_table **out)
{
    *out = NULL;
    if (access(path, F_OK) != 0) return CLAE_OK; /* none (yet) */
    const char *why = NULL, *which = NULL;
    char entry[sizeof ((clae_tune_entry *)0)->key + 32] = "";
    char *text = read_text(path, &why);
    cJSON *root = text ? cJSON_Parse(text) : NULL;
    if (text && !root) why = "is not valid JSON";
    clae_tune_table *t = root ? calloc(1, sizeof *t) : NULL;
    if (root && !t) why = "out of memory";
    int ok = t && read_root(d, root, t, &why, &which);
    if (which) snprintf(entry, sizeof entry, "%.*s", (int)sizeof entry - 1, which);
    cJSON_Delete(root);
    free(text);
    if (!ok) {
        clae_tune_free(t);
        if (which)
            fprintf(stderr, "clae: warning: tuning file %s: entry '%s' %s; using the defaults\n",
                    path, entry, why);
        else
            fprintf(stderr, "clae: warning: tuning file %s %s; using the defaults\n", path, why);
        return CLAE_ERR_FORMAT;
    }
    *out = t;
    return CLAE_OK;
}

void clae_tune_load(clae_device *d)
{
    const char *off = getenv("CLAE_NO_TUNE");
    char path[1024], dir[900];
    d->tune = NULL;
    if ((off && *off && strcmp(off, "0") != 0) || !clae_tune_path(d, path, sizeof path) ||
        !clae_cache_dir(dir, sizeof dir) || !clae_cache_dir_safe(dir))
        return;
    if (clae_tune_read(d, path, &d->tune) == CLAE_OK && d->tune && d->verbose)
        fprintf(stderr, "clae: tuned parameters from %s (%d shapes)\n", path, d->tune->n);
}

/* ---- writing ------------------------------------------------------------- */

static cJSON *entry_json(const clae_tune_entry *e)
{
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    cJSON_AddNumberToObject(o, "blk", e->p.blk);
    cJSON_AddNumberToObject(o, "dw_blk", e->p.dw_blk);
    cJSON_AddNumberToObject(o, "dw_slice_images", e->p.dw_slice_images);
    cJSON_AddStringToObject(o, "wg", clae_dc_wg_names[e->p.wg]);
    if (e->p.vw) cJSON_AddNumberToObject(o, "vw", e->p.vw);
    cJSON_AddNumberToObject(o, "batch", e->batch);
    cJSON_AddNumberToObject(o, "default_ms", e->default_ms);
    cJSON_AddNumberToObject(o, "best_ms", e->best_ms);
    return o;
}

clae_status clae_tune_write(const clae_device *d, const clae_tune_table *t, const char *path)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = '\0';
        (void)clae_mkdir_p(dir, 0700);
        if (!clae_cache_dir_safe(dir)) { /* it would never be read (clae_tune_load) */
            fprintf(stderr, "clae: %s: not written: the folder is missing, a link, another "
                            "user's or writable by others\n", path);
            return CLAE_ERR_IO;
        }
    }
    cJSON *root = cJSON_CreateObject(), *entries = cJSON_CreateObject();
    int ok = root && entries;
    if (ok) {
        cJSON_AddStringToObject(root, "format", TUNE_FORMAT);
        cJSON_AddStringToObject(root, "platform", d->platform_name);
        cJSON_AddStringToObject(root, "device", d->name);
        cJSON_AddStringToObject(root, "driver", d->driver);
        cJSON_AddItemToObject(root, "entries", entries);
        entries = NULL;
    }
    for (int i = 0; ok && t && i < t->n; i++) {
        cJSON *o = entry_json(&t->e[i]);
        ok = o && cJSON_AddItemToObject(cJSON_GetObjectItem(root, "entries"), t->e[i].key, o);
    }
    clae_status st = CLAE_ERR_NOMEM;
    if (ok)
        st = clae_json_write_file(path, root);
    else
        fprintf(stderr, "clae: %s: out of memory for the JSON\n", path);
    cJSON_Delete(root);
    cJSON_Delete(entries);
    return st == CLAE_ERR_NOMEM ? CLAE_ERR_IO : st;
}
