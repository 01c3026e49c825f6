/* safetensors reader: a file opened whole or by its header alone (the
 * header validated in safetensors_header.c), tensor reads, lookups, the
 * checks of a checkpoint's tensors against a model (clae_st_expect,
 * clae_st_check_all_used); and the helpers the module shares
 * (safetensors_int.h). See clae/safetensors.h. */
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
#include "io/safetensors_int.h"

/* Tensor data is copied to and from the file as raw host floats. */
_Static_assert(sizeof(float) == 4, "clae checkpoints need 4-byte IEEE floats");
#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__)
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
               "clae checkpoints store little-endian floats and assume a little-endian host");
#endif

const char *const st_dtype_name[] = {"F32", "U8"};
const uint64_t st_dtype_size[] = {4, 1};

int st_host_is_little_endian(void)
{
    const uint32_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    return b == 1;
}

/* ------------------------------------------------------------------ helpers */

/* 1 when s[0..n) is valid UTF-8 (no overlongs, surrogates, > U+10FFFF) with no
 * NUL byte; otherwise 0 and *bad is the offset of the first bad byte. */
int st_utf8_ok(const unsigned char *s, size_t n, size_t *bad)
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

void st_fmt_shape(char *buf, size_t size, int ndim, const int64_t *shape)
{
    size_t k = 0;
    k += (size_t)snprintf(buf, size, "[");
    for (int i = 0; i < ndim && k < size; i++)
        k += (size_t)snprintf(buf + k, size - k, "%s%" PRId64, i ? "," : "", shape[i]);
    if (k < size) snprintf(buf + k, size - k, "]");
}

/* Keep a message on one line: control characters (from names or bytes in
 * the file) become '?'. */
void st_one_line(char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f) *s = '?';
}

/* Record (first problem only) and print "clae: <path>: <problem>". */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void st_fail(clae_st_file *f, const char *fmt, ...)
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
    st_one_line(f->err);
    fprintf(stderr, "%s\n", f->err);
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

/* A read_all failure r (errno as it left it) as f's line; CLAE_ERR_IO. */
static clae_status read_fail(clae_st_file *f, int r)
{
    if (r == -2)
        st_fail(f, "file became shorter while reading it");
    else
        st_fail(f, "read failed: %s", strerror(errno));
    return CLAE_ERR_IO;
}

/* The file behind fd: a regular file whose 8-byte header length *hlen fits
 * its *size, with a data section clae reads. */
static clae_status check_file(clae_st_file *f, int fd, uint64_t *size, uint64_t *hlen)
{
    struct stat st;
    if (fstat(fd, &st) != 0) {
        st_fail(f, "cannot stat: %s", strerror(errno));
        return CLAE_ERR_IO;
    }
    *size = (uint64_t)st.st_size;
    if (*size < 8) {
        st_fail(f, "file is %" PRIu64 " bytes, shorter than the 8-byte header length", *size);
        return CLAE_ERR_FORMAT;
    }
    unsigned char lenb[8];
    int r = read_all(fd, lenb, 8);
    if (r != 0) return read_fail(f, r);
    *hlen = 0;
    for (int i = 7; i >= 0; i--) *hlen = (*hlen << 8) | lenb[i];
    int text = 1; /* a config or other text given for a checkpoint */
    for (int i = 0; i < 8; i++)
        text &= (lenb[i] >= 0x20 && lenb[i] < 0x7f) || lenb[i] == '\n' || lenb[i] == '\t' ||
                lenb[i] == '\r';
    if (text && *hlen > CLAE_ST_MAX_HEADER) {
        st_fail(f, "a text file (a config?), not a checkpoint: give a .safetensors file that "
                   "clae train or clae init wrote");
        return CLAE_ERR_FORMAT;
    }
    if (*hlen > CLAE_ST_MAX_HEADER) {
        st_fail(f, "header length %" PRIu64 " is absurd (more than %llu bytes); not a safetensors file?",
                *hlen, CLAE_ST_MAX_HEADER);
        return CLAE_ERR_FORMAT;
    }
    if (*hlen > *size - 8) {
        st_fail(f,
                "header length %" PRIu64 " is larger than the file (%" PRIu64
                " bytes after the length); truncated or not a safetensors file?",
                *hlen, *size - 8);
        return CLAE_ERR_FORMAT;
    }
    if (*hlen == 0) {
        st_fail(f, "header is empty (length 0)");
        return CLAE_ERR_FORMAT;
    }
    if (*size - 8 - *hlen > CLAE_ST_MAX_DATA) {
        st_fail(f, "data section of %" PRIu64 " bytes is larger than clae reads (%llu)",
                *size - 8 - *hlen, CLAE_ST_MAX_DATA);
        return CLAE_ERR_FORMAT;
    }
    return CLAE_OK;
}

/* The header of hlen bytes (fd just after the length), validated. It comes
 * first: it must account for every byte of the data section before that is
 * allocated (a sparse file of terabytes costs nothing). */
static clae_status read_header(clae_st_file *f, int fd, uint64_t size, uint64_t hlen)
{
    char *hdr = malloc((size_t)hlen + 1);
    if (!hdr) {
        st_fail(f, "out of memory (header of %" PRIu64 " bytes)", hlen);
        return CLAE_ERR_NOMEM;
    }
    clae_status s;
    int r = read_all(fd, hdr, (size_t)hlen);
    if (r != 0) {
        s = read_fail(f, r);
    } else {
        hdr[hlen] = 0;
        f->data_bytes = (size_t)(size - 8 - hlen);
        s = st_parse_header(f, hdr, (size_t)hlen);
    }
    free(hdr);
    return s;
}

/* The data section (fd just after the header) into f->data_; every entry's
 * bytes set, and data for an F32 tensor. */
static clae_status read_data(clae_st_file *f, int fd)
{
    f->data_ = malloc(f->data_bytes ? f->data_bytes : 1); /* malloc: aligned for float */
    if (!f->data_) {
        st_fail(f, "out of memory (data section of %zu bytes)", f->data_bytes);
        return CLAE_ERR_NOMEM;
    }
    int r = read_all(fd, f->data_, f->data_bytes);
    if (r != 0) return read_fail(f, r);
    for (int i = 0; i < f->n; i++) {
        clae_st_entry *e = &f->tensors[i];
        e->bytes = (const uint8_t *)f->data_ + e->begin;
        if (e->dtype != CLAE_ST_F32) continue;
        if (e->begin % 4 != 0) { /* after U8 tensors of odd sizes: no float in place */
            st_fail(f, "tensor %s: F32 data at offset %" PRIu64 ", not a multiple of 4", e->name,
                    e->begin);
            return CLAE_ERR_FORMAT;
        }
        e->data = (const float *)e->bytes;
    }
    return CLAE_OK;
}

clae_status clae_st_open_flags(const char *path, clae_st_file *f, int flags)
{
    const int with_data = !(flags & CLAE_ST_HEADER_ONLY);
    memset(f, 0, sizeof *f);
    f->layout_later_ = (flags & CLAE_ST_LAYOUT_LATER) != 0;
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
    if (!st_host_is_little_endian()) {
        st_fail(f, "this host is big-endian; safetensors checkpoints need a little-endian host");
        return CLAE_ERR_ARG;
    }
    const char *refused;
    int fd = clae_open_regular(path, &refused);
    if (fd < 0 && refused && errno == EISDIR) { /* a run's folder: name its checkpoint */
        char last[4200];
        size_t n = strlen(path);
        while (n > 1 && path[n - 1] == '/') n--;
        struct stat sb;
        if (n < 4096 && snprintf(last, sizeof last, "%.*s/last.safetensors", (int)n, path) > 0 &&
            stat(last, &sb) == 0 && S_ISREG(sb.st_mode))
            st_fail(f, "is a directory, not a checkpoint file: did you mean %s?", last);
        else
            st_fail(f, "is a directory, not a checkpoint file");
        return CLAE_ERR_IO;
    }
    if (fd < 0) {
        st_fail(f, refused ? "%s" : "cannot open: %s", refused ? refused : strerror(errno));
        return CLAE_ERR_IO;
    }
    uint64_t size = 0, hlen = 0;
    clae_status s = check_file(f, fd, &size, &hlen);
    if (s == CLAE_OK) s = read_header(f, fd, size, hlen);
    if (s == CLAE_OK) {
        f->data_at_ = 8 + hlen;
        if (!with_data) { /* clae_st_read fetches it */
            f->fd_ = fd;
            f->has_fd_ = 1;
            fd = -1;
        } else {
            s = read_data(f, fd);
        }
    }
    if (fd >= 0) close(fd);
    if (s != CLAE_OK) {
        char err[CLAE_ST_ERR_MAX];
        memcpy(err, f->err, sizeof err);
        clae_st_close(f);
        memcpy(f->err, err, sizeof err);
    }
    return s;
}

clae_status clae_st_open(const char *path, clae_st_file *f)
{
    return clae_st_open_flags(path, f, 0);
}

clae_status clae_st_open_header(const char *path, clae_st_file *f)
{
    return clae_st_open_flags(path, f, CLAE_ST_HEADER_ONLY);
}

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
        st_fail(f, "tensor %s is missing", name);
        return CLAE_ERR_FORMAT;
    }
    if (e->dtype != CLAE_ST_F32) {
        st_fail(f, "tensor %s is %s, expected F32", name, st_dtype_name[e->dtype]);
        return CLAE_ERR_FORMAT;
    }
    int same = e->ndim == ndim;
    for (int i = 0; same && i < ndim; i++) same = e->shape[i] == shape[i];
    if (!same) {
        char got[128], want[128];
        st_fmt_shape(got, sizeof got, e->ndim, e->shape);
        st_fmt_shape(want, sizeof want, ndim, shape);
        st_fail(f, "tensor %s has shape %s, expected %s for this model", name, got, want);
        return CLAE_ERR_FORMAT;
    }
    e->used = 1;
    if (out) *out = e;
    return CLAE_OK;
}

/* The gap CLAE_ST_LAYOUT_LATER kept, reported now; CLAE_OK when none. */
static clae_status layout_now(clae_st_file *f)
{
    if (!f->layout_err_[0]) return CLAE_OK;
    st_fail(f, "%s", f->layout_err_);
    return CLAE_ERR_FORMAT;
}

clae_status clae_st_require(clae_st_file *f, const char *const *names, int n)
{
    f->err[0] = 0;
    for (int i = 0; i < n; i++)
        if (!clae_st_find(f, names[i])) {
            st_fail(f, "tensor %s is missing", names[i]);
            return CLAE_ERR_FORMAT;
        }
    return layout_now(f);
}

clae_status clae_st_check_all_used(clae_st_file *f)
{
    f->err[0] = 0;
    if (layout_now(f) != CLAE_OK) return CLAE_ERR_FORMAT;
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

