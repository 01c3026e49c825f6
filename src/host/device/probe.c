/* Probes of an opened device for its own defects, those that would give
 * wrong answers without an error: see clae_device.loop_limit. */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>

#include "clae/device.h"
#include "clae/parse.h"

/* Iterations the probe asks for: 16 times llvmpipe's limit, a few
 * milliseconds on any device (0.4 s under the oclgrind simulator). */
#define PROBE_STEPS (1L << 20)

/* The steps of src/kernels/probe.cl's generator from 0 that end at x, at
 * most max; -1 when none does. */
static long lcg_steps_to(uint32_t x, long max)
{
    uint32_t s = 0;
    for (long i = 0; i <= max; i++) {
        if (s == x) return i;
        s = s * 1664525u + 1013904223u;
    }
    return -1;
}

/* Loop iterations one work-item of d runs before they stop: PROBE_STEPS
 * when nothing stops them, -1 when the probe's answer is no count at all. */
static clae_status run_loop_probe(clae_device *d, long *ran)
{
    cl_kernel k;
    CLAE_TRY(clae_kernel(d, "device_loop_probe", &k));
    cl_mem out;
    CLAE_TRY(clae_buffer(d, sizeof(cl_uint), &out));
    cl_uint x = 0;
    clae_status st = CLAE_ERR_CL;
    size_t one = 1;
    cl_int err = clSetKernelArg(k, 0, sizeof out, &out);
    if (err == CL_SUCCESS) err = clSetKernelArg(k, 1, sizeof(cl_int), &(cl_int){PROBE_STEPS});
    if (err != CL_SUCCESS)
        clae_report_cl("clSetKernelArg", err, __FILE__, __LINE__);
    else if (clae_launch(d, k, 1, &one, &one) == CLAE_OK &&
             clae_read(d, out, &x, sizeof x) == CLAE_OK)
        st = CLAE_OK;
    clReleaseMemObject(out);
    *ran = lcg_steps_to(x, PROBE_STEPS);
    return st;
}

/* $CLAE_LOOP_LIMIT: a limit to assume (1 when set, 0 when unset, -1 when bad). */
static int forced_limit(long *limit)
{
    const char *env = getenv("CLAE_LOOP_LIMIT");
    if (!env || !*env) return 0;
    if (!clae_str_to_long(env, 64, LONG_MAX, limit)) {
        fprintf(stderr, "clae: bad CLAE_LOOP_LIMIT '%s': expected an integer >= 64\n", env);
        return -1;
    }
    return 1;
}

clae_status clae_device_probe(clae_device *d)
{
    d->loop_limit = 0;
    long ran;
    CLAE_TRY(run_loop_probe(d, &ran));
    if (ran <= 0) { /* no count, or not one step: a limit of 0 would read as none */
        fprintf(stderr, "clae: warning: %s (%s) computed a probe kernel wrong; check it with "
                "'clae selftest'\n", d->name, d->platform_name);
    } else if (ran < PROBE_STEPS) {
        d->loop_limit = ran;
        fprintf(stderr, "clae: note: %s (%s) stops a work-item's loops after %ld iterations "
                "in all, silently; clae keeps its kernels under that\n", d->name,
                d->platform_name, ran);
    }
    long forced;
    int f = forced_limit(&forced);
    if (f < 0) return CLAE_ERR_ARG;
    if (f > 0 && (d->loop_limit == 0 || forced < d->loop_limit)) d->loop_limit = forced;
    return CLAE_OK;
}

long clae_loop_budget(const clae_device *d)
{
    return d->loop_limit > 0 ? d->loop_limit / 2 : LONG_MAX;
}

int clae_loop_units(const clae_device *d, long fixed, double per_unit, int n)
{
    const double room = (double)clae_loop_budget(d) - (double)fixed;
    if (per_unit <= 0.0 || room >= per_unit * n) return n;
    return room < per_unit ? 0 : (int)(room / per_unit);
}

clae_status clae_loop_check(const clae_device *d, const char *op, long loops)
{
    if (loops <= clae_loop_budget(d)) return CLAE_OK;
    fprintf(stderr, "clae: %s: a work-item would run %ld loop iterations, over what %s "
            "completes (%ld, half its limit of %ld); use a smaller shape or another device\n",
            op, loops, d->name, clae_loop_budget(d), d->loop_limit);
    return CLAE_ERR_SHAPE;
}
