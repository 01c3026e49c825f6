/* Images for the result commands (eval, show, denoise, plot): 8-bit
 * interleaved images (rows top to bottom, pixels left to right, c channels
 * each), loaded with stb_image (PNG/JPG/BMP/...), written with
 * stb_image_write (PNG/JPG/BMP by the file's extension) atomically (temp file
 * in the same folder, then rename) (src/host/io/image.c); converted to and
 * from float (C,H,W) in [0,1], reflect padding and cropping of (C,H,W)
 * floats (src/host/io/image_float.c).
 *
 * Errors: one line on stderr, `clae: <file>: <problem>`, and a clae_status
 * (CLAE_ERR_IO: cannot read/write; CLAE_ERR_FORMAT: not a usable image;
 * CLAE_ERR_ARG; CLAE_ERR_NOMEM). */
#ifndef CLAE_IMAGE_H
#define CLAE_IMAGE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "clae/status.h"

typedef struct clae_image {
    int w, h, c; /* c: 1..4 */
    uint8_t *px; /* h * w * c bytes, interleaved */
} clae_image;

/* A zeroed image (w, h >= 1, c in 1..4). */
clae_status clae_image_alloc(clae_image *img, int w, int h, int c);
void clae_image_free(clae_image *img);

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
 * Missing/unreadable file: CLAE_ERR_IO. A file of 16-bit samples is read as
 * 8-bit, with `note: <file>: 16-bit samples read as 8-bit` on stderr. */
clae_status clae_image_load(const char *path, int want_c, clae_image *img);
/* NULL when a w x h image in a file of file_bytes is within the limits above,
 * else what is wrong with it (for an error line). */
const char *clae_image_over_limits(int w, int h, long file_bytes);
/* Why the image file f (at any position) is unreadable, in words, into buf:
 * for a file stb_image's header check refused (stbi_info reports only its
 * last format's "unknown image type"): "0x4 image: zero width", "100000x100000
 * image: a side over 16384 pixels", "not a readable image (<stb_image's
 * reason>)". Returns buf. */
const char *clae_image_unreadable_reason(FILE *f, char *buf, size_t len);

/* Write by extension (.png, .jpg/.jpeg quality 95, .bmp; any letter case),
 * atomically. Unknown extension: CLAE_ERR_ARG. */
clae_status clae_image_write(const char *path, const clae_image *img);

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

#endif
