/* The .clz file of `clae compress`: the quantiser, the packing, zlib's deflate and the
 * header, written and parsed in memory; see include/clae/clz.h. */
#include "clae/clz.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "clae/fs.h"

#define MAX_FILE (64L << 20) /* clae_clz_read: larger files are refused */
#define U16_MAX 65535

static void say(char *why, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, len, fmt, ap);
    va_end(ap);
}

size_t clae_clz_values(const clae_clz_header *h)
{
    return (size_t)h->code_c * (size_t)h->code_h * (size_t)h->code_w;
}

/* ---- the quantiser ------------------------------------------------------------------ */

int clae_clz_range(const float *v, size_t n, float *lo, float *hi)
{
    float a = n ? v[0] : 0.0f, b = a;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(v[i])) return 0;
        if (v[i] < a) a = v[i];
        if (v[i] > b) b = v[i];
    }
    *lo = a;
    *hi = b;
    return 1;
}

void clae_clz_quantise(const float *v, size_t n, int bits, float lo, float hi, uint16_t *q)
{
    const double levels = (double)((1u << bits) - 1), span = (double)hi - (double)lo;
    for (size_t i = 0; i < n; i++) {
        double t = span > 0 ? ((double)v[i] - (double)lo) / span * levels : 0.0;
        t = t < 0 ? 0 : t > levels ? levels : t;
        q[i] = (uint16_t)lround(t);
    }
}

void clae_clz_dequantise(const uint16_t *q, size_t n, int bits, float lo, float hi, float *v)
{
    const double levels = (double)((1u << bits) - 1), span = (double)hi - (double)lo;
    for (size_t i = 0; i < n; i++) v[i] = (float)((double)lo + (double)q[i] * span / levels);
}

/* ---- packing ---------------------------------------------------------------------------- */

/* Bytes that n values of bits take in a packing. */
static size_t packed_bytes(size_t n, int bits, int packing)
{
    if (packing == CLAE_CLZ_PACKED) return (n * (size_t)bits + 7) / 8;
    return n * (bits > 8 ? 2 : 1);
}

static void pack(const uint16_t *q, size_t n, int bits, int packing, uint8_t *out)
{
    if (packing == CLAE_CLZ_BYTES) {
        for (size_t i = 0; i < n; i++)
            if (bits > 8) {
                out[2 * i] = (uint8_t)(q[i] & 0xff);
                out[2 * i + 1] = (uint8_t)(q[i] >> 8);
            } else {
                out[i] = (uint8_t)q[i];
            }
        return;
    }
    memset(out, 0, packed_bytes(n, bits, packing));
    size_t bit = 0;
    for (size_t i = 0; i < n; i++)
        for (int b = bits - 1; b >= 0; b--, bit++)
            if (q[i] >> b & 1) out[bit / 8] |= (uint8_t)(0x80 >> (bit % 8));
}

static void unpack(const uint8_t *in, size_t n, int bits, int packing, uint16_t *q)
{
    if (packing == CLAE_CLZ_BYTES) {
        for (size_t i = 0; i < n; i++)
            q[i] = bits > 8 ? (uint16_t)(in[2 * i] | in[2 * i + 1] << 8) : in[i];
        return;
    }
    size_t bit = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned v = 0;
        for (int b = 0; b < bits; b++, bit++) v = v << 1 | (in[bit / 8] >> (7 - bit % 8) & 1);
        q[i] = (uint16_t)v;
    }
}

/* ---- the header ------------------------------------------------------------------------- */

static void put16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v & 0xff);
    p[1] = (uint8_t)(v >> 8);
}
static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> 8 * i);
}
static unsigned get16(const uint8_t *p) { return (unsigned)(p[0] | p[1] << 8); }
static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint32_t float_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}
static float bits_float(uint32_t u)
{
    float f;
    memcpy(&f, &u, 4);
    return f;
}

static void write_header(const clae_clz_header *h, uint8_t *p)
{
    memcpy(p, "CLZ", 3);
    p[3] = (uint8_t)h->version;
    p[4] = (uint8_t)h->bits;
    p[5] = (uint8_t)h->packing;
    const int u16s[7] = {h->layer, h->H, h->W, h->C, h->code_c, h->code_h, h->code_w};
    for (int i = 0; i < 7; i++) put16(p + 6 + 2 * i, (unsigned)u16s[i]);
    put32(p + 20, float_bits(h->lo));
    put32(p + 24, float_bits(h->hi));
    put32(p + 28, h->model);
}

/* The header of p[0..len) into h, checked; 1, or 0 with why. */
static int read_header(const uint8_t *p, size_t len, clae_clz_header *h, char *why, size_t wl)
{
    if (len < 3 || memcmp(p, "CLZ", 3) != 0) {
        say(why, wl, "wrong magic (not a .clz file of clae compress)");
        return 0;
    }
    if (len < CLAE_CLZ_HEADER_BYTES) {
        say(why, wl, "truncated: %zu bytes, the header alone is %d", len, CLAE_CLZ_HEADER_BYTES);
        return 0;
    }
    *h = (clae_clz_header){.version = p[3], .bits = p[4], .packing = p[5]};
    int *u16s[7] = {&h->layer, &h->H, &h->W, &h->C, &h->code_c, &h->code_h, &h->code_w};
    for (int i = 0; i < 7; i++) *u16s[i] = (int)get16(p + 6 + 2 * i);
    h->lo = bits_float(get32(p + 20));
    h->hi = bits_float(get32(p + 24));
    h->model = get32(p + 28);
    if (h->version != CLAE_CLZ_VERSION)
        say(why, wl, "version %d, this clae reads version %d", h->version, CLAE_CLZ_VERSION);
    else if (h->bits < 1 || h->bits > CLAE_CLZ_BITS_MAX)
        say(why, wl, "bits %d out of range (1 to %d)", h->bits, CLAE_CLZ_BITS_MAX);
    else if (h->packing != CLAE_CLZ_BYTES && h->packing != CLAE_CLZ_PACKED)
        say(why, wl, "unknown packing %d", h->packing);
    else if (h->H < 1 || h->W < 1 || h->C < 1 || h->code_c < 1 || h->code_h < 1 || h->code_w < 1)
        say(why, wl, "a zero size in the header (image %dx%dx%d, code %dx%dx%d)", h->H, h->W,
            h->C, h->code_c, h->code_h, h->code_w);
    else if (clae_clz_values(h) > (size_t)CLAE_CLZ_MAX_VALUES)
        say(why, wl, "a code of %zu values, over %ld", clae_clz_values(h), CLAE_CLZ_MAX_VALUES);
    else if (!isfinite(h->lo) || !isfinite(h->hi) || h->lo > h->hi)
        say(why, wl, "bad code range [%g, %g]", (double)h->lo, (double)h->hi);
    else
        return 1;
    return 0;
}

/* ---- encode and decode ------------------------------------------------------------------ */

/* The header's sizes fit their fields; 1, or 0 with why. */
static int sizes_fit(const clae_clz_header *h, char *why, size_t wl)
{
    const int v[7] = {h->layer, h->H, h->W, h->C, h->code_c, h->code_h, h->code_w};
    for (int i = 0; i < 7; i++)
        if (v[i] < (i == 0 ? 0 : 1) || v[i] > U16_MAX) {
            say(why, wl, "a size of %d does not fit the .clz header (0 to %d)", v[i], U16_MAX);
            return 0;
        }
    if (h->bits < 1 || h->bits > CLAE_CLZ_BITS_MAX) {
        say(why, wl, "bits %d out of range (1 to %d)", h->bits, CLAE_CLZ_BITS_MAX);
        return 0;
    }
    if (clae_clz_values(h) > (size_t)CLAE_CLZ_MAX_VALUES) {
        say(why, wl, "a code of %zu values, over %ld", clae_clz_values(h), CLAE_CLZ_MAX_VALUES);
        return 0;
    }
    return 1;
}

/* Deflate q in one packing into out (at least compressBound bytes): its length, 0 on error. */
static size_t deflate_packing(const uint16_t *q, size_t n, int bits, int packing, uint8_t *raw,
                              uint8_t *out, size_t cap)
{
    size_t rb = packed_bytes(n, bits, packing);
    pack(q, n, bits, packing, raw);
    uLongf dst = (uLongf)cap;
    if (compress2(out, &dst, raw, (uLong)rb, Z_BEST_COMPRESSION) != Z_OK) return 0;
    return (size_t)dst;
}

clae_status clae_clz_encode(clae_clz_header *h, const float *v, uint8_t **out, size_t *len,
                            char *why, size_t whylen)
{
    *out = NULL;
    *len = 0;
    if (!sizes_fit(h, why, whylen)) return CLAE_ERR_ARG;
    size_t n = clae_clz_values(h);
    if (!clae_clz_range(v, n, &h->lo, &h->hi)) {
        say(why, whylen, "the code has a value that is not finite (NaN or infinity)");
        return CLAE_ERR_ARG;
    }
    h->version = CLAE_CLZ_VERSION;
    size_t raw_max = 2 * n, cap = (size_t)compressBound((uLong)raw_max);
    uint16_t *q = malloc(n * sizeof *q);
    uint8_t *raw = malloc(raw_max), *z[2] = {malloc(cap), malloc(cap)};
    clae_status st = q && raw && z[0] && z[1] ? CLAE_OK : CLAE_ERR_NOMEM;
    size_t zlen[2] = {0, 0};
    if (st == CLAE_OK) {
        clae_clz_quantise(v, n, h->bits, h->lo, h->hi, q);
        for (int p = 0; p < 2; p++) zlen[p] = deflate_packing(q, n, h->bits, p, raw, z[p], cap);
        if (!zlen[0] || !zlen[1]) st = CLAE_ERR_FORMAT;
    }
    if (st == CLAE_OK) {
        h->packing = zlen[CLAE_CLZ_PACKED] < zlen[CLAE_CLZ_BYTES] ? CLAE_CLZ_PACKED : CLAE_CLZ_BYTES;
        *len = CLAE_CLZ_HEADER_BYTES + zlen[h->packing];
        *out = malloc(*len);
        if (!*out) st = CLAE_ERR_NOMEM;
    }
    if (st == CLAE_OK) {
        write_header(h, *out);
        memcpy(*out + CLAE_CLZ_HEADER_BYTES, z[h->packing], zlen[h->packing]);
    } else {
        say(why, whylen, st == CLAE_ERR_NOMEM ? "out of memory" : "zlib's deflate failed");
        *len = 0;
    }
    free(q);
    free(raw);
    free(z[0]);
    free(z[1]);
    return st;
}

/* Inflate the payload p[0..len) into exactly want bytes of raw; 1, or 0 with why. */
static int inflate_exact(const uint8_t *p, size_t len, uint8_t *raw, size_t want, char *why,
                         size_t wl)
{
    z_stream s = {0};
    if (inflateInit(&s) != Z_OK) {
        say(why, wl, "zlib's inflateInit failed");
        return 0;
    }
    s.next_in = (Bytef *)(uintptr_t)p; /* zlib's API is not const; it only reads */
    s.avail_in = (uInt)len;
    s.next_out = raw;
    s.avail_out = (uInt)want;
    int rc = inflate(&s, Z_FINISH);
    size_t got = want - s.avail_out, rest = s.avail_in;
    inflateEnd(&s);
    if (rc == Z_STREAM_END && got == want && rest == 0) return 1;
    if (rc == Z_STREAM_END && rest > 0)
        say(why, wl, "%zu bytes after the payload's end", rest);
    else if (rc == Z_STREAM_END)
        say(why, wl, "the payload holds %zu bytes, the code needs %zu", got, want);
    else if (rc == Z_BUF_ERROR && rest == 0) /* all read, the stream's end not reached */
        say(why, wl, "truncated payload (%zu of the code's %zu bytes, no end)", got, want);
    else if (rc == Z_BUF_ERROR)
        say(why, wl, "the payload holds more than the code's %zu bytes", want);
    else
        say(why, wl, "corrupt payload (zlib: %s)", s.msg ? s.msg : zError(rc));
    return 0;
}

clae_status clae_clz_decode(const uint8_t *data, size_t len, clae_clz_header *h, float **v,
                            char *why, size_t whylen)
{
    *v = NULL;
    if (!read_header(data, len, h, why, whylen)) return CLAE_ERR_FORMAT;
    size_t n = clae_clz_values(h), rb = packed_bytes(n, h->bits, h->packing);
    if (len > (size_t)UINT32_MAX) {
        say(why, whylen, "%zu bytes: too large for a .clz file", len);
        return CLAE_ERR_FORMAT;
    }
    uint8_t *raw = malloc(rb ? rb : 1);
    uint16_t *q = malloc(n * sizeof *q);
    float *out = malloc(n * sizeof *out);
    clae_status st = CLAE_ERR_NOMEM;
    if (!raw || !q || !out)
        say(why, whylen, "out of memory for a code of %zu values", n);
    else if (!inflate_exact(data + CLAE_CLZ_HEADER_BYTES, len - CLAE_CLZ_HEADER_BYTES, raw, rb,
                            why, whylen))
        st = CLAE_ERR_FORMAT;
    else {
        unpack(raw, n, h->bits, h->packing, q);
        clae_clz_dequantise(q, n, h->bits, h->lo, h->hi, out);
        *v = out;
        out = NULL;
        st = CLAE_OK;
    }
    free(raw);
    free(q);
    free(out);
    return st;
}

clae_status clae_clz_read(const char *path, clae_clz_header *h, float **v)
{
    *v = NULL;
    const char *refused;
    FILE *f = clae_fopen_regular(path, &refused);
    if (!f) {
        fprintf(stderr, "clae: %s: %s\n", path, refused ? refused : strerror(errno));
        return CLAE_ERR_IO;
    }
    struct stat sb;
    int stat_ok = fstat(fileno(f), &sb) == 0;
    if (!stat_ok || sb.st_size > MAX_FILE) {
        fprintf(stderr, "clae: %s: %s\n", path,
                stat_ok ? "over 64 MiB: not a .clz file" : strerror(errno));
        fclose(f);
        return stat_ok ? CLAE_ERR_FORMAT : CLAE_ERR_IO;
    }
    size_t size = (size_t)sb.st_size;
    uint8_t *data = malloc(size ? size : 1);
    int short_read = data && fread(data, 1, size, f) != size;
    int err = ferror(f);
    fclose(f);
    if (!data || short_read) {
        fprintf(stderr, "clae: %s: %s\n", path,
                !data ? "out of memory" : err ? "read error" : "changed while being read");
        free(data);
        return !data ? CLAE_ERR_NOMEM : CLAE_ERR_IO;
    }
    char why[160];
    clae_status st = clae_clz_decode(data, size, h, v, why, sizeof why);
    if (st != CLAE_OK) fprintf(stderr, "clae: %s: %s\n", path, why);
    free(data);
    return st;
}
