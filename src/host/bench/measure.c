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
 *   fwd+pool     a conv2d and the max-pool after it as the step runs them,
 *                fused (clae_net_pool_fused): the conv's FLOPs and 3 compares
 *                per pooled value; bytes its input, weights, pooled values
 *                and argmax (the conv's output is never written)
 *   bwd params+pool  the fused conv's dw and db from the pool's dout, argmax
 *                and pooled values (read instead of the conv's dout), and
 *                the conv's dout written where its din needs it
 *   bwd params+loss  the last conv's dw and db with the loss and its
 *                gradient (y and t read instead of dy; dy written where din
 *                needs it); no loss row then
 *   zero         0; bytes the gradient block written
 *   update       Adam: 12 per parameter (m: 3, v: 4, sqrt, add, div, mul, sub:
 *                5); bytes p, m, v, g read + p, m, v written (whole padded block)
 * The whole step's FLOPs and bytes are the sums of the rows, which follow
 * the step's plan (fused where it fuses); the unfused plan's bytes and
 * kernels are counted too ($CLAE_FUSE=0 shows its rows). GFLOP/s and GB/s
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

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clae/cifar.h"
#include "clae/corrupt.h"
#include "clae/layer.h"
#include "clae/net.h"
#include "clae/ops.h"

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
    OP_FUSED_FWD,    /* conv2d + max-pool forward, fused */
    OP_FUSED_PARAMS, /* the fused conv's dw, db from the pool */
    OP_LOSS_PARAMS,  /* the last conv's dw, db with the loss */
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
    double unfused_bytes;      /* the rows' bytes had the step not fused */
    double *samples;           /* repeats */
    clae_stamp *stamps;        /* 2 * repeats: before and after each */
} bench_ctx;

static size_t out_elems(const clae_conv_shape *g) { return (size_t)g->N * g->K * g->P * g->Q; }

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
    case OP_FUSED_FWD: return clae_net_pool_forward(n, i);
    case OP_FUSED_PARAMS: /* as in the step: the rebuilt grid stored in dout */
        return conv2d_pool_backward_cl(d, NULL, r.dw.d, r.db.d, r.dout.d,
                                       n->grad[i + 2].d, n->aux[i + 1].d, n->act[i + 2].d,
                                       r.in.d, r.w.d, r.g, (clae_epi){r.l->act, r.l->alpha},
                                       CLAE_EPI_NONE);
    case OP_LOSS_PARAMS:
        return conv2d_loss_backward_cl(d, NULL, r.dw.d, r.db.d, r.dout.d,
                                       n->loss.d, c->m->net.loss_kind, r.out.d, n->target.d,
                                       r.in.d, r.w.d, r.g, (clae_epi){r.l->act, r.l->alpha},
                                       CLAE_EPI_NONE);
    case OP_ADAM: return clae_net_update(n);
    case OP_STEP: return clae_net_train_step(n, c->N);
    case OP_PROBE_FMA: return bench_fma(d, c->p_out, c->fma_n, c->fma_iters, 1.0f, 1.0f);
    case OP_PROBE_COPY: return bench_copy(d, c->p_dst, c->p_src, c->copy_floats);
    case OP_CONVERT:
        return cifar_to_float(d, c->tmp, c->rec, c->N, c->m->net.C, c->m->net.H, c->m->net.W);
    case OP_BLUR:
        return blur_forward(d, c->tmp, n->target, c->kern, c->blur_size, c->N, c->m->net.C,
                            c->m->net.H, c->m->net.W);
    }
    return CLAE_ERR_ARG;
}

/* marker (a stamp), op, marker per repeat, all enqueued back to back; one
 * finish, then the time between each pair of stamps (the backend's timer:
 * OpenCL profiling events, or the host clock around a synchronous call). */
static clae_status times(bench_ctx *c, bench_kind kind, int i, int warmup, int repeats,
                         double *t)
{
    clae_device *d = c->d;
    clae_stamp *at = c->stamps;
    for (int w = 0; w < warmup; w++) CLAE_TRY(run_op(c, kind, i));
    clae_status st = CLAE_OK;
    for (int r = 0; r < repeats && st == CLAE_OK; r++) {
        st = clae_stamp_take(d, &at[2 * r]);
        if (st == CLAE_OK) st = run_op(c, kind, i);
        if (st == CLAE_OK) st = clae_stamp_take(d, &at[2 * r + 1]);
    }
    if (st == CLAE_OK) st = clae_finish(d);
    for (int r = 0; r < repeats && st == CLAE_OK; r++)
        st = clae_stamp_seconds(d, &at[2 * r], &at[2 * r + 1], &t[r]);
    for (int k = 0; k < 2 * repeats; k++) clae_stamp_release(&at[k]);
    return st;
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
    if (kind != OP_FUSED_FWD && kind != OP_FUSED_PARAMS && kind != OP_LOSS_PARAMS)
        c->unfused_bytes += bytes; /* fused rows add their unfused rows' themselves */
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
    if (clae_net_out_is_view(c->n, i)) return CLAE_OK; /* no pass: a view */
    const clae_layer *l = &c->m->layers[i];
    const clae_conv_shape *g = &c->n->g[i];
    clae_layer_cost k = {0};
    l->kind->cost(l, g, &k);
    double out = (double)out_elems(g);
    double fused = clae_net_act_fwd_separate(c->n, i) ? 0.0 : out * act_flops(l->act, 0);
    if (clae_net_pool_fused(c->n, i)) { /* the pool's row goes into this one */
        const clae_layer *p = &c->m->layers[i + 1];
        clae_layer_cost pk = {0};
        p->kind->cost(p, &c->n->g[i + 1], &pk);
        const double pooled = (double)out_elems(&c->n->g[i + 1]);
        c->unfused_bytes += k.fwd_bytes + pk.fwd_bytes;
        return add_row(c, r, OP_FUSED_FWD, i, "fwd+pool", k.fwd_flops + fused + pk.fwd_flops,
                       k.fwd_bytes - 4 * out + 8 * pooled);
    }
    CLAE_TRY(add_row(c, r, OP_FWD, i, "fwd", k.fwd_flops + fused, k.fwd_bytes));
    if (clae_net_act_fwd_separate(c->n, i))
        CLAE_TRY(add_row(c, r, OP_ACT_FWD, i, "act fwd", out * act_flops(l->act, 0), 8 * out));
    return CLAE_OK;
}

/* The fused parameter rows: the conv's cost with the pool's dout, argmax and
 * pooled values (or y and t and the loss) read instead of its own dout (read
 * twice in its cost: dw and db), and that dout written where a din reads it. */
static clae_status fused_params_row(bench_ctx *c, clae_bench_result *r, int i,
                                    const clae_layer_cost *k, double loss_flops)
{
    const double out = (double)out_elems(&c->n->g[i]), din_dout = i > 0 ? 4 * out : 0;
    c->unfused_bytes += k->param_bytes;
    if (loss_flops < 0) {
        const double pooled = (double)out_elems(&c->n->g[i + 1]);
        const clae_layer *p = &c->m->layers[i + 1];
        clae_layer_cost pk = {0};
        p->kind->cost(p, &c->n->g[i + 1], &pk);
        c->unfused_bytes += pk.din_bytes;
        return add_row(c, r, OP_FUSED_PARAMS, i, "bwd params+pool", k->param_flops + pk.din_flops,
                       k->param_bytes - 8 * out + 12 * pooled + din_dout);
    }
    return add_row(c, r, OP_LOSS_PARAMS, i, "bwd params+loss", k->param_flops + loss_flops,
                   k->param_bytes - 8 * out + 8 * out + 4 + din_dout);
}

static clae_status layer_backward_rows(bench_ctx *c, clae_bench_result *r, int i,
                                       double loss_flops)
{
    if (i > 0 && clae_net_pool_fused(c->n, i - 1)) return CLAE_OK; /* in the conv's row */
    if (clae_net_out_is_view(c->n, i)) return CLAE_OK;                /* no pass: a view */
    const clae_layer *l = &c->m->layers[i];
    const clae_conv_shape *g = &c->n->g[i];
    clae_layer_cost k = {0};
    l->kind->cost(l, g, &k);
    double out = (double)out_elems(g);
    if (clae_net_act_bwd_separate(c->n, i))
        CLAE_TRY(add_row(c, r, OP_ACT_BWD, i, "act bwd", out * act_flops(l->act, 1), 12 * out));
    if (clae_net_din_needed(c->n, i)) /* as the step: none without a trainable layer before */
        CLAE_TRY(add_row(c, r, OP_BWD_DIN, i, "bwd din", k.din_flops, k.din_bytes));
    if (l->kind->nparams > 0 && clae_net_pool_fused(c->n, i))
        return fused_params_row(c, r, i, &k, -1);
    if (l->kind->nparams > 0 && i == clae_net_loss_fused(c->n))
        return fused_params_row(c, r, i, &k, loss_flops);
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
    const long budget = clae_loop_budget(c->d);
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
    size_t copy_bytes;
    c->fma_iters = 64;
    bench_sizes(d, &c->fma_n, &copy_bytes);
    CLAE_TRY(clae_buf_alloc(d, (size_t)c->fma_n * sizeof(float), &c->p_out));
    CLAE_TRY(clae_buf_alloc(d, copy_bytes, &c->p_src));
    CLAE_TRY(clae_buf_alloc(d, copy_bytes, &c->p_dst));
    /* touch every page before timing (host memory is mapped lazily) */
    CLAE_TRY(clae_buf_fill0(d, c->p_src, copy_bytes));
    CLAE_TRY(clae_buf_fill0(d, c->p_dst, copy_bytes));
    c->copy_floats = copy_bytes / sizeof(float);
    CLAE_TRY(calibrate_fma(c));
    r->probe_fma_flops = (double)c->fma_n * c->fma_iters * 16 * 8 * 2;
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
    /* one step unfused, command by command: its kernels (fusion's before) */
    const int fuse = d->fuse, rec_off = c->n->rec_off;
    d->fuse = 0;
    c->n->rec_off = 1;
    unsigned long k0 = d->launches;
    clae_status st = clae_net_train_step(c->n, c->N);
    r->step_kernels_unfused = d->launches - k0;
    d->fuse = fuse;
    c->n->rec_off = rec_off;
    CLAE_TRY(st);
    unsigned long g0 = d->gemms, rp0 = d->replays;
    k0 = d->launches;
    CLAE_TRY(clae_net_train_step(c->n, c->N)); /* fills every buffer; untimed */
    r->step_replayed = d->replays > rp0;
    clae_net_memory(c->n, &r->mem_batch_bytes, &r->mem_param_bytes, NULL);
    r->step_kernels = d->launches - k0;
    r->step_gemms = d->gemms - g0;
    CLAE_TRY(clae_finish(d));

    double nout = (double)c->N * clae_layer_out_count(&m->layers[m->nlayers - 1]);
    double blk = (double)m->block_floats;
    CLAE_TRY(add_row(c, r, OP_ZERO_GRAD, -1, "zero", 0, 4 * blk));
    for (int i = 0; i < m->nlayers; i++) {
        CLAE_TRY(layer_forward_rows(c, r, i));
        if (clae_net_pool_fused(c->n, i)) i++; /* the pool: in the conv's row */
    }
    /* per element: mse 3 (sub, mul, add) and 2 back; mae 3 and 2; bce 9 (clip 2,
     * 2 logs, 3 mul-adds, add, neg) and 7 back (compare 2, 2 divides, sub, mul, div) */
    static const double LF[] = {3, 3, 9}, LB[] = {2, 2, 7};
    clae_loss lk = m->net.loss_kind;
    /* one pass: y and t read, dy written (and the last activation's derivative) */
    const clae_layer *last = &m->layers[m->nlayers - 1];
    const double loss_flops = (LF[lk] + LB[lk] + act_flops(last->act, 1)) * nout,
                 loss_bytes = 4 * (3 * nout + 1);
    if (clae_net_loss_fused(c->n) < 0)
        CLAE_TRY(add_row(c, r, OP_LOSS, -1, "loss+grad", loss_flops, loss_bytes));
    else /* in the last layer's parameter row */
        c->unfused_bytes += loss_bytes;
    for (int i = m->nlayers - 1; i >= 0; i--)
        CLAE_TRY(layer_backward_rows(c, r, i, loss_flops));
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
    r->step_bytes_unfused = c->unfused_bytes;
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
    r->is_ref = d->be->reference;
    snprintf(r->device, sizeof r->device, "%s", d->name);
    snprintf(r->platform, sizeof r->platform, "%s", d->platform_name);
    snprintf(r->driver, sizeof r->driver, "%s", d->driver);
    snprintf(r->vendor, sizeof r->vendor, "%s", d->vendor);
    r->timer = d->be->timer;
    r->batch = o->batch;
    r->repeats = o->repeats;
    r->warmup = o->warmup;
    /* at most 6 rows per layer, plus zero-grad, 2 loss rows and Adam (fused: fewer) */
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
    c.stamps = calloc(2 * (size_t)o->repeats, sizeof *c.stamps);
    st = c.samples && c.stamps ? bench_all(&c, r) : CLAE_ERR_NOMEM;
    if (st == CLAE_ERR_NOMEM) fprintf(stderr, "clae: bench: out of memory\n");
    clae_buf_free(&c.tmp);
    clae_buf_free(&c.rec);
    clae_buf_free(&c.kern);
    clae_buf_free(&c.p_out);
    clae_buf_free(&c.p_src);
    clae_buf_free(&c.p_dst);
    free(c.samples);
    free(c.stamps);
    clae_net_free(&n);
    if (st != CLAE_OK) clae_bench_free(r);
    return st;
}

void clae_bench_free(clae_bench_result *r)
{
    free(r->rows);
    memset(r, 0, sizeof *r);
}
