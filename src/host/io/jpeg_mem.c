/* JPEG in memory: stb_image_write's encoder into a buffer, stb_image's decoder from it, and
 * the size of the entropy-coded scan; see include/clae/jpeg_mem.h. */
#include "clae/jpeg_mem.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stb/stb_image.h>
#include <stb/stb_image_write.h>

typedef struct buf {
    unsigned char *p;
    size_t len, cap;
    int bad;
} buf;

static void buf_write(void *ctx, void *data, int size)
{
    buf *b = ctx;
    if (b->bad || size <= 0) return;
    if (b->len + (size_t)size > b->cap) {
        size_t cap = 2 * (b->len + (size_t)size) + 1024;
        unsigned char *q = realloc(b->p, cap);
        if (!q) {
            b->bad = 1;
            return;
        }
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->len, data, (size_t)size);
    b->len += (size_t)size;
}

size_t clae_jpeg_scan_bytes(const unsigned char *p, size_t len)
{
    size_t i = 2; /* after SOI */
    while (i + 4 <= len && p[i] == 0xFF) {
        unsigned marker = p[i + 1], seg = (unsigned)(p[i + 2] << 8 | p[i + 3]);
        if (marker == 0xDA) { /* SOS: the scan follows its segment, up to EOI */
            size_t start = i + 2 + seg;
            size_t end = len >= 2 && p[len - 2] == 0xFF && p[len - 1] == 0xD9 ? len - 2 : len;
            return start < end ? end - start : 0;
        }
        i += 2 + seg;
    }
    return 0;
}

clae_status clae_jpeg_roundtrip(const clae_image *in, int quality, clae_image *out,
                                size_t *file_bytes, size_t *scan_bytes)
{
    *out = (clae_image){0};
    buf b = {0};
    int ok = stbi_write_jpg_to_func(buf_write, &b, in->w, in->h, in->c, in->px, quality);
    if (!ok || b.bad || b.len > INT32_MAX) {
        fprintf(stderr, "clae: JPEG quality %d: %s\n", quality,
                b.bad ? "out of memory" : "stb_image_write's encoder failed");
        free(b.p);
        return b.bad ? CLAE_ERR_NOMEM : CLAE_ERR_FORMAT;
    }
    int w, h, c;
    unsigned char *px = stbi_load_from_memory(b.p, (int)b.len, &w, &h, &c, in->c);
    clae_status st = CLAE_OK;
    if (!px || w != in->w || h != in->h) {
        fprintf(stderr, "clae: JPEG quality %d: stb_image cannot decode its own file (%s)\n",
                quality, px ? "another size" : stbi_failure_reason());
        st = CLAE_ERR_FORMAT;
    } else if ((st = clae_image_alloc(out, w, h, in->c)) == CLAE_OK) {
        memcpy(out->px, px, (size_t)w * h * in->c);
        *file_bytes = b.len;
        *scan_bytes = clae_jpeg_scan_bytes(b.p, b.len);
    }
    stbi_image_free(px);
    free(b.p);
    return st;
}
