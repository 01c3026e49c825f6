/* NumPy .npy files (format version 1.0), written whole and atomically
 * (src/host/io/npy.c); numpy.load reads them.
 *
 * Layout: the magic "\x93NUMPY", version bytes 1 0, a little-endian uint16
 * header length L, L bytes of an ASCII Python dict
 *   {'descr': '<f4', 'fortran_order': False, 'shape': (10000, 16, 8, 8), }
 * padded with spaces and ending in '\n' so that 10 + L is a multiple of 64,
 * then the raw data in C order (the last index fastest). */
#ifndef CLAE_NPY_H
#define CLAE_NPY_H

#include <stddef.h>

#include "clae/status.h"

#define CLAE_NPY_MAX_NDIM 8
#define CLAE_NPY_ALIGN 64 /* the data starts at a multiple of this */
/* The largest header of CLAE_NPY_MAX_NDIM dimensions, magic included. */
#define CLAE_NPY_HEADER_MAX 512

/* Bytes per element of a descr: a byte-order character ('<' little-endian,
 * '>' big-endian, '|' not applicable, '=' native), a kind letter (f, i, u,
 * b) and a size in bytes ("<f4", "|u1"); 0 for anything else. */
size_t clae_npy_itemsize(const char *descr);

/* The whole header (magic to '\n') of an array of descr with shape[ndim]
 * (0 <= ndim <= CLAE_NPY_MAX_NDIM; ndim 0 is one value) into buf of cap
 * bytes: its length, a multiple of CLAE_NPY_ALIGN, or 0 if the arguments are
 * bad or it does not fit. */
size_t clae_npy_header(char *buf, size_t cap, const char *descr, int ndim, const size_t *shape);

/* Write an array to path atomically (a temporary file renamed over it:
 * path is the old file or the whole new one). data holds bytes bytes in host
 * order, which must be the product of shape times descr's item size; a
 * little-endian descr with items over one byte needs a little-endian host.
 * On error prints one line, "clae: <path>: <problem>", and returns
 * CLAE_ERR_ARG (bad descr, shape or size) or CLAE_ERR_IO. */
clae_status clae_npy_write(const char *path, const char *descr, int ndim, const size_t *shape,
                           const void *data, size_t bytes);

#endif
