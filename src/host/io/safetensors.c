/* safetensors reader (whole file, or the header alone, fully validated) and
 * atomic writer (temp file, fsync, rename) for named F32 and U8 tensors. See
 * clae/safetensors.h. */
#include "clae/safetensors.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clae/fs.h"

/* Tensor data is copied to and from the file as raw host floats. */
_Static_assert(sizeof(float) == 4, "clae checkpoints need 4-byte IEEE floats");
#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__)
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
               "clae checkpoints store little-endian floats and assume a little-endian host");
#endif

#define MAX_SAFE_INT 9007199254740992.0 /* 2^53: larger JSON numbers are not exact doubles */

static const char *const DTYPE_NAME[] = {"F32", "U8"};
static const uint64_t DTYPE_SIZE[] = {4, 1};

static int host_is_little_endian(void)
{
    const uint32_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    return b == 1;
}

/* ------------------------------------------------------------------ helpers */

/* 1 when s[0..n) is valid UTF-8 (no overlongs, surrogates, > U+10FFFF) with no
 * NUL byte; otherwise 0 and *bad is the offset of the first bad byte. */
static int utf8_ok(const unsigned char *s, size_t n, size_t *bad)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        size_t len;
        unsigned min, cp;
        if (c == 0) goto fail;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            len = 2, min = 0x80, cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3, min = 0x800, cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4, min = 0x10000, cp = c & 0x07;
        } else {
            goto fail;
        }
        if (n - i < len) goto fail;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80) goto fail;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) goto fail;
        i += len;
    }
    return 1;
fail:
    if (bad) *bad = i;
    return 0;
}

static void fmt_shape(char *buf, size_t size, int ndim, const int64_t *shape)
{
    size_t k = 0;
    k += (size_t)snprintf(buf, size, "[");
    for (int i = 0; i < ndim && k < size; i++)
        k += (size_t)snprintf(buf + k, size - k, "%s%" PRId64, i ? "," : "", shape[i]);
    if (k < size) snprintf(buf + k, size - k, "]");
}

/* Keep a message on one line: control characters (from names or bytes in
 * the file) become '?'. */
static void one_line(char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f) *s = '?';
}

/* Record (first problem only) and print "clae: <path>: <problem>". */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void st_fail(clae_st_file *f, const char *fmt, ...)
{
    if (f->err[0]) return;
    int k = snprintf(f->err, sizeof f->err, "clae: %s: ", f->path ? f->path : "(null)");
    if (k < 0) k = 0;
    if ((size_t)k < sizeof f->err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(f->err + k, sizeof f->err - (size_t)k, fmt, ap);
        va_end(ap);
    }
    one_line(f->err);
    fprintf(stderr, "%s\n", f->err);
}

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
    one_line(msg);
    fprintf(stderr, "clae: %s: %s\n", path ? path : "(null)", msg);
}

/* ------------------------------------------------------------------ reader */

static int read_all(int fd, void *buf, size_t n)
{
    unsigned char *p = buf;
    while (n > 0) {
        size_t chunk = n > (1u << 30) ? (1u << 30) : n;
        ssize_t r = read(fd, p, chunk);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return r == 0 ? -2 : -1; /* -2: file shorter than its size said */
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

/* JSON number -> exact non-negative integer. 0 ok, else what is wrong. */
static const char *json_uint(const cJSON *x, uint64_t *out)
{
    if (!cJSON_IsNumber(x)) return "is not a number";
    double d = x->valuedouble;
    if (d < 0) return "is negative";
    /* range first: converting a double past 2^64 (or inf, NaN) to an integer is undefined */
    if (!(d <= MAX_SAFE_INT) || d != (double)(uint64_t)d) return "is not an integer";
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
    const uint64_t esize = DTYPE_SIZE[e->dtype];

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
    fmt_shape(sbuf, sizeof sbuf, ndim, e->shape);
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
                DTYPE_NAME[e->dtype]);
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

/* Metadata, tensor entries and the tiling of the data section. */
static clae_status parse_header(clae_st_file *f, const char *hdr, size_t len)
{
    size_t bad;
    if (!utf8_ok((const unsigned char *)hdr, len, &bad)) {
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

    int nitems = cJSON_GetArraySize(root);
    const cJSON *meta = NULL;
    const cJSON *item;
    cJSON_ArrayForEach(item, root)
    {
        if (strcmp(item->string, "__metadata__") != 0) continue;
        if (meta) {
            st_fail(f, "duplicate __metadata__ in the header");
            return CLAE_ERR_FORMAT;
        }
        meta = item;
    }
    int ntens = nitems - (meta ? 1 : 0);
    if (meta) {
        if (!cJSON_IsObject(meta)) {
            st_fail(f, "__metadata__ is not a JSON object");
            return CLAE_ERR_FORMAT;
        }
        int nm = cJSON_GetArraySize(meta);
        f->meta_keys = calloc((size_t)nm + 1, sizeof *f->meta_keys);
        f->meta_vals = calloc((size_t)nm + 1, sizeof *f->meta_vals);
        if (!f->meta_keys || !f->meta_vals) {
            st_fail(f, "out of memory");
            return CLAE_ERR_NOMEM;
        }
        const cJSON *m;
        cJSON_ArrayForEach(m, meta)
        {
            if (!cJSON_IsString(m)) {
                st_fail(f, "metadata value for key \"%.64s\" is not a string", m->string);
                return CLAE_ERR_FORMAT;
            }
            f->meta_keys[f->nmeta] = m->string;
            f->meta_vals[f->nmeta] = m->valuestring;
            f->nmeta++;
        }
    }

    f->tensors = calloc((size_t)ntens + 1, sizeof *f->tensors);
    if (!f->tensors) {
        st_fail(f, "out of memory");
        return CLAE_ERR_NOMEM;
    }
    cJSON_ArrayForEach(item, root)
    {
        if (item == meta) continue;
        clae_status s = parse_entry(f, item, &f->tensors[f->n]);
        if (s != CLAE_OK) return s;
        f->n++;
    }

    /* The tensors must tile the data section: sorted by offset, each begins
     * where the previous ended, the first at 0, the last at its end. */
    clae_st_entry **order = malloc(((size_t)f->n + 1) * sizeof *order);
    if (!order) {
        st_fail(f, "out of memory");
        return CLAE_ERR_NOMEM;
    }
    for (int i = 0; i < f->n; i++) order[i] = &f->tensors[i];
    qsort(order, (size_t)f->n, sizeof *order, cmp_offsets);
    uint64_t at = 0;
    const clae_st_entry *prev = NULL;
    clae_status s = CLAE_OK;
    for (int i = 0; i < f->n && s == CLAE_OK; i++) {
        const clae_st_entry *e = order[i];
        if (e->begin < at) {
            st_fail(f,
                    "tensors %s [%" PRIu64 ", %" PRIu64 "] and %s [%" PRIu64 ", %" PRIu64
                    "] overlap in the data section",
                    prev->name, prev->begin, prev->end, e->name, e->begin, e->end);
            s = CLAE_ERR_FORMAT;
        } else if (e->begin > at) {
            st_fail(f, "gap of %" PRIu64 " bytes in the data section before tensor %s (offset %" PRIu64 ")",
                    e->begin - at, e->name, e->begin);
            s = CLAE_ERR_FORMAT;
        }
        at = e->end;
        prev = e;
    }
    free(order);
    if (s != CLAE_OK) return s;
    if (at != f->data_bytes) {
        st_fail(f, "%zu bytes in the data section after the last tensor (tensors end at %" PRIu64 ")",
                f->data_bytes - (size_t)at, at);
        return CLAE_ERR_FORMAT;
    }
    return CLAE_OK;
}

/* clae_st_open (with_data) and clae_st_open_header. */
static clae_status st_open(const char *path, clae_st_file *f, int with_data)
{
    memset(f, 0, sizeof *f);
    if (!path) {
        st_fail(f, "no checkpoint path given");
        return CLAE_ERR_ARG;
    }
    f->path = strdup(path);
    if (!f->path) {
        fprintf(stderr, "clae: %s: out of memory\n", path);
        snprintf(f->err, sizeof f->err, "clae: %s: out of memory", path);
        return CLAE_ERR_NOMEM;
    }
    if (!host_is_little_endian()) {
        st_fail(f, "this host is big-endian; safetensors checkpoints need a little-endian host");
        return CLAE_ERR_ARG;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        st_fail(f, "cannot open: %s", strerror(errno));
        return CLAE_ERR_IO;
    }
    clae_status s = CLAE_OK;
    char *hdr = NULL;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        st_fail(f, "cannot stat: %s", strerror(errno));
        s = CLAE_ERR_IO;
        goto out;
    }
    if (S_ISDIR(st.st_mode)) {
        st_fail(f, "is a directory, not a checkpoint file");
        s = CLAE_ERR_IO;
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        st_fail(f, "not a regular file");
        s = CLAE_ERR_IO;
        goto out;
    }
    uint64_t size = (uint64_t)st.st_size;
    if (size < 8) {
        st_fail(f, "file is %" PRIu64 " bytes, shorter than the 8-byte header length", size);
        s = CLAE_ERR_FORMAT;
        goto out;
    }
    unsigned char lenb[8];
    int r = read_all(fd, lenb, 8);
    if (r != 0) goto readerr;
    uint64_t hlen = 0;
    for (int i = 7; i >= 0; i--) hlen = (hlen << 8) | lenb[i];
    int text = 1; /* a config or other text given for a checkpoint */
    for (int i = 0; i < 8; i++)
        text &= (lenb[i] >= 0x20 && lenb[i] < 0x7f) || lenb[i] == '\n' || lenb[i] == '\t' ||
                lenb[i] == '\r';
    if (text && hlen > CLAE_ST_MAX_HEADER) {
        st_fail(f, "a text file (a config?), not a checkpoint: give a .safetensors file that "
                   "clae train or clae init wrote");
        s = CLAE_ERR_FORMAT;
        goto out;
    }
    if (hlen > CLAE_ST_MAX_HEADER) {
        st_fail(f, "header length %" PRIu64 " is absurd (more than %llu bytes); not a safetensors file?",
                hlen, CLAE_ST_MAX_HEADER);
        s = CLAE_ERR_FORMAT;
        goto out;
    }
    if (hlen > size - 8) {
        st_fail(f,
                "header length %" PRIu64 " is larger than the file (%" PRIu64
                " bytes after the length); truncated or not a safetensors file?",
                hlen, size - 8);
        s = CLAE_ERR_FORMAT;
        goto out;
    }
    if (hlen == 0) {
        st_fail(f, "header is empty (length 0)");
        s = CLAE_ERR_FORMAT;
        goto out;
    }
    if (size - 8 - hlen > CLAE_ST_MAX_DATA) {
        st_fail(f, "data section of %" PRIu64 " bytes is larger than clae reads (%llu)",
                size - 8 - hlen, CLAE_ST_MAX_DATA);
        s = CLAE_ERR_FORMAT;
        goto out;
    }
    /* The header first: it must account for every byte of the data section
     * before that is allocated (a sparse file of terabytes costs nothing). */
    hdr = malloc((size_t)hlen + 1);
    if (!hdr) {
        st_fail(f, "out of memory (header of %" PRIu64 " bytes)", hlen);
        s = CLAE_ERR_NOMEM;
        goto out;
    }
    if ((r = read_all(fd, hdr, (size_t)hlen)) != 0) goto readerr;
    hdr[hlen] = 0;
    f->data_bytes = (size_t)(size - 8 - hlen);
    if ((s = parse_header(f, hdr, (size_t)hlen)) != CLAE_OK) goto out;
    f->data_at_ = 8 + hlen;
    if (!with_data) { /* clae_st_read fetches it */
        f->fd_ = fd;
        f->has_fd_ = 1;
        fd = -1;
        goto out;
    }
    f->data_ = malloc(f->data_bytes ? f->data_bytes : 1); /* malloc: aligned for float */
    if (!f->data_) {
        st_fail(f, "out of memory (data section of %zu bytes)", f->data_bytes);
        s = CLAE_ERR_NOMEM;
        goto out;
    }
    if ((r = read_all(fd, f->data_, f->data_bytes)) != 0) goto readerr;
    for (int i = 0; i < f->n; i++) {
        clae_st_entry *e = &f->tensors[i];
        e->bytes = (const uint8_t *)f->data_ + e->begin;
        if (e->dtype != CLAE_ST_F32) continue;
        if (e->begin % 4 != 0) { /* after U8 tensors of odd sizes: no float in place */
            st_fail(f, "tensor %s: F32 data at offset %" PRIu64 ", not a multiple of 4", e->name,
                    e->begin);
            s = CLAE_ERR_FORMAT;
            goto out;
        }
        e->data = (const float *)e->bytes;
    }
    close(fd);
    fd = -1;
    goto out;

readerr:
    if (r == -2)
        st_fail(f, "file became shorter while reading it");
    else
        st_fail(f, "read failed: %s", strerror(errno));
    s = CLAE_ERR_IO;
out:
    if (fd >= 0) close(fd);
    free(hdr);
    if (s != CLAE_OK) {
        char err[CLAE_ST_ERR_MAX];
        memcpy(err, f->err, sizeof err);
        clae_st_close(f);
        memcpy(f->err, err, sizeof err);
    }
    return s;
}

clae_status clae_st_open(const char *path, clae_st_file *f) { return st_open(path, f, 1); }

clae_status clae_st_open_header(const char *path, clae_st_file *f) { return st_open(path, f, 0); }

clae_status clae_st_read(clae_st_file *f, const clae_st_entry *e, uint64_t at, size_t n,
                         void *dst)
{
    f->err[0] = 0;
    if (!f->has_fd_ || e < f->tensors || e >= f->tensors + f->n) {
        st_fail(f, "clae_st_read: not a tensor of a file opened with clae_st_open_header");
        return CLAE_ERR_ARG;
    }
    const uint64_t len = e->end - e->begin;
    if (at > len || n > len - at) {
        st_fail(f, "tensor %s: bytes [%" PRIu64 ", %" PRIu64 ") asked for, it holds %" PRIu64,
                e->name, at, at + (uint64_t)n, len);
        return CLAE_ERR_ARG;
    }
    unsigned char *p = dst;
    uint64_t off = f->data_at_ + e->begin + at;
    while (n > 0) {
        size_t chunk = n > (1u << 30) ? (1u << 30) : n;
        ssize_t r = pread(f->fd_, p, chunk, (off_t)off);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) {
            if (r == 0)
                st_fail(f, "file became shorter while reading it");
            else
                st_fail(f, "read failed: %s", strerror(errno));
            return CLAE_ERR_IO;
        }
        p += r;
        off += (uint64_t)r;
        n -= (size_t)r;
    }
    return CLAE_OK;
}

const clae_st_entry *clae_st_find(const clae_st_file *f, const char *name)
{
    for (int i = 0; i < f->n; i++)
        if (strcmp(f->tensors[i].name, name) == 0) return &f->tensors[i];
    return NULL;
}

const char *clae_st_meta(const clae_st_file *f, const char *key)
{
    for (int i = 0; i < f->nmeta; i++)
        if (strcmp(f->meta_keys[i], key) == 0) return f->meta_vals[i];
    return NULL;
}

clae_status clae_st_expect(clae_st_file *f, const char *name, int ndim, const int64_t *shape,
                           const clae_st_entry **out)
{
    if (out) *out = NULL;
    clae_st_entry *e = (clae_st_entry *)clae_st_find(f, name);
    f->err[0] = 0;
    if (!e) {
        st_fail(f, "missing tensor %s", name);
        return CLAE_ERR_FORMAT;
    }
    if (e->dtype != CLAE_ST_F32) {
        st_fail(f, "tensor %s is %s, expected F32", name, DTYPE_NAME[e->dtype]);
        return CLAE_ERR_FORMAT;
    }
    int same = e->ndim == ndim;
    for (int i = 0; same && i < ndim; i++) same = e->shape[i] == shape[i];
    if (!same) {
        char got[128], want[128];
        fmt_shape(got, sizeof got, e->ndim, e->shape);
        fmt_shape(want, sizeof want, ndim, shape);
        st_fail(f, "tensor %s has shape %s, expected %s for this model", name, got, want);
        return CLAE_ERR_FORMAT;
    }
    e->used = 1;
    if (out) *out = e;
    return CLAE_OK;
}

clae_status clae_st_check_all_used(clae_st_file *f)
{
    f->err[0] = 0;
    for (int i = 0; i < f->n; i++)
        if (!f->tensors[i].used) {
            st_fail(f, "unexpected tensor %s (not in this model)", f->tensors[i].name);
            return CLAE_ERR_FORMAT;
        }
    return CLAE_OK;
}

void clae_st_close(clae_st_file *f)
{
    if (!f) return;
    if (f->has_fd_) close(f->fd_);
    free(f->tensors);
    free(f->meta_keys);
    free(f->meta_vals);
    free(f->path);
    free(f->data_);
    cJSON_Delete(f->json_);
    memset(f, 0, sizeof *f);
}

/* ------------------------------------------------------------------ writer */

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
        if (!utf8_ok((const unsigned char *)name, len, NULL) || strcmp(name, "__metadata__") == 0) {
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
            if (v < 0 || (double)v > MAX_SAFE_INT || (v != 0 && ne > (UINT64_MAX / 4) / (uint64_t)v)) {
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
        if (!keys[i] || !vals[i] || !utf8_ok((const unsigned char *)keys[i], strlen(keys[i]), NULL) ||
            !utf8_ok((const unsigned char *)vals[i], strlen(vals[i]), NULL)) {
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
        ok = e && cJSON_AddStringToObject(e, "dtype", DTYPE_NAME[t[i].dtype]);
        cJSON *shape = ok ? cJSON_AddArrayToObject(e, "shape") : NULL;
        cJSON *offs = shape ? cJSON_AddArrayToObject(e, "data_offsets") : NULL;
        ok = offs != NULL;
        for (int d = 0; ok && d < t[i].ndim; d++) {
            cJSON *v = json_int((uint64_t)t[i].shape[d]);
            ok = v != NULL;
            if (ok) cJSON_AddItemToArray(shape, v);
        }
        const uint64_t bytes = numel[i] * DTYPE_SIZE[t[i].dtype];
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
    if (!host_is_little_endian()) {
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
        parts[1 + i] = t[i].data, lens[1 + i] = (size_t)(numel[i] * DTYPE_SIZE[t[i].dtype]);
    const char *what = NULL;
    if (clae_write_atomic(path, parts, lens, n + 1, 0644, &what) != 0) {
        wr_fail(path, "%s failed: %s", what, strerror(errno));
        s = CLAE_ERR_IO;
    }
    free(numel), free(hdr), free(parts), free(lens);
    return s;
}
