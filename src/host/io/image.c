/* Images for the result commands: load/write (stb), float conversion,
 * reflect padding, enlargement, a 5x7 font, lines and the history plot.
 * The system libstb provides the stb implementations. */
#include "clae/image.h"

#include <cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <stb/stb_image.h>
#include <stb/stb_image_write.h>

#include "clae/fs.h"

/* ---- basics ---------------------------------------------------------------- */

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

static void put_px(clae_image *img, int x, int y, const uint8_t rgb[3])
{
    if (x < 0 || y < 0 || x >= img->w || y >= img->h) return;
    uint8_t *p = img->px + ((size_t)y * img->w + x) * img->c;
    if (img->c < 3) {
        p[0] = (uint8_t)((rgb[0] * 77 + rgb[1] * 150 + rgb[2] * 29) >> 8);
        if (img->c == 2) p[1] = 255;
    } else {
        p[0] = rgb[0];
        p[1] = rgb[1];
        p[2] = rgb[2];
        if (img->c == 4) p[3] = 255;
    }
}

void clae_image_fill(clae_image *img, const uint8_t rgb[3])
{
    for (int y = 0; y < img->h; y++)
        for (int x = 0; x < img->w; x++) put_px(img, x, y, rgb);
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

clae_status clae_image_load(const char *path, int want_c, clae_image *img)
{
    img->w = img->h = img->c = 0;
    img->px = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "clae: %s: %s\n", path, strerror(errno));
        return CLAE_ERR_IO;
    }
    int w, h, c;
    if (!stbi_info_from_file(f, &w, &h, &c)) {
        fprintf(stderr, "clae: %s: not a readable image (%s)\n", path, stbi_failure_reason());
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

/* ---- atomic writing ----------------------------------------------------------- */

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

static clae_status write_bytes(const char *path, const void *data, size_t len)
{
    const char *what = NULL;
    if (clae_write_atomic(path, &data, &len, 1, 0644, &what) == 0) return CLAE_OK;
    fprintf(stderr, "clae: %s: cannot write (%s): %s\n", path, what, strerror(errno));
    return CLAE_ERR_IO;
}

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
        st = write_bytes(path, s.buf, s.len);
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

clae_status clae_file_write_atomic(const char *path, const void *data, size_t len)
{
    return write_bytes(path, data, len);
}

/* ---- float conversion, padding, cropping, enlargement -------------------------- */

void clae_image_to_chw(float *out, const clae_image *img)
{
    size_t hw = (size_t)img->w * img->h;
    for (int c = 0; c < img->c; c++)
        for (size_t i = 0; i < hw; i++) out[c * hw + i] = img->px[i * img->c + c] / 255.0f;
}

void clae_image_from_chw(clae_image *img, const float *in)
{
    size_t hw = (size_t)img->w * img->h;
    for (int c = 0; c < img->c; c++)
        for (size_t i = 0; i < hw; i++) {
            float x = in[c * hw + i];
            x = x > 0.0f ? (x < 1.0f ? x : 1.0f) : 0.0f; /* NaN -> 0 */
            img->px[i * img->c + c] = (uint8_t)(x * 255.0f + 0.5f);
        }
}

int clae_image_has_alpha(const clae_image *img) { return img->c == 2 || img->c == 4; }

static float luma(float r, float g, float b)
{
    return CLAE_LUMA_R * r + CLAE_LUMA_G * g + CLAE_LUMA_B * b;
}

void clae_image_to_chw_as(float *out, int C, const clae_image *img)
{
    const size_t hw = (size_t)img->w * img->h;
    const int ic = img->c, colors = ic >= 3 ? 3 : 1;
    for (size_t i = 0; i < hw; i++) {
        const uint8_t *p = img->px + i * ic;
        if (colors == C) {
            for (int c = 0; c < C; c++) out[c * hw + i] = p[c] / 255.0f;
        } else if (C == 3) { /* grey -> RGB */
            out[i] = out[hw + i] = out[2 * hw + i] = p[0] / 255.0f;
        } else { /* RGB -> grey */
            out[i] = luma(p[0] / 255.0f, p[1] / 255.0f, p[2] / 255.0f);
        }
    }
}

static uint8_t to_byte(float x)
{
    x = x > 0.0f ? (x < 1.0f ? x : 1.0f) : 0.0f; /* NaN -> 0 */
    return (uint8_t)(x * 255.0f + 0.5f);
}

void clae_image_from_chw_as(clae_image *img, const float *in, int C)
{
    const size_t hw = (size_t)img->w * img->h;
    const int ic = img->c, colors = ic >= 3 ? 3 : 1;
    for (size_t i = 0; i < hw; i++) {
        uint8_t *p = img->px + i * ic;
        if (colors == C) {
            for (int c = 0; c < C; c++) p[c] = to_byte(in[c * hw + i]);
        } else if (C == 1) { /* grey -> RGB */
            p[0] = p[1] = p[2] = to_byte(in[i]);
        } else { /* RGB -> grey: luma of the clamped values */
            float r = fminf(fmaxf(in[i], 0.0f), 1.0f), g = fminf(fmaxf(in[hw + i], 0.0f), 1.0f),
                  b = fminf(fmaxf(in[2 * hw + i], 0.0f), 1.0f);
            p[0] = to_byte(luma(r, g, b));
        }
    }
}

int clae_reflect_index(int i, int n)
{
    if (n <= 1) return 0;
    int period = 2 * (n - 1);
    i %= period;
    if (i < 0) i += period;
    return i < n ? i : period - i;
}

int clae_round_up(int n, int m) { return m <= 1 ? n : (n + m - 1) / m * m; }

void clae_pad_reflect(float *out, const float *in, int C, int H, int W, int Hp, int Wp, int top,
                      int left)
{
    for (int c = 0; c < C; c++)
        for (int y = 0; y < Hp; y++) {
            const float *row = in + ((size_t)c * H + clae_reflect_index(y - top, H)) * W;
            float *o = out + ((size_t)c * Hp + y) * Wp;
            for (int x = 0; x < Wp; x++) o[x] = row[clae_reflect_index(x - left, W)];
        }
}

void clae_crop(float *out, const float *in, int C, int Hp, int Wp, int top, int left, int H, int W)
{
    for (int c = 0; c < C; c++)
        for (int y = 0; y < H; y++)
            memcpy(out + ((size_t)c * H + y) * W, in + ((size_t)c * Hp + top + y) * Wp + left,
                   (size_t)W * sizeof(float));
}

void clae_image_blit_scaled(clae_image *dst, const clae_image *src, int x, int y, int scale)
{
    if (scale < 1) scale = 1;
    for (int sy = 0; sy < src->h; sy++)
        for (int sx = 0; sx < src->w; sx++) {
            const uint8_t *p = src->px + ((size_t)sy * src->w + sx) * src->c;
            uint8_t rgb[3];
            if (src->c >= 3) {
                rgb[0] = p[0];
                rgb[1] = p[1];
                rgb[2] = p[2];
            } else {
                rgb[0] = rgb[1] = rgb[2] = p[0];
            }
            for (int dy = 0; dy < scale; dy++)
                for (int dx = 0; dx < scale; dx++)
                    put_px(dst, x + sx * scale + dx, y + sy * scale + dy, rgb);
        }
}

/* ---- 5x7 font -------------------------------------------------------------------
 * Rows top to bottom, bit 4 = leftmost column. Characters 32..126. */
static const uint8_t FONT[95][7] = {
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}, /* ' ' */
    {0x04, 0x04, 0x04, 0x04, 0x04, 0x00, 0x04}, /* '!' */
    {0x0A, 0x0A, 0x00, 0x00, 0x00, 0x00, 0x00}, /* '"' */
    {0x0A, 0x0A, 0x1F, 0x0A, 0x1F, 0x0A, 0x0A}, /* '#' */
    {0x04, 0x0F, 0x14, 0x0E, 0x05, 0x1E, 0x04}, /* '$' */
    {0x18, 0x19, 0x02, 0x04, 0x08, 0x13, 0x03}, /* '%' */
    {0x0C, 0x12, 0x14, 0x08, 0x15, 0x12, 0x0D}, /* '&' */
    {0x04, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00}, /* ''' */
    {0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02}, /* '(' */
    {0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08}, /* ')' */
    {0x00, 0x04, 0x15, 0x0E, 0x15, 0x04, 0x00}, /* '*' */
    {0x00, 0x04, 0x04, 0x1F, 0x04, 0x04, 0x00}, /* '+' */
    {0x00, 0x00, 0x00, 0x00, 0x0C, 0x04, 0x08}, /* ',' */
    {0x00, 0x00, 0x00, 0x1F, 0x00, 0x00, 0x00}, /* '-' */
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x0C, 0x0C}, /* '.' */
    {0x00, 0x01, 0x02, 0x04, 0x08, 0x10, 0x00}, /* '/' */
    {0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E}, /* '0' */
    {0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E}, /* '1' */
    {0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F}, /* '2' */
    {0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E}, /* '3' */
    {0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02}, /* '4' */
    {0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E}, /* '5' */
    {0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E}, /* '6' */
    {0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08}, /* '7' */
    {0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E}, /* '8' */
    {0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C}, /* '9' */
    {0x00, 0x0C, 0x0C, 0x00, 0x0C, 0x0C, 0x00}, /* ':' */
    {0x00, 0x0C, 0x0C, 0x00, 0x0C, 0x04, 0x08}, /* ';' */
    {0x02, 0x04, 0x08, 0x10, 0x08, 0x04, 0x02}, /* '<' */
    {0x00, 0x00, 0x1F, 0x00, 0x1F, 0x00, 0x00}, /* '=' */
    {0x08, 0x04, 0x02, 0x01, 0x02, 0x04, 0x08}, /* '>' */
    {0x0E, 0x11, 0x01, 0x02, 0x04, 0x00, 0x04}, /* '?' */
    {0x0E, 0x11, 0x01, 0x0D, 0x15, 0x15, 0x0E}, /* '@' */
    {0x0E, 0x11, 0x11, 0x11, 0x1F, 0x11, 0x11}, /* 'A' */
    {0x1E, 0x11, 0x11, 0x1E, 0x11, 0x11, 0x1E}, /* 'B' */
    {0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E}, /* 'C' */
    {0x1C, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1C}, /* 'D' */
    {0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F}, /* 'E' */
    {0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x10}, /* 'F' */
    {0x0E, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0F}, /* 'G' */
    {0x11, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11}, /* 'H' */
    {0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E}, /* 'I' */
    {0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0C}, /* 'J' */
    {0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11}, /* 'K' */
    {0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1F}, /* 'L' */
    {0x11, 0x1B, 0x15, 0x15, 0x11, 0x11, 0x11}, /* 'M' */
    {0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11}, /* 'N' */
    {0x0E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E}, /* 'O' */
    {0x1E, 0x11, 0x11, 0x1E, 0x10, 0x10, 0x10}, /* 'P' */
    {0x0E, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0D}, /* 'Q' */
    {0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11}, /* 'R' */
    {0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E}, /* 'S' */
    {0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04}, /* 'T' */
    {0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E}, /* 'U' */
    {0x11, 0x11, 0x11, 0x11, 0x11, 0x0A, 0x04}, /* 'V' */
    {0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0A}, /* 'W' */
    {0x11, 0x11, 0x0A, 0x04, 0x0A, 0x11, 0x11}, /* 'X' */
    {0x11, 0x11, 0x11, 0x0A, 0x04, 0x04, 0x04}, /* 'Y' */
    {0x1F, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1F}, /* 'Z' */
    {0x0E, 0x08, 0x08, 0x08, 0x08, 0x08, 0x0E}, /* '[' */
    {0x00, 0x10, 0x08, 0x04, 0x02, 0x01, 0x00}, /* '\' */
    {0x0E, 0x02, 0x02, 0x02, 0x02, 0x02, 0x0E}, /* ']' */
    {0x04, 0x0A, 0x11, 0x00, 0x00, 0x00, 0x00}, /* '^' */
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1F}, /* '_' */
    {0x08, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00}, /* '`' */
    {0x00, 0x00, 0x0E, 0x01, 0x0F, 0x11, 0x0F}, /* 'a' */
    {0x10, 0x10, 0x16, 0x19, 0x11, 0x11, 0x1E}, /* 'b' */
    {0x00, 0x00, 0x0E, 0x10, 0x10, 0x11, 0x0E}, /* 'c' */
    {0x01, 0x01, 0x0D, 0x13, 0x11, 0x11, 0x0F}, /* 'd' */
    {0x00, 0x00, 0x0E, 0x11, 0x1F, 0x10, 0x0E}, /* 'e' */
    {0x06, 0x09, 0x08, 0x1C, 0x08, 0x08, 0x08}, /* 'f' */
    {0x00, 0x0F, 0x11, 0x11, 0x0F, 0x01, 0x0E}, /* 'g' */
    {0x10, 0x10, 0x16, 0x19, 0x11, 0x11, 0x11}, /* 'h' */
    {0x04, 0x00, 0x0C, 0x04, 0x04, 0x04, 0x0E}, /* 'i' */
    {0x02, 0x00, 0x06, 0x02, 0x02, 0x12, 0x0C}, /* 'j' */
    {0x10, 0x10, 0x12, 0x14, 0x18, 0x14, 0x12}, /* 'k' */
    {0x0C, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E}, /* 'l' */
    {0x00, 0x00, 0x1A, 0x15, 0x15, 0x11, 0x11}, /* 'm' */
    {0x00, 0x00, 0x16, 0x19, 0x11, 0x11, 0x11}, /* 'n' */
    {0x00, 0x00, 0x0E, 0x11, 0x11, 0x11, 0x0E}, /* 'o' */
    {0x00, 0x00, 0x1E, 0x11, 0x1E, 0x10, 0x10}, /* 'p' */
    {0x00, 0x00, 0x0D, 0x13, 0x0F, 0x01, 0x01}, /* 'q' */
    {0x00, 0x00, 0x16, 0x19, 0x10, 0x10, 0x10}, /* 'r' */
    {0x00, 0x00, 0x0E, 0x10, 0x0E, 0x01, 0x1E}, /* 's' */
    {0x08, 0x08, 0x1C, 0x08, 0x08, 0x09, 0x06}, /* 't' */
    {0x00, 0x00, 0x11, 0x11, 0x11, 0x13, 0x0D}, /* 'u' */
    {0x00, 0x00, 0x11, 0x11, 0x11, 0x0A, 0x04}, /* 'v' */
    {0x00, 0x00, 0x11, 0x11, 0x15, 0x15, 0x0A}, /* 'w' */
    {0x00, 0x00, 0x11, 0x0A, 0x04, 0x0A, 0x11}, /* 'x' */
    {0x00, 0x00, 0x11, 0x11, 0x0F, 0x01, 0x0E}, /* 'y' */
    {0x00, 0x00, 0x1F, 0x02, 0x04, 0x08, 0x1F}, /* 'z' */
    {0x02, 0x04, 0x04, 0x08, 0x04, 0x04, 0x02}, /* '{' */
    {0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04}, /* '|' */
    {0x08, 0x04, 0x04, 0x02, 0x04, 0x04, 0x08}, /* '}' */
    {0x00, 0x00, 0x08, 0x15, 0x02, 0x00, 0x00}, /* '~' */
};

const uint8_t *clae_font_glyph(int ch)
{
    if (ch < 32 || ch > 126) ch = '?';
    return FONT[ch - 32];
}

int clae_text_width(const char *s, int scale)
{
    size_t n = strlen(s);
    return n ? (int)(n * (CLAE_FONT_W + 1) - 1) * scale : 0;
}

void clae_draw_text(clae_image *img, int x, int y, const char *s, const uint8_t rgb[3], int scale,
                    int vertical)
{
    if (scale < 1) scale = 1;
    int len = clae_text_width(s, scale);
    for (int k = 0; s[k]; k++) {
        const uint8_t *g = clae_font_glyph((unsigned char)s[k]);
        int ox = k * (CLAE_FONT_W + 1) * scale; /* offset along the text */
        for (int r = 0; r < CLAE_FONT_H; r++)
            for (int col = 0; col < CLAE_FONT_W; col++) {
                if (!(g[r] >> (CLAE_FONT_W - 1 - col) & 1)) continue;
                for (int dy = 0; dy < scale; dy++)
                    for (int dx = 0; dx < scale; dx++) {
                        int u = ox + col * scale + dx, v = r * scale + dy; /* text coords */
                        if (vertical) /* 90 deg counter-clockwise: u goes up, v goes right */
                            put_px(img, x + v, y + len - 1 - u, rgb);
                        else
                            put_px(img, x + u, y + v, rgb);
                    }
            }
    }
}

void clae_fill_rect(clae_image *img, int x, int y, int w, int h, const uint8_t rgb[3])
{
    for (int j = y; j < y + h; j++)
        for (int i = x; i < x + w; i++) put_px(img, i, j, rgb);
}

void clae_draw_line(clae_image *img, int x0, int y0, int x1, int y1, const uint8_t rgb[3], int t)
{
    if (t < 1) t = 1;
    int dx = abs(x1 - x0), sx = x0 < x1 ? 1 : -1;
    int dy = -abs(y1 - y0), sy = y0 < y1 ? 1 : -1;
    int err = dx + dy, off = (t - 1) / 2;
    for (;;) {
        clae_fill_rect(img, x0 - off, y0 - off, t, t, rgb);
        if (x0 == x1 && y0 == y1) break;
        int e2 = 2 * err;
        if (e2 >= dy) {
            err += dy;
            x0 += sx;
        }
        if (e2 <= dx) {
            err += dx;
            y0 += sy;
        }
    }
}

/* ---- history ------------------------------------------------------------------- */

void clae_history_free(clae_history *h)
{
    free(h->epoch);
    free(h->train_loss);
    free(h->val_loss);
    for (int k = 0; k < CLAE_HISTORY_MAX_TERMS; k++) free(h->term[k]);
    free(h->val_psnr);
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
    FILE *f = fopen(path, "r");
    struct stat sb;
    if (f && fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) { /* a run's folder */
        fprintf(stderr, "clae: %s: a folder, not a history (a run's is %s/history.jsonl)\n", path,
                path);
        fclose(f);
        *refused = 1;
        return NULL;
    }
    if (f && fstat(fileno(f), &sb) == 0 && sb.st_size > CLAE_HISTORY_MAX_BYTES) {
        fprintf(stderr, "clae: %s: %lld bytes; a history is at most %d\n", path,
                (long long)sb.st_size, CLAE_HISTORY_MAX_BYTES);
        fclose(f);
        *refused = 1;
        return NULL;
    }
    return f;
}

/* A line's "terms" object into tv (NAN where absent): its keys name the
 * series the first time; NULL, or what is wrong with it. */
static const char *history_terms(clae_history *h, const cJSON *o, double *tv)
{
    for (int k = 0; k < CLAE_HISTORY_MAX_TERMS; k++) tv[k] = NAN;
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "terms");
    if (!t) return NULL;
    if (!cJSON_IsObject(t)) return "'terms' is not an object";
    const cJSON *it;
    cJSON_ArrayForEach(it, t)
    {
        if (!it->string || !cJSON_IsNumber(it) || !isfinite(it->valuedouble) ||
            fabs(it->valuedouble) > HISTORY_MAX_LOSS)
            return "a value in 'terms' is not a number within +-1e30";
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
        double e = 0, tl = 0, vl = NAN, vp = NAN, tv[CLAE_HISTORY_MAX_TERMS];
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
        if (!why && (!cJSON_GetObjectItemCaseSensitive(o, "val_loss") || vl < 0)) vl = NAN;
        if (!why && (!cJSON_GetObjectItemCaseSensitive(o, "val_psnr") || vp < 0)) vp = NAN;
        if (!why) why = history_terms(h, o, tv);
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
            for (int k = 0; c && k < CLAE_HISTORY_MAX_TERMS; k++) {
                double *t = realloc(h->term[k], na * sizeof *t);
                if (t) h->term[k] = t;
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
        for (int k = 0; k < CLAE_HISTORY_MAX_TERMS; k++) h->term[k][h->n] = tv[k];
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

/* ---- plot -------------------------------------------------------------------- */

#define PLOT_MAX_TICKS 50 /* per axis; nice_step aims at 5 and 8 */

/* Nice tick step (1, 2 or 5 times a power of ten) for about `want` ticks over span. */
static double nice_step(double span, int want)
{
    double raw = span / want, p = pow(10.0, floor(log10(raw))), f = raw / p;
    return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * p;
}

/* "%.*f" with just enough decimals for step, or %.2g-style for extremes. */
static void tick_label(char *buf, size_t len, double v, double step)
{
    if (fabs(v) < step * 1e-6) v = 0.0;
    int dec = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);
    if (dec > 6 || fabs(v) >= 1e6)
        snprintf(buf, len, "%.2g", v);
    else
        snprintf(buf, len, "%.*f", dec, v);
}

/* A dashed line, 2 pixels thick: 6 on, 4 off, the pattern carried on
 * from *phase (so a polyline's dashes run on across its vertices). */
static void dashed_line(clae_image *img, int x0, int y0, int x1, int y1, const uint8_t rgb[3],
                        int *phase)
{
    int n = abs(x1 - x0) > abs(y1 - y0) ? abs(x1 - x0) : abs(y1 - y0);
    for (int i = 0; i <= n; i++, ++*phase) {
        if (*phase % 10 >= 6) continue;
        int x = n ? x0 + (int)lround((double)(x1 - x0) * i / n) : x0;
        int y = n ? y0 + (int)lround((double)(y1 - y0) * i / n) : y0;
        clae_fill_rect(img, x, y, 2, 2, rgb);
    }
}

clae_status clae_plot_history(const clae_history *h, clae_image *out)
{
    static const uint8_t white[3] = {255, 255, 255}, black[3] = {0, 0, 0},
                         grid[3] = {230, 230, 230}, grey[3] = {90, 90, 90},
                         blue[3] = {31, 119, 180}, orange[3] = {255, 127, 14},
                         teal[3] = CLAE_PLOT_PSNR_RGB;
    if (h->n < 1) return CLAE_ERR_ARG;
    clae_status st = clae_image_alloc(out, CLAE_PLOT_W, CLAE_PLOT_H, 3);
    if (st != CLAE_OK) return st;
    clae_image_fill(out, white);
    /* validation PSNR: a right-hand dB axis, when any epoch measured it */
    double py0 = INFINITY, py1 = -INFINITY;
    for (size_t i = 0; h->val_psnr && i < h->n; i++)
        if (!isnan(h->val_psnr[i])) {
            py0 = fmin(py0, h->val_psnr[i]);
            py1 = fmax(py1, h->val_psnr[i]);
        }
    const int psnr = py0 <= py1;
    const int X0 = CLAE_PLOT_X0, X1 = psnr ? CLAE_PLOT_X1_PSNR : CLAE_PLOT_X1, Y0 = CLAE_PLOT_Y0,
              Y1 = CLAE_PLOT_Y1;

    /* the series: train, validation, then the loss terms (the PSNR, on its
     * own axis, is drawn after them) */
    enum { NS = 3 + CLAE_HISTORY_MAX_TERMS };
    static const uint8_t term_col[CLAE_HISTORY_MAX_TERMS][3] = {
        {44, 160, 44}, {214, 39, 40}, {148, 103, 189}, {140, 86, 75}};
    const double *series[NS] = {h->train_loss, h->val_loss};
    const char *names[NS] = {"train loss", "validation loss"};
    const uint8_t *cols[NS] = {blue, orange};
    int ns = 2;
    for (int k = 0; k < h->nterms && k < CLAE_HISTORY_MAX_TERMS; k++, ns++) {
        series[ns] = h->term[k];
        names[ns] = h->term_name[k];
        cols[ns] = term_col[k];
    }
    /* ranges */
    double ex0 = h->epoch[0], ex1 = h->epoch[0], ly0 = INFINITY, ly1 = -INFINITY;
    int have[NS] = {0};
    for (size_t i = 0; i < h->n; i++) {
        ex0 = fmin(ex0, h->epoch[i]);
        ex1 = fmax(ex1, h->epoch[i]);
        for (int s = 0; s < ns; s++)
            if (!isnan(series[s][i])) {
                have[s] = 1;
                ly0 = fmin(ly0, series[s][i]);
                ly1 = fmax(ly1, series[s][i]);
            }
    }
    if (ex1 - ex0 < 1) {
        ex0 -= 1;
        ex1 += 1;
    }
    /* a logarithmic axis (in decades) when the values span more than ten */
    const int logy = ly0 > 0 && ly1 / ly0 > 10.0;
    if (logy) {
        ly0 = floor(log10(ly0));
        ly1 = ceil(log10(ly1));
    }
    if (ly1 - ly0 < 1e-12) {
        double d = fmax(fabs(ly0) * 0.1, 1e-3);
        ly0 -= d;
        ly1 += d;
    }
    double ys = logy ? 1.0 : nice_step(ly1 - ly0, 5);
    if (logy && ly1 - ly0 > 12) ys = ceil((ly1 - ly0) / 6);
    ly0 = floor(ly0 / ys) * ys;
    ly1 = ceil(ly1 / ys) * ys;
    double xs = nice_step(ex1 - ex0, 8);
    if (xs < 1) xs = 1;
    /* x range: a little margin so end points do not sit on the frame */
    double xm = (ex1 - ex0) * 0.03;
    double vx0 = ex0 - xm, vx1 = ex1 + xm;
#define PX(e) (X0 + (int)lround(((e)-vx0) / (vx1 - vx0) * (X1 - X0)))
#define PY(l) (Y1 - (int)lround(((logy ? log10(l) : (l)) - ly0) / (ly1 - ly0) * (Y1 - Y0)))

    char buf[32];
    /* y grid, ticks and labels; counted loops, so that no rounding of the
     * range can make them run away */
    for (int k = 0; k <= PLOT_MAX_TICKS; k++) {
        double v = ly0 + k * ys;
        if (!(v <= ly1 + ys * 1e-6)) break;
        int y = Y1 - (int)lround((v - ly0) / (ly1 - ly0) * (Y1 - Y0));
        if (y > Y0 && y < Y1) clae_draw_line(out, X0 + 1, y, X1 - 1, y, grid, 1);
        clae_draw_line(out, X0 - 5, y, X0, y, black, 1);
        if (logy)
            snprintf(buf, sizeof buf, "1e%d", (int)lround(v));
        else
            tick_label(buf, sizeof buf, v, ys);
        clae_draw_text(out, X0 - 8 - clae_text_width(buf, 1), y - 3, buf, black, 1, 0);
    }
    /* x grid, ticks and labels */
    const double xfirst = ceil(vx0 / xs) * xs;
    for (int k = 0; k <= PLOT_MAX_TICKS; k++) {
        double e = xfirst + k * xs;
        if (!(e <= vx1 + 1e-9)) break;
        int x = PX(e);
        if (x > X0 && x < X1) clae_draw_line(out, x, Y0 + 1, x, Y1 - 1, grid, 1);
        clae_draw_line(out, x, Y1, x, Y1 + 5, black, 1);
        tick_label(buf, sizeof buf, e, xs);
        clae_draw_text(out, x - clae_text_width(buf, 1) / 2, Y1 + 9, buf, black, 1, 0);
    }
    /* frame */
    clae_draw_line(out, X0, Y0, X1, Y0, black, 1);
    clae_draw_line(out, X0, Y1, X1, Y1, black, 1);
    clae_draw_line(out, X0, Y0, X0, Y1, black, 1);
    clae_draw_line(out, X1, Y0, X1, Y1, black, 1);
    /* axis labels */
    const char *xl = "epoch", *yl = logy ? "loss (log scale)" : "loss";
    clae_draw_text(out, (X0 + X1) / 2 - clae_text_width(xl, 2) / 2, Y1 + 24, xl, black, 2, 0);
    clae_draw_text(out, 6, (Y0 + Y1) / 2 - clae_text_width(yl, 2) / 2, yl, black, 2, 1);

    /* curves: lines between consecutive points, a square marker at each
     * (the losses), thinner lines (the terms) */
    for (int s = 0; s < ns; s++) {
        const double *v = series[s];
        const uint8_t *col = cols[s];
        int px = 0, py = 0, prev = 0;
        for (size_t i = 0; i < h->n; i++) {
            if (isnan(v[i])) {
                prev = 0;
                continue;
            }
            int x = PX(h->epoch[i]), y = PY(v[i]);
            if (prev) clae_draw_line(out, px, py, x, y, col, s < 2 ? 2 : 1);
            if (h->n <= 60 && s < 2) clae_fill_rect(out, x - 2, y - 2, 5, 5, col);
            px = x;
            py = y;
            prev = 1;
        }
    }
    if (psnr) {
        /* its own nice range and ticks (no grid: the loss axis has one),
         * at least 1 dB: hundredths of a dB are noise, not worth the height */
        if (py1 - py0 < 1.0) {
            double mid = 0.5 * (py0 + py1), d = fmax(0.5, fabs(mid) * 1e-3);
            py0 = mid - d;
            py1 = mid + d;
        }
        double ps = nice_step(py1 - py0, 5);
        py0 = floor(py0 / ps) * ps;
        py1 = ceil(py1 / ps) * ps;
#define PYP(v) (Y1 - (int)lround(((v)-py0) / (py1 - py0) * (Y1 - Y0)))
        for (int k = 0; k <= PLOT_MAX_TICKS; k++) {
            double v = py0 + k * ps;
            if (!(v <= py1 + ps * 1e-6)) break;
            int y = PYP(v);
            clae_draw_line(out, X1 + 1, y, X1 + 5, y, teal, 1);
            tick_label(buf, sizeof buf, v, ps);
            clae_draw_text(out, X1 + 8, y - 3, buf, teal, 1, 0);
        }
        const char *pl = "val PSNR (dB)";
        clae_draw_text(out, CLAE_PLOT_W - 6 - 2 * CLAE_FONT_H,
                       (Y0 + Y1) / 2 - clae_text_width(pl, 2) / 2, pl, teal, 2, 1);
        /* dashed, diamond markers: the series of the other axis */
        int px = 0, py = 0, prev = 0, phase = 0;
        for (size_t i = 0; i < h->n; i++) {
            double v = h->val_psnr[i];
            if (isnan(v)) {
                prev = 0;
                continue;
            }
            int x = PX(h->epoch[i]), y = PYP(v);
            if (prev) dashed_line(out, px, py, x, y, teal, &phase);
            if (h->n <= 60)
                for (int r = -3; r <= 3; r++) /* a diamond */
                    clae_fill_rect(out, x - (3 - abs(r)), y + r, 2 * (3 - abs(r)) + 1, 1, teal);
            px = x;
            py = y;
            prev = 1;
        }
#undef PYP
        series[ns] = h->val_psnr;
        names[ns] = "val PSNR (right axis)";
        cols[ns] = teal;
        have[ns++] = 1;
    }
#undef PX
#undef PY

    /* legend inside the axes: the series drawn */
    int shown[NS], entries = 0, wmax = 0;
    for (int s = 0; s < ns; s++)
        if (have[s]) {
            shown[entries++] = s;
            int w = clae_text_width(names[s], 1);
            if (w > wmax) wmax = w;
        }
    int lw = 30 + wmax + 8, lh = 8 + 14 * entries;
    /* where it hides the fewest curve pixels (not white, not grid): top
     * right, top left, bottom right, bottom left, top middle, bottom middle */
    const int cand[6][2] = {{X1 - 10 - lw, Y0 + 10},          {X0 + 10, Y0 + 10},
                            {X1 - 10 - lw, Y1 - 10 - lh},     {X0 + 10, Y1 - 10 - lh},
                            {(X0 + X1 - lw) / 2, Y0 + 10},    {(X0 + X1 - lw) / 2, Y1 - 10 - lh}};
    int lx = cand[0][0], ly = cand[0][1];
    long best = -1;
    for (int k = 0; k < 6; k++) {
        long hidden = 0;
        for (int y = cand[k][1]; y < cand[k][1] + lh; y++)
            for (int x = cand[k][0]; x < cand[k][0] + lw; x++) {
                if (x <= X0 || x >= X1 || y <= Y0 || y >= Y1) continue;
                const uint8_t *p = out->px + ((size_t)y * out->w + x) * 3;
                hidden += !((p[0] == 255 && p[1] == 255 && p[2] == 255) ||
                            (p[0] == grid[0] && p[1] == grid[1] && p[2] == grid[2]));
            }
        if (best < 0 || hidden < best) {
            best = hidden;
            lx = cand[k][0];
            ly = cand[k][1];
        }
    }
    clae_fill_rect(out, lx, ly, lw, lh, white);
    clae_draw_line(out, lx, ly, lx + lw - 1, ly, grey, 1);
    clae_draw_line(out, lx, ly + lh - 1, lx + lw - 1, ly + lh - 1, grey, 1);
    clae_draw_line(out, lx, ly, lx, ly + lh - 1, grey, 1);
    clae_draw_line(out, lx + lw - 1, ly, lx + lw - 1, ly + lh - 1, grey, 1);
    for (int e = 0; e < entries; e++) {
        int s = shown[e], y = ly + 4 + 14 * e + 3;
        if (series[s] == h->val_psnr) {
            int phase = 0;
            dashed_line(out, lx + 6, y + 3, lx + 24, y + 3, cols[s], &phase);
        } else {
            clae_draw_line(out, lx + 6, y + 3, lx + 24, y + 3, cols[s], s < 2 ? 2 : 1);
        }
        clae_draw_text(out, lx + 30, y, names[s], black, 1, 0);
    }
    return CLAE_OK;
}
