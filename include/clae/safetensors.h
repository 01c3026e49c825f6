/* safetensors files: a reader and an atomic writer for named F32 and U8
 * tensors (checkpoints hold F32; clae's own image datasets, U8).
 *
 * Format (https://huggingface.co/docs/safetensors): 8-byte little-endian u64
 * header length N, N bytes of UTF-8 JSON
 *   {"__metadata__": {"key": "value", ...},
 *    "<name>": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...}
 * padded with spaces to a multiple of 8 bytes, then the raw little-endian data.
 * Offsets are relative to the start of the data section; the tensors tile the
 * data section exactly (no gaps, no overlap, nothing after the last one).
 *
 * This module knows nothing about models: it moves a list of named tensors
 * and string metadata. Only F32 and U8 are read or written; at most
 * CLAE_ST_MAX_NDIM dimensions; 0-d tensors (shape []) hold one value.
 *
 * Errors: every failing call prints exactly one line to stderr,
 *   clae: <path>: <problem>
 * and returns CLAE_ERR_IO (cannot read/write the file), CLAE_ERR_FORMAT (the
 * file is malformed, or a tensor does not match what the caller expected) or
 * CLAE_ERR_ARG / CLAE_ERR_NOMEM. The reader also keeps that line (without the
 * newline) in clae_st_file.err, for tests and callers that re-report it. */
#ifndef CLAE_SAFETENSORS_H
#define CLAE_SAFETENSORS_H

#include <stddef.h>
#include <stdint.h>

#include "clae/status.h"

#define CLAE_ST_MAX_NDIM 4
#define CLAE_ST_NAME_MAX 128              /* including the terminating NUL */
#define CLAE_ST_ERR_MAX 512
#define CLAE_ST_MAX_HEADER 100000000ULL  /* larger header lengths are rejected */
/* and larger data sections: a model's parameters and both Adam moments at
 * 2^31 - 1 floats each (the most a model may have) */
#define CLAE_ST_MAX_DATA (3ULL * 4ULL * 2147483647ULL)

/* Element types: the zero value is F32, so a zeroed clae_st_tensor is one. */
typedef enum clae_st_dtype { CLAE_ST_F32 = 0, CLAE_ST_U8 = 1 } clae_st_dtype;

/* One tensor to write. data holds product(shape) elements of dtype (1 for
 * ndim 0); it may be NULL only when that product is 0. */
typedef struct clae_st_tensor {
    char name[CLAE_ST_NAME_MAX];
    int ndim;
    int64_t shape[CLAE_ST_MAX_NDIM];
    const void *data;
    clae_st_dtype dtype;
} clae_st_tensor;

/* One tensor of an opened file; numel = product(shape). bytes points into
 * the file's buffer (valid until clae_st_close); data is the same address
 * for an F32 tensor (aligned for float) and NULL for any other dtype. Both
 * are NULL in a file opened with clae_st_open_header. */
typedef struct clae_st_entry {
    char name[CLAE_ST_NAME_MAX];
    int ndim;
    int64_t shape[CLAE_ST_MAX_NDIM];
    int64_t numel;
    clae_st_dtype dtype;
    const float *data;
    const uint8_t *bytes;
    uint64_t begin, end; /* data_offsets as stored, in bytes */
    int used;            /* set by clae_st_expect; see clae_st_check_all_used */
} clae_st_entry;

typedef struct clae_st_file {
    int n;                  /* number of tensors */
    clae_st_entry *tensors; /* in header (JSON) order */
    int nmeta;
    const char **meta_keys; /* nmeta metadata pairs, in header order */
    const char **meta_vals;
    char *path;
    void *data_;            /* data section (owned) */
    size_t data_bytes;
    void *json_;            /* parsed header (owned; metadata strings live here) */
    int fd_;                /* clae_st_open_header: the open file (else unused) */
    int has_fd_;
    uint64_t data_at_;      /* file offset of the data section */
    int layout_later_;      /* opened with CLAE_ST_LAYOUT_LATER */
    char layout_err_[CLAE_ST_ERR_MAX]; /* its gap or trailing bytes, not yet reported */
    char err[CLAE_ST_ERR_MAX]; /* first problem found: "clae: <path>: <problem>" */
} clae_st_file;

/* Write n tensors and nmeta metadata pairs (UTF-8 strings; any content,
 * quotes and newlines included) to path, atomically: the file is written to
 * "<path>.tmp.<pid>", fsync'ed, then rename(2)d over path (and the directory
 * fsync'ed). On any error the temp file is removed and an existing file at
 * path is left as it was. A process killed mid-write can leave the temp file
 * behind (the next write to path removes it), never a half-written path. Names must be non-empty, unique, valid
 * UTF-8, shorter than CLAE_ST_NAME_MAX and not "__metadata__". Tensors are
 * stored in the given order. meta_keys/meta_vals may be NULL when nmeta is 0. */
clae_status clae_st_write(const char *path, const clae_st_tensor *t, int n,
                          const char *const *meta_keys, const char *const *meta_vals, int nmeta);

/* Read the whole file and validate it; on failure f->err names the first
 * problem (and it was printed). f is always initialised, so clae_st_close(f)
 * is safe after a failed open. */
clae_status clae_st_open(const char *path, clae_st_file *f);

/* The same checks, on the header alone: the data section stays in the file
 * (every entry's data and bytes NULL) and the file open, for clae_st_read.
 * For files too large to hold twice (a dataset's images). */
clae_status clae_st_open_header(const char *path, clae_st_file *f);

/* clae_st_open with flags: CLAE_ST_HEADER_ONLY as clae_st_open_header;
 * CLAE_ST_LAYOUT_LATER for a reader that knows which tensors it needs: a
 * gap in the data section or bytes after the last tensor (what a tensor
 * left out of the header looks like) do not fail the open; the first
 * clae_st_expect or clae_st_require of a name not in the header reports
 * "tensor X is missing", and otherwise clae_st_check_all_used or
 * clae_st_require reports the gap. Such a file must go through one of
 * those two before its tensors are used. */
#define CLAE_ST_HEADER_ONLY 1
#define CLAE_ST_LAYOUT_LATER 2
clae_status clae_st_open_flags(const char *path, clae_st_file *f, int flags);

/* For a format with fixed tensor names: each of names[0..n) is in the
 * header (else "tensor X is missing"), then the data section's layout
 * (CLAE_ST_LAYOUT_LATER's gap, if any). CLAE_ERR_FORMAT, one line. */
clae_status clae_st_require(clae_st_file *f, const char *const *names, int n);

/* Bytes [at, at + n) of tensor e's data (e from f, opened by
 * clae_st_open_header) into dst. A range outside the tensor: CLAE_ERR_ARG;
 * a file that shrank or cannot be read: CLAE_ERR_IO; one line either way. */
clae_status clae_st_read(clae_st_file *f, const clae_st_entry *e, uint64_t at, size_t n,
                         void *dst);

/* The tensor called name, or NULL. */
const clae_st_entry *clae_st_find(const clae_st_file *f, const char *name);

/* The metadata value for key, or NULL. */
const char *clae_st_meta(const clae_st_file *f, const char *key);

/* Check that tensor name exists, is F32 and has exactly this shape (ndim
 * dims); marks it used and sets *out (if out is not NULL). Otherwise reports, e.g.
 *   clae: ck.safetensors: tensor layers.0.weight has shape [8,3,3,3], expected [16,3,3,3] for this model
 *   clae: ck.safetensors: tensor layers.0.weight is U8, expected F32
 *   clae: ck.safetensors: tensor layers.4.bias is missing
 * and returns CLAE_ERR_FORMAT. */
clae_status clae_st_expect(clae_st_file *f, const char *name, int ndim, const int64_t *shape,
                           const clae_st_entry **out);

/* After the clae_st_expect calls for a model: CLAE_ERR_FORMAT, reporting a
 * gap CLAE_ST_LAYOUT_LATER kept, or the first tensor no clae_st_expect asked
 * for ("unexpected tensor X (not in this model)"); CLAE_OK when every tensor
 * was used and the data section is whole. */
clae_status clae_st_check_all_used(clae_st_file *f);

/* Free everything; leaves f zeroed. Safe on a zeroed or failed f. */
void clae_st_close(clae_st_file *f);

#endif
