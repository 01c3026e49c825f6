/* Kernel-throughput benchmark (`clae bench`): every op of a model's training
 * step timed on its own at a batch size, the whole step, and two peak probes
 * (an FMA-bound kernel and a buffer copy) that give the device's practical
 * GFLOP/s and GB/s for comparison.
 *
 * Timing, with the device backend's timer (clae_stamp_take). OpenCL: every
 * measured call is bracketed by two clEnqueueMarkerWithWaitList markers on
 * the in-order profiling queue and its time is
 * CL_PROFILING_COMMAND_END(second) - CL_PROFILING_COMMAND_END(first); no host
 * clock is ever read around an enqueue. Host (the reference path): the calls
 * are synchronous, so clock_gettime(CLOCK_MONOTONIC) around each call.
 * Warm-up runs are discarded; the median and minimum of the repeats are kept.
 */
#ifndef CLAE_BENCH_H
#define CLAE_BENCH_H

#include <stddef.h>
#include <stdio.h>

#include "clae/device.h"
#include "clae/model.h"
#include "clae/status.h"

typedef struct clae_bench_opts {
    int batch;    /* images per step, >= 1 */
    int repeats;  /* timed runs per op, >= 1 */
    int warmup;   /* discarded runs before them, >= 0 */
} clae_bench_opts;

typedef struct clae_bench_row {
    int layer;         /* model layer index, -1 for the loss, zero-grad and Adam rows */
    char what[40];     /* "conv2d 3->8 relu", "maxpool", "mse", "adam", ... */
    char op[24];       /* "fwd", "act fwd", "loss+grad", "bwd din", "bwd params", ... */
    char shape[48];    /* per-image input -> output, "3x32x32 -> 8x32x32" */
    double median_s, min_s;
    double flops;      /* floating-point operations of one call (formula in src/host/bench/measure.c) */
    double bytes;      /* bytes read + written once by one call */
} clae_bench_row;

typedef struct clae_bench_result {
    int is_ref;
    char device[256], platform[256], driver[128], vendor[256];
    const char *timer;   /* how times were taken (a static string) */
    int batch, repeats, warmup;
    int nrows;
    clae_bench_row *rows;
    clae_bench_row step;        /* clae_net_train_step at the batch size */
    double peak_flops_s;        /* FMA probe, FLOP/s (median) */
    double peak_bytes_s;        /* copy probe, bytes/s (median) */
    double probe_fma_s, probe_fma_flops, probe_copy_s, probe_copy_bytes;
    unsigned long step_kernels;  /* clae kernels one training step enqueues */
    unsigned long step_kernels_unfused; /* the same without fusion ($CLAE_FUSE=0) */
    double step_bytes_unfused;   /* the step's bytes (step.bytes) without fusion */
    unsigned long step_gemms;    /* and CLBlast GEMM calls (0 on the direct path) */
    int step_replayed;           /* the step runs as one recorded command buffer */
    double mem_batch_bytes;      /* the net's buffers that grow with the batch */
    double mem_param_bytes;      /* and its parameter blocks (clae_net_memory) */
    double data_convert_s, data_blur_s; /* clae train's per-batch data ops (median; 0: none) */
} clae_bench_result;

/* Benchmark model m (its parameters are initialised here from m->train.seed)
 * on device d. r is overwritten; free with clae_bench_free. */
clae_status clae_bench_run(clae_model *m, clae_device *d, const clae_bench_opts *o,
                           clae_bench_result *r);
void clae_bench_free(clae_bench_result *r);

/* The readable table. */
void clae_bench_print(const clae_bench_result *r, const char *config, FILE *out);

/* The same as JSON (cJSON), written atomically: a temporary file next to path,
 * then rename(). CLAE_ERR_IO (one line on stderr) when it cannot be written. */
clae_status clae_bench_write_json(const clae_bench_result *r, const char *config,
                                  const char *path);

/* Median of x[0..n-1] (n >= 1; x is sorted in place; mean of the middle two
 * for even n). */
double clae_bench_median(double *x, int n);

/* The peak probes themselves are an op family: bench_fma, bench_copy
 * (clae/ops.h; src/host/ops/bench.c, src/host/ref/bench.c). */

#endif
