/* Drawing on a clae_image (src/host/io/draw.c): fill, nearest-neighbour
 * enlargement, rectangles, lines, text in a TrueType font (src/host/io/text.c)
 * and in a 5x7 bitmap font (src/host/io/font.c, the fallback); everything
 * clipped to the image. A grey image gets a colour's luma, an alpha channel
 * 255. */
#ifndef CLAE_DRAW_H
#define CLAE_DRAW_H

#include <stdint.h>

#include "clae/image.h"

/* Every pixel = rgb (the first c of its 3 values; alpha 255). */
void clae_image_fill(clae_image *img, const uint8_t rgb[3]);

/* Copy src into dst at (x, y), every pixel enlarged to scale x scale
 * (nearest); clipped to dst. Channels: min(src->c, dst->c) copied, an extra
 * dst alpha set to 255; a grey src fills every dst colour channel. */
void clae_image_blit_scaled(clae_image *dst, const clae_image *src, int x, int y, int scale);

#define CLAE_FONT_W 5
#define CLAE_FONT_H 7
/* The 7 rows of a glyph, top first, bit 4 the leftmost column; characters
 * without a glyph give '?''s. Space is blank. */
const uint8_t *clae_font_glyph(int ch);
/* Pixel width of s drawn at scale (glyphs 5 wide, 1 column apart). */
int clae_text_width(const char *s, int scale);
/* Draw s with its top-left corner at (x, y); vertical: rotated 90 degrees
 * counter-clockwise, reading bottom to top, (x, y) then the top-left of the
 * rotated box (width 7*scale, height clae_text_width). Clipped to img. */
void clae_draw_text(clae_image *img, int x, int y, const char *s, const uint8_t rgb[3], int scale,
                    int vertical);
/* Figure text in a TrueType font: the file CLAE_FONT names, else DejaVu Sans
 * (Debian: fonts-dejavu-core) or Liberation Sans from the usual paths
 * (CLAE_FONT=builtin: none, the bitmap font without a note),
 * loaded once per process (freed at exit); anti-aliased, blended over the
 * image, with descenders. Without any font the 5x7 bitmap font above draws
 * instead (scale 2 from px 18 up, else 1), after a one-line note on stderr;
 * a figure never fails for want of a font. px: the font's pixel height
 * (ascender to descender). clae_text_font: the font file in use, or NULL
 * (the bitmap font). */
const char *clae_text_font(void);
/* The text box: width of s, height (clae_text_height), and the row of the
 * baseline inside it (clae_text_baseline; descenders go below it). */
int clae_text_width_px(const char *s, int px);
int clae_text_height(int px);
int clae_text_baseline(int px);
/* s with its box's top-left corner at (x, y); vertical: turned 90 degrees
 * counter-clockwise, reading bottom to top, (x, y) then the top-left of the
 * turned box (width clae_text_height, height clae_text_width_px). */
void clae_text_draw(clae_image *img, int x, int y, const char *s, const uint8_t rgb[3], int px,
                    int vertical);

void clae_fill_rect(clae_image *img, int x, int y, int w, int h, const uint8_t rgb[3]);
/* A line (Bresenham) of thickness t >= 1 pixels (a t x t pen), clipped. */
void clae_draw_line(clae_image *img, int x0, int y0, int x1, int y1, const uint8_t rgb[3], int t);

#endif
