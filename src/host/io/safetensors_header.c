/* safetensors header validation: UTF-8, the JSON object, __metadata__,
 * every tensor entry (dtype, shape, data_offsets) and the tiling of the
 * data section. See clae/safetensors.h. */
#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/safetensors_int.h"

/* JSON number -> exact non-negative integer. 0 ok, else what is wrong. */
static const char *json_uint(const cJSON *x, uint64_t *out)
{
    if (!cJSON_IsNumber(x)) return "is not a number";
    double d = x->valuedouble;
    if (d < 0) return "is negative";
    /* range first: converting a double past 2^64 (or inf, NaN) to an integer is undefined */
    if (!(d <= ST_MAX_SAFE_INT) || d != (double)(uint64_t)d) return "is not an integer";
    *out = (uint64_t)d;
    return NULL;
}

static int cmp_offsets(const void *a, const void *b)
{
    const clae_st_entry *x = *(const clae_st_entry *const *)a, *y = *(const clae_st_entry *const *)b;
    if (x->begin != y->begin) return x->begin < y->begin ? -1 : 1;
    if (x->end != y->end) return x->end < y->end ? -1 : 1;
    return 0;
}

/* One tensor entry of the header into e. */
static clae_status parse_entry(clae_st_file *f, const cJSON *item, clae_st_entry *e)
{
    const char *name = item->string;
    size_t nlen = strlen(name);
    if (nlen == 0) {
        st_fail(f, "tensor with an empty name in the header");
        return CLAE_ERR_FORMAT;
    }
    if (nlen >= CLAE_ST_NAME_MAX) {
        st_fail(f, "tensor name too long (%zu bytes, at most %d): %.40s...", nlen,
                CLAE_ST_NAME_MAX - 1, name);
        return CLAE_ERR_FORMAT;
    }
    memcpy(e->name, name, nlen + 1);
    for (const clae_st_entry *p = f->tensors; p < e; p++)
        if (strcmp(p->name, name) == 0) {
            st_fail(f, "duplicate tensor %s in the header", name);
            return CLAE_ERR_FORMAT;
        }
    if (!cJSON_IsObject(item)) {
        st_fail(f, "tensor %s: header entry is not a JSON object", name);
        return CLAE_ERR_FORMAT;
    }

    const cJSON *dtype = cJSON_GetObjectItemCaseSensitive(item, "dtype");
    const cJSON *shape = cJSON_GetObjectItemCaseSensitive(item, "shape");
    const cJSON *offs = cJSON_GetObjectItemCaseSensitive(item, "data_offsets");
    if (!dtype || !shape || !offs) {
        st_fail(f, "tensor %s: missing %s", name,
                !dtype ? "dtype" : !shape ? "shape" : "data_offsets");
        return CLAE_ERR_FORMAT;
    }
    if (!cJSON_IsString(dtype)) {
        st_fail(f, "tensor %s: dtype is not a string", name);
        return CLAE_ERR_FORMAT;
    }
    if (strcmp(dtype->valuestring, "F32") == 0) {
        e->dtype = CLAE_ST_F32;
    } else if (strcmp(dtype->valuestring, "U8") == 0) {
        e->dtype = CLAE_ST_U8;
    } else {
        st_fail(f, "tensor %s: dtype %.32s is not supported (only F32 and U8)", name,
                dtype->valuestring);
        return CLAE_ERR_FORMAT;
    }
    const uint64_t esize = st_dtype_size[e->dtype];

    if (!cJSON_IsArray(shape)) {
        st_fail(f, "tensor %s: shape is not an array", name);
        return CLAE_ERR_FORMAT;
    }
    int ndim = cJSON_GetArraySize(shape);
    if (ndim > CLAE_ST_MAX_NDIM) {
        st_fail(f, "tensor %s: shape has %d dimensions, at most %d are supported", name, ndim,
                CLAE_ST_MAX_NDIM);
        return CLAE_ERR_FORMAT;
    }
    e->ndim = ndim;
    uint64_t numel = 1;
    int overflow = 0, zero = 0;
    for (int i = 0; i < ndim; i++) {
        uint64_t v;
        const char *why = json_uint(cJSON_GetArrayItem(shape, i), &v);
        if (why) {
            st_fail(f, "tensor %s: shape dimension %d %s", name, i, why);
            return CLAE_ERR_FORMAT;
        }
        e->shape[i] = (int64_t)v;
        zero |= v == 0;
        if (v != 0 && numel > (UINT64_MAX / 4) / v) overflow = 1;
        numel *= v;
    }
    char sbuf[128];
    st_fmt_shape(sbuf, sizeof sbuf, ndim, e->shape);
    if (overflow && !zero) { /* (a wrapped product can be 0 too) */
        st_fail(f, "tensor %s: shape %s is too large", name, sbuf);
        return CLAE_ERR_FORMAT;
    }
    e->numel = (int64_t)numel;

    if (!cJSON_IsArray(offs) || cJSON_GetArraySize(offs) != 2) {
        st_fail(f, "tensor %s: data_offsets is not [begin, end]", name);
        return CLAE_ERR_FORMAT;
    }
    const char *why = json_uint(cJSON_GetArrayItem(offs, 0), &e->begin);
    if (!why) why = json_uint(cJSON_GetArrayItem(offs, 1), &e->end);
    if (why) {
        st_fail(f, "tensor %s: a data_offsets value %s", name, why);
        return CLAE_ERR_FORMAT;
    }
    if (e->begin > e->end) {
        st_fail(f, "tensor %s: data_offsets [%" PRIu64 ", %" PRIu64 "] has begin > end", name,
                e->begin, e->end);
        return CLAE_ERR_FORMAT;
    }
    if (e->end - e->begin != numel * esize) {
        st_fail(f,
                "tensor %s: data_offsets [%" PRIu64 ", %" PRIu64 "] hold %" PRIu64
                " bytes, but shape %s needs %" PRIu64 " (%s)",
                name, e->begin, e->end, e->end - e->begin, sbuf, numel * esize,
                st_dtype_name[e->dtype]);
        return CLAE_ERR_FORMAT;
    }
    if (e->end > f->data_bytes) {
        st_fail(f,
                "tensor %s: data_offsets [%" PRIu64 ", %" PRIu64
                "] run past the end of the data section (%zu bytes); truncated file?",
                name, e->begin, e->end, f->data_bytes);
        return CLAE_ERR_FORMAT;
    }
    return CLAE_OK; /* e->data is set once the data section is read */
}

/* hdr[0..len) as one JSON object, nothing but whitespace after it; the
 * parsed root goes to f->json_. */
static clae_status parse_json(clae_st_file *f, const char *hdr, size_t len)
{
    size_t bad;
    if (!st_utf8_ok((const unsigned char *)hdr, len, &bad)) {
        st_fail(f, "header is not valid UTF-8 (%s at byte %zu)",
                hdr[bad] == 0 ? "NUL byte" : "bad sequence", bad);
        return CLAE_ERR_FORMAT;
    }
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(hdr, len, &end, 0);
    if (!root) {
        size_t at = end && end >= hdr && end <= hdr + len ? (size_t)(end - hdr) : 0;
        st_fail(f, "header JSON does not parse (near byte %zu of %zu: \"%.20s\")", at, len,
                hdr + at);
        return CLAE_ERR_FORMAT;
    }
    f->json_ = root;
    if (!cJSON_IsObject(root)) {
        st_fail(f, "header is not a JSON object");
        return CLAE_ERR_FORMAT;
    }
    if (hdr[0] != '{') {
        st_fail(f, "header does not start with '{'");
        return CLAE_ERR_FORMAT;
    }
    for (const char *p = end; p < hdr + len; p++)
        if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') {
            st_fail(f, "unexpected bytes after the header JSON object (byte %zu)",
                    (size_t)(p - hdr));
            return CLAE_ERR_FORMAT;
        }
    return CLAE_OK;
}

/* The one __metadata__ entry of root (*meta, NULL when none): an object of
 * strings, into f->meta_keys and f->meta_vals. */
static clae_status parse_metadata(clae_st_file *f, const cJSON *root, const cJSON **meta)
{
    *meta = NULL;
    const cJSON *item;
    cJSON_ArrayForEach(item, root)
    {
        if (strcmp(item->string, "__metadata__") != 0) continue;
        if (*meta) {
            st_fail(f, "duplicate __metadata__ in the header");
            return CLAE_ERR_FORMAT;
        }
        *meta = item;
    }
    if (!*meta) return CLAE_OK;
    if (!cJSON_IsObject(*meta)) {
        st_fail(f, "__metadata__ is not a JSON object");
        return CLAE_ERR_FORMAT;
    }
    int nm = cJSON_GetArraySize(*meta);
    f->meta_keys = calloc((size_t)nm + 1, sizeof *f->meta_keys);
    f->meta_vals = calloc((size_t)nm + 1, sizeof *f->meta_vals);
    if (!f->meta_keys || !f->meta_vals) {
        st_fail(f, "out of memory");
        return CLAE_ERR_NOMEM;
    }
    const cJSON *m;
    cJSON_ArrayForEach(m, *meta)
    {
        if (!cJSON_IsString(m)) {
            st_fail(f, "metadata value for key \"%.64s\" is not a string", m->string);
            return CLAE_ERR_FORMAT;
        }
        f->meta_keys[f->nmeta] = m->string;
        f->meta_vals[f->nmeta] = m->valuestring;
        f->nmeta++;
    }
    return CLAE_OK;
}

/* The tensors must tile the data section: sorted by offset, each begins
 * where the previous ended, the first at 0, the last at its end. Tensors
 * that overlap fail here; a gap or bytes after the last tensor (most often
 * a tensor left out of the header) fail here too, or with
 * CLAE_ST_LAYOUT_LATER are kept in f->layout_err_ for clae_st_expect and
 * clae_st_check_all_used to report. */
static clae_status check_tiling(clae_st_file *f)
{
    clae_st_entry **order = malloc(((size_t)f->n + 1) * sizeof *order);
    if (!order) {
        st_fail(f, "out of memory");
        return CLAE_ERR_NOMEM;
    }
    for (int i = 0; i < f->n; i++) order[i] = &f->tensors[i];
    qsort(order, (size_t)f->n, sizeof *order, cmp_offsets);
    uint64_t at = 0;
    const clae_st_entry *prev = NULL;
    char gap[CLAE_ST_ERR_MAX] = "";
    clae_status s = CLAE_OK;
    for (int i = 0; i < f->n && s == CLAE_OK; i++) {
        const clae_st_entry *e = order[i];
        if (e->begin < at) {
            st_fail(f,
                    "tensors %s [%" PRIu64 ", %" PRIu64 "] and %s [%" PRIu64 ", %" PRIu64
                    "] overlap in the data section",
                    prev->name, prev->begin, prev->end, e->name, e->begin, e->end);
            s = CLAE_ERR_FORMAT;
        } else if (e->begin > at && !gap[0]) {
            snprintf(gap, sizeof gap,
                     "gap of %" PRIu64 " bytes in the data section before tensor %s (offset %" PRIu64
                     ")",
                     e->begin - at, e->name, e->begin);
            if (!f->layout_later_) s = CLAE_ERR_FORMAT; /* the first problem, as found */
        }
        at = e->end;
        prev = e;
    }
    free(order);
    if (s != CLAE_OK && !gap[0]) return s; /* overlap: reported */
    if (!gap[0] && at != f->data_bytes)
        snprintf(gap, sizeof gap,
                 "%zu bytes in the data section after the last tensor (tensors end at %" PRIu64 ")",
                 f->data_bytes - (size_t)at, at);
    if (!gap[0]) return CLAE_OK;
    if (f->layout_later_) {
        memcpy(f->layout_err_, gap, sizeof gap);
        return CLAE_OK;
    }
    st_fail(f, "%s", gap);
    return CLAE_ERR_FORMAT;
}

/* Metadata, tensor entries and the tiling of the data section. */
clae_status st_parse_header(clae_st_file *f, const char *hdr, size_t len)
{
    clae_status s = parse_json(f, hdr, len);
    if (s != CLAE_OK) return s;
    const cJSON *root = f->json_, *meta, *item;
    if ((s = parse_metadata(f, root, &meta)) != CLAE_OK) return s;
    int ntens = cJSON_GetArraySize(root) - (meta ? 1 : 0);
    f->tensors = calloc((size_t)ntens + 1, sizeof *f->tensors);
    if (!f->tensors) {
        st_fail(f, "out of memory");
        return CLAE_ERR_NOMEM;
    }
    cJSON_ArrayForEach(item, root)
    {
        if (item == meta) continue;
        if ((s = parse_entry(f, item, &f->tensors[f->n])) != CLAE_OK) return s;
        f->n++;
    }
    return check_tiling(f);
}
