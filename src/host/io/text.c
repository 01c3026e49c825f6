/* Text in a TrueType font for the figures (see clae/draw.h): the font is
 * found and loaded once (CLAE_FONT, else Debian's DejaVu Sans; "builtin":
 * none), its glyphs
 * rasterised anti-aliased by stb_truetype (libstb) into a coverage mask that
 * is blended over the image, horizontally or turned 90 degrees. Without a
 * font the 5x7 bitmap font (io/font.c) draws instead, after one note. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stb/stb_truetype.h>

#include "clae/draw.h"

/* Where Debian (fonts-dejavu-core), Fedora and Arch put DejaVu Sans, then
 * Debian's Liberation Sans. */
static const char *const FONT_PATHS[] = {
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    NULL,
};

#define FONT_MAX_BYTES (32 << 20)

static struct {
    pthread_once_t once;
    unsigned char *data; /* the file, NULL: no TrueType font (bitmap font) */
    stbtt_fontinfo info;
    int ascent, descent, gap; /* font units */
    char path[512];
} g_font = {.once = PTHREAD_ONCE_INIT};

static void font_free(void)
{
    free(g_font.data);
    g_font.data = NULL;
}

/* The whole of path, if it is a font stb_truetype takes. */
static int font_try(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    unsigned char *buf = NULL;
    long n = -1;
    if (fseek(f, 0, SEEK_END) == 0) n = ftell(f);
    if (n > 0 && n <= FONT_MAX_BYTES && fseek(f, 0, SEEK_SET) == 0) buf = malloc((size_t)n);
    int ok = buf && fread(buf, 1, (size_t)n, f) == (size_t)n;
    fclose(f);
    int off = ok ? stbtt_GetFontOffsetForIndex(buf, 0) : -1;
    if (!ok || off < 0 || !stbtt_InitFont(&g_font.info, buf, off) ||
        !stbtt_FindGlyphIndex(&g_font.info, 'g')) {
        free(buf);
        return 0;
    }
    g_font.data = buf;
    snprintf(g_font.path, sizeof g_font.path, "%s", path);
    stbtt_GetFontVMetrics(&g_font.info, &g_font.ascent, &g_font.descent, &g_font.gap);
    return 1;
}

static void font_load(void)
{
    const char *env = getenv("CLAE_FONT");
    int found = 0;
    if (env && strcmp(env, "builtin") == 0) return; /* asked for: no note */
    if (env && *env) {
        found = font_try(env);
        if (!found)
            fprintf(stderr, "clae: note: CLAE_FONT=%s: not a TrueType font; trying DejaVu Sans\n",
                    env);
    }
    for (int k = 0; !found && FONT_PATHS[k]; k++) found = font_try(FONT_PATHS[k]);
    if (found)
        atexit(font_free);
    else
        fprintf(stderr, "clae: note: no TrueType font found (install fonts-dejavu-core or set "
                        "CLAE_FONT=FILE.ttf): figure text in the 5x7 bitmap font\n");
}

const char *clae_text_font(void)
{
    pthread_once(&g_font.once, font_load);
    return g_font.data ? g_font.path : NULL;
}

/* The bitmap font's enlargement for a text px pixels tall. */
static int bitmap_scale(int px) { return px >= 18 ? 2 : 1; }

int clae_text_height(int px)
{
    if (!clae_text_font()) return CLAE_FONT_H * bitmap_scale(px);
    float sc = stbtt_ScaleForPixelHeight(&g_font.info, (float)px);
    return (int)ceilf(sc * (float)(g_font.ascent - g_font.descent));
}

int clae_text_baseline(int px)
{
    if (!clae_text_font()) return CLAE_FONT_H * bitmap_scale(px);
    float sc = stbtt_ScaleForPixelHeight(&g_font.info, (float)px);
    return (int)lroundf(sc * (float)g_font.ascent);
}

/* The pen position after each character, in pixels (fractional). */
static float advance(int ch, int next, float sc)
{
    int adv, lsb;
    stbtt_GetCodepointHMetrics(&g_font.info, ch, &adv, &lsb);
    float a = sc * (float)adv;
    if (next) a += sc * (float)stbtt_GetCodepointKernAdvance(&g_font.info, ch, next);
    return a;
}

/* ASCII 32..126; anything else is drawn as '?' (the bitmap font's rule). */
static int text_char(const char *s, int k)
{
    int ch = (unsigned char)s[k];
    return ch < 32 || ch > 126 ? '?' : ch;
}

int clae_text_width_px(const char *s, int px)
{
    if (!clae_text_font()) return clae_text_width(s, bitmap_scale(px));
    float sc = stbtt_ScaleForPixelHeight(&g_font.info, (float)px), x = 0;
    for (int k = 0; s[k]; k++) x += advance(text_char(s, k), s[k + 1] ? text_char(s, k + 1) : 0, sc);
    return (int)ceilf(x);
}

/* The coverage (0..255) of s into mask (w x h, the text's box; baseline at
 * row `base`): each glyph rasterised with its subpixel offset, overlaps
 * kept at their maximum. */
static void render_ttf(uint8_t *mask, int w, int h, int base, const char *s, int px)
{
    float sc = stbtt_ScaleForPixelHeight(&g_font.info, (float)px), pen = 0;
    for (int k = 0; s[k]; k++) {
        int ch = text_char(s, k), next = s[k + 1] ? text_char(s, k + 1) : 0;
        float fx = pen - floorf(pen);
        int gw, gh, gx, gy;
        unsigned char *g =
            stbtt_GetCodepointBitmapSubpixel(&g_font.info, sc, sc, fx, 0, ch, &gw, &gh, &gx, &gy);
        for (int v = 0; g && v < gh; v++)
            for (int u = 0; u < gw; u++) {
                int x = (int)floorf(pen) + gx + u, y = base + gy + v;
                if (x < 0 || y < 0 || x >= w || y >= h) continue;
                uint8_t a = g[v * gw + u], *m = mask + (size_t)y * w + x;
                if (a > *m) *m = a;
            }
        stbtt_FreeBitmap(g, NULL);
        pen += advance(ch, next, sc);
    }
}

/* The bitmap font's pixels of s at scale into mask (w x h), 0 or 255. */
static void render_bitmap(uint8_t *mask, int w, int h, const char *s, int scale)
{
    for (int k = 0; s[k]; k++) {
        const uint8_t *g = clae_font_glyph((unsigned char)s[k]);
        for (int r = 0; r < CLAE_FONT_H * scale; r++)
            for (int c = 0; c < CLAE_FONT_W * scale; c++) {
                int x = k * (CLAE_FONT_W + 1) * scale + c;
                if (x < w && r < h && (g[r / scale] >> (CLAE_FONT_W - 1 - c / scale) & 1))
                    mask[(size_t)r * w + x] = 255;
            }
    }
}

/* rgb blended over the pixel (x, y) with coverage a; clipped. */
static void blend_px(clae_image *img, int x, int y, const uint8_t rgb[3], unsigned a)
{
    if (x < 0 || y < 0 || x >= img->w || y >= img->h || !a) return;
    uint8_t *p = img->px + ((size_t)y * img->w + x) * img->c;
    int nc = img->c < 3 ? 1 : 3;
    for (int c = 0; c < nc; c++) {
        unsigned ink = img->c < 3 ? (rgb[0] * 77u + rgb[1] * 150u + rgb[2] * 29u) >> 8 : rgb[c];
        p[c] = (uint8_t)((ink * a + p[c] * (255u - a) + 127u) / 255u);
    }
    if (img->c == 2 || img->c == 4) p[img->c - 1] = 255;
}

void clae_text_draw(clae_image *img, int x, int y, const char *s, const uint8_t rgb[3], int px,
                    int vertical)
{
    if (px < 4) px = 4;
    int w = clae_text_width_px(s, px), h = clae_text_height(px);
    if (w <= 0 || h <= 0 || w > (1 << 16)) return;
    uint8_t *mask = calloc((size_t)w * h, 1);
    if (!mask) return; /* out of memory: no text rather than no figure */
    if (g_font.data)
        render_ttf(mask, w, h, clae_text_baseline(px), s, px);
    else
        render_bitmap(mask, w, h, s, bitmap_scale(px));
    for (int v = 0; v < h; v++)
        for (int u = 0; u < w; u++) {
            unsigned a = mask[(size_t)v * w + u];
            if (vertical) /* 90 deg counter-clockwise: u goes up, v goes right */
                blend_px(img, x + v, y + w - 1 - u, rgb, a);
            else
                blend_px(img, x + u, y + v, rgb, a);
        }
    free(mask);
}
