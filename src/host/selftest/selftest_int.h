/* Internal to clae selftest (src/host/selftest/): a case runs one function
 * on the reference path and on the device under test from the same
 * buffers, and compares what each left in them, one table row a buffer. */
#ifndef CLAE_SELFTEST_INT_H
#define CLAE_SELFTEST_INT_H

#include "clae/ops.h"
#include "clae/rng.h"
#include "clae/selftest.h"
#include "clae/tolerance.h"

typedef struct st_ctx {
    clae_device *dut;            /* the device under test */
    clae_device ref;             /* the reference path */
    const clae_selftest_opts *o;
    clae_selftest_result *r;
    clae_rng rng;                /* advanced by every random buffer */
} st_ctx;

/* The buffers of one case, the same on both paths: each starts with its
 * initial contents, and what the function left in it is kept per path. */
#define ST_MAX_BUFS 16
typedef struct st_io {
    int n, oom;
    size_t bytes[ST_MAX_BUFS];
    void *init[ST_MAX_BUFS];
    void *got[2][ST_MAX_BUFS]; /* [0] the reference path, [1] the device */
} st_io;

/* A buffer holding a copy of init (bytes), or n floats: random in [lo, hi),
 * or all `value` (an output the op must overwrite). Each returns the
 * buffer's index (running out of memory marks io; st_run then fails). */
int st_buf(st_io *io, const void *init, size_t bytes);
int st_rand(st_ctx *c, st_io *io, size_t n, float lo, float hi);
int st_fill(st_io *io, size_t n, float value);
/* Random bytes (dataset records). */
int st_rand_bytes(st_ctx *c, st_io *io, size_t n);

/* fn on one path: b[i] holds buffer i. */
typedef clae_status (*st_fn)(clae_device *d, clae_buf *b, const void *arg);
/* Run fn on both paths; 1 when both ran, else 0 after a failed row `what`. */
int st_run(st_ctx *c, const char *what, st_io *io, st_fn fn, const void *arg);
/* One row, named "TAG PART" (PART may be NULL): buffer i, the device
 * against the reference, floats within abs_tol + rel_tol * max(|got|,
 * |want|); bit for bit when both are 0. */
void st_row(st_ctx *c, const char *tag, const char *part, const st_io *io, int i, double abs_tol,
            double rel_tol);
/* A row that could not compare anything (why: what went wrong). */
void st_row_failed(st_ctx *c, const char *what, const char *why);
/* A row for a value the caller measured: pass when err <= tol. */
void st_row_value(st_ctx *c, const char *what, double err, const char *tol_text, int pass);
void st_io_free(st_io *io);

/* The case families (conv.c, ops.c, terms.c, train.c). */
void st_conv_cases(st_ctx *c);
void st_op_cases(st_ctx *c);
void st_term_cases(st_ctx *c);
void st_train_cases(st_ctx *c);

#endif
