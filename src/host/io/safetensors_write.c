/* safetensors writer: the arguments checked, the header JSON built, then
 * header and tensor data in one atomic write (clae_write_atomic). See
 * clae/safetensors.h. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "clae/fs.h"
#include "io/safetensors_int.h"

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void wr_fail(const char *path, const char *fmt, ...)
{
    char msg[CLAE_ST_ERR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    st_one_line(msg);
    fprintf(stderr, "clae: %s: %s\n", path ? path : "(null)", msg);
}

/* A JSON integer printed exactly (cJSON would print large doubles with an exponent). */
static cJSON *json_int(uint64_t v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%" PRIu64, v);
    return cJSON_CreateRaw(buf);
}

/* Check the arguments; numel[i] gets each tensor's element count. */
static clae_status check_args(const char *path, const clae_st_tensor *t, int n,
                              const char *const *keys, const char *const *vals, int nmeta,
                              uint64_t *numel)
{
    if (n < 0 || nmeta < 0 || (n > 0 && !t) || (nmeta > 0 && (!keys || !vals))) {
        wr_fail(path, "bad arguments to clae_st_write (n=%d, nmeta=%d)", n, nmeta);
        return CLAE_ERR_ARG;
    }
    for (int i = 0; i < n; i++) {
        const char *name = t[i].name;
        size_t len = strnlen(name, CLAE_ST_NAME_MAX);
        if (len == 0 || len == CLAE_ST_NAME_MAX) {
            wr_fail(path, "tensor %d: name is %s", i, len ? "too long" : "empty");
            return CLAE_ERR_ARG;
        }
        if (!st_utf8_ok((const unsigned char *)name, len, NULL) || strcmp(name, "__metadata__") == 0) {
            wr_fail(path, "tensor %d: name \"%s\" is not allowed", i, name);
            return CLAE_ERR_ARG;
        }
        for (int j = 0; j < i; j++)
            if (strcmp(t[j].name, name) == 0) {
                wr_fail(path, "duplicate tensor name %s", name);
                return CLAE_ERR_ARG;
            }
        if (t[i].dtype != CLAE_ST_F32 && t[i].dtype != CLAE_ST_U8) {
            wr_fail(path, "tensor %s: unknown dtype %d", name, (int)t[i].dtype);
            return CLAE_ERR_ARG;
        }
        if (t[i].ndim < 0 || t[i].ndim > CLAE_ST_MAX_NDIM) {
            wr_fail(path, "tensor %s: ndim %d is out of range 0..%d", name, t[i].ndim,
                    CLAE_ST_MAX_NDIM);
            return CLAE_ERR_ARG;
        }
        uint64_t ne = 1;
        for (int d = 0; d < t[i].ndim; d++) {
            int64_t v = t[i].shape[d];
            if (v < 0 || (double)v > ST_MAX_SAFE_INT || (v != 0 && ne > (UINT64_MAX / 4) / (uint64_t)v)) {
                wr_fail(path, "tensor %s: dimension %d is %" PRId64 "", name, d, v);
                return CLAE_ERR_ARG;
            }
            ne *= (uint64_t)v;
        }
        if (ne > 0 && !t[i].data) {
            wr_fail(path, "tensor %s: no data", name);
            return CLAE_ERR_ARG;
        }
        numel[i] = ne;
    }
    for (int i = 0; i < nmeta; i++) {
        if (!keys[i] || !vals[i] || !st_utf8_ok((const unsigned char *)keys[i], strlen(keys[i]), NULL) ||
            !st_utf8_ok((const unsigned char *)vals[i], strlen(vals[i]), NULL)) {
            wr_fail(path, "metadata pair %d is missing or not valid UTF-8", i);
            return CLAE_ERR_ARG;
        }
        for (int j = 0; j < i; j++)
            if (strcmp(keys[j], keys[i]) == 0) {
                wr_fail(path, "duplicate metadata key \"%s\"", keys[i]);
                return CLAE_ERR_ARG;
            }
    }
    return CLAE_OK;
}

/* The header JSON; NULL when out of memory (or the total would overflow). */
static char *build_header(const clae_st_tensor *t, int n, const uint64_t *numel,
                          const char *const *keys, const char *const *vals, int nmeta)
{
    cJSON *root = cJSON_CreateObject();
    if (!root) return NULL;
    int ok = 1;
    if (nmeta > 0) {
        cJSON *m = cJSON_AddObjectToObject(root, "__metadata__");
        ok = m != NULL;
        for (int i = 0; ok && i < nmeta; i++) ok = cJSON_AddStringToObject(m, keys[i], vals[i]) != NULL;
    }
    uint64_t at = 0;
    for (int i = 0; ok && i < n; i++) {
        cJSON *e = cJSON_AddObjectToObject(root, t[i].name);
        ok = e && cJSON_AddStringToObject(e, "dtype", st_dtype_name[t[i].dtype]);
        cJSON *shape = ok ? cJSON_AddArrayToObject(e, "shape") : NULL;
        cJSON *offs = shape ? cJSON_AddArrayToObject(e, "data_offsets") : NULL;
        ok = offs != NULL;
        for (int d = 0; ok && d < t[i].ndim; d++) {
            cJSON *v = json_int((uint64_t)t[i].shape[d]);
            ok = v != NULL;
            if (ok) cJSON_AddItemToArray(shape, v);
        }
        const uint64_t bytes = numel[i] * st_dtype_size[t[i].dtype];
        if (bytes > UINT64_MAX - at) ok = 0;
        uint64_t end = ok ? at + bytes : 0;
        cJSON *b = ok ? json_int(at) : NULL, *en = ok ? json_int(end) : NULL;
        if (b && en) {
            cJSON_AddItemToArray(offs, b);
            cJSON_AddItemToArray(offs, en);
        } else {
            cJSON_Delete(b);
            cJSON_Delete(en);
            ok = 0;
        }
        at = end;
    }
    char *js = ok ? cJSON_PrintUnformatted(root) : NULL;
    cJSON_Delete(root);
    return js;
}

clae_status clae_st_write(const char *path, const clae_st_tensor *t, int n,
                          const char *const *meta_keys, const char *const *meta_vals, int nmeta)
{
    if (!path || !*path) {
        wr_fail(path, "no checkpoint path given");
        return CLAE_ERR_ARG;
    }
    if (!st_host_is_little_endian()) {
        wr_fail(path, "this host is big-endian; safetensors checkpoints need a little-endian host");
        return CLAE_ERR_ARG;
    }
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        wr_fail(path, "is a directory; cannot write a checkpoint there");
        return CLAE_ERR_IO;
    }
    uint64_t *numel = malloc(((size_t)(n > 0 ? n : 0) + 1) * sizeof *numel);
    if (!numel) {
        wr_fail(path, "out of memory");
        return CLAE_ERR_NOMEM;
    }
    clae_status s = check_args(path, t, n, meta_keys, meta_vals, nmeta, numel);
    if (s != CLAE_OK) {
        free(numel);
        return s;
    }
    char *js = build_header(t, n, numel, meta_keys, meta_vals, nmeta);
    unsigned char *hdr = NULL;
    size_t jlen = js ? strlen(js) : 0, plen = (jlen + 7) & ~(size_t)7;
    if (js) hdr = malloc(8 + plen);
    const void **parts = malloc(((size_t)(n > 0 ? n : 0) + 1) * sizeof *parts);
    size_t *lens = malloc(((size_t)(n > 0 ? n : 0) + 1) * sizeof *lens);
    if (!js || !hdr || !parts || !lens) {
        wr_fail(path, "out of memory building the header");
        free(numel), free(js), free(hdr), free(parts), free(lens);
        return CLAE_ERR_NOMEM;
    }
    for (int i = 0; i < 8; i++) hdr[i] = (unsigned char)((uint64_t)plen >> (8 * i));
    memcpy(hdr + 8, js, jlen);
    memset(hdr + 8 + jlen, ' ', plen - jlen);
    free(js);
    parts[0] = hdr, lens[0] = 8 + plen;
    for (int i = 0; i < n; i++)
        parts[1 + i] = t[i].data, lens[1 + i] = (size_t)(numel[i] * st_dtype_size[t[i].dtype]);
    const char *what = NULL;
    if (clae_write_atomic(path, parts, lens, n + 1, 0644, &what) != 0) {
        wr_fail(path, "%s failed: %s", what, strerror(errno));
        s = CLAE_ERR_IO;
    }
    free(numel), free(hdr), free(parts), free(lens);
    return s;
}
