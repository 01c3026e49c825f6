/* The .clz file of `clae compress` (src/host/io/clz.c): an autoencoder's code of one image,
 * quantised uniformly to B bits between the code's own min and max, and deflated (zlib).
 *
 * Layout, little-endian, CLAE_CLZ_HEADER_BYTES of header then the payload:
 *    0  "CLZ"          magic
 *    3  u8  version    CLAE_CLZ_VERSION
 *    4  u8  bits       1..CLAE_CLZ_BITS_MAX
 *    5  u8  packing    CLAE_CLZ_BYTES: one byte a value (two, little-endian, over 8 bits);
 *                      CLAE_CLZ_PACKED: the values' bits back to back, most significant first
 *    6  u16 layer      the code layer's index in the model
 *    8  u16 H, W, C    the image
 *   14  u16 code C, H, W  the code's shape (the layer's output, (C, H, W) order)
 *   20  f32 lo, hi     the code's min and max (finite, lo <= hi)
 *   28  u32 model      the fingerprint of the model's weights (clae_clz_fingerprint)
 *   32  payload        a zlib stream (RFC 1950, Adler-32 checked) of the packed values; the
 *                      file ends where it ends
 * The quantiser: levels = 2^bits - 1, q = round((v - lo) / (hi - lo) * levels), and back
 * v = lo + q * (hi - lo) / levels (in double, then float); hi == lo: every q is 0. */
#ifndef CLAE_CLZ_H
#define CLAE_CLZ_H

#include <stddef.h>
#include <stdint.h>

#include "clae/status.h"

#define CLAE_CLZ_VERSION 1
#define CLAE_CLZ_HEADER_BYTES 32
#define CLAE_CLZ_BITS_MAX 16
#define CLAE_CLZ_MAX_VALUES (1L << 24) /* code values a file may hold */
enum { CLAE_CLZ_BYTES = 0, CLAE_CLZ_PACKED = 1 };

typedef struct clae_clz_header {
    int version, bits, packing, layer;
    int H, W, C;                /* the image */
    int code_c, code_h, code_w; /* the code */
    float lo, hi;
    uint32_t model;
} clae_clz_header;

/* Values of the code: code_c * code_h * code_w. */
size_t clae_clz_values(const clae_clz_header *h);

/* The finite min and max of v[0..n) into *lo, *hi; 0 when some value is not finite. */
int clae_clz_range(const float *v, size_t n, float *lo, float *hi);
/* v[0..n) -> q, bits 1..16, as above (values outside [lo, hi] clamped). */
void clae_clz_quantise(const float *v, size_t n, int bits, float lo, float hi, uint16_t *q);
/* q[0..n) -> v, as above. */
void clae_clz_dequantise(const uint16_t *q, size_t n, int bits, float lo, float hi, float *v);

/* A whole .clz file in memory for the code v (clae_clz_values(h) floats): h gives bits,
 * layer and the shapes; version, packing, lo and hi are set here (the packing that deflates
 * smaller). *out (malloc'ed) and *len. CLAE_ERR_ARG with why set (a code value that is not
 * finite, bits or a size out of range), CLAE_ERR_NOMEM, or CLAE_ERR_FORMAT (zlib failed). */
clae_status clae_clz_encode(clae_clz_header *h, const float *v, uint8_t **out, size_t *len,
                            char *why, size_t whylen);
/* Parse a whole .clz file in memory: the header checked (magic, version, bits, packing,
 * sizes, lo <= hi), the payload inflated to exactly the code's values and dequantised into
 * *v (malloc'ed, clae_clz_values(h) floats). CLAE_OK, or CLAE_ERR_FORMAT / CLAE_ERR_NOMEM
 * with why ("truncated header", "wrong magic (not a .clz file)", ...). Never reads past len. */
clae_status clae_clz_decode(const uint8_t *data, size_t len, clae_clz_header *h, float **v,
                            char *why, size_t whylen);
/* clae_clz_decode of the file at path (at most 64 MiB): one line `clae: PATH: why` on error
 * (CLAE_ERR_IO: missing or unreadable). */
clae_status clae_clz_read(const char *path, clae_clz_header *h, float **v);

#endif
