/* `clae tune`: the direct convolutions' parameters searched per shape, in the
 * spirit of CLBlast's tuners (clae/tune.h). For every direct-convolution
 * shape of a config's training step (each conv2d / conv2d_transpose layer's
 * forward pass, input gradient and weight gradient that take the direct
 * kernels) every candidate of clae_dc_candidates runs once on random data
 * and is checked against the reference twin (TOL_SUM_*: a candidate that
 * fails to build or run, or is wrong, is reported and never kept), then
 * timed: --repeats runs, each between two markers on the profiling queue as
 * `clae bench` times an op (clae_stamp_take), the median kept. The fastest
 * (timed again against the defaults, alternately, and kept only when more
 * than 3% faster) is written to the device's tuning file.
 *
 * The check runs at a batch of at most VERIFY_BATCH images, the timing at
 * the tuning batch: over the denoiser's batch of 512 a weight gradient sums
 * half a million products, and the reference's own float sum (one long
 * sequential chain) then drifts past the ops' tolerance, for the defaults
 * too (measured: up to 9e-4 on PoCL). 19 images still split into several
 * slices for every slice size but 32, the last one short.
 *
 * A candidate is tried by putting it in d->tune, the table the direct
 * kernels read at each launch, so it runs exactly as a tuned entry will.
 * The fused conv + max-pool forward kind of training steps (net_fuse.c) is
 * not tuned: a conv2d layer's forward pass tuned here is its validation and
 * inference pass; the fused weight gradients (pool, loss) run the dw kind
 * with its tuned parameters. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clae/bench.h"
#include "clae/layer.h"
#include "clae/rng.h"
#include "clae/tolerance.h"
#include "clae/tune.h"
#include "ops/conv2d_direct.h"
#include "ops/conv2d_tune.h"

enum { PASS_FWD, PASS_DIN, PASS_DW };
static const char *const PASS_NAMES[3] = {"fwd", "din", "dw"};
#define MAX_CANDIDATES 512
#define VERIFY_BATCH 19
/* The best candidate replaces the defaults only when faster by more than this. */
#define CONFIRM_MARGIN 0.03

/* One shape to tune: layer's pass, run by kernel kind on geometry e. */
typedef struct tune_case {
    int layer, tr, pass, kind, bias;
    int pooled; /* a forward pass the training step fuses with the max-pool after it */
    dc_geom e;
    clae_epi act; /* the forward pass's epilogue, or the input gradient's */
    char key[sizeof ((clae_tune_entry *)0)->key];
} tune_case;

/* One layer's data: host inputs, the reference's results, device buffers. */
typedef struct tune_data {
    clae_conv_shape g;
    int tr;
    size_t nin, nout, nw, nb;
    float *in, *w, *b, *dout, *dw0, *db0, *out_ref, *din_ref, *dw_ref, *db_ref, *got;
    cl_mem m_in, m_w, m_b, m_dout, m_out, m_din, m_dw, m_db;
} tune_data;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- the shapes of a training step ----------------------------------------- */

/* The activation whose derivative layer i's input gradient is multiplied by
 * in the step: the layer before's, where its output is layer i's input. */
static clae_epi din_epi(const clae_model *m, int i)
{
    const clae_layer *p = i > 0 ? &m->layers[i - 1] : NULL;
    if (!p || m->layers[i].src >= 0 || !p->kind->fuses_act || p->act == CLAE_ACT_SOFTMAX)
        return CLAE_EPI_NONE;
    return (clae_epi){.act = p->act, .alpha = p->alpha};
}

/* The direct-convolution cases of m's step at batch g[].N into cs (no key
 * twice); their number. Layers on the GEMM path are listed to out. */
static int collect_cases(const clae_model *m, clae_device *d, const clae_conv_shape *g,
                         tune_case *cs, int cap, FILE *out)
{
    int n = 0;
    for (int i = 0; i < m->nlayers; i++) {
        const clae_layer *l = &m->layers[i];
        const int tr = strcmp(l->kind->name, "conv2d_transpose") == 0;
        if (!tr && strcmp(l->kind->name, "conv2d") != 0) continue;
        if (!clae_conv_use_direct(d, &g[i], tr)) {
            fprintf(out, "layer %d %s: the GEMM path on this device, nothing to tune\n", i,
                    l->kind->name);
            continue;
        }
        for (int pass = PASS_FWD; pass <= PASS_DW; pass++) {
            if ((pass == PASS_DIN && i == 0) ||
                (pass == PASS_DW && clae_model_layer_frozen(m, i)))
                continue;
            tune_case c = {.layer = i, .tr = tr, .pass = pass, .bias = l->use_bias};
            c.kind = pass == PASS_DW ? CLAE_DC_DW
                     : (pass == PASS_FWD) == !tr ? CLAE_DC_CONV
                                                 : CLAE_DC_TCONV;
            c.e = tr ? tconv_geom(&g[i]) : conv_geom(&g[i]);
            c.act = pass == PASS_FWD ? (clae_epi){.act = l->act, .alpha = l->alpha}
                    : pass == PASS_DIN ? din_epi(m, i)
                                       : CLAE_EPI_NONE;
            c.pooled = pass == PASS_FWD && d->fuse && i + 1 < m->nlayers &&
                       l->kind->fusable_conv && m->layers[i + 1].kind->fusable_pool &&
                       conv2d_pool_fusable(d, &g[i], &g[i + 1]);
            if (!clae_dc_key(c.kind, &c.e, c.key, sizeof c.key)) continue;
            int seen = 0;
            for (int k = 0; k < n && !seen; k++) seen = strcmp(cs[k].key, c.key) == 0;
            if (!seen && n < cap) cs[n++] = c;
        }
    }
    return n;
}

/* ---- data and the reference -------------------------------------------- */

static void data_free(tune_data *t)
{
    float *fs[] = {t->in,     t->w,      t->b,      t->dout,   t->dw0,  t->db0,
                   t->out_ref, t->din_ref, t->dw_ref, t->db_ref, t->got};
    for (size_t i = 0; i < sizeof fs / sizeof fs[0]; i++) free(fs[i]);
    cl_mem ms[] = {t->m_in, t->m_w, t->m_b, t->m_dout, t->m_out, t->m_din, t->m_dw, t->m_db};
    for (size_t i = 0; i < sizeof ms / sizeof ms[0]; i++)
        if (ms[i]) clReleaseMemObject(ms[i]);
    memset(t, 0, sizeof *t);
}

static float *rand_floats(size_t n, clae_rng *r)
{
    float *x = malloc((n ? n : 1) * sizeof *x);
    for (size_t i = 0; x && i < n; i++) x[i] = 2.0f * clae_rng_uniform(r) - 1.0f;
    return x;
}

static clae_status upload(clae_device *d, const float *x, size_t n, cl_mem *m)
{
    CLAE_TRY(clae_buffer(d, (n ? n : 1) * sizeof(float), m));
    return clae_write(d, *m, x, n * sizeof(float));
}

/* Layer c's random data, the device buffers and, with ref, the reference's
 * results without epilogues (dw and db added to dw0, db0). */
static clae_status data_init(clae_device *d, const clae_conv_shape *g, const tune_case *c,
                             int ref, tune_data *t)
{
    memset(t, 0, sizeof *t);
    t->g = *g;
    t->tr = c->tr;
    t->nin = (size_t)g->N * g->C * g->H * g->W;
    t->nout = (size_t)g->N * g->K * g->P * g->Q;
    t->nw = (size_t)g->K * g->C * g->R * g->S;
    t->nb = (size_t)g->K;
    clae_rng r;
    clae_rng_seed(&r, 0x7475656eULL + (uint64_t)c->layer);
    t->in = rand_floats(t->nin, &r), t->w = rand_floats(t->nw, &r);
    t->b = rand_floats(t->nb, &r), t->dout = rand_floats(t->nout, &r);
    t->dw0 = rand_floats(t->nw, &r), t->db0 = rand_floats(t->nb, &r);
    if (!t->in || !t->w || !t->b || !t->dout || !t->dw0 || !t->db0) return CLAE_ERR_NOMEM;
    CLAE_TRY(upload(d, t->in, t->nin, &t->m_in));
    CLAE_TRY(upload(d, t->w, t->nw, &t->m_w));
    CLAE_TRY(upload(d, t->b, t->nb, &t->m_b));
    CLAE_TRY(upload(d, t->dout, t->nout, &t->m_dout));
    CLAE_TRY(clae_buffer(d, t->nout * sizeof(float), &t->m_out));
    CLAE_TRY(clae_buffer(d, t->nin * sizeof(float), &t->m_din));
    CLAE_TRY(upload(d, t->dw0, t->nw, &t->m_dw));
    CLAE_TRY(upload(d, t->db0, t->nb, &t->m_db));
    if (!ref) return CLAE_OK;
    t->out_ref = malloc(t->nout * sizeof(float)), t->din_ref = malloc(t->nin * sizeof(float));
    t->dw_ref = malloc(t->nw * sizeof(float)), t->db_ref = malloc(t->nb * sizeof(float));
    const size_t most = t->nin > t->nout ? t->nin : t->nout;
    t->got = malloc((most > t->nw ? most : t->nw) * sizeof(float));
    if (!t->out_ref || !t->din_ref || !t->dw_ref || !t->db_ref || !t->got) return CLAE_ERR_NOMEM;
    memcpy(t->dw_ref, t->dw0, t->nw * sizeof(float));
    memcpy(t->db_ref, t->db0, t->nb * sizeof(float));
    const float *bias = c->bias ? t->b : NULL;
    (c->tr ? conv2d_transpose_forward_ref : conv2d_forward_ref)(t->out_ref, t->in, t->w, bias, g);
    (c->tr ? conv2d_transpose_backward_ref : conv2d_backward_ref)(t->din_ref, t->dw_ref,
                                                                  t->db_ref, t->dout, t->in,
                                                                  t->w, g);
    return CLAE_OK;
}

/* The epilogues of the reference results, once the plain ones are computed:
 * the forward pass's activation (act), the input gradient's (din_act). */
static void data_epilogues(tune_data *t, clae_epi act, clae_epi din_act)
{
    if (act.act != CLAE_ACT_NONE)
        act_forward_ref(t->out_ref, t->out_ref, t->nout, act.act, act.alpha);
    if (din_act.act != CLAE_ACT_NONE)
        act_backward_ref(t->din_ref, t->din_ref, t->in, t->nin, din_act.act, din_act.alpha);
}

/* ---- one candidate -------------------------------------------------------- */

static clae_status run_pass(clae_device *d, const tune_data *t, const tune_case *c)
{
    const clae_conv_shape *g = &t->g;
    cl_mem b = c->bias ? t->m_b : NULL;
    switch (c->pass) {
    case PASS_FWD:
        return t->tr ? conv2d_transpose_forward_direct(d, t->m_out, t->m_in, t->m_w, b, g, c->act)
                     : conv2d_forward_direct(d, t->m_out, t->m_in, t->m_w, b, g, c->act);
    case PASS_DIN:
        return t->tr ? conv2d_transpose_backward_direct(d, t->m_din, NULL, NULL, t->m_dout,
                                                        t->m_in, t->m_w, g, c->act)
                     : conv2d_backward_direct(d, t->m_din, NULL, NULL, t->m_dout, t->m_in,
                                              t->m_w, g, c->act);
    default:
        return t->tr ? conv2d_transpose_backward_direct(d, NULL, t->m_dw, b ? t->m_db : NULL,
                                                        t->m_dout, t->m_in, t->m_w, g,
                                                        CLAE_EPI_NONE)
                     : conv2d_backward_direct(d, NULL, t->m_dw, b ? t->m_db : NULL, t->m_dout,
                                              t->m_in, t->m_w, g, CLAE_EPI_NONE);
    }
}

/* The worst of |got - want| - (TOL_SUM_ABS + TOL_SUM_REL * max(|got|, |want|))
 * over n values: <= 0 when all are within the tolerance (NaN: +inf). */
static double worst_excess(const float *got, const float *want, size_t n, double *max_err)
{
    double worst = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        const double a = got[i], b = want[i], err = fabs(a - b);
        double ex = err - (TOL_SUM_ABS + TOL_SUM_REL * fmax(fabs(a), fabs(b)));
        if (!(ex == ex)) ex = INFINITY;
        if (ex > worst) worst = ex;
        if (err > *max_err || !(err == err)) *max_err = err == err ? err : INFINITY;
    }
    return worst;
}

/* Run c once and compare with the reference: CLAE_OK and *ok. What c
 * writes is NaN before, so that a value it leaves is wrong, not the last
 * candidate's. */
static clae_status verify(clae_device *d, tune_data *t, const tune_case *c, int *ok,
                          double *max_err)
{
    *max_err = 0.0;
    if (c->pass != PASS_DW) {
        const size_t n = c->pass == PASS_FWD ? t->nout : t->nin;
        for (size_t i = 0; i < n; i++) t->got[i] = NAN;
        CLAE_TRY(clae_write(d, c->pass == PASS_FWD ? t->m_out : t->m_din, t->got,
                            n * sizeof(float)));
    } else {
        CLAE_TRY(clae_write(d, t->m_dw, t->dw0, t->nw * sizeof(float)));
        CLAE_TRY(clae_write(d, t->m_db, t->db0, t->nb * sizeof(float)));
    }
    CLAE_TRY(run_pass(d, t, c));
    double worst;
    if (c->pass == PASS_FWD) {
        CLAE_TRY(clae_read(d, t->m_out, t->got, t->nout * sizeof(float)));
        worst = worst_excess(t->got, t->out_ref, t->nout, max_err);
    } else if (c->pass == PASS_DIN) {
        CLAE_TRY(clae_read(d, t->m_din, t->got, t->nin * sizeof(float)));
        worst = worst_excess(t->got, t->din_ref, t->nin, max_err);
    } else {
        CLAE_TRY(clae_read(d, t->m_dw, t->got, t->nw * sizeof(float)));
        worst = worst_excess(t->got, t->dw_ref, t->nw, max_err);
        if (c->bias) {
            CLAE_TRY(clae_read(d, t->m_db, t->got, t->nb * sizeof(float)));
            const double wb = worst_excess(t->got, t->db_ref, t->nb, max_err);
            if (wb > worst) worst = wb;
        }
    }
    *ok = worst <= 0.0;
    return CLAE_OK;
}

/* The median seconds of `repeats` runs of c, each between two stamps. */
static clae_status time_pass(clae_device *d, const tune_data *t, const tune_case *c,
                             int repeats, clae_stamp *at, double *samples, double *median)
{
    clae_status st = CLAE_OK;
    memset(at, 0, 2 * (size_t)repeats * sizeof *at);
    for (int r = 0; r < repeats && st == CLAE_OK; r++) {
        st = clae_stamp_take(d, &at[2 * r]);
        if (st == CLAE_OK) st = run_pass(d, t, c);
        if (st == CLAE_OK) st = clae_stamp_take(d, &at[2 * r + 1]);
    }
    if (st == CLAE_OK) st = clae_finish(d);
    for (int r = 0; r < repeats && st == CLAE_OK; r++)
        st = clae_stamp_seconds(d, &at[2 * r], &at[2 * r + 1], &samples[r]);
    for (int k = 0; k < 2 * repeats; k++) clae_stamp_release(&at[k]);
    if (st == CLAE_OK) *median = clae_bench_median(samples, repeats);
    return st;
}

static void describe(int kind, const clae_dc_params *p, char *buf, size_t len)
{
    if (kind == CLAE_DC_DW)
        snprintf(buf, len, "dw_blk=%d slice=%d wg=%s vw=%d", p->dw_blk, p->dw_slice_images,
                 clae_dc_wg_names[p->wg], p->vw);
    else
        snprintf(buf, len, "blk=%d wg=%s vw=%d", p->blk, clae_dc_wg_names[p->wg], p->vw);
}


/* ---- the search ----------------------------------------------------------- */

/* What the search of one case found. */
typedef struct tune_row {
    int tried, passed;
    int have_default, have_best, out_of_time, kept_default;
    double default_s, best_s;
    clae_dc_params best;
} tune_row;

typedef struct tune_ctx {
    clae_device *d;
    const clae_tune_opts *o;
    double t_end;       /* stop trying candidates after this (0: no limit) */
    clae_stamp *stamps; /* 2 * repeats */
    double *samples;    /* repeats */
} tune_ctx;

/* The defaults and the search's best timed again, alternately, `repeats`
 * single runs each (a moment of load on a shared machine must not pick the
 * winner): their medians into row, and the best kept only when it beats the
 * defaults by more than CONFIRM_MARGIN. e: c's entry in d->tune. */
static clae_status confirm(tune_ctx *x, tune_data *t, const tune_case *c, clae_tune_entry *e,
                           const clae_dc_params *def, tune_row *row)
{
    const int n = x->o->repeats;
    double *a = calloc(2 * (size_t)n, sizeof *a), *b = a + n;
    if (!a) return CLAE_ERR_NOMEM;
    clae_status st = CLAE_OK;
    for (int r = 0; r < n && st == CLAE_OK; r++) {
        e->p = *def;
        st = time_pass(x->d, t, c, 1, x->stamps, x->samples, &a[r]);
        e->p = row->best;
        if (st == CLAE_OK) st = time_pass(x->d, t, c, 1, x->stamps, x->samples, &b[r]);
    }
    if (st == CLAE_OK) {
        row->default_s = clae_bench_median(a, n);
        row->best_s = clae_bench_median(b, n);
        if (!(row->best_s < (1.0 - CONFIRM_MARGIN) * row->default_s)) {
            row->kept_default = 1;
            row->best = *def;
            row->best_s = row->default_s;
        }
    }
    free(a);
    return st;
}

/* Every candidate of c: verified on vt, timed on t, the fastest confirmed
 * against the defaults and kept in d->tune (or the entry as it was when
 * none passes). */
static clae_status search(tune_ctx *x, tune_data *vt, tune_data *t, const tune_case *c,
                          tune_row *row)
{
    clae_device *d = x->d;
    static clae_dc_params cands[MAX_CANDIDATES];
    const int n = clae_dc_candidates(d, c->kind, &c->e, cands, MAX_CANDIDATES);
    memset(row, 0, sizeof *row);
    clae_tune_entry keep = {0}, *e = clae_tune_find(d->tune, c->key);
    const int had = e != NULL;
    if (had) keep = *e;
    for (int i = 0; i < n; i++) {
        if (x->t_end > 0 && now_s() > x->t_end) {
            row->out_of_time = 1;
            break;
        }
        if (!(e = clae_tune_put(d->tune, c->key))) return CLAE_ERR_NOMEM;
        e->p = cands[i];
        row->tried++;
        char what[64];
        describe(c->kind, &cands[i], what, sizeof what);
        int ok = 0;
        double max_err = 0.0, s = 0.0;
        clae_status st = verify(d, vt, c, &ok, &max_err);
        if (st == CLAE_OK && ok && t != vt) st = run_pass(d, t, c); /* a warm-up at this batch */
        if (st == CLAE_OK && ok)
            st = time_pass(d, t, c, x->o->repeats, x->stamps, x->samples, &s);
        if (st != CLAE_OK || !ok) {
            if (st != CLAE_OK)
                fprintf(x->o->out, "  layer %d %s %s: failed (%s), skipped\n", c->layer,
                        PASS_NAMES[c->pass], what, clae_status_str(st));
            else
                fprintf(x->o->out, "  layer %d %s %s: WRONG (max error %.3g against the "
                        "reference), skipped\n", c->layer, PASS_NAMES[c->pass], what, max_err);
            (void)clae_finish(d);
            continue;
        }
        row->passed++;
        if (i == 0) row->have_default = 1, row->default_s = s; /* the defaults come first */
        if (!row->have_best || s < row->best_s) {
            row->have_best = 1;
            row->best_s = s;
            row->best = cands[i];
        }
    }
    if (row->have_best) {
        e = clae_tune_put(d->tune, c->key);
        if (!e) return CLAE_ERR_NOMEM;
        if (row->have_default && memcmp(&row->best, &cands[0], sizeof row->best) != 0)
            CLAE_TRY(confirm(x, t, c, e, &cands[0], row));
        e->p = row->best;
        e->batch = t->g.N;
        e->default_ms = row->have_default ? 1e3 * row->default_s : 0.0;
        e->best_ms = 1e3 * row->best_s;
    } else if (had) {
        *clae_tune_put(d->tune, c->key) = keep;
    } else {
        clae_tune_remove(d->tune, c->key);
    }
    return CLAE_OK;
}

static void print_row(FILE *out, const clae_model *m, const tune_case *c, const tune_row *r)
{
    const clae_layer *l = &m->layers[c->layer];
    char shape[64], params[64] = "-", def[16] = "-", best[16] = "-", speed[16] = "-";
    snprintf(shape, sizeof shape, "%d %s %dx%dx%d->%dx%dx%d %s%s", c->layer,
             c->tr ? "tconv" : "conv", l->in_c, l->in_h, l->in_w, l->out_c, l->out_h, l->out_w,
             PASS_NAMES[c->pass], c->pooled ? "*" : "");
    if (r->have_default) snprintf(def, sizeof def, "%.3f", 1e3 * r->default_s);
    if (r->have_best) {
        snprintf(best, sizeof best, "%.3f", 1e3 * r->best_s);
        describe(c->kind, &r->best, params, sizeof params);
    }
    if (r->have_default && r->have_best && r->best_s > 0)
        snprintf(speed, sizeof speed, "%.2fx", r->default_s / r->best_s);
    if (r->tried == 0) {
        fprintf(out, "%-34s %10s  not tried (budget spent): as before\n", shape, "-");
        return;
    }
    fprintf(out, "%-34s %5d/%-4d %10s %10s %8s  %s%s%s\n", shape, r->passed, r->tried, def,
            best, speed, params, r->kept_default ? " (defaults: best within 3%)" : "",
            r->out_of_time ? " (budget spent)" : "");
}

/* Tune cases cs[0..n) (grouped by layer, in order): one layer's data at a
 * time, checked at the shapes gv, timed at g. *all_ok 0 when some case kept
 * no candidate. */
static clae_status tune_cases(tune_ctx *x, const clae_model *m, const clae_conv_shape *g,
                              const clae_conv_shape *gv, const tune_case *cs, int n,
                              int *all_ok)
{
    fprintf(x->o->out, "%-34s %10s %10s %10s %8s  %s\n", "layer shape pass", "pass/tried",
            "default ms", "best ms", "speedup", "params");
    for (int i = 0; i < n;) {
        tune_data vt, t;
        memset(&t, 0, sizeof t);
        const int li = cs[i].layer, same = g[li].N == gv[li].N;
        clae_status st = data_init(x->d, &gv[li], &cs[i], 1, &vt);
        if (st == CLAE_OK && !same) st = data_init(x->d, &g[li], &cs[i], 0, &t);
        if (st == CLAE_OK) {
            const clae_layer *l = &m->layers[li];
            data_epilogues(&vt, (clae_epi){.act = l->act, .alpha = l->alpha}, din_epi(m, li));
        }
        for (; st == CLAE_OK && i < n && cs[i].layer == li; i++) {
            tune_row row;
            st = search(x, &vt, same ? &vt : &t, &cs[i], &row);
            if (st == CLAE_OK) print_row(x->o->out, m, &cs[i], &row);
            if (st == CLAE_OK && row.tried > 0 && !row.have_best) *all_ok = 0;
        }
        data_free(&vt);
        data_free(&t);
        CLAE_TRY(st);
        fflush(x->o->out);
    }
    for (int k = 0; k < n; k++)
        if (cs[k].pooled) {
            fprintf(x->o->out, "* the training step runs this forward pass fused with the "
                               "max-pool after it (a kernel not tuned);\n  validation, "
                               "inference and CLAE_FUSE=0 run it as tuned here\n");
            break;
        }
    return CLAE_OK;
}

static void dry_run(clae_device *d, const clae_model *m, const tune_case *cs, int n, FILE *out)
{
    static clae_dc_params cands[MAX_CANDIDATES];
    int total = 0;
    for (int i = 0; i < n; i++) {
        const int k = clae_dc_candidates(d, cs[i].kind, &cs[i].e, cands, MAX_CANDIDATES);
        char def[64];
        describe(cs[i].kind, &cands[0], def, sizeof def);
        fprintf(out, "layer %d %s %s: %s kind, %d candidates (default %s)\n", cs[i].layer,
                m->layers[cs[i].layer].kind->name, PASS_NAMES[cs[i].pass],
                clae_dc_kind_names[cs[i].kind], k, def);
        total += k;
    }
    fprintf(out, "%d shapes, %d candidates (dry run: nothing run or written)\n", n, total);
}

clae_status clae_tune_model(const clae_model *m, clae_device *d, const clae_tune_opts *o)
{
    if (d->be->id != CLAE_BACKEND_OPENCL) {
        fprintf(stderr, "clae tune: the reference path has no kernels to tune; choose an OpenCL "
                        "device\n");
        return CLAE_ERR_ARG;
    }
    const int N = o->batch ? o->batch : m->net.batch;
    clae_conv_shape *g = calloc(2 * (size_t)m->nlayers, sizeof *g), *gv = g + m->nlayers;
    tune_case *cs = calloc(3 * (size_t)m->nlayers + 1, sizeof *cs);
    tune_ctx x = {.d = d, .o = o};
    x.stamps = calloc(2 * (size_t)o->repeats, sizeof *x.stamps);
    x.samples = calloc((size_t)o->repeats, sizeof *x.samples);
    clae_status st = g && cs && x.stamps && x.samples ? CLAE_OK : CLAE_ERR_NOMEM;
    if (st == CLAE_OK) st = clae_model_shapes(m, N, g);
    if (st == CLAE_OK) st = clae_model_shapes(m, N < VERIFY_BATCH ? N : VERIFY_BATCH, gv);
    if (st == CLAE_OK && !d->tune && !(d->tune = calloc(1, sizeof *d->tune))) st = CLAE_ERR_NOMEM;
    int n = 0, all_ok = 1;
    if (st == CLAE_OK) {
        fprintf(o->out, "tuning the direct convolutions of %s at batch %d on %s (%s)\n", m->name,
                N, d->name, d->driver);
        n = collect_cases(m, d, g, cs, 3 * m->nlayers, o->out);
    }
    if (st == CLAE_OK && o->dry_run) {
        dry_run(d, m, cs, n, o->out);
    } else if (st == CLAE_OK) {
        x.t_end = o->budget_s > 0 ? now_s() + o->budget_s : 0.0;
        st = tune_cases(&x, m, g, gv, cs, n, &all_ok);
    }
    char path[1024];
    if (st == CLAE_OK && !o->dry_run && n > 0) {
        if (!clae_tune_path(d, path, sizeof path)) {
            fprintf(stderr, "clae tune: no cache folder ($XDG_CACHE_HOME or $HOME) to write the "
                            "tuning file to\n");
            st = CLAE_ERR_IO;
        } else if ((st = clae_tune_write(d, d->tune, path)) == CLAE_OK) {
            fprintf(o->out, "wrote %s (%d shapes)\n", path, d->tune->n);
        }
    }
    free(g);
    free(cs);
    free(x.stamps);
    free(x.samples);
    if (st == CLAE_OK && !all_ok) {
        fprintf(stderr, "clae tune: some shapes had no candidate that passed (see above)\n");
        return CLAE_ERR_SHAPE;
    }
    return st;
}
