/* clae selftest: the reference twins at the user's service. Every op family
 * (forward and backward; the denoiser's shapes and odd ones; both
 * convolution paths) runs on the user's OpenCL device and on the plain-C
 * reference path from the same random inputs, and a few training steps of
 * the denoiser run on both; each comparison is one row of a table (op,
 * worst error, tolerance, pass), with the tolerances of clae/tolerance.h. */
#ifndef CLAE_SELFTEST_H
#define CLAE_SELFTEST_H

#include <stdint.h>
#include <stdio.h>

#include "clae/device.h"

typedef struct clae_selftest_opts {
    int quick;     /* the denoiser's shapes and one odd shape per family, a small batch */
    uint64_t seed; /* the random inputs */
    FILE *out;     /* the table and the verdict */
} clae_selftest_opts;

typedef struct clae_selftest_result {
    int checks, failed; /* rows, and rows that failed (or could not run) */
    double seconds;
} clae_selftest_result;

/* Run every check on d (an OpenCL device, not the reference path) and
 * print the table and a one-line verdict to o->out. CLAE_OK when the checks
 * ran (whether or not they passed: see r); an error status only when the
 * reference path itself could not be opened. */
clae_status clae_selftest(clae_device *d, const clae_selftest_opts *o, clae_selftest_result *r);

#endif
