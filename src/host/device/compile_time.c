/* The time a device spends compiling kernels, kept apart from the time its
 * kernels run: program builds (program.c adds them) and first launches.
 * PoCL's CPU driver compiles a kernel's work-group function when a launch
 * of a new work-group size (or grid class) first runs, inside the queue
 * (between the command's SUBMIT and START); so the first launch of each
 * kernel, grid and work-group size runs alone (the queue drained before,
 * waited for after) and its wait, less the kernel's own run (profiling's
 * START to END), counts as compiling.
 * Epoch speeds are then the images' (include/clae/device.h:
 * clae_compile_seconds). */
#include <stdint.h>
#include <time.h>

#include "internal.h"

double clae_mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

double clae_compile_seconds(const clae_device *d)
{
    return d->compile_s;
}

static unsigned long long mix(unsigned long long h, unsigned long long v)
{
    h ^= v;
    h *= 1099511628211ULL;
    return h ^ (h >> 29);
}

int clae_launch_first(clae_device *d, cl_kernel k, cl_uint dims, const size_t *global,
                      const size_t *local)
{
    unsigned long long h = mix(14695981039346656037ULL, (unsigned long long)(uintptr_t)k);
    h = mix(h, dims);
    for (cl_uint i = 0; i < dims; i++) {
        h = mix(h, global[i]);
        h = mix(h, local ? local[i] : 0);
    }
    for (int i = 0; i < d->nlaunch_seen; i++)
        if (d->launch_seen[i] == h) return 0;
    if (d->nlaunch_seen >= CLAE_MAX_LAUNCH_SEEN) return 0; /* past that, no longer timed */
    d->launch_seen[d->nlaunch_seen++] = h;
    return 1;
}

void clae_compile_launch(clae_device *d, cl_event ev, double wall)
{
    cl_ulong start = 0, end = 0;
    double run = 0;
    if (clGetEventProfilingInfo(ev, CL_PROFILING_COMMAND_START, sizeof start, &start, NULL) ==
            CL_SUCCESS &&
        clGetEventProfilingInfo(ev, CL_PROFILING_COMMAND_END, sizeof end, &end, NULL) ==
            CL_SUCCESS &&
        end >= start)
        run = 1e-9 * (double)(end - start);
    if (wall > run) d->compile_s += wall - run;
}

clae_status clae_first_call_begin(clae_device *d, const size_t *key, int n, double *t0)
{
    *t0 = -1;
    if (!d->queue || !clae_launch_first(d, NULL, (cl_uint)n, key, NULL)) return CLAE_OK;
    CL_CHECK(clFinish(d->queue));
    *t0 = clae_mono_s();
    return CLAE_OK;
}

clae_status clae_first_call_end(clae_device *d, double t0)
{
    if (t0 < 0) return CLAE_OK;
    CL_CHECK(clFinish(d->queue));
    d->compile_s += clae_mono_s() - t0;
    return CLAE_OK;
}
