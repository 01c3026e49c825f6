/* Images for the result commands (eval, show, denoise, plot): 8-bit
 * interleaved images (rows top to bottom, pixels left to right, c channels
 * each), loaded with stb_image (PNG/JPG/BMP/...), written with
 * stb_image_write (PNG/JPG/BMP by the file's extension) atomically (temp file
 * in the same folder, then rename), converted to and from float (C,H,W) in
 * [0,1]; reflect padding and cropping of (C,H,W) floats; nearest-neighbour
 * enlargement; a 5x7 bitmap font and line drawing; and the loss-history plot.
 *
 * Errors: one line on stderr, `clae: <file>: <problem>`, and a clae_status
 * (CLAE_ERR_IO: cannot read/write; CLAE_ERR_FORMAT: not a usable image or
 * history; CLAE_ERR_ARG; CLAE_ERR_NOMEM). */
#ifndef CLAE_IMAGE_H
#define CLAE_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "clae/status.h"

typedef struct clae_image {
    int w, h, c; /* c: 1..4 */
    uint8_t *px; /* h * w * c bytes, interleaved */
} clae_image;

/* A zeroed image (w, h >= 1, c in 1..4). */
clae_status clae_image_alloc(clae_image *img, int w, int h, int c);
void clae_image_free(clae_image *img);
/* Every pixel = rgb (the first c of its 3 values; alpha 255). */
void clae_image_fill(clae_image *img, const uint8_t rgb[3]);

/* What a user's image may cost, checked from its header before it is
 * decoded: at most CLAE_IMAGE_MAX_SIDE pixels a side, CLAE_IMAGE_MAX_PIXELS
 * pixels, a CLAE_IMAGE_MAX_FILE-byte file, and no more than
 * CLAE_IMAGE_PIXELS_PER_BYTE pixels per byte of file beyond the first
 * megapixel (real PNG and JPEG files stay far below; a crafted 224-byte JPEG
 * declaring a huge image took over 10 s to decode). */
#define CLAE_IMAGE_MAX_SIDE 16384
#define CLAE_IMAGE_MAX_PIXELS (64L * 1024 * 1024)
#define CLAE_IMAGE_MAX_FILE (256L * 1024 * 1024)
#define CLAE_IMAGE_PIXELS_PER_BYTE 1024L

/* Load an image file. want_c 0: as stored; otherwise the file must have
 * exactly want_c channels (PNG palette images count as 3, or 4 with
 * transparency), else `clae: <file>: image has 1 channel, the model expects 3`
 * and CLAE_ERR_FORMAT. Over the limits above: one line, CLAE_ERR_FORMAT.
 * Missing/unreadable file: CLAE_ERR_IO. */
clae_status clae_image_load(const char *path, int want_c, clae_image *img);
/* NULL when a w x h image in a file of file_bytes is within the limits above,
 * else what is wrong with it (for an error line). */
const char *clae_image_over_limits(int w, int h, long file_bytes);
/* Write by extension (.png, .jpg/.jpeg quality 95, .bmp; any letter case),
 * atomically. Unknown extension: CLAE_ERR_ARG. */
clae_status clae_image_write(const char *path, const clae_image *img);
/* Write len bytes to path atomically (temp file, fsync, rename; mode 0644). */
clae_status clae_file_write_atomic(const char *path, const void *data, size_t len);

/* img -> out (c,h,w) = byte / 255 */
void clae_image_to_chw(float *out, const clae_image *img);
/* in (c,h,w) -> img (size and channels already set): round(clamp(x,0,1) * 255) */
void clae_image_from_chw(clae_image *img, const float *in);

/* Colour conversion between an image's layout and a model's channels (the
 * image commands read a file's own channels: 1 grey, 2 grey + alpha, 3 RGB,
 * 4 RGBA). Grey -> RGB: the grey value in R, G and B. RGB -> grey: ITU-R
 * BT.601 luma, Y = 0.299 R + 0.587 G + 0.114 B (the weights JPEG, PIL's
 * convert("L") and OpenCV's cvtColor use), on the [0,1] values. */
#define CLAE_LUMA_R 0.299f
#define CLAE_LUMA_G 0.587f
#define CLAE_LUMA_B 0.114f
/* 1 if img has an alpha channel (c 2 or 4; the last channel). */
int clae_image_has_alpha(const clae_image *img);
/* img's colour channels (any alpha left out) -> out (C,h,w) in [0,1] (byte /
 * 255) as a C-channel model takes them, C 1 or 3, converted as above. */
void clae_image_to_chw_as(float *out, int C, const clae_image *img);
/* in (C,h,w), C 1 or 3 -> img's colour channels, converted as above, then
 * round(clamp(x,0,1) * 255); img's alpha bytes untouched. */
void clae_image_from_chw_as(clae_image *img, const float *in, int C);

/* Reflect-101 index (numpy 'reflect', OpenCV BORDER_REFLECT_101) of i into
 * [0, n): ... 2 1 | 0 1 2 ... n-1 | n-2 ...; any i, n >= 1. */
int clae_reflect_index(int i, int n);
/* n rounded up to a multiple of m (m >= 1). */
int clae_round_up(int n, int m);
/* in (C,H,W) -> out (C,Hp,Wp), Hp >= H, Wp >= W: in placed at rows
 * top..top+H-1, columns left..left+W-1, everything else reflected (reflect-101). */
void clae_pad_reflect(float *out, const float *in, int C, int H, int W, int Hp, int Wp, int top,
                      int left);
/* in (C,Hp,Wp) -> out (C,H,W): the window at (top, left). */
void clae_crop(float *out, const float *in, int C, int Hp, int Wp, int top, int left, int H, int W);

/* Copy src into dst at (x, y), every pixel enlarged to scale x scale
 * (nearest); clipped to dst. Channels: min(src->c, dst->c) copied, an extra
 * dst alpha set to 255; a grey src fills every dst colour channel. */
void clae_image_blit_scaled(clae_image *dst, const clae_image *src, int x, int y, int scale);

/* ---- drawing --------------------------------------------------------------- */

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
void clae_fill_rect(clae_image *img, int x, int y, int w, int h, const uint8_t rgb[3]);
/* A line (Bresenham) of thickness t >= 1 pixels (a t x t pen), clipped. */
void clae_draw_line(clae_image *img, int x0, int y0, int x1, int y1, const uint8_t rgb[3], int t);

/* ---- training history plot ------------------------------------------------ */

/* The history.jsonl that `clae train` appends to: one JSON object per line
 * with numbers epoch and train_loss (required) and val_loss (optional; a
 * negative value or none: not measured, NAN here), and for models with loss
 * terms an object "terms" of each term's training mean (the first line
 * that has one names the series; up to CLAE_HISTORY_MAX_TERMS, NAN where a
 * line lacks one). Blank lines are skipped. */
#define CLAE_HISTORY_MAX_TERMS 4
typedef struct clae_history {
    size_t n;
    double *epoch, *train_loss, *val_loss;
    int nterms;
    char term_name[CLAE_HISTORY_MAX_TERMS][24];
    double *term[CLAE_HISTORY_MAX_TERMS];
    double *val_psnr; /* "val_psnr" in dB (optional; negative or none: NAN) */
} clae_history;

/* history.jsonl files past this are refused (a line is about 200 bytes) */
#define CLAE_HISTORY_MAX_BYTES (256 << 20)

/* Bad line: `clae: <file>:<line>: <problem>` and CLAE_ERR_FORMAT; no
 * epochs at all: CLAE_ERR_FORMAT; unreadable: CLAE_ERR_IO. */
clae_status clae_history_load(const char *path, clae_history *h);
void clae_history_free(clae_history *h);
/* Keep only the lines of path whose epoch is at most max_epoch (a resume
 * from an earlier checkpoint drops the epochs it will train again), and
 * blank lines. With last_line (the line for epoch max_epoch that the
 * checkpoint carries, no newline), lines up to max_epoch - 1 are kept and
 * last_line follows them, so a kill between a checkpoint and its history
 * append loses no line. A final line cut short that does not parse is
 * dropped. A last_line that is not one JSON object with that epoch is
 * ignored. Rewritten atomically, untouched when nothing changes. A missing
 * file is fine (created when last_line is given); any other line that is
 * not a history record is kept. */
clae_status clae_history_keep(const char *path, long max_epoch, const char *last_line);
/* The records of history.jsonl as CSV, written atomically to csv: a header
 * row of every number's key in the order they first appear (a number inside
 * an object as "terms.kl"), then a row per record (JSON objects only; other
 * lines skipped), an empty cell where a record lacks the key; values as
 * the JSON has them ("%.9g"; -1 still marks "not measured"). One line on
 * error: CLAE_ERR_IO / CLAE_ERR_FORMAT / CLAE_ERR_NOMEM. */
clae_status clae_history_csv(const char *jsonl, const char *csv);

#define CLAE_PLOT_W 640
#define CLAE_PLOT_H 400
/* The plot area (axes box) inside the CLAE_PLOT_W x CLAE_PLOT_H figure. */
#define CLAE_PLOT_X0 78
#define CLAE_PLOT_X1 620
#define CLAE_PLOT_Y0 20
#define CLAE_PLOT_Y1 346
/* With a validation PSNR axis on the right, the box ends here instead. */
#define CLAE_PLOT_X1_PSNR 572
/* Train (blue) and validation (orange) loss against epoch on a white
 * CLAE_PLOT_W x CLAE_PLOT_H RGB figure: axes, ticks, tick labels, axis
 * labels "epoch" and "loss", a legend; the loss terms as thinner lines of
 * their own colours. A logarithmic loss axis when the values drawn (all
 * positive) span more than a factor of ten. When any epoch has a val_psnr,
 * that too (teal, CLAE_PLOT_PSNR_RGB, dashed) on its own linear dB axis on
 * the right (at least 1 dB tall), labelled in its colour, the box then
 * ending at CLAE_PLOT_X1_PSNR.
 * The legend takes the corner (or top or bottom middle) of the box where it
 * hides the fewest curve pixels, top right first. h->n >= 1. */
#define CLAE_PLOT_PSNR_RGB {0, 128, 128}
clae_status clae_plot_history(const clae_history *h, clae_image *out);

#endif
