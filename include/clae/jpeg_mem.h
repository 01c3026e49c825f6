/* JPEG in memory (src/host/io/jpeg_mem.c), the baseline of clae rate-distortion: an image
 * through stb_image_write's JPEG encoder (baseline, 4:2:0 chroma at quality <= 90, 4:4:4
 * above; standard Huffman tables) and stb_image's decoder, without a file. */
#ifndef CLAE_JPEG_MEM_H
#define CLAE_JPEG_MEM_H

#include <stddef.h>

#include "clae/image.h"

/* in (1 or 3 channels) at quality 1..100 -> out (the decode, in's size and channels,
 * allocated here); *file_bytes: the whole JPEG file, *scan_bytes: its entropy-coded scan
 * alone (from after the SOS segment to before EOI: what the headers, tables and markers
 * do not take). CLAE_ERR_NOMEM, or CLAE_ERR_FORMAT when stb fails (one line naming what). */
clae_status clae_jpeg_roundtrip(const clae_image *in, int quality, clae_image *out,
                                size_t *file_bytes, size_t *scan_bytes);

/* The scan's bytes of a JPEG file (as above); 0 when it has no SOS segment. */
size_t clae_jpeg_scan_bytes(const unsigned char *p, size_t len);

#endif
