/* Drawing on a clae_image: fill, rectangles, lines, text in the 5x7 font
 * (io/font.c) and nearest-neighbour enlargement; everything clipped to the
 * image (see clae/draw.h). */
#include "clae/draw.h"

#include <stdlib.h>
#include <string.h>

/* One pixel, clipped; grey images get the colour's luma (and alpha 255). */
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
    clae_fill_rect(img, 0, 0, img->w, img->h, rgb);
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

/* The clipped rectangle's first row pixel by pixel, then copies of it. */
void clae_fill_rect(clae_image *img, int x, int y, int w, int h, const uint8_t rgb[3])
{
    int x0 = x < 0 ? 0 : x, y0 = y < 0 ? 0 : y;
    int x1 = x + w > img->w ? img->w : x + w, y1 = y + h > img->h ? img->h : y + h;
    if (x0 >= x1 || y0 >= y1) return;
    for (int i = x0; i < x1; i++) put_px(img, i, y0, rgb);
    const size_t row = (size_t)img->w * img->c, span = (size_t)(x1 - x0) * img->c;
    const uint8_t *first = img->px + (size_t)y0 * row + (size_t)x0 * img->c;
    for (int j = y0 + 1; j < y1; j++) memcpy(img->px + (size_t)j * row + (size_t)x0 * img->c, first, span);
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
