/* Image files: a clae_image's allocation, the size limits a user's file is
 * checked against, loading with stb_image and writing with stb_image_write
 * (by extension, atomically). The system libstb provides the stb
 * implementations. */
#include "clae/image.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <stb/stb_image.h>
#include <stb/stb_image_write.h>

#include "clae/fs.h"

clae_status clae_image_alloc(clae_image *img, int w, int h, int c)
{
    img->w = img->h = img->c = 0;
    img->px = NULL;
    if (w < 1 || h < 1 || c < 1 || c > 4 || (size_t)w * (size_t)h > ((size_t)1 << 31)) {
        fprintf(stderr, "clae: bad image size %dx%dx%d\n", w, h, c);
        return CLAE_ERR_ARG;
    }
    img->px = calloc((size_t)w * h * c, 1);
    if (!img->px) {
        fprintf(stderr, "clae: out of memory for a %dx%d image\n", w, h);
        return CLAE_ERR_NOMEM;
    }
    img->w = w;
    img->h = h;
    img->c = c;
    return CLAE_OK;
}

void clae_image_free(clae_image *img)
{
    free(img->px);
    img->px = NULL;
    img->w = img->h = img->c = 0;
}

const char *clae_image_over_limits(int w, int h, long file_bytes)
{
    if (w < 1 || h < 1) return "no pixels";
    if (w > CLAE_IMAGE_MAX_SIDE || h > CLAE_IMAGE_MAX_SIDE) return "a side over 16384 pixels";
    long px = (long)w * h;
    if (px > CLAE_IMAGE_MAX_PIXELS) return "over 64 megapixels";
    if (file_bytes < 0 || file_bytes > CLAE_IMAGE_MAX_FILE) return "file over 256 MiB";
    if (px > 1048576L + CLAE_IMAGE_PIXELS_PER_BYTE * file_bytes)
        return "more pixels than such a small file can hold (a crafted file?)";
    return NULL;
}

/* stb_image's terse reasons that have plainer words. */
static const char *plain_reason(const char *stb)
{
    static const char *const words[][2] = {
        {"0 width", "zero width"},           {"no header height", "zero height"},
        {"0-pixel image", "no pixels"},      {"too large", "too large to decode"},
    };
    for (size_t i = 0; stb && i < sizeof words / sizeof words[0]; i++)
        if (strcmp(stb, words[i][0]) == 0) return words[i][1];
    return NULL;
}

const char *clae_image_unreadable_reason(FILE *f, char *buf, size_t len)
{
    enum { HEAD = 65536 }; /* every format's header lies in it; a bomb's pixels do not */
    unsigned char *head = malloc(HEAD);
    size_t n = head && fseek(f, 0, SEEK_SET) == 0 ? fread(head, 1, HEAD, f) : 0;
    static const unsigned char png_sig[12] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
                                              0,    0,   0,   13};
    if (n >= 24 && memcmp(head, png_sig, 12) == 0 && memcmp(head + 12, "IHDR", 4) == 0) {
        /* (stb_image refuses a PNG whose w * h * channels passes 2^30 as "too large") */
        uint32_t w = (uint32_t)head[16] << 24 | head[17] << 16 | head[18] << 8 | head[19];
        uint32_t h = (uint32_t)head[20] << 24 | head[21] << 16 | head[22] << 8 | head[23];
        const char *why = w == 0 ? "zero width" : h == 0 ? "zero height"
                          : w > CLAE_IMAGE_MAX_SIDE || h > CLAE_IMAGE_MAX_SIDE
                              ? "a side over 16384 pixels" : NULL;
        if (why) {
            snprintf(buf, len, "%" PRIu32 "x%" PRIu32 " image: %s", w, h, why);
            free(head);
            return buf;
        }
    }
    int w, h, c;
    uint8_t *px = n ? stbi_load_from_memory(head, (int)n, &w, &h, &c, 0) : NULL;
    const char *stb = px ? "unknown image type" : stbi_failure_reason();
    const char *plain = plain_reason(stb);
    if (plain)
        snprintf(buf, len, "not a readable image: %s", plain);
    else
        snprintf(buf, len, "not a readable image (%s)", stb ? stb : "unknown error");
    stbi_image_free(px);
    free(head);
    return buf;
}

clae_status clae_image_load(const char *path, int want_c, clae_image *img)
{
    img->w = img->h = img->c = 0;
    img->px = NULL;
    const char *refused;
    FILE *f = clae_fopen_regular(path, &refused);
    if (!f) {
        fprintf(stderr, "clae: %s: %s\n", path, refused ? refused : strerror(errno));
        return CLAE_ERR_IO;
    }
    int w, h, c;
    if (!stbi_info_from_file(f, &w, &h, &c)) {
        char why[160];
        fprintf(stderr, "clae: %s: %s\n", path, clae_image_unreadable_reason(f, why, sizeof why));
        fclose(f);
        return CLAE_ERR_FORMAT;
    }
    struct stat sb;
    long bytes_on_disk = fstat(fileno(f), &sb) == 0 ? (long)sb.st_size : -1;
    const char *why = clae_image_over_limits(w, h, bytes_on_disk);
    if (why) {
        fprintf(stderr, "clae: %s: %dx%d image in %ld bytes: %s\n", path, w, h, bytes_on_disk,
                why);
        fclose(f);
        return CLAE_ERR_FORMAT;
    }
    if (want_c > 0 && c != want_c) {
        fprintf(stderr, "clae: %s: image has %d channel%s, the model expects %d\n", path, c,
                c == 1 ? "" : "s", want_c);
        fclose(f);
        return CLAE_ERR_FORMAT;
    }
    if (stbi_is_16_bit_from_file(f)) /* stb_image's 8-bit load keeps the high byte */
        fprintf(stderr, "note: %s: 16-bit samples read as 8-bit\n", path);
    uint8_t *px = stbi_load_from_file(f, &w, &h, &c, 0);
    fclose(f);
    if (!px) {
        fprintf(stderr, "clae: %s: not a readable image (%s)\n", path, stbi_failure_reason());
        return CLAE_ERR_FORMAT;
    }
    size_t bytes = (size_t)w * h * c;
    img->px = malloc(bytes);
    if (!img->px) {
        stbi_image_free(px);
        fprintf(stderr, "clae: %s: out of memory for a %dx%d image\n", path, w, h);
        return CLAE_ERR_NOMEM;
    }
    memcpy(img->px, px, bytes);
    stbi_image_free(px);
    img->w = w;
    img->h = h;
    img->c = c;
    return CLAE_OK;
}

/* ---- writing -------------------------------------------------------------------- */

/* stb_image_write's output, gathered in memory for one atomic write. */
typedef struct sink {
    unsigned char *buf;
    size_t len, cap;
    int bad;
} sink;

static void sink_write(void *ctx, void *data, int size)
{
    sink *s = ctx;
    if (s->bad || size <= 0) return;
    if (s->len + (size_t)size > s->cap) {
        size_t cap = 2 * (s->len + (size_t)size) + 4096;
        unsigned char *b = realloc(s->buf, cap);
        if (!b) {
            s->bad = 1;
            return;
        }
        s->buf = b, s->cap = cap;
    }
    memcpy(s->buf + s->len, data, (size_t)size);
    s->len += (size_t)size;
}

enum { FMT_PNG, FMT_JPG, FMT_BMP };

/* Encode into memory, then one atomic write. */
static clae_status write_image(const char *path, int fmt, const clae_image *img)
{
    sink s = {0};
    int ok = 0;
    switch (fmt) {
    case FMT_PNG:
        ok = stbi_write_png_to_func(sink_write, &s, img->w, img->h, img->c, img->px,
                                    img->w * img->c);
        break;
    case FMT_JPG: ok = stbi_write_jpg_to_func(sink_write, &s, img->w, img->h, img->c, img->px, 95); break;
    default: ok = stbi_write_bmp_to_func(sink_write, &s, img->w, img->h, img->c, img->px); break;
    }
    clae_status st;
    if (!ok || s.bad) {
        fprintf(stderr, "clae: %s: cannot write: %s\n", path, s.bad ? "out of memory" : "encoder failed");
        st = s.bad ? CLAE_ERR_NOMEM : CLAE_ERR_IO;
    } else {
        st = clae_file_write_atomic(path, s.buf, s.len);
    }
    free(s.buf);
    return st;
}

static int ext_is(const char *path, const char *ext)
{
    size_t n = strlen(path), e = strlen(ext);
    if (n < e) return 0;
    for (size_t i = 0; i < e; i++)
        if (tolower((unsigned char)path[n - e + i]) != ext[i]) return 0;
    return 1;
}

clae_status clae_image_write(const char *path, const clae_image *img)
{
    int fmt;
    if (ext_is(path, ".png"))
        fmt = FMT_PNG;
    else if (ext_is(path, ".jpg") || ext_is(path, ".jpeg"))
        fmt = FMT_JPG;
    else if (ext_is(path, ".bmp"))
        fmt = FMT_BMP;
    else {
        fprintf(stderr, "clae: %s: unknown image type (use .png, .jpg or .bmp)\n", path);
        return CLAE_ERR_ARG;
    }
    if (!img->px || img->w < 1 || img->h < 1 || img->c < 1 || img->c > 4) {
        fprintf(stderr, "clae: %s: no image to write\n", path);
        return CLAE_ERR_ARG;
    }
    return write_image(path, fmt, img);
}
