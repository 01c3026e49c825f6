/* The host backend (clae_backend_host): plain C on host memory, where every
 * call has finished when it returns, so transfers are copies and queue
 * control does nothing; the ops' side of it is each op family's reference
 * twins (src/host/ref/). Opening a device on it (spec "ref", or no OpenCL
 * device at all) makes no OpenCL object. */
#define _DEFAULT_SOURCE /* sysconf's _SC_PHYS_PAGES */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "clae/device.h"
#include "internal.h"

/* The memory the process may use, as a device's: the physical memory, or
 * less where a limit is set (ulimit -v / -d, a cgroup's memory.max). The
 * net's up-front check (src/host/net.c) holds the reference path to it
 * as the OpenCL path to its device's, so a model far too large is one line
 * at once, not gigabytes allocated before malloc fails. */
static cl_ulong host_memory(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
    cl_ulong mem = pages > 0 && page > 0 ? (cl_ulong)pages * (cl_ulong)page : CL_ULONG_MAX;
    static const int LIMITS[2] = {RLIMIT_AS, RLIMIT_DATA};
    for (int i = 0; i < 2; i++) {
        struct rlimit rl;
        if (getrlimit(LIMITS[i], &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
            (cl_ulong)rl.rlim_cur < mem)
            mem = (cl_ulong)rl.rlim_cur;
    }
    FILE *f = fopen("/sys/fs/cgroup/memory.max", "r"); /* cgroup v2: a number or "max" */
    unsigned long long cap;
    if (f) {
        if (fscanf(f, "%llu", &cap) == 1 && cap > 0 && (cl_ulong)cap < mem) mem = (cl_ulong)cap;
        fclose(f);
    }
    return mem;
}

clae_status clae_device_open_host(clae_device *d)
{
    d->be = &clae_backend_host;
    d->index = -1;
    d->global_mem = host_memory();
    d->max_alloc = d->global_mem;
    snprintf(d->name, sizeof d->name, "reference (plain C)");
    snprintf(d->platform_name, sizeof d->platform_name, "none");
    snprintf(d->vendor, sizeof d->vendor, "none");
    snprintf(d->driver, sizeof d->driver, "none");
    return CLAE_OK;
}

/* ---- clae_buf on host memory ---------------------------------------------- */

static clae_status buf_alloc(clae_device *d, size_t bytes, clae_buf *b)
{
    memset(b, 0, sizeof *b);
    if (!(b->h = calloc(bytes ? bytes : 1, 1))) return CLAE_ERR_NOMEM;
    b->owned = 1;
    return CLAE_OK;
}

static clae_status buf_mirror(clae_device *d, void *host, size_t bytes, clae_buf *b)
{
    memset(b, 0, sizeof *b);
    b->h = host;
    return CLAE_OK;
}

static clae_status buf_view(clae_device *d, clae_buf parent, size_t off, size_t bytes,
                            clae_buf *b)
{
    memset(b, 0, sizeof *b);
    b->h = (unsigned char *)parent.h + off;
    return CLAE_OK;
}

static clae_status buf_write(clae_device *d, clae_buf b, const void *src, size_t bytes)
{
    if (b.h != src && bytes) memcpy(b.h, src, bytes);
    return CLAE_OK;
}

static clae_status buf_read(clae_device *d, clae_buf b, void *dst, size_t bytes)
{
    if (b.h != dst && bytes) memcpy(dst, b.h, bytes);
    return CLAE_OK;
}

static clae_status buf_fill0(clae_device *d, clae_buf b, size_t bytes)
{
    if (bytes) memset(b.h, 0, bytes);
    return CLAE_OK;
}

static clae_status buf_copy(clae_device *d, clae_buf dst, size_t dst_off, clae_buf src,
                            size_t src_off, size_t bytes)
{
    if (bytes == 0) return CLAE_OK;
    memmove((unsigned char *)dst.h + dst_off, (const unsigned char *)src.h + src_off, bytes);
    return CLAE_OK;
}

static clae_status buf_read_at(clae_device *d, clae_buf b, size_t off, void *dst, size_t bytes)
{
    if (bytes == 0) return CLAE_OK;
    const unsigned char *src = (const unsigned char *)b.h + off;
    if (src != dst) memcpy(dst, src, bytes);
    return CLAE_OK;
}

static clae_status buf_read_async(clae_device *d, clae_buf b, size_t off, void *dst,
                                  size_t bytes, cl_event *ev)
{
    *ev = NULL;
    return buf_read_at(d, b, off, dst, bytes);
}

static clae_status buf_write_async(clae_device *d, cl_command_queue q, clae_buf b,
                                   const void *src, size_t bytes, cl_uint nwait,
                                   const cl_event *wait, cl_event *ev)
{
    *ev = NULL;
    return buf_write(d, b, src, bytes);
}

/* ---- queue and timer: nothing to wait for --------------------------------- */

static clae_status queue_create(clae_device *d, cl_command_queue *q)
{
    *q = NULL;
    return CLAE_OK;
}

static clae_status flush(clae_device *d, cl_command_queue q) { return CLAE_OK; }
static clae_status finish(clae_device *d) { return CLAE_OK; }
static clae_status marker(clae_device *d, cl_event *ev) { return CLAE_OK; }

/* The calls are synchronous: the monotonic clock at a stamp is exact. */
static clae_status stamp_take(clae_device *d, clae_stamp *s)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    s->ev = NULL;
    s->host_s = (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
    return CLAE_OK;
}

static clae_status stamp_seconds(const clae_stamp *a, const clae_stamp *b, double *s)
{
    *s = b->host_s - a->host_s;
    return CLAE_OK;
}

const clae_backend clae_backend_host = {
    .id = CLAE_BACKEND_HOST,
    .name = "host",
    .reference = 1,
    .timer = "host clock_gettime(CLOCK_MONOTONIC) around each synchronous call",
    .buf_alloc = buf_alloc,
    .buf_mirror = buf_mirror,
    .buf_view = buf_view,
    .buf_write = buf_write,
    .buf_read = buf_read,
    .buf_fill0 = buf_fill0,
    .buf_copy = buf_copy,
    .buf_read_at = buf_read_at,
    .buf_read_async = buf_read_async,
    .buf_write_async = buf_write_async,
    .queue_create = queue_create,
    .flush = flush,
    .finish = finish,
    .marker = marker,
    .stamp_take = stamp_take,
    .stamp_seconds = stamp_seconds,
};
