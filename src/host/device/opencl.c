/* The OpenCL backend's memory, queue and timer (clae_backend_opencl): cl_mem
 * buffers on the device's in-order queue; inside a recording (clae_device.rec)
 * fills and copies become kernels and transfers refuse it. The ops' side of
 * this backend is each op family's launchers (src/host/ops/). */
#include <limits.h>
#include <string.h>

#include "clae/device.h"

clae_status clae_buffer(clae_device *d, size_t bytes, cl_mem *out)
{
    cl_int err;
    *out = clCreateBuffer(d->ctx, CL_MEM_READ_WRITE, bytes ? bytes : 4, NULL, &err);
    CL_CHECK_RET("clCreateBuffer", err);
    return CLAE_OK;
}

clae_status clae_write(clae_device *d, cl_mem m, const void *src, size_t bytes)
{
    if (clae_record_refuse(d)) return CLAE_OK;
    if (bytes == 0) return CLAE_OK;
    CL_CHECK(clEnqueueWriteBuffer(d->queue, m, CL_TRUE, 0, bytes, src, 0, NULL, NULL));
    return CLAE_OK;
}

clae_status clae_read(clae_device *d, cl_mem m, void *dst, size_t bytes)
{
    if (clae_record_refuse(d)) return CLAE_OK;
    if (bytes == 0) return CLAE_OK;
    CL_CHECK(clEnqueueReadBuffer(d->queue, m, CL_TRUE, 0, bytes, dst, 0, NULL, NULL));
    return CLAE_OK;
}

/* Fills (recorded, or on CPUs: buf_fill0) and recorded copies as kernels
 * (src/kernels/buffer.cl), as the extension's own fill and copy commands
 * changed form between revisions. */
static clae_status fill0_kernel(clae_device *d, cl_mem m, size_t bytes)
{
    if (bytes % sizeof(float) || bytes / sizeof(float) > INT_MAX) {
        clae_record_refuse(d);
        return CLAE_OK;
    }
    cl_kernel k;
    CLAE_TRY(clae_kernel(d, "fill_zero", &k));
    CL_ARG(k, 0, cl_mem, m);
    CL_ARG(k, 1, cl_int, (cl_int)(bytes / sizeof(float)));
    return clae_launch1d(d, k, bytes / sizeof(float));
}

static clae_status record_copy(clae_device *d, cl_mem dst, size_t dst_off, cl_mem src,
                               size_t src_off, size_t bytes)
{
    const size_t f = sizeof(float);
    if (bytes % f || dst_off % f || src_off % f || (bytes + dst_off) / f > INT_MAX ||
        (bytes + src_off) / f > INT_MAX) {
        clae_record_refuse(d);
        return CLAE_OK;
    }
    cl_kernel k;
    CLAE_TRY(clae_kernel(d, "copy_floats", &k));
    CL_ARG(k, 0, cl_mem, dst);
    CL_ARG(k, 1, cl_int, (cl_int)(dst_off / f));
    CL_ARG(k, 2, cl_mem, src);
    CL_ARG(k, 3, cl_int, (cl_int)(src_off / f));
    CL_ARG(k, 4, cl_int, (cl_int)(bytes / f));
    return clae_launch1d(d, k, bytes / f);
}

clae_status clae_fill0(clae_device *d, cl_mem m, size_t bytes)
{
    if (bytes == 0) return CLAE_OK;
    if (d->rec.cb) return fill0_kernel(d, m, bytes);
    cl_float zero = 0.0f;
    CL_CHECK(clEnqueueFillBuffer(d->queue, m, &zero, sizeof zero, 0, bytes, 0, NULL, NULL));
    return CLAE_OK;
}

/* ---- clae_buf on a cl_mem ------------------------------------------------- */

static clae_status buf_alloc(clae_device *d, size_t bytes, clae_buf *b)
{
    memset(b, 0, sizeof *b);
    CLAE_TRY(clae_buffer(d, bytes, &b->d));
    clae_status st = clae_fill0(d, b->d, bytes);
    if (st != CLAE_OK) {
        clReleaseMemObject(b->d);
        b->d = NULL;
        return st;
    }
    b->owned = 1;
    return CLAE_OK;
}

static clae_status buf_mirror(clae_device *d, void *host, size_t bytes, clae_buf *b)
{
    memset(b, 0, sizeof *b);
    CLAE_TRY(clae_buffer(d, bytes, &b->d));
    b->owned = 1;
    clae_status st = clae_write(d, b->d, host, bytes);
    if (st != CLAE_OK) clae_buf_free(b);
    return st;
}

static clae_status buf_view(clae_device *d, clae_buf parent, size_t off, size_t bytes,
                            clae_buf *b)
{
    memset(b, 0, sizeof *b);
    cl_buffer_region reg = {off, bytes};
    cl_int err;
    b->d = clCreateSubBuffer(parent.d, CL_MEM_READ_WRITE, CL_BUFFER_CREATE_TYPE_REGION, &reg, &err);
    CL_CHECK_RET("clCreateSubBuffer", err);
    b->owned = 1;
    return CLAE_OK;
}

static clae_status buf_write(clae_device *d, clae_buf b, const void *src, size_t bytes)
{
    return clae_write(d, b.d, src, bytes);
}

static clae_status buf_read(clae_device *d, clae_buf b, void *dst, size_t bytes)
{
    return clae_read(d, b.d, dst, bytes);
}

/* On CPUs as buffer.cl's fill_zero kernel, not clEnqueueFillBuffer: PoCL 3.1
 * fills the 12.9 MB of configs/dense-ae.cfg's gradients in 1.7-1.9 ms with
 * the command, 0.73-0.82 ms with the kernel (2-core Xeon, caches flushed
 * first). Where the kernel cannot take the size, and on other devices
 * (not measured), the command. */
static clae_status buf_fill0(clae_device *d, clae_buf b, size_t bytes)
{
    if (!(d->type & CL_DEVICE_TYPE_CPU) || d->rec.cb || bytes % sizeof(float) ||
        bytes / sizeof(float) > INT_MAX)
        return clae_fill0(d, b.d, bytes);
    return fill0_kernel(d, b.d, bytes);
}

static clae_status buf_copy(clae_device *d, clae_buf dst, size_t dst_off, clae_buf src,
                            size_t src_off, size_t bytes)
{
    if (bytes == 0) return CLAE_OK;
    if (d->rec.cb) return record_copy(d, dst.d, dst_off, src.d, src_off, bytes);
    CL_CHECK(clEnqueueCopyBuffer(d->queue, src.d, dst.d, src_off, dst_off, bytes, 0, NULL, NULL));
    return CLAE_OK;
}

static clae_status buf_read_at(clae_device *d, clae_buf b, size_t off, void *dst, size_t bytes)
{
    if (bytes == 0) return CLAE_OK;
    if (clae_record_refuse(d)) return CLAE_OK;
    CL_CHECK(clEnqueueReadBuffer(d->queue, b.d, CL_TRUE, off, bytes, dst, 0, NULL, NULL));
    return CLAE_OK;
}

static clae_status buf_read_async(clae_device *d, clae_buf b, size_t off, void *dst,
                                  size_t bytes, cl_event *ev)
{
    *ev = NULL;
    if (clae_record_refuse(d)) return CLAE_OK;
    CL_CHECK(clEnqueueReadBuffer(d->queue, b.d, CL_FALSE, off, bytes, dst, 0, NULL, ev));
    return CLAE_OK;
}

static clae_status buf_write_async(clae_device *d, cl_command_queue q, clae_buf b,
                                   const void *src, size_t bytes, cl_uint nwait,
                                   const cl_event *wait, cl_event *ev)
{
    *ev = NULL;
    if (clae_record_refuse(d)) return CLAE_OK;
    CL_CHECK(clEnqueueWriteBuffer(q, b.d, CL_FALSE, 0, bytes, src, nwait, nwait ? wait : NULL, ev));
    return CLAE_OK;
}

/* ---- queue and timer ------------------------------------------------------- */

static clae_status queue_create(clae_device *d, cl_command_queue *q)
{
    cl_int err;
    *q = clCreateCommandQueue(d->ctx, d->device, 0, &err);
    CL_CHECK_RET("clCreateCommandQueue", err);
    return CLAE_OK;
}

static clae_status flush(clae_device *d, cl_command_queue q)
{
    CL_CHECK(clFlush(q ? q : d->queue));
    return CLAE_OK;
}

static clae_status finish(clae_device *d)
{
    if (clae_record_refuse(d)) return CLAE_OK;
    CL_CHECK(clFinish(d->queue));
    return CLAE_OK;
}

static clae_status marker(clae_device *d, cl_event *ev)
{
    if (clae_record_refuse(d)) return CLAE_OK;
    CL_CHECK(clEnqueueMarkerWithWaitList(d->queue, 0, NULL, ev));
    return CLAE_OK;
}

/* A marker on the in-order profiling queue: it completes only after every
 * command enqueued before it, so END(after) - END(before) covers exactly
 * the commands between two stamps (and any time the device sat idle
 * waiting for the host to enqueue them). No host clock is read. */
static clae_status stamp_take(clae_device *d, clae_stamp *s)
{
    s->host_s = 0;
    CL_CHECK(clEnqueueMarkerWithWaitList(d->queue, 0, NULL, &s->ev));
    return CLAE_OK;
}

static clae_status marker_end(cl_event ev, cl_ulong *end)
{
    CL_CHECK(clGetEventProfilingInfo(ev, CL_PROFILING_COMMAND_END, sizeof *end, end, NULL));
    return CLAE_OK;
}

static clae_status stamp_seconds(const clae_stamp *a, const clae_stamp *b, double *s)
{
    cl_ulong e0 = 0, e1 = 0;
    clae_status st = marker_end(a->ev, &e0);
    if (st == CLAE_OK) st = marker_end(b->ev, &e1);
    *s = e1 >= e0 ? 1e-9 * (double)(e1 - e0) : 0.0;
    return st;
}

const clae_backend clae_backend_opencl = {
    .id = CLAE_BACKEND_OPENCL,
    .name = "opencl",
    .reference = 0,
    .timer = "OpenCL profiling: END of a marker before to END of a marker after",
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
