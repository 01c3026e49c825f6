/* `clae bench`: per-op and whole-step throughput; see include/clae/bench.h.
 *
 * How device times are taken (checked on PoCL 3.1, pthread device): each
 * measured call is bracketed by clEnqueueMarkerWithWaitList(queue, 0, NULL, &ev)
 * before and after, on the device's in-order profiling queue; the op's time is
 * CL_PROFILING_COMMAND_END of the second marker minus CL_PROFILING_COMMAND_END
 * of the first. A marker in an in-order queue completes only after every
 * command enqueued before it, so the interval covers exactly the op's commands
 * (CLBlast's included), plus any time the device sat idle waiting for the host
 * to enqueue them (part of the op's real cost). On PoCL the marker timestamps
 * are usable: two 64 MiB buffer copies bracketed this way read 8.0-9.1 ms
 * against 4.0-4.5 ms for each copy's own START..END, and the first copy starts
 * 0-0.03 ms after the first marker's END. No host clock is read around an
 * enqueue; the host only waits (clFinish) before reading the events.
 * Reference path: the ref functions are synchronous, so clock_gettime
 * (CLOCK_MONOTONIC) around each call is the time.
 *
 * Every row runs the entry the training step runs (a layer through its kind,
 * clae/layer.h; the activation, the loss and Adam through clae/ops.h), and a
 * layer's FLOPs and bytes are its kind's cost (layers/<kind>.c says how it
 * counts; bytes = every tensor read once + every tensor written once):
 *   fwd          the layer's forward pass (conv: with the bias, and with its
 *                activation where the kind fuses it: its FLOPs added)
 *   act fwd      only where the step runs the activation as a pass of its own:
 *                per element relu 1, sigmoid 3 (exp counted as 1, add, div),
 *                tanh 1; bytes in + out (in place: read + write)
 *   loss+grad    the one loss pass: mse 3 per element (sub, mul, add) for the
 *                loss and 2 (sub, mul) for its gradient, plus the last
 *                activation's derivative; bytes y + t + dy + loss (mae, bce:
 *                see below)
 *   act bwd      only where not fused (as act fwd): relu 1, sigmoid 3, tanh 3
 *                per element; bytes dout + out + din
 *   bwd din      the backward pass with only the input gradient asked for
 *                (none for the first layer, as in the step), with the
 *                derivative of the layer before's activation where fused
 *   bwd params   the backward pass with only the parameter gradients (dw, db)
 *   zero         0; bytes the gradient block written
 *   update       Adam: 12 per parameter (m: 3, v: 4, sqrt, add, div, mul, sub:
 *                5); bytes p, m, v, g read + p, m, v written (whole padded block)
 * The whole step's FLOPs and bytes are the sums of the rows. GFLOP/s and GB/s
 * come from the median time.
 *
 * Act backward writes into a bench-owned buffer instead of in place (so the
 * layer's gradient stays intact across repeats); it reads and writes the same
 * number of bytes. A layer's backward is timed as two calls (din only, then
 * dw and db only); each re-does any work they share (a conv's permutation of
 * dout), so the two rows can add up to a little more than the combined call
 * inside the step. One untimed training step fills every buffer
 * (activations, gradients, maxpool indices) before anything is timed. */
#define _POSIX_C_SOURCE 200809L
#include "clae/bench.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clae/cifar.h"
#include "clae/corrupt.h"
#include "clae/image.h" /* clae_file_write_atomic */
#include "clae/layer.h"
#include "clae/net.h"
#include "clae/ops.h"

/* ---- probes: reference twins and launch wrappers ------------------------ */

void bench_fma_ref(float *out, int n, int iters, float a, float b)
{
    for (int i = 0; i < n; i++) {
        float x[64];
        for (int j = 0; j < 64; j++) x[j] = (float)(i % 1024) + (float)j;
        for (int t = 0; t < iters; t++)
            for (int j = 0; j < 64; j++) x[j] = x[j] * a + b;
        /* chain c of the kernel is x[8c .. 8c+7]; the kernel's summation order */
        float s[8];
        for (int l = 0; l < 8; l++)
            s[l] = ((x[l] + x[8 + l]) + (x[16 + l] + x[24 + l])) +
                   ((x[32 + l] + x[40 + l]) + (x[48 + l] + x[56 + l]));
        out[i] = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
    }
}

void bench_copy_ref(float *dst, const float *src, size_t n)
{
    for (size_t i = 0; i < n; i++) dst[i] = src[i];
}

clae_status bench_fma_cl(clae_device *d, cl_mem out, int n, int iters, float a, float b)
{
    cl_kernel k;
    CLAE_TRY(clae_kernel(d, "bench_fma", &k));
    CL_ARG(k, 0, cl_mem, out);
    CL_ARG(k, 1, cl_int, n);
    CL_ARG(k, 2, cl_int, iters);
    CL_ARG(k, 3, cl_float, a);
    CL_ARG(k, 4, cl_float, b);
    return clae_launch1d(d, k, (size_t)n);
}

clae_status bench_copy_cl(clae_device *d, cl_mem dst, cl_mem src, int n4)
{
    cl_kernel k;
    CLAE_TRY(clae_kernel(d, "bench_copy", &k));
    CL_ARG(k, 0, cl_mem, dst);
    CL_ARG(k, 1, cl_mem, src);
    CL_ARG(k, 2, cl_int, n4);
    return clae_launch1d(d, k, (size_t)n4);
}

/* ---- statistics --------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double clae_bench_median(double *x, int n)
{
    qsort(x, (size_t)n, sizeof *x, cmp_double);
    return n % 2 ? x[n / 2] : 0.5 * (x[n / 2 - 1] + x[n / 2]);
}

/* ---- the measured calls ------------------------------------------------- */

typedef enum bench_kind {
    OP_ZERO_GRAD,
    OP_FWD,
    OP_ACT_FWD,
    OP_LOSS,
    OP_ACT_BWD,
    OP_BWD_DIN,
    OP_BWD_PARAMS,
    OP_ADAM,
    OP_STEP,
    OP_PROBE_FMA,
    OP_PROBE_COPY,
    OP_CONVERT,
    OP_BLUR
} bench_kind;

typedef struct bench_ctx {
    clae_net *n;
    clae_device *d;
    clae_model *m;
    int N, warmup, repeats;
    clae_buf tmp;              /* act backward's din (largest activation) */
    clae_buf rec, kern;        /* the data pipeline's CIFAR records and blur kernel */
    int blur_size;             /* the model's blur (0: it does not blur) */
    /* probes */
    int fma_n, fma_iters;
    size_t copy_floats;
    clae_buf p_out, p_src, p_dst;
    double *samples;           /* repeats */
    cl_event *ev;              /* 2 * repeats */
} bench_ctx;

static size_t out_elems(const clae_conv_shape *g) { return (size_t)g->N * g->K * g->P * g->Q; }

static clae_status bench_fma(clae_device *d, clae_buf out, int n, int iters)
{
    if (!d->is_ref) return bench_fma_cl(d, out.d, n, iters, 1.0f, 1.0f);
    bench_fma_ref(out.h, n, iters, 1.0f, 1.0f);
    return CLAE_OK;
}

static clae_status bench_copy(clae_device *d, clae_buf dst, clae_buf src, size_t n)
{
    if (!d->is_ref) return bench_copy_cl(d, dst.d, src.d, (int)(n / 4));
    bench_copy_ref(dst.h, src.h, n);
    return CLAE_OK;
}

/* One measured call, through the same entries the training step uses: a
 * layer's kind (forward; backward with only din, or only its parameter
 * gradients), the activation, the loss, Adam. */
static clae_status run_op(bench_ctx *c, bench_kind kind, int i)
{
    clae_net *n = c->n;
    clae_device *d = c->d;
    clae_layer_run r = {0};
    if (i >= 0)
        r = kind == OP_FWD ? clae_net_forward_run(n, i)
            : kind == OP_BWD_DIN || kind == OP_BWD_PARAMS ? clae_net_backward_run(n, i)
                                                         : clae_net_layer_run(n, i);
    r.training = 1; /* the rows time a training step's calls */
    const clae_buf none = {0};
    switch (kind) {
    case OP_ZERO_GRAD: return clae_net_zero_grad(n);
    case OP_FWD: return r.l->kind->forward(&r);
    case OP_ACT_FWD: return clae_net_act_forward(n, i);
    case OP_LOSS: return clae_net_loss(n, c->N);
    case OP_ACT_BWD:
        return act_backward(d, c->tmp, r.dout, r.out, out_elems(r.g), r.l->act, r.l->alpha);
    case OP_BWD_DIN:
        r.dw = r.db = none;
        return r.l->kind->backward(&r);
    case OP_BWD_PARAMS:
        r.din = none;
        return r.l->kind->backward(&r);
    case OP_ADAM: return clae_net_update(n);
    case OP_STEP: return clae_net_train_step(n, c->N);
    case OP_PROBE_FMA: return bench_fma(d, c->p_out, c->fma_n, c->fma_iters);
    case OP_PROBE_COPY: return bench_copy(d, c->p_dst, c->p_src, c->copy_floats);
    case OP_CONVERT:
        return cifar_to_float(d, c->tmp, c->rec, c->N, c->m->net.C, c->m->net.H, c->m->net.W);
    case OP_BLUR:
        return blur_forward(d, c->tmp, n->target, c->kern, c->blur_size, c->N, c->m->net.C,
                            c->m->net.H, c->m->net.W);
    }
    return CLAE_ERR_ARG;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Reference path: the calls are synchronous, a host clock around each is exact. */
static clae_status times_ref(bench_ctx *c, bench_kind kind, int i, int repeats, double *t)
{
    for (int r = 0; r < repeats; r++) {
        double t0 = now_s();
        CLAE_TRY(run_op(c, kind, i));
        t[r] = now_s() - t0;
    }
    return CLAE_OK;
}

static clae_status marker(clae_device *d, cl_event *ev)
{
    CL_CHECK(clEnqueueMarkerWithWaitList(d->queue, 0, NULL, ev));
    return CLAE_OK;
}

static clae_status marker_end(cl_event ev, cl_ulong *end)
{
    CL_CHECK(clGetEventProfilingInfo(ev, CL_PROFILING_COMMAND_END, sizeof *end, end, NULL));
    return CLAE_OK;
}

/* OpenCL path: marker, op, marker per repeat, all enqueued back to back; one
 * clFinish, then END(after) - END(before) from the events' profiling info. */
static clae_status times_cl(bench_ctx *c, bench_kind kind, int i, int repeats, double *t)
{
    clae_device *d = c->d;
    cl_event *ev = c->ev;
    int made = 0;
    clae_status st = CLAE_OK;
    for (int r = 0; r < repeats && st == CLAE_OK; r++) {
        st = marker(d, &ev[made]);
        if (st != CLAE_OK) break;
        made++;
        st = run_op(c, kind, i);
        if (st == CLAE_OK) st = marker(d, &ev[made]);
        if (st == CLAE_OK) made++;
    }
    if (st == CLAE_OK) {
        cl_int err = clFinish(d->queue);
        if (err != CL_SUCCESS) {
            clae_report_cl("clFinish", err, __FILE__, __LINE__);
            st = CLAE_ERR_CL;
        }
    }
    for (int r = 0; r < repeats && st == CLAE_OK; r++) {
        cl_ulong e0 = 0, e1 = 0;
        st = marker_end(ev[2 * r], &e0);
        if (st == CLAE_OK) st = marker_end(ev[2 * r + 1], &e1);
        t[r] = e1 >= e0 ? 1e-9 * (double)(e1 - e0) : 0.0;
    }
    for (int k = 0; k < made; k++) clReleaseEvent(ev[k]);
    return st;
}

static clae_status times(bench_ctx *c, bench_kind kind, int i, int warmup, int repeats,
                         double *t)
{
    for (int w = 0; w < warmup; w++) CLAE_TRY(run_op(c, kind, i));
    return c->d->is_ref ? times_ref(c, kind, i, repeats, t) : times_cl(c, kind, i, repeats, t);
}

static clae_status measure(bench_ctx *c, bench_kind kind, int i, double *median, double *min)
{
    CLAE_TRY(times(c, kind, i, c->warmup, c->repeats, c->samples));
    *median = clae_bench_median(c->samples, c->repeats);
    *min = c->samples[0]; /* sorted by the median */
    return CLAE_OK;
}

/* ---- rows --------------------------------------------------------------- */

static clae_status add_row(bench_ctx *c, clae_bench_result *r, bench_kind kind, int i,
                           const char *op, double flops, double bytes)
{
    clae_bench_row *row = &r->rows[r->nrows];
    memset(row, 0, sizeof *row);
    row->layer = i;
    snprintf(row->op, sizeof row->op, "%s", op);
    if (i >= 0) {
        const clae_layer *l = &c->m->layers[i];
        if (l->act != CLAE_ACT_NONE)
            snprintf(row->what, sizeof row->what, "%s %s", l->kind->name,
                     clae_act_name(l->act));
        else
            snprintf(row->what, sizeof row->what, "%s", l->kind->name);
        snprintf(row->shape, sizeof row->shape, "%dx%dx%d -> %dx%dx%d", l->in_c, l->in_h,
                 l->in_w, l->out_c, l->out_h, l->out_w);
    } else {
        const char *what = kind == OP_ADAM        ? c->m->net.optimizer
                           : kind == OP_ZERO_GRAD ? "grads"
                                                  : c->m->net.loss;
        snprintf(row->what, sizeof row->what, "%s", what);
        snprintf(row->shape, sizeof row->shape, "%zu floats",
                 kind == OP_ADAM || kind == OP_ZERO_GRAD
                     ? c->m->block_floats
                     : (size_t)c->N * clae_layer_out_count(&c->m->layers[c->m->nlayers - 1]));
    }
    row->flops = flops;
    row->bytes = bytes;
    CLAE_TRY(measure(c, kind, i, &row->median_s, &row->min_s));
    r->nrows++;
    return CLAE_OK;
}

static double act_flops(clae_act a, int backward)
{
    switch (a) {
    case CLAE_ACT_RELU: return 1;
    case CLAE_ACT_LEAKY_RELU: return 1;
    case CLAE_ACT_SIGMOID: return 3;
    case CLAE_ACT_TANH: return backward ? 3 : 1;
    case CLAE_ACT_NONE: return 0;
    case CLAE_ACT_SOFTMAX: return backward ? 0 : 4; /* max, exp, sum, divide; its backward
                                                      goes with the loss */
    }
    return 0;
}

static clae_status layer_forward_rows(bench_ctx *c, clae_bench_result *r, int i)
{
    const clae_layer *l = &c->m->layers[i];
    const clae_conv_shape *g = &c->n->g[i];
    clae_layer_cost k = {0};
    l->kind->cost(l, g, &k);
    double out = (double)out_elems(g);
    double fused = l->kind->fuses_act ? out * act_flops(l->act, 0) : 0.0;
    CLAE_TRY(add_row(c, r, OP_FWD, i, "fwd", k.fwd_flops + fused, k.fwd_bytes));
    if (clae_net_act_fwd_separate(c->n, i))
        CLAE_TRY(add_row(c, r, OP_ACT_FWD, i, "act fwd", out * act_flops(l->act, 0), 8 * out));
    return CLAE_OK;
}

static clae_status layer_backward_rows(bench_ctx *c, clae_bench_result *r, int i)
{
    const clae_layer *l = &c->m->layers[i];
    const clae_conv_shape *g = &c->n->g[i];
    clae_layer_cost k = {0};
    l->kind->cost(l, g, &k);
    double out = (double)out_elems(g);
    if (clae_net_act_bwd_separate(c->n, i))
        CLAE_TRY(add_row(c, r, OP_ACT_BWD, i, "act bwd", out * act_flops(l->act, 1), 12 * out));
    if (i > 0) /* the step computes no input gradient for the first layer */
        CLAE_TRY(add_row(c, r, OP_BWD_DIN, i, "bwd din", k.din_flops, k.din_bytes));
    if (l->kind->nparams > 0)
        CLAE_TRY(add_row(c, r, OP_BWD_PARAMS, i, "bwd params", k.param_flops, k.param_bytes));
    return CLAE_OK;
}

/* ---- peak probes -------------------------------------------------------- */

/* Grow the FMA probe's chain length until one run takes >= 20 ms, or to
 * 2^22 steps (fewer where the device stops longer loops: a chain cut short
 * there would be counted as run). */
static clae_status calibrate_fma(bench_ctx *c)
{
    const long budget = c->d->is_ref ? LONG_MAX : clae_loop_budget(c->d);
    const int cap = budget < (1 << 22) ? (int)budget : 1 << 22;
    double t = 0;
    if (c->fma_iters > cap) c->fma_iters = cap;
    for (;;) {
        CLAE_TRY(times(c, OP_PROBE_FMA, -1, 1, 1, &t)); /* 1 warm-up, 1 timed */
        if (t >= 0.02 || c->fma_iters >= cap) return CLAE_OK;
        double f = t > 0 ? 0.03 / t : 64;
        if (f > 64) f = 64;
        if (f < 2) f = 2;
        c->fma_iters = (int)(c->fma_iters * f);
        if (c->fma_iters > cap) c->fma_iters = cap;
    }
}

static clae_status probes(bench_ctx *c, clae_bench_result *r)
{
    clae_device *d = c->d;
    size_t copy_bytes = (size_t)64 << 20;
    c->fma_iters = 64;
    c->fma_n = 1024;
    if (!d->is_ref) {
        cl_uint cus = d->compute_units;
        /* enough work-items to fill every compute unit many times over */
        c->fma_n = (int)(cus * 2048u > 16384u ? cus * 2048u : 16384u);
        /* past the last-level cache: 64 MiB on a CPU, 256 MiB on a GPU */
        if (!d->is_pocl) copy_bytes = (size_t)256 << 20;
        while (copy_bytes > d->max_alloc && copy_bytes > ((size_t)1 << 20)) copy_bytes /= 2;
    }
    CLAE_TRY(clae_buf_alloc(d, (size_t)c->fma_n * sizeof(float), &c->p_out));
    CLAE_TRY(clae_buf_alloc(d, copy_bytes, &c->p_src));
    CLAE_TRY(clae_buf_alloc(d, copy_bytes, &c->p_dst));
    if (d->is_ref) { /* touch every page before timing */
        memset(c->p_src.h, 0, copy_bytes);
        memset(c->p_dst.h, 0, copy_bytes);
    }
    c->copy_floats = copy_bytes / sizeof(float);
    CLAE_TRY(calibrate_fma(c));
    r->probe_fma_flops = (double)c->fma_n * c->fma_iters * 8 * 8 * 2;
    double mn;
    int w = c->warmup;
    if (c->warmup < 1) c->warmup = 1; /* the probes always get one warm-up run */
    r->probe_copy_bytes = 2.0 * (double)copy_bytes;
    clae_status st = measure(c, OP_PROBE_FMA, -1, &r->probe_fma_s, &mn);
    if (st == CLAE_OK) st = measure(c, OP_PROBE_COPY, -1, &r->probe_copy_s, &mn);
    c->warmup = w;
    CLAE_TRY(st);
    r->peak_flops_s = r->probe_fma_s > 0 ? r->probe_fma_flops / r->probe_fma_s : 0;
    r->peak_bytes_s = r->probe_copy_s > 0 ? r->probe_copy_bytes / r->probe_copy_s : 0;
    return CLAE_OK;
}

/* ---- the whole run ------------------------------------------------------ */

static clae_status fill_inputs(bench_ctx *c)
{
    clae_net *n = c->n;
    size_t cnt = (size_t)c->N * clae_model_in_count(c->m);
    clae_rng rng;
    clae_rng_seed(&rng, c->m->train.seed + 1);
    float *x = malloc(cnt * sizeof(float)), *y = malloc(cnt * sizeof(float));
    clae_status st = x && y ? CLAE_OK : CLAE_ERR_NOMEM;
    if (st == CLAE_OK) {
        for (size_t k = 0; k < cnt; k++) x[k] = clae_rng_uniform(&rng);
        for (size_t k = 0; k < cnt; k++) y[k] = clae_rng_uniform(&rng);
        st = clae_buf_write(c->d, n->act[0], x, cnt * sizeof(float));
        if (st == CLAE_OK) st = clae_buf_write(c->d, n->target, y, cnt * sizeof(float));
    }
    free(x);
    free(y);
    return st;
}

/* What `clae train` runs per batch besides the step: records (uint8, of
 * the model's input shape) to float, and the model's blur. */
static clae_status bench_data(bench_ctx *c, clae_bench_result *r)
{
    const clae_model *m = c->m;
    size_t bytes = (size_t)c->N * (1 + clae_model_in_count(m));
    unsigned char *rec = malloc(bytes);
    if (!rec) return CLAE_ERR_NOMEM;
    for (size_t k = 0; k < bytes; k++) rec[k] = (unsigned char)(k * 2654435761u >> 24);
    /* (allocated in whole floats: clae_buf_alloc zero-fills with a 4-byte pattern) */
    clae_status st = clae_buf_alloc(c->d, (bytes + 3) & ~(size_t)3, &c->rec);
    if (st == CLAE_OK) st = clae_buf_write(c->d, c->rec, rec, bytes);
    free(rec);
    double mn;
    if (st == CLAE_OK) st = measure(c, OP_CONVERT, -1, &r->data_convert_s, &mn);
    clae_corrupt cor;
    if (st == CLAE_OK && clae_corrupt_from_config(&m->train, &cor) == CLAE_OK &&
        cor.kind == CLAE_CORRUPT_BLUR) {
        float k[255];
        clae_gaussian_kernel(k, cor.blur_size, cor.blur_sigma);
        c->blur_size = cor.blur_size;
        st = clae_buf_alloc(c->d, (size_t)cor.blur_size * sizeof(float), &c->kern);
        if (st == CLAE_OK) st = clae_buf_write(c->d, c->kern, k, (size_t)cor.blur_size * sizeof(float));
        if (st == CLAE_OK) st = measure(c, OP_BLUR, -1, &r->data_blur_s, &mn);
    }
    return st;
}

static clae_status bench_all(bench_ctx *c, clae_bench_result *r)
{
    clae_model *m = c->m;
    clae_device *d = c->d;
    CLAE_TRY(clae_buf_alloc(d, (size_t)c->N * clae_model_max_count(m) * sizeof(float), &c->tmp));
    CLAE_TRY(probes(c, r));
    CLAE_TRY(fill_inputs(c));
    unsigned long k0 = d->launches, g0 = d->gemms, rp0 = d->replays;
    CLAE_TRY(clae_net_train_step(c->n, c->N)); /* fills every buffer; untimed */
    r->step_replayed = d->replays > rp0;
    clae_net_memory(c->n, &r->mem_batch_bytes, &r->mem_param_bytes, NULL);
    r->step_kernels = d->launches - k0;
    r->step_gemms = d->gemms - g0;
    CLAE_TRY(clae_finish(d));

    double nout = (double)c->N * clae_layer_out_count(&m->layers[m->nlayers - 1]);
    double blk = (double)m->block_floats;
    CLAE_TRY(add_row(c, r, OP_ZERO_GRAD, -1, "zero", 0, 4 * blk));
    for (int i = 0; i < m->nlayers; i++) CLAE_TRY(layer_forward_rows(c, r, i));
    /* per element: mse 3 (sub, mul, add) and 2 back; mae 3 and 2; bce 9 (clip 2,
     * 2 logs, 3 mul-adds, add, neg) and 7 back (compare 2, 2 divides, sub, mul, div) */
    static const double LF[] = {3, 3, 9}, LB[] = {2, 2, 7};
    clae_loss lk = m->net.loss_kind;
    /* one pass: y and t read, dy written (and the last activation's derivative) */
    const clae_layer *last = &m->layers[m->nlayers - 1];
    CLAE_TRY(add_row(c, r, OP_LOSS, -1, "loss+grad",
                     (LF[lk] + LB[lk] + act_flops(last->act, 1)) * nout, 4 * (3 * nout + 1)));
    for (int i = m->nlayers - 1; i >= 0; i--) CLAE_TRY(layer_backward_rows(c, r, i));
    /* sgd: 4 per parameter (2 mul-adds); p, v, g read, p, v written */
    if (m->net.opt_kind == CLAE_OPT_SGD)
        CLAE_TRY(add_row(c, r, OP_ADAM, -1, "update", 4 * blk, 4 * 5 * blk));
    else
        CLAE_TRY(add_row(c, r, OP_ADAM, -1, "update", 12 * blk, 4 * 7 * blk));

    CLAE_TRY(bench_data(c, r));

    clae_bench_row *s = &r->step;
    memset(s, 0, sizeof *s);
    s->layer = -1;
    snprintf(s->what, sizeof s->what, "training step");
    snprintf(s->op, sizeof s->op, "train_step");
    snprintf(s->shape, sizeof s->shape, "batch %d", c->N);
    for (int k = 0; k < r->nrows; k++) {
        s->flops += r->rows[k].flops;
        s->bytes += r->rows[k].bytes;
    }
    return measure(c, OP_STEP, -1, &s->median_s, &s->min_s);
}

clae_status clae_bench_run(clae_model *m, clae_device *d, const clae_bench_opts *o,
                           clae_bench_result *r)
{
    memset(r, 0, sizeof *r);
    if (o->batch < 1 || o->repeats < 1 || o->warmup < 0) {
        fprintf(stderr, "clae: bench: batch and repeats must be >= 1, warm-up >= 0\n");
        return CLAE_ERR_ARG;
    }
    r->is_ref = d->is_ref;
    snprintf(r->device, sizeof r->device, "%s", d->name);
    snprintf(r->platform, sizeof r->platform, "%s", d->platform_name);
    snprintf(r->driver, sizeof r->driver, "%s", d->driver);
    snprintf(r->vendor, sizeof r->vendor, "%s", d->vendor);
    r->timer = d->is_ref ? "host clock_gettime(CLOCK_MONOTONIC) around each synchronous call"
                         : "OpenCL profiling: END of a marker before to END of a marker after";
    r->batch = o->batch;
    r->repeats = o->repeats;
    r->warmup = o->warmup;
    /* at most 6 rows per layer, plus zero-grad, 2 loss rows and Adam */
    r->rows = calloc((size_t)m->nlayers * 6 + 4, sizeof *r->rows);
    if (!r->rows) return CLAE_ERR_NOMEM;

    clae_rng rng;
    clae_rng_seed(&rng, m->train.seed);
    clae_net n;
    clae_status st = clae_model_init(m, &rng);
    if (st == CLAE_OK) st = clae_net_create(&n, m, d, o->batch);
    if (st != CLAE_OK) {
        clae_bench_free(r);
        return st;
    }
    bench_ctx c = {.n = &n, .d = d, .m = m, .N = o->batch, .warmup = o->warmup,
                   .repeats = o->repeats};
    c.samples = calloc((size_t)o->repeats, sizeof *c.samples);
    c.ev = calloc(2 * (size_t)o->repeats, sizeof *c.ev);
    st = c.samples && c.ev ? bench_all(&c, r) : CLAE_ERR_NOMEM;
    if (st == CLAE_ERR_NOMEM) fprintf(stderr, "clae: bench: out of memory\n");
    clae_buf_free(&c.tmp);
    clae_buf_free(&c.rec);
    clae_buf_free(&c.kern);
    clae_buf_free(&c.p_out);
    clae_buf_free(&c.p_src);
    clae_buf_free(&c.p_dst);
    free(c.samples);
    free(c.ev);
    clae_net_free(&n);
    if (st != CLAE_OK) clae_bench_free(r);
    return st;
}

void clae_bench_free(clae_bench_result *r)
{
    free(r->rows);
    memset(r, 0, sizeof *r);
}

/* ---- output ------------------------------------------------------------- */

static double pct(double part, double whole) { return whole > 0 ? 100.0 * part / whole : 0.0; }
static double rate(double amount, double s) { return s > 0 ? amount / s : 0.0; }

static void print_row(const clae_bench_result *r, const clae_bench_row *w, FILE *out)
{
    char layer[16] = "";
    if (w->layer >= 0) snprintf(layer, sizeof layer, "%d", w->layer);
    double fs = rate(w->flops, w->median_s), bs = rate(w->bytes, w->median_s);
    fprintf(out, "%3s %-22s %-10s %-20s %9.3f %9.3f %9.2f %8.2f %8.2f %5.1f %7.2f %5.1f %5.1f\n",
            layer, w->what, w->op, w->shape, 1e3 * w->median_s, 1e3 * w->min_s, 1e-6 * w->flops,
            1e-6 * w->bytes, 1e-9 * fs, pct(fs, r->peak_flops_s), 1e-9 * bs,
            pct(bs, r->peak_bytes_s), pct(w->median_s, r->step.median_s));
}

void clae_bench_print(const clae_bench_result *r, const char *config, FILE *out)
{
    fprintf(out, "clae bench: %s, batch %d, median and min of %d runs after %d warm-up\n", config,
            r->batch, r->repeats, r->warmup);
    fprintf(out, "device:   %s\n", r->device);
    fprintf(out, "platform: %s (vendor %s, driver %s)\n", r->platform, r->vendor, r->driver);
    fprintf(out, "timer:    %s\n", r->timer);
    fprintf(out,
            "peak:     fma probe %.2f GFLOP/s (%.3f ms for %.1f MFLOP), copy probe %.2f GB/s "
            "(%.3f ms for %.1f MB)\n\n",
            1e-9 * r->peak_flops_s, 1e3 * r->probe_fma_s, 1e-6 * r->probe_fma_flops,
            1e-9 * r->peak_bytes_s, 1e3 * r->probe_copy_s, 1e-6 * r->probe_copy_bytes);
    fprintf(out, "%3s %-22s %-10s %-20s %9s %9s %9s %8s %8s %5s %7s %5s %5s\n", "#", "layer", "op",
            "shape (per image)", "median ms", "min ms", "MFLOP", "MB", "GFLOP/s", "%pk", "GB/s",
            "%bw", "%step");
    clae_bench_row sum = {.layer = -1};
    snprintf(sum.what, sizeof sum.what, "sum of the rows above");
    for (int k = 0; k < r->nrows; k++) {
        print_row(r, &r->rows[k], out);
        sum.median_s += r->rows[k].median_s;
        sum.min_s += r->rows[k].min_s;
        sum.flops += r->rows[k].flops;
        sum.bytes += r->rows[k].bytes;
    }
    fprintf(out, "\n");
    print_row(r, &sum, out);
    print_row(r, &r->step, out);
    fprintf(out, "\nimages/s: %.1f (batch %d / median step %.3f ms; best step %.3f ms: %.1f "
                 "images/s)\n",
            rate(r->batch, r->step.median_s), r->batch, 1e3 * r->step.median_s,
            1e3 * r->step.min_s, rate(r->batch, r->step.min_s));
    if (!r->is_ref)
        fprintf(out, "kernels per step: %lu, plus %lu CLBlast GEMM calls (1-4 kernels each)%s\n",
                r->step_kernels, r->step_gemms,
                r->step_replayed ? "; enqueued as one recorded command buffer" : "");
    if (r->data_convert_s > 0)
        fprintf(out, "data pipeline per batch (clae train, besides the step): convert %.3f ms, "
                     "blur %.3f ms\n",
                1e3 * r->data_convert_s, 1e3 * r->data_blur_s);
    fprintf(out, "memory: %.1f MiB (%.1f KiB per image, %.1f KiB of parameters, gradients and "
                 "Adam moments; scratch and upload buffers not counted)\n",
            (r->mem_batch_bytes + r->mem_param_bytes) / 1048576.0,
            r->batch > 0 ? r->mem_batch_bytes / r->batch / 1024.0 : 0.0,
            r->mem_param_bytes / 1024.0);
}

static cJSON *row_json(const clae_bench_result *r, const clae_bench_row *w)
{
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    double fs = rate(w->flops, w->median_s), bs = rate(w->bytes, w->median_s);
    cJSON_AddNumberToObject(o, "layer", w->layer);
    cJSON_AddStringToObject(o, "what", w->what);
    cJSON_AddStringToObject(o, "op", w->op);
    cJSON_AddStringToObject(o, "shape", w->shape);
    cJSON_AddNumberToObject(o, "median_ms", 1e3 * w->median_s);
    cJSON_AddNumberToObject(o, "min_ms", 1e3 * w->min_s);
    cJSON_AddNumberToObject(o, "flops", w->flops);
    cJSON_AddNumberToObject(o, "bytes", w->bytes);
    cJSON_AddNumberToObject(o, "gflop_s", 1e-9 * fs);
    cJSON_AddNumberToObject(o, "gb_s", 1e-9 * bs);
    cJSON_AddNumberToObject(o, "pct_peak_flops", pct(fs, r->peak_flops_s));
    cJSON_AddNumberToObject(o, "pct_peak_bw", pct(bs, r->peak_bytes_s));
    cJSON_AddNumberToObject(o, "pct_step", pct(w->median_s, r->step.median_s));
    return o;
}

static cJSON *result_json(const clae_bench_result *r, const char *config)
{
    cJSON *root = cJSON_CreateObject();
    if (!root) return NULL;
    cJSON_AddStringToObject(root, "config", config);
    cJSON *dev = cJSON_AddObjectToObject(root, "device");
    if (dev) {
        cJSON_AddStringToObject(dev, "name", r->device);
        cJSON_AddStringToObject(dev, "platform", r->platform);
        cJSON_AddStringToObject(dev, "vendor", r->vendor);
        cJSON_AddStringToObject(dev, "driver", r->driver);
        cJSON_AddBoolToObject(dev, "reference", r->is_ref);
    }
    cJSON_AddNumberToObject(root, "batch", r->batch);
    cJSON_AddNumberToObject(root, "repeats", r->repeats);
    cJSON_AddNumberToObject(root, "warmup", r->warmup);
    cJSON_AddStringToObject(root, "timer", r->timer);
    cJSON *peak = cJSON_AddObjectToObject(root, "peak");
    if (peak) {
        cJSON_AddNumberToObject(peak, "fma_gflop_s", 1e-9 * r->peak_flops_s);
        cJSON_AddNumberToObject(peak, "fma_ms", 1e3 * r->probe_fma_s);
        cJSON_AddNumberToObject(peak, "fma_flops", r->probe_fma_flops);
        cJSON_AddNumberToObject(peak, "copy_gb_s", 1e-9 * r->peak_bytes_s);
        cJSON_AddNumberToObject(peak, "copy_ms", 1e3 * r->probe_copy_s);
        cJSON_AddNumberToObject(peak, "copy_bytes", r->probe_copy_bytes);
    }
    cJSON *rows = cJSON_AddArrayToObject(root, "rows");
    double sum_med = 0;
    for (int k = 0; k < r->nrows; k++) {
        sum_med += r->rows[k].median_s;
        if (rows) cJSON_AddItemToArray(rows, row_json(r, &r->rows[k]));
    }
    cJSON_AddNumberToObject(root, "rows_median_ms_sum", 1e3 * sum_med);
    cJSON *step = row_json(r, &r->step);
    if (step) {
        cJSON_AddNumberToObject(step, "images_per_s", rate(r->batch, r->step.median_s));
        if (!r->is_ref) {
            cJSON_AddNumberToObject(step, "kernels", (double)r->step_kernels);
            cJSON_AddNumberToObject(step, "clblast_gemm_calls", (double)r->step_gemms);
            cJSON_AddBoolToObject(step, "replayed", r->step_replayed);
        }
        cJSON_AddNumberToObject(step, "memory_batch_bytes", r->mem_batch_bytes);
        cJSON_AddNumberToObject(step, "memory_param_bytes", r->mem_param_bytes);
        cJSON_AddItemToObject(root, "step", step);
    }
    return root;
}

clae_status clae_bench_write_json(const clae_bench_result *r, const char *config,
                                  const char *path)
{
    cJSON *root = result_json(r, config);
    char *text = root ? cJSON_Print(root) : NULL;
    cJSON_Delete(root);
    if (!text) {
        fprintf(stderr, "clae: %s: out of memory building JSON\n", path);
        return CLAE_ERR_NOMEM;
    }
    size_t len = strlen(text);
    text[len] = '\n'; /* cJSON_Print's terminator becomes the final newline */
    clae_status st = clae_file_write_atomic(path, text, len + 1);
    free(text);
    return st;
}
