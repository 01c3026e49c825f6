/* What the parts of the safetensors module share (src/host/io/):
 * safetensors.c opens and reads files (and holds the helpers below),
 * safetensors_header.c validates a header, safetensors_write.c writes. */
#ifndef CLAE_IO_SAFETENSORS_INT_H
#define CLAE_IO_SAFETENSORS_INT_H

#include <stddef.h>
#include <stdint.h>

#include "clae/safetensors.h"

#define ST_MAX_SAFE_INT 9007199254740992.0 /* 2^53: larger JSON numbers are not exact doubles */

/* By clae_st_dtype: "F32", "U8"; 4, 1 bytes. */
extern const char *const st_dtype_name[];
extern const uint64_t st_dtype_size[];

int st_host_is_little_endian(void);
/* 1 when s[0..n) is valid UTF-8 (no overlongs, surrogates, > U+10FFFF) with no
 * NUL byte; otherwise 0 and *bad (if not NULL) is the offset of the first bad byte. */
int st_utf8_ok(const unsigned char *s, size_t n, size_t *bad);
/* "[d0,d1,...]" */
void st_fmt_shape(char *buf, size_t size, int ndim, const int64_t *shape);
/* Keep a message on one line: control characters (from names or bytes in
 * the file) become '?'. */
void st_one_line(char *s);
/* Record (first problem only) and print "clae: <path>: <problem>". */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void st_fail(clae_st_file *f, const char *fmt, ...);

/* The header (hdr[0..len), NUL after it) of f, whose data_bytes is set:
 * metadata, tensor entries (f->tensors, f->n; data not yet set) and the
 * tiling of the data section. f->json_ owns what the metadata points to. */
clae_status st_parse_header(clae_st_file *f, const char *hdr, size_t len);

#endif
