/* Shared test helpers: one OpenCL device per test binary, random data,
 * uploads, and the tolerance comparison that prints what it compared. */
#ifndef CLAE_TESTUTIL_H
#define CLAE_TESTUTIL_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>

#include "clae/device.h"
#include "clae/ops.h"
#include "clae/tolerance.h"

/* The OpenCL device under test ($CLAE_DEVICE or the default), opened once.
 * Fails the test if no OpenCL device is available. */
clae_device *tu_device(void);

/* clae_model_summary's text of m (free it), also on stderr. */
struct clae_model;
char *tu_summary(const struct clae_model *m);

/* Uniform floats in [lo, hi) from a seeded generator (splitmix64). */
void tu_rand(float *x, size_t n, float lo, float hi, uint64_t *seed);
float *tu_alloc_rand(size_t n, float lo, float hi, uint64_t *seed);
float *tu_alloc0(size_t n);

cl_mem tu_upload(const void *x, size_t bytes);
void tu_download(cl_mem m, void *x, size_t bytes);

/* Compare got with want elementwise; prints "what: n=.., max abs err .. (tol ..)"
 * and the first mismatch. Returns 1 when all are within tolerance. */
int tu_close(const char *what, const float *got, const float *want, size_t n, double abs_tol,
             double rel_tol);

/* A test case with a timeout. sim = 1 tags it "sim": the selection that
 * scripts/check-kernels-sim.sh runs under oclgrind (CK_INCLUDE_TAGS=sim),
 * where every kernel runs a thousand times slower than on PoCL, so it holds
 * the denoiser's own shapes at batch 1-2 and small edge cases, not the big
 * shapes. The plain suite runs every case, tagged or not. */
TCase *tu_tcase(const char *name, int timeout_s, int sim);

/* Run a suite without forking (one OpenCL context per process), verbose. */
int tu_run(Suite *s);

/* What the code under test prints to stderr between tu_capture_begin and
 * tu_capture_end (the text, at most 4 KiB, valid until the next capture). */
void tu_capture_begin(void);
const char *tu_capture_end(void);

#define ck_assert_close(what, got, want, n, a, r) \
    ck_assert_msg(tu_close((what), (got), (want), (n), (a), (r)), "%s differs", (what))

#endif
