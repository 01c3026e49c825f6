/* clae selftest's harness: buffers of a case, one run per path, the table
 * rows and the verdict (include/clae/selftest.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "selftest/selftest_int.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int add(st_io *io, void *mem, size_t bytes)
{
    if (!mem || io->n >= ST_MAX_BUFS) { /* the second: a case with too many buffers */
        free(mem);
        io->oom = 1;
        return 0;
    }
    io->bytes[io->n] = bytes;
    io->init[io->n] = mem;
    return io->n++;
}

int st_buf(st_io *io, const void *init, size_t bytes)
{
    void *m = calloc(bytes ? bytes : 1, 1);
    if (m && init) memcpy(m, init, bytes);
    return add(io, m, bytes);
}

int st_rand(st_ctx *c, st_io *io, size_t n, float lo, float hi)
{
    float *x = malloc((n ? n : 1) * sizeof *x);
    for (size_t i = 0; x && i < n; i++)
        x[i] = (float)(lo + (hi - lo) * clae_rng_uniform53(&c->rng));
    return add(io, x, n * sizeof(float));
}

int st_fill(st_io *io, size_t n, float value)
{
    float *x = malloc((n ? n : 1) * sizeof *x);
    for (size_t i = 0; x && i < n; i++) x[i] = value;
    return add(io, x, n * sizeof(float));
}

int st_rand_bytes(st_ctx *c, st_io *io, size_t n)
{
    n = (n + 3) / 4 * 4; /* whole floats: buffers are zeroed by a float fill */
    unsigned char *x = malloc(n ? n : 1);
    for (size_t i = 0; x && i < n; i++) x[i] = (unsigned char)(clae_rng_next(&c->rng) >> 56);
    return add(io, x, n);
}

void st_io_free(st_io *io)
{
    for (int i = 0; i < io->n; i++) {
        free(io->init[i]);
        free(io->got[0][i]);
        free(io->got[1][i]);
    }
    memset(io, 0, sizeof *io);
}

/* Upload io's buffers to d, run fn, read them back into got[path]. */
static clae_status run_path(clae_device *d, st_io *io, int path, st_fn fn, const void *arg)
{
    clae_buf b[ST_MAX_BUFS];
    memset(b, 0, sizeof b);
    clae_status st = CLAE_OK;
    for (int i = 0; i < io->n && st == CLAE_OK; i++) {
        st = clae_buf_alloc(d, io->bytes[i], &b[i]);
        if (st == CLAE_OK) st = clae_buf_write(d, b[i], io->init[i], io->bytes[i]);
    }
    if (st == CLAE_OK) st = fn(d, b, arg);
    if (st == CLAE_OK) st = clae_finish(d);
    for (int i = 0; i < io->n && st == CLAE_OK; i++) {
        io->got[path][i] = malloc(io->bytes[i] ? io->bytes[i] : 1);
        st = io->got[path][i] ? clae_buf_read(d, b[i], io->got[path][i], io->bytes[i])
                              : CLAE_ERR_NOMEM;
    }
    for (int i = io->n - 1; i >= 0; i--) clae_buf_free(&b[i]);
    return st;
}

int st_run(st_ctx *c, const char *what, st_io *io, st_fn fn, const void *arg)
{
    if (io->oom) {
        st_row_failed(c, what, "out of host memory");
        return 0;
    }
    clae_status st = run_path(&c->ref, io, 0, fn, arg);
    if (st != CLAE_OK) {
        st_row_failed(c, what, "the reference path failed");
        return 0;
    }
    st = run_path(c->dut, io, 1, fn, arg);
    if (st != CLAE_OK) {
        char why[96];
        snprintf(why, sizeof why, "the device failed: %s", clae_status_str(st));
        st_row_failed(c, what, why);
        return 0;
    }
    return 1;
}

static void print_row(st_ctx *c, const char *what, const char *err, const char *tol, int pass)
{
    c->r->checks++;
    if (!pass) c->r->failed++;
    fprintf(c->o->out, "  %-54s %10s  %-15s %s\n", what, err, tol, pass ? "pass" : "FAIL");
    fflush(c->o->out);
}

void st_row_failed(st_ctx *c, const char *what, const char *why)
{
    print_row(c, what, "-", "-", 0);
    fprintf(c->o->out, "    (%s)\n", why);
}

void st_row_value(st_ctx *c, const char *what, double err, const char *tol_text, int pass)
{
    char e[32];
    snprintf(e, sizeof e, "%.2e", err);
    print_row(c, what, e, tol_text, pass);
}

void st_row(st_ctx *c, const char *tag, const char *part, const st_io *io, int i, double abs_tol,
            double rel_tol)
{
    char what[160];
    snprintf(what, sizeof what, "%s%s%s", tag, part ? " " : "", part ? part : "");
    const size_t n = io->bytes[i] / sizeof(float);
    const float *want = io->got[0][i], *got = io->got[1][i];
    char e[32], tol[32];
    if (abs_tol == 0.0 && rel_tol == 0.0) {
        size_t bad = 0;
        for (size_t j = 0; j < io->bytes[i]; j++)
            bad += ((const unsigned char *)got)[j] != ((const unsigned char *)want)[j];
        snprintf(e, sizeof e, "%zu bytes", bad);
        print_row(c, what, e, "bit for bit", bad == 0);
        return;
    }
    double worst = 0.0;
    size_t bad = 0;
    for (size_t j = 0; j < n; j++) {
        double a = got[j], b = want[j], err = fabs(a - b);
        if (!(err <= abs_tol + rel_tol * fmax(fabs(a), fabs(b)))) bad++; /* NaN fails too */
        if (!(err <= worst)) worst = err;
    }
    snprintf(e, sizeof e, "%.2e", worst);
    snprintf(tol, sizeof tol, "%.0e+%.0e|x|", abs_tol, rel_tol);
    print_row(c, what, e, tol, bad == 0);
}

clae_status clae_selftest(clae_device *d, const clae_selftest_opts *o, clae_selftest_result *r)
{
    memset(r, 0, sizeof *r);
    st_ctx c = {.dut = d, .o = o, .r = r};
    clae_rng_seed(&c.rng, o->seed);
    CLAE_TRY(clae_device_open(&c.ref, "ref"));
    const double t0 = now_s();
    fprintf(o->out, "clae selftest%s: %s (%s, driver %s) against the reference path\n",
            o->quick ? " --quick" : "", d->name, d->platform_name, d->driver);
    if (d->loop_limit > 0)
        fprintf(o->out, "  (the device stops a work-item's loops after %ld iterations; ops "
                "keep under %ld)\n", d->loop_limit, clae_loop_budget(d));
    fprintf(o->out, "  %-54s %10s  %-15s %s\n", "op", "worst err", "tolerance", "result");
    const int conv_path = d->conv_path;
    st_conv_cases(&c);
    d->conv_path = conv_path;
    const int dense_path = d->dense_path; /* st_op_cases runs dense on each path */
    st_op_cases(&c);
    d->dense_path = dense_path;
    st_term_cases(&c);
    st_train_cases(&c);
    clae_device_close(&c.ref);
    r->seconds = now_s() - t0;
    if (r->failed == 0)
        fprintf(o->out, "selftest: all %d checks passed on %s in %.1f s\n", r->checks, d->name,
                r->seconds);
    else
        fprintf(o->out, "selftest: %d of %d checks FAILED on %s (%.1f s): do not trust results "
                "from this device; report it with this output\n", r->failed, r->checks,
                d->name, r->seconds);
    return CLAE_OK;
}
